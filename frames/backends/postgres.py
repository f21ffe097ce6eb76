"""The PostgreSQL backend (psycopg2).

Reads and writes go through ``COPY`` in CSV form, where an unquoted empty field is NULL and a
quoted one (``""``) the empty string: results are parsed by ``pyarrow.csv`` as text and converted
column-wise to the requested Arrow types; inserts stream the Arrow table as CSV, straight into the
table or, for ``skip``/``replace``, into a temporary staging table merged with
``INSERT ... ON CONFLICT``. The session runs in autocommit mode, in UTC, with ISO dates.
"""

from __future__ import annotations

import binascii
import io
import itertools
import os
import queue
import socket
import threading
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from frames.backends import interrupt, pg_binary
from frames.backends.arrow import binary_array, binary_views, csv_to_arrow, is_binary
from frames.backends.base import OnDuplicate
from frames.backends.common import ServerBackend, format_paramstyle
from frames.backends.introspect import (
    Catalog,
    ColumnRow,
    ForeignKeyRow,
    IndexRow,
)
from frames.declare.spec import TableRef
from frames.errors import (
    DatabaseConnectionError,
)

T = TypeVar("T")
_SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c bytea_output=hex"
#: Seconds an abandoned connection waits for its cancel request to be sent.
_CANCEL_WAIT = 1.0
_stage_ids = itertools.count()

#: Bytes of CSV text parsed at a time while a result is copied out.
_BLOCK_BYTES = 4 << 20
#: Parsed blocks of a streamed result waiting for its consumer (see :class:`_CopyStream`).
_QUEUED_BLOCKS = 2
#: How often (seconds) a copy waiting for its consumer checks that the consumer is still there.
_WAIT_SECONDS = 0.05
#: The end of a streamed result.
_END = object()

# Restricts a catalog query to schema %s, or (when it is NULL) to every user schema.
_IN_SCHEMA = (
    "((? IS NULL AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_')"
    " OR n.nspname = ?)"
)


class PostgresBackend(ServerBackend):
    """A connection to a PostgreSQL server.

    Parameters
    ----------
    url : str
        The URL it was opened from, password hidden (kept for messages).
    connect_args : dict
        Keyword arguments of :func:`psycopg2.connect` (host, port, user, password, dbname, ...).
    """

    dialect = "postgres"
    list_schemas_sql = (
        "SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' "
        "AND left(nspname, 3) <> 'pg_' ORDER BY nspname"
    )
    connection_id_sql = "SELECT pg_backend_pid()"
    sessions_sql = "SELECT pid FROM pg_stat_activity"
    driver_error = psycopg2.Error

    def __init__(self, url: str, connect_args: dict[str, Any]) -> None:
        self._connect_args = {"connect_timeout": 10, "client_encoding": "UTF8", **connect_args}
        self._connect_args["options"] = " ".join(
            filter(None, [_SESSION_OPTIONS, connect_args.get("options")])
        )
        super().__init__(url)

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> Any:
        args = self._connect_args
        try:
            conn = psycopg2.connect(**args)
        except psycopg2.Error as exc:
            where = f"{args.get('host', 'localhost')}:{args.get('port', 5432)}"
            raise DatabaseConnectionError(
                f"cannot connect to PostgreSQL at {where} as {args.get('user')!r}: "
                f"{' '.join(str(exc).split())}"
            ) from exc
        conn.autocommit = True
        psycopg2.extras.register_default_json(conn, loads=str)
        psycopg2.extras.register_default_jsonb(conn, loads=str)
        bytea = psycopg2.extensions.new_type(
            psycopg2.BINARY.values,
            "FRAMES_BYTEA",
            lambda value, cursor: None if value is None else bytes(psycopg2.BINARY(value, cursor)),
        )
        psycopg2.extensions.register_type(bytea, conn)
        return conn

    def _is_broken(self) -> bool:
        return bool(self._conn.closed)

    def _interruptible(self, operation: Callable[[Any], T]) -> T:
        """Run ``operation`` so that Ctrl-C cancels it (libpq waits in C, where Python cannot
        raise ``KeyboardInterrupt``; see :mod:`frames.backends.interrupt`)."""
        connection = self._conn
        if not self._cancellable:
            return operation(connection)
        with interrupt.watch(connection.cancel, connection.fileno) as call:
            try:
                return operation(connection)
            except psycopg2.Error as exc:
                if not call.fired:
                    raise
                cancelled = exc
        interrupt.raise_pending(cancelled)
        raise AssertionError("unreachable")  # pragma: no cover

    def _abandon(self) -> None:
        """Cancel what the session runs (from a helper thread, waiting at most a second for
        the request to go out) and close the socket; the server then ends the session."""
        connection = self._conn
        if connection.closed:
            return
        if connection.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_ACTIVE:
            sender = threading.Thread(target=_quietly, args=(connection.cancel,), daemon=True)
            sender.start()
            sender.join(_CANCEL_WAIT)
        try:
            with socket.socket(fileno=os.dup(connection.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        _quietly(connection.close)

    # -- reading ------------------------------------------------------------------------------
    def _fetch_arrow_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema
    ) -> pa.Table:
        if pg_binary.has_binary(schema):  # bytea as bytes, not as hex text
            rows = pg_binary.BinaryCopy(schema)
            with connection.cursor() as cursor:
                query = cursor.mogrify(format_paramstyle(sql), tuple(params)).decode("utf-8")
                cursor.copy_expert(pg_binary.copy_sql(query, schema, self.quote), rows)
            return rows.table()
        tables: list[pa.Table] = []
        _copy_out(connection, sql, params, _CsvBlocks(schema, tables.append))
        return pa.concat_tables(tables) if tables else csv_to_arrow(b"", schema)

    def _fetch_batches_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Generator[pa.Table, None, None]:
        """The ``COPY`` runs in a thread that parses each block of rows and hands it over
        through a queue of :data:`_QUEUED_BLOCKS`: the copy waits while the consumer has not
        taken them, so no more blocks than that are held (``batch_rows`` plays no part here;
        the caller re-cuts the blocks)."""
        return _CopyStream(connection, sql, params, schema).tables()

    def _abandon_stream(self) -> None:
        """Ask the server to cancel the running ``COPY`` (from this thread: its own is busy)."""
        if self._conn is not None:
            self._conn.cancel()

    # -- writing ------------------------------------------------------------------------------
    def _insert(
        self, ref: TableRef, data: pa.Table, primary_key: Sequence[str], on_duplicate: OnDuplicate
    ) -> int:
        payload = arrow_to_csv(data)
        columns = self.column_list(data.column_names)
        target = self.qualified(ref)
        copy = "COPY {} ({}) FROM STDIN WITH (FORMAT csv)"

        def run(connection: Any) -> int:
            with connection.cursor() as cursor:
                if on_duplicate == "error":
                    cursor.copy_expert(copy.format(target, columns), io.BytesIO(payload))
                    return cursor.rowcount
                stage = self.quote(f"frames_stage_{next(_stage_ids)}")
                cursor.execute(
                    f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
                    f"SELECT {columns} FROM {target} WITH NO DATA"
                )
                cursor.copy_expert(copy.format(stage, columns), io.BytesIO(payload))
                cursor.execute(
                    f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {stage}"
                    + self.duplicate_clause(ref, primary_key, data.column_names, on_duplicate)
                )
                written = cursor.rowcount
                cursor.execute(f"DROP TABLE {stage}")
                return written

        return self._call(run, f"insert into {ref}")

    # -- catalog ------------------------------------------------------------------------------
    def schema_exists(self, schema: str) -> bool:
        """True if the schema exists."""
        return bool(self.fetch_rows("SELECT 1 FROM pg_namespace WHERE nspname = ?", [schema]))

    def create_schema(self, schema: str) -> None:
        """Create the schema if it does not exist."""
        self.execute(f"CREATE SCHEMA IF NOT EXISTS {self.quote(schema)}")

    def drop_schema(self, schema: str) -> None:
        """Drop the schema with its tables and named (enum) types; no-op if it does not exist."""
        self.execute(f"DROP SCHEMA IF EXISTS {self.quote(schema)} CASCADE")

    def _tables(self, schema: str | None) -> dict[TableRef, str]:
        rows = self.fetch_rows(
            "SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p') AND {_IN_SCHEMA}",
            [schema, schema],
        )
        return {TableRef(s, t): comment or "" for s, t, comment in rows}

    def _catalog(self, schema: str | None) -> Catalog:
        params = [schema, schema]
        catalog = Catalog(self.dialect, self._user_tables(schema))
        for s, t, name, native, nullable, default, comment, members in self.fetch_rows(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
            "NOT a.attnotnull, COALESCE(pg_get_expr(d.adbin, d.adrelid), "
            "CASE WHEN a.attidentity <> '' THEN 'AUTO_INCREMENT' END), "
            "col_description(c.oid, a.attnum), CASE WHEN t.typtype = 'e' THEN ARRAY("
            "SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid "
            "ORDER BY e.enumsortorder) END "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') "
            f"AND {_IN_SCHEMA} ORDER BY n.nspname, c.relname, a.attnum",
            params,
        ):
            catalog.columns.append(
                ColumnRow(
                    TableRef(s, t),
                    name,
                    native,
                    nullable,
                    default,
                    comment,
                    tuple(members) if members else None,
                )
            )
        for s, t, kind, parent_schema, parent, attrs, parent_attrs in self.fetch_rows(
            "SELECT n.nspname, c.relname, co.contype, pn.nspname, pc.relname, "
            f"{_names('co.conkey', 'co.conrelid')}, {_names('co.confkey', 'co.confrelid')} "
            "FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_class pc ON pc.oid = co.confrelid "
            "LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
            f"WHERE co.contype IN ('p', 'f') AND {_IN_SCHEMA} "
            "ORDER BY n.nspname, c.relname, co.oid",
            params,
        ):
            ref = TableRef(s, t)
            if kind == "p":
                catalog.primary_keys[ref] = tuple(attrs)
            else:
                catalog.foreign_keys.append(
                    ForeignKeyRow(
                        ref, TableRef(parent_schema, parent), tuple(attrs), tuple(parent_attrs)
                    )
                )
        # DataJoint 2.x indexes the attributes of each secondary foreign key on PostgreSQL
        # (MySQL does so itself): a non-unique index on exactly a foreign key's attributes
        # serves the constraint and is not part of the table's definition.
        implied = {(fk.ref, fk.child_attrs) for fk in catalog.foreign_keys}
        for s, t, unique, attrs in self.fetch_rows(
            "SELECT n.nspname, c.relname, i.indisunique, "
            f"{_names('i.indkey::int2[]', 'i.indrelid', 'i.indnkeyatts')} "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisprimary AND i.indexprs IS NULL AND i.indpred IS NULL "
            f"AND {_IN_SCHEMA} ORDER BY n.nspname, c.relname, i.indexrelid",
            params,
        ):
            if unique or (TableRef(s, t), tuple(attrs)) not in implied:
                catalog.indexes.append(IndexRow(TableRef(s, t), tuple(attrs), unique))
        return catalog


def _quietly(call: Callable[[], Any]) -> None:
    """``call()``, ignoring the driver's complaint about a connection that is gone."""
    try:
        call()
    except psycopg2.Error:
        pass


def _names(numbers: str, relation: str, limit: str | None = None) -> str:
    """SQL for the attribute names of the attribute-number array ``numbers``, in order."""
    bound = f" AND k.pos <= {limit}" if limit else ""
    return (
        f"ARRAY(SELECT a.attname::text FROM unnest({numbers}) WITH ORDINALITY k(num, pos) "
        f"JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = k.num{bound} "
        "ORDER BY k.pos)"
    )


# ---------------------------------------------------------------------------------------------
# Arrow → CSV


def arrow_to_csv(data: pa.Table) -> bytes:
    """CSV for ``COPY ... FROM STDIN WITH (FORMAT csv)``: NULL unquoted and empty, text quoted.

    Arrow quotes every string value (``"needed"`` quoting), so an empty string reaches the
    server as ``""`` and stays apart from NULL; numbers, dates and times go unquoted, which the
    server parses about a fifth faster than quoting every value. Binary values are written as
    ``\\x`` hex text, and dictionary-encoded strings as plain strings (so they are quoted too).
    """
    columns = [_csv_column(column) for column in data.columns]
    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.Table.from_arrays(columns, names=data.column_names),
        buffer,
        pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def _csv_column(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """One column in the form :func:`arrow_to_csv` writes."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        return pc.cast(column, kind.value_type)
    if is_binary(kind):  # hex text from the column's own buffers, one join (no str objects)
        texts = [None if v is None else binascii.hexlify(v) for v in binary_views(column)]
        return binary_array(texts, pa.large_string(), prefix=b"\\x")
    return column


def _copy_out(connection: Any, sql: str, params: Sequence[Any], blocks: _CsvBlocks) -> None:
    """Run ``COPY (sql) TO STDOUT`` in CSV on ``connection``, its text parsed by ``blocks``."""
    with connection.cursor() as cursor:
        query = cursor.mogrify(format_paramstyle(sql), tuple(params)).decode("utf-8")
        # psycopg2 writes each row; the buffer hands whole rows over a block at a time
        writer = io.BufferedWriter(blocks, buffer_size=_BLOCK_BYTES)
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", writer)
        writer.flush()


class _CsvBlocks(io.RawIOBase):
    """The sink of ``COPY ... TO STDOUT``: each block of whole rows is parsed into Arrow as it
    arrives and passed to ``consume``, so that the text of the whole result is never held at
    once.

    psycopg2 writes one row per call into an :class:`io.BufferedWriter`, which passes its
    buffer here when the next row does not fit: blocks end at row boundaries. A value that does
    not fit its column raises :class:`~frames.errors.FetchError` out of the copy (psycopg2
    ends the copy; the connection stays usable), as does anything ``consume`` raises.
    """

    def __init__(self, schema: pa.Schema, consume: Callable[[pa.Table], None]) -> None:
        super().__init__()
        self._schema = schema
        self._consume = consume

    def writable(self) -> bool:
        return True

    def write(self, block: Any) -> int:
        """Parse ``block`` (whole CSV rows) into a table of the schema."""
        self._consume(csv_to_arrow(bytes(block), self._schema))
        return len(block)


class _Stopped(Exception):
    """Raised into a ``COPY`` whose consumer has gone (it ends the copy)."""


class _CopyStream:
    """One ``COPY ... TO STDOUT`` run by a thread, its parsed blocks handed to the consumer.

    The thread puts each block's table, then the end marker or the exception that ended the
    copy, on a bounded queue; it waits while the queue is full, until the consumer takes a
    table or goes away (:meth:`tables` closed early sets :attr:`_stop`, which makes the copy
    raise :class:`_Stopped` at its next block). A consumer that stops early first has the
    server cancel the query (:meth:`PostgresBackend._abandon_stream`), so that the rest of the
    result is neither sent nor read.
    """

    def __init__(self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_QUEUED_BLOCKS)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._copy, args=(connection, sql, params, schema), daemon=True
        )

    def tables(self) -> Generator[pa.Table, None, None]:
        """The blocks' tables as the copy produces them; the copy's error is raised here."""
        self._thread.start()
        try:
            while (item := self._queue.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            self._thread.join()

    def _copy(self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema) -> None:
        try:
            _copy_out(connection, sql, params, _CsvBlocks(schema, self._put))
        except BaseException as exc:  # handed to the consumer, raised there
            self._hand_over(exc)
        else:
            self._hand_over(_END)

    def _put(self, table: pa.Table) -> None:
        if not self._hand_over(table):
            raise _Stopped

    def _hand_over(self, item: Any) -> bool:
        """Queue ``item`` once there is room; False if the consumer has gone meanwhile."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False
