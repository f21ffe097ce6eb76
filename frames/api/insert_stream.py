"""Inserting a stream of Arrow batches: a Parquet file, a reader, an iterator of batches.

``Table.insert`` takes, besides rows held in memory, inputs that arrive a batch at a time: the
path of a Parquet file (``str`` or ``os.PathLike`` ending in ``.parquet``), read a row group at a
time; a ``pyarrow.RecordBatchReader`` (``pyarrow.csv.open_csv(path)`` reads a CSV file that way,
``pyarrow.dataset`` scanners too) or a frames :class:`~frames.io.stream.BatchStream`
(``other.to_arrow_batches()``); an iterator, or a list, of ``pyarrow.RecordBatch`` or
``pyarrow.Table`` (one ``RecordBatch`` is inserted as a table). Each batch is checked and
written as Arrow data is (:func:`frames.api.insert._insert_batch`) and then released, so memory
stays flat whatever the size of the input. The whole input is one transaction (nothing is
written if a batch fails), or, with ``chunk_size``, one transaction per ``chunk_size`` rows, as
for other inputs.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from frames.api.progress import counted_rows
from frames.errors import DataError, FramesError
from frames.io.stream import DEFAULT_BATCH_ROWS, BatchStream, rebatch

if TYPE_CHECKING:
    from frames.api.table import Table

_BATCH_TYPES = (pa.RecordBatch, pa.Table)


def stream_source(rows: Any, name: str) -> tuple[Iterator[pa.Table] | None, Any]:
    """``(batches, rows)``: the batches of ``rows`` if it is an input that streams (see the
    module), else ``None`` and ``rows`` to insert as usual (an iterator whose first item was
    looked at comes back whole). ``name`` (the table's) is for messages."""
    if isinstance(rows, (str, os.PathLike)) and os.fspath(rows).lower().endswith(".parquet"):
        return _parquet_batches(rows, name), None
    if isinstance(rows, pa.RecordBatch):  # one batch: a table
        return None, pa.Table.from_batches([rows])
    if isinstance(rows, (pa.RecordBatchReader, BatchStream)):
        return _tables(rows), None
    if isinstance(rows, list) and rows and all(isinstance(r, _BATCH_TYPES) for r in rows):
        return _tables(iter(rows)), None
    if isinstance(rows, Iterator):
        first = next(rows, None)
        if isinstance(first, _BATCH_TYPES):
            return _tables(itertools.chain([first], rows)), None
        return None, rows if first is None else itertools.chain([first], rows)
    return None, rows


def insert_stream(
    table: Table,
    batches: Iterator[pa.Table],
    write: Callable[[pa.Table], int],
    chunk_size: int | None,
) -> int:
    """Insert every batch into ``table`` with ``write`` (which checks and writes one batch, and
    returns the rows written): one transaction, or one per ``chunk_size`` rows.

    Returns the rows written. An error in a later batch names the rows of the input it holds
    (the row numbers in the message count from the batch's first row).
    """

    batches = counted_rows(batches, f"insert into {table._name}")

    def insert(part: pa.Table, start: int) -> int:
        try:
            return write(part)
        except FramesError as exc:
            if not start:
                raise
            end = start + part.num_rows - 1
            raise type(exc)(
                f"{exc} (in rows {start} to {end} of the streamed input; the row numbers above "
                f"count from row {start})"
            ) from exc

    if chunk_size is not None:  # each chunk its own transaction
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise DataError(
                f"{table._name}.insert(): chunk_size must be a positive number of rows, "
                f"not {chunk_size!r}"
            )
        return _insert_each(insert, _tables(rebatch(batches, chunk_size)))
    with table._connection.atomic():
        return _insert_each(insert, batches)


def _insert_each(insert: Callable[[pa.Table, int], int], parts: Iterator[pa.Table]) -> int:
    """``insert(part, first row number)`` for each part; the rows written."""
    written = start = 0
    for part in parts:
        written += insert(part, start)
        start += part.num_rows
    return written


def _parquet_batches(path: str | os.PathLike[str], name: str) -> Iterator[pa.Table]:
    """The rows of a Parquet file, read a batch at a time.

    Raises
    ------
    frames.errors.DataError
        If the file cannot be opened or read as Parquet (naming it).
    """
    try:
        with pq.ParquetFile(path) as file:
            for batch in file.iter_batches(batch_size=DEFAULT_BATCH_ROWS):
                yield pa.Table.from_batches([batch])
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"{name}.insert(): cannot read the Parquet file {path}: {exc}") from exc


def _tables(batches: Any) -> Iterator[pa.Table]:
    for batch in batches:
        yield batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
