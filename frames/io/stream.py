"""Results in batches: re-cutting a stream of Arrow tables, and writing it to files.

A streamed result (:meth:`frames.api.query.QueryExpression.to_arrow_batches`) arrives from the
backend in pieces of the size its driver reads (a 4 MB block of PostgreSQL's ``COPY`` text, a
batch of MySQL rows, a DuckDB vector chunk); :func:`rebatch` re-cuts them into record batches of
exactly the number of rows asked for. :func:`write_parquet` and :func:`write_csv` write such a
stream to a file batch by batch, so that no more than a batch or two is held at once, and
replace the target file only once the whole result is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from frames.errors import FetchError

#: Rows per record batch when the caller does not say.
DEFAULT_BATCH_ROWS = 65_536


def check_batch_rows(batch_rows: Any, where: str) -> int:
    """``batch_rows`` if it is a positive integer.

    Raises
    ------
    frames.errors.FetchError
        Naming ``where`` (the method called) and the value given.
    """
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
        raise FetchError(
            f"{where}: batch_rows must be a positive number of rows, not {batch_rows!r}"
        )
    return batch_rows


class BatchStream:
    """A result as ``pyarrow.RecordBatch`` es read from the database as they are consumed.

    An iterator of batches (``for batch in stream``) with the :attr:`schema` they all have;
    :meth:`read_next_batch` and :meth:`read_all` as on a ``pyarrow.RecordBatchReader``.
    :meth:`close` (or the end of a ``with`` block) stops the query and releases its
    connection, as reading the last batch does. Other libraries read it as an Arrow stream
    (the Arrow PyCapsule interface: ``pyarrow.RecordBatchReader.from_stream(stream)``,
    ``duckdb.sql('SELECT ... FROM stream')``, ``polars.from_arrow``...).

    Attributes
    ----------
    schema : pyarrow.Schema
        The schema of every batch.
    """

    def __init__(
        self,
        schema: pa.Schema,
        batches: Iterator[pa.RecordBatch],
        source: Iterator[Any] | None = None,
    ) -> None:
        """``batches`` of ``schema``, made from ``source``: the database's iterator, which
        :meth:`close` closes too (``batches`` may not have started reading it yet)."""
        self.schema = schema
        self._batches = batches
        self._source = source

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> pa.RecordBatch:
        return next(self._batches)

    def read_next_batch(self) -> pa.RecordBatch:
        """The next batch; ``StopIteration`` after the last, as pyarrow's readers raise."""
        return next(self._batches)

    def read_all(self) -> pa.Table:
        """The remaining batches as one table."""
        return pa.Table.from_batches(list(self._batches), schema=self.schema)

    def close(self) -> None:
        """Stop reading: the query ends and its connection is released (no-op after the end)."""
        for iterator in (self._batches, self._source):
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> BatchStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """The batches as an Arrow C stream (the Arrow PyCapsule interface)."""
        reader = pa.RecordBatchReader.from_batches(self.schema, self._batches)
        return reader.__arrow_c_stream__(requested_schema)


def rebatch(tables: Iterable[pa.Table], batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of ``tables``, in order, as record batches of ``batch_rows`` rows (the last
    one fewer; none for an empty stream).

    A batch is assembled from the pieces that fall into it (one copy of their values); pieces
    are released as soon as their rows have been handed on.
    """
    pending: list[pa.Table] = []
    held = 0
    for table in tables:
        start = 0
        while held + table.num_rows - start >= batch_rows:
            take = batch_rows - held
            pending.append(table.slice(start, take))
            yield _one_batch(pending)
            pending, held, start = [], 0, start + take
        if start < table.num_rows:
            pending.append(table.slice(start))
            held += table.num_rows - start
    if held:
        yield _one_batch(pending)


def _one_batch(pieces: list[pa.Table]) -> pa.RecordBatch:
    table = pieces[0] if len(pieces) == 1 else pa.concat_tables(pieces)
    return table.combine_chunks().to_batches()[0]


def write_parquet(batches: BatchStream, path: str | os.PathLike[str]) -> None:
    """Write the batches to a Parquet file at ``path`` (one row group per batch)."""

    def write(target: str) -> None:
        with batches, pq.ParquetWriter(target, batches.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)

    _replace_when_written(path, write)


def check_csv_schema(schema: pa.Schema, where: str) -> None:
    """Raise :class:`~frames.errors.FetchError` (naming ``where``, the method called) if a
    column of ``schema`` holds bytes (``bytes``, blobs), which CSV text cannot hold."""
    binary = [f.name for f in schema if pa.types.is_binary(f.type)]
    if binary:
        raise FetchError(
            f"{where}: the attributes {', '.join(binary)} hold bytes, which CSV text cannot "
            "hold; leave them out with proj(), or write Parquet with to_parquet()"
        )


def write_csv(batches: BatchStream, path: str | os.PathLike[str]) -> None:
    """Write the batches to a CSV file at ``path``: a header of the attribute names, then one
    line per row (Arrow's CSV text: NULL as an empty field, text quoted, ISO dates); see
    :func:`check_csv_schema` for what it cannot hold."""

    def write(target: str) -> None:
        with batches, pacsv.CSVWriter(target, batches.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)

    _replace_when_written(path, write)


def _replace_when_written(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Run ``write`` on a new file beside ``path``, then move it to ``path``: a reader of
    ``path`` never sees a partial result, and a failed write leaves it as it was."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
