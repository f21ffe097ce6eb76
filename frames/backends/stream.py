"""Results read on connections of their own: streamed a batch at a time, or several at once.

:func:`stream_batches` implements :meth:`frames.backends.base.Backend.fetch_arrow_batches` for
the three backends on top of each one's reader of batches (``_fetch_batches_on``: PostgreSQL's
``COPY`` text parsed block by block, MySQL's unbuffered rows read off the socket, DuckDB's
record-batch reader). Outside a transaction the query runs on a new connection to the same
database (``_stream_backend``), so that the backend's own connection stays free for other
statements while the batches are consumed (inserting each into another table, say), and that
connection is closed when the batches end or the consumer stops early (``_abandon_stream``
stops the query first rather than reading the rest). Inside a transaction the rows must come
from the transaction's connection, which must also stay free for the transaction's other
statements: there the result is read whole and handed out in batches.

:func:`read_at_once` reads several results at the same time, each on a new connection (the
pieces of a parallel read, :mod:`frames.api.parallel`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NoReturn

import pyarrow as pa

if TYPE_CHECKING:
    from frames.backends.common import SqlBackend


def stream_batches(
    backend: SqlBackend, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
) -> Iterator[pa.Table]:
    """The result of ``sql`` as Arrow tables of about ``batch_rows`` rows (see the module).

    The query runs before this returns (its errors raise here) and the first batch is read;
    the connection it runs on is closed when the iterator is exhausted, closed or dropped.
    """
    if backend.query_cache is not None or backend.in_transaction:
        whole = backend.fetch_arrow(sql, params, schema)
        return (
            pa.Table.from_batches([batch], whole.schema) for batch in whole.to_batches(batch_rows)
        )
    batches = _read(backend._stream_backend(), sql, params, schema, batch_rows)
    next(batches)  # runs the query, reads the first batch, and arms the clean-up
    return batches


def _read(
    reader: SqlBackend, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
) -> Iterator[Any]:
    """The batches of the query run on ``reader`` (a connection of its own), closed after.

    The first item is ``None``, yielded once the query has run and its first batch has been
    read (for :func:`stream_batches`, which takes it): from then on, closing this generator
    stops the query and closes the connection.
    """
    try:
        batches = reader._attempt(
            lambda con: reader._fetch_batches_on(con, sql, params, schema, batch_rows)
        )
        exhausted = False
        try:
            batch = _next(reader, batches)
            yield None
            while batch is not None:
                yield batch
                batch = _next(reader, batches)
            exhausted = True
        finally:
            if not exhausted:
                reader._abandon_stream()
            batches.close()
    finally:
        reader.close()


def _next(reader: SqlBackend, batches: Iterator[pa.Table]) -> pa.Table | None:
    """The next batch, ``None`` after the last; a driver error is translated into a frames
    error as any statement's is (:meth:`~frames.backends.common.SqlBackend._call`)."""
    try:
        return next(batches, None)
    except reader.driver_error as exc:
        error = exc
    return reader._call(lambda _connection: _raise(error))


def read_at_once(
    backend: SqlBackend, statements: Sequence[tuple[str, Sequence[Any]]], schema: pa.Schema
) -> list[pa.Table]:
    """The results of ``statements``, each read on a new connection in a thread of its own,
    all at once (the drivers release the GIL while they wait for the server, Arrow while it
    parses); the connections are closed after. With a query cache, they are answered one
    after the other from the cache."""
    if backend.query_cache is not None:
        return [backend.fetch_arrow(sql, params, schema) for sql, params in statements]
    readers: list[SqlBackend] = []
    try:
        readers.extend(backend._stream_backend() for _ in statements)
        with ThreadPoolExecutor(max_workers=len(statements)) as pool:
            results = [
                pool.submit(reader.fetch_arrow, sql, params, schema)
                for reader, (sql, params) in zip(readers, statements, strict=True)
            ]
            return [result.result() for result in results]
    finally:
        for reader in readers:
            reader.close()


def _raise(exc: BaseException) -> NoReturn:
    raise exc
