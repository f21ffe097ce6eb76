"""The MySQL / MariaDB backend (pymysql).

pymysql builds a Python object per value, in Python. So results stream from the server in
batches read straight from the socket (:mod:`frames.backends.mysql_wire`: each field sliced out
as bytes), with each row's numbers, dates and booleans as one CSV line (``CONCAT_WS`` over the
query, see :func:`csv_select`) parsed by Arrow exactly as PostgreSQL's ``COPY`` output is.
Ordered results (a derived table may lose the order) come as plain columns, each value converted
from its text by Arrow. Small results (``fetch1``) are read as pymysql's rows, as is everything
where the socket reader cannot take over the connection (``0``/``1`` become booleans, ``Decimal``
values stay exact). Large inserts are a file read by ``LOAD DATA LOCAL INFILE`` into a staging
table, copied by ``INSERT ... SELECT`` (:meth:`MySQLBackend._load`); small ones, and all where
the server refuses the file, multi-row ``INSERT`` statements, batched by pymysql's
``executemany`` under the server's ``max_allowed_packet``. The session runs in autocommit mode
with strict SQL mode (bad values are errors, not warnings) in UTC.

A ``uuid`` is stored as its 16 bytes in ``BINARY(16)``, as DataJoint stores it, and is carried as
its canonical text in Arrow, as on the other backends: inserted text is converted to the bytes
(:meth:`MySQLBackend._insert`), and the bytes read by a query that does not select their text
(SQL compiled by frames does, :func:`frames.sql.compile.uuid_text`) are converted back.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import tempfile
import threading
import uuid
from collections import defaultdict
from collections.abc import Generator, Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pymysql
import pymysql.cursors

from frames.backends import mysql_wire
from frames.backends.arrow import (
    check_width,
    column_to_arrow,
    csv_to_arrow,
    rows_to_arrow,
    text_to_arrow,
)
from frames.backends.base import OnDuplicate
from frames.backends.common import ServerBackend, format_paramstyle
from frames.backends.introspect import (
    Catalog,
    ColumnRow,
    ForeignKeyRow,
    IndexRow,
)
from frames.backends.mysql_wire import ColumnKind
from frames.declare.spec import TableRef
from frames.errors import (
    DatabaseConnectionError,
    DataError,
    DuplicateError,
    FetchError,
)

# Strict values, and strict grouping as on MySQL 8 (MariaDB leaves ONLY_FULL_GROUP_BY off):
# frames' SQL must be valid under it, and user fragments get MySQL 8's errors everywhere.
_SESSION = (
    "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), "
    "'STRICT_ALL_TABLES', 'ONLY_FULL_GROUP_BY'), time_zone = '+00:00'"
)
# MariaDB 10.11 returns wrong rows with its "split materialized" (lateral derived) optimisation:
# an outer union of two queries over the same aggregation gave a row twice
# (tests/properties/test_regressions.py::test_outer_union_of_two_queries_over_an_aggregation).
_MARIADB_SESSION = "SET SESSION optimizer_switch = 'split_materialized=off'"
_PACKET_MARGIN = 4096
# Rows read (and held as Python objects) at a time: 16,384 keeps the peak memory of a fetch
# under twice the result's Arrow size (65,536 took 2.4x on a million rows; 8,192 saves no more).
_BATCH_ROWS = 16_384
# Inserts of fewer rows go as INSERT statements: a staging table costs more than it saves.
_LOAD_ROWS = 1000
# The server or client refuses LOAD DATA LOCAL INFILE.
_NO_LOCAL_INFILE = (1148, 2068, 3948, 3950, 4166)
# "column list and SELECT field list have different column counts" (MariaDB, MySQL)
_WRONG_WIDTH = (4002, 1353)

# pymysql: "SSL is required but the server doesn't support it"
_NO_SERVER_TLS = 2026
logger = logging.getLogger("frames")


#: The keyword arguments of ``pymysql.connect``, and those frames handles itself.
_CONNECT_OPTIONS = frozenset(
    [*inspect.signature(pymysql.connections.Connection.__init__).parameters, "tls_preferred"]
) - {"self"}


def check_connect_options(url: str, names: Iterable[str]) -> None:
    """Refuse connection options (URL query parameters, ``connect_args``) pymysql lacks.

    Raises
    ------
    MySQLConnectionError
        Naming the unknown options and the known ones.
    """
    unknown = sorted(set(names) - _CONNECT_OPTIONS)
    if unknown:
        raise MySQLConnectionError(
            f"unknown MySQL connection option(s) {', '.join(map(repr, unknown))} in {url!r}; "
            f"known options: {', '.join(sorted(_CONNECT_OPTIONS))}"
        )


class MySQLConnectionError(DatabaseConnectionError, pymysql.err.OperationalError):
    """The MySQL server could not be reached or refused the login.

    Also a :class:`pymysql.err.OperationalError`, the class DataJoint lets through, so code
    written for DataJoint that catches the driver's error keeps working.
    """


_SYSTEM_SCHEMAS = "('mysql', 'information_schema', 'performance_schema', 'sys')"
# Restricts a catalog query to schema %s, or (when it is NULL) to every user schema.
_IN_SCHEMA = f"((? IS NULL AND TABLE_SCHEMA NOT IN {_SYSTEM_SCHEMAS}) OR TABLE_SCHEMA = ?)"


class MySQLBackend(ServerBackend):
    """A connection to a MySQL or MariaDB server.

    Parameters
    ----------
    url : str
        The URL it was opened from, password hidden (kept for messages).
    connect_args : dict
        Keyword arguments of :func:`pymysql.connect` (host, port, user, password, database, ...).
    """

    dialect = "mysql"
    list_schemas_sql = (
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME "
        f"NOT IN {_SYSTEM_SCHEMAS} ORDER BY SCHEMA_NAME"
    )
    connection_id_sql = "SELECT connection_id()"
    # without the PROCESS privilege, the sessions of the same user only
    sessions_sql = "SELECT ID FROM information_schema.PROCESSLIST"
    current_user_sql = "SELECT user()"
    driver_error = pymysql.Error
    begin_sql = "START TRANSACTION"
    quote_char = "`"

    def __init__(self, url: str, connect_args: dict[str, Any]) -> None:
        connect_args = dict(connect_args)
        # TLS if the server offers it (DataJoint's use_tls=None); pymysql alone refuses then
        self._tls_preferred = bool(connect_args.pop("tls_preferred", False))
        self._connect_args = {
            "connect_timeout": 10,
            "charset": "utf8mb4",
            **connect_args,
            "autocommit": True,
            "init_command": _SESSION,
            "local_infile": True,
        }
        self._max_packet = 1 << 20
        self._is_mariadb = False
        # False once the server has refused LOAD DATA LOCAL INFILE
        self._local_infile = True
        super().__init__(url)

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> Any:
        args = self._connect_args
        try:
            conn = pymysql.connect(**args)
            with conn.cursor() as cursor:
                cursor.execute("SELECT @@max_allowed_packet")
                (self._max_packet,) = cursor.fetchone()
        except (TypeError, ValueError, AttributeError) as exc:  # an option of the wrong type
            raise MySQLConnectionError(
                f"invalid MySQL connection option for {self.url!r}: {exc}; check the URL's "
                "query parameters and connect_args (numbers for timeouts, a dict for ssl)"
            ) from exc
        except pymysql.Error as exc:
            if self._tls_preferred and exc.args and exc.args[0] == _NO_SERVER_TLS:
                logger.debug("%s offers no TLS; connecting without it", self.url)
                self._tls_preferred = False
                self._connect_args = {**args, "ssl": None, "ssl_disabled": True}
                return self._connect()
            where = f"{args.get('host', 'localhost')}:{args.get('port', 3306)}"
            raise MySQLConnectionError(
                f"cannot connect to MySQL at {where} as {args.get('user')!r}: "
                f"{' '.join(str(exc).split())}"
            ) from exc
        self._is_mariadb = "mariadb" in conn.get_server_info().lower()
        if self._is_mariadb:
            with conn.cursor() as cursor:
                cursor.execute(_MARIADB_SESSION)
        return conn

    def _is_broken(self) -> bool:
        return not self._conn.open

    def _abandon(self) -> None:
        """Close the socket without a word (pymysql may be half-way through a packet) and, from
        a helper thread on a new connection, ``KILL`` the session: the server stops its query
        (a ``LOAD DATA`` waiting for the rest of the file, say) and rolls its transaction back
        at once rather than when it next reads from the socket."""
        connection = self._conn
        if not connection.open:
            return
        session = connection.thread_id()
        connection._force_close()
        args = {**self._connect_args, "connect_timeout": 5}
        threading.Thread(target=_kill, args=(args, session), daemon=True).start()

    @property
    def string_collation(self) -> str:
        """A binary NO PAD collation, so that ``'a' <> 'a '`` as on the other backends.

        MySQL 8 calls it ``utf8mb4_0900_bin``; MariaDB ``utf8mb4_nopad_bin``.
        """
        return "utf8mb4_nopad_bin" if self._is_mariadb else "utf8mb4_0900_bin"

    # -- reading ------------------------------------------------------------------------------
    def _fetch_arrow_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema
    ) -> pa.Table:
        batches = list(self._fetch_batches_on(connection, sql, params, schema, _BATCH_ROWS))
        return pa.concat_tables(batches) if len(batches) > 1 else batches[0]

    def _fetch_batches_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Generator[pa.Table, None, None]:
        """Stream the result in batches of rows, each turned into Arrow before the next is read
        (at least one batch, maybe empty).

        Unordered results with a value to convert come as CSV lines (:func:`csv_select`); the
        others as plain rows (a derived table may lose its order; text needs no conversion).
        The rows are read from the socket (:mod:`frames.backends.mysql_wire`), or, where that
        reader cannot take over the connection, as pymysql's rows.
        """
        texts = [i for i, field in enumerate(schema) if _is_text(field.type)]
        as_csv = "ORDER BY" not in sql and len(texts) < len(schema)
        query = csv_select(sql, schema) if as_csv else sql
        with connection.cursor(pymysql.cursors.SSCursor) as cursor:
            try:
                cursor.execute(format_paramstyle(query), tuple(params))
            except pymysql.Error as exc:
                if not as_csv or not exc.args or exc.args[0] not in _WRONG_WIDTH:
                    raise
                yield self._fetch_few_on(connection, sql, params, schema)  # names the widths
                return
            width = len(cursor.description or ())
            if mysql_wire.available(connection):
                kinds = mysql_wire.column_kinds(connection)
                if not as_csv:
                    check_width(width, schema)
                for columns in mysql_wire.read_columns(connection, width, batch_rows):
                    yield (
                        _csv_batch(columns, schema, texts, kinds)
                        if as_csv
                        else _text_batch(columns, schema, kinds)
                    )
                return
            while True:
                rows = cursor.fetchmany(batch_rows)
                yield (
                    _csv_batch(_columns(rows, width), schema, texts)
                    if as_csv
                    else rows_to_arrow(_uuid_rows(rows, width, schema), width, schema)
                )
                if len(rows) < batch_rows:
                    return

    def _abandon_stream(self) -> None:
        """Close the socket in the middle of the result (the server stops the query when it
        finds the client gone), rather than reading the rest of its rows."""
        if self._conn is not None:
            mysql_wire.abandon(self._conn)

    # -- writing ------------------------------------------------------------------------------
    def _insert(
        self, ref: TableRef, data: pa.Table, primary_key: Sequence[str], on_duplicate: OnDuplicate
    ) -> int:
        try:
            return self._insert_rows(ref, data, primary_key, on_duplicate)
        except DuplicateError as error:
            named = _named_duplicate(str(error), data, primary_key)
            if named is None:
                raise
            raise DuplicateError(f"{error} ({named})") from error.__cause__

    def duplicate_clause(
        self,
        ref: TableRef,
        primary_key: Sequence[str],
        columns: Sequence[str],
        on_duplicate: OnDuplicate,
    ) -> str:
        """MySQL's ``ON DUPLICATE KEY UPDATE`` for :meth:`SqlBackend.duplicate_clause`: a no-op
        update for ``'skip'`` (``INSERT IGNORE`` would also turn bad values into warnings, and
        ``REPLACE`` deletes the old row, touching its children). It fires on any unique key,
        as MySQL offers no narrower clause."""
        if on_duplicate == "error":
            return ""
        target = self.qualified(ref)  # a query's outputs have the same names
        updates = (
            [
                f"{target}.{self.quote(c)} = VALUES({self.quote(c)})"
                for c in columns
                if c not in primary_key
            ]
            if on_duplicate == "replace"
            else []
        )
        keep = f"{target}.{self.quote(primary_key[0] if primary_key else columns[0])}"
        return " ON DUPLICATE KEY UPDATE " + (", ".join(updates) or f"{keep} = {keep}")

    def _insert_rows(
        self, ref: TableRef, data: pa.Table, primary_key: Sequence[str], on_duplicate: OnDuplicate
    ) -> int:
        _reject_non_finite(ref, data)
        names = data.column_names
        target = f"INSERT INTO {self.qualified(ref)} ({self.column_list(names)})"
        on_key = self.duplicate_clause(ref, primary_key, names, on_duplicate)
        sql = f"{target} VALUES ({', '.join('?' * len(names))}){on_key}"
        uuids = self._uuid_columns(ref, data)
        if (
            self._local_infile
            and data.num_rows >= _LOAD_ROWS
            and data.num_columns
            and all(
                not pa.types.is_decimal(field.type) or field.type.scale <= 30
                for field in data.schema
            )
        ):
            loaded = self._load(ref, data, target, on_key, uuids)
            if loaded is not None:
                return loaded
            self._local_infile = False
        rows = list(
            zip(
                *(
                    _uuid_bytes(column.to_pylist(), ref, name)
                    if name in uuids
                    else column.to_pylist()
                    for name, column in zip(names, data.columns, strict=True)
                ),
                strict=True,
            )
        )

        def run(connection: Any) -> int:
            with connection.cursor() as cursor:
                cursor.max_stmt_length = max(self._max_packet - _PACKET_MARGIN, _PACKET_MARGIN)
                return cursor.executemany(format_paramstyle(sql), rows) or 0

        return self._call(run, f"insert into {ref}")

    def _load(
        self, ref: TableRef, data: pa.Table, target: str, on_key: str, uuids: set[str]
    ) -> int | None:
        """Insert ``data`` through a file read by ``LOAD DATA LOCAL INFILE``; the number of
        rows written, or None if the server refuses to read the file (nothing was written).

        LOCAL turns duplicate keys and bad values into warnings, so the file is loaded into a
        temporary table of ``LONGBLOB`` columns that rejects nothing, and copied from there by
        ``target`` (``INSERT INTO t (columns)``) ``SELECT ... on_key`` (its ``ON DUPLICATE KEY``
        clause) under the session's strict mode: errors are those of an ``INSERT``, within the
        caller's transaction (temporary tables do not end it). After an interrupt the staging
        table is left to the session, which is then closed (the protocol state is unknown).
        """
        staging = f"{self.quote(ref.schema)}.{self.quote('__frames_load')}"
        names = [f"c{i}" for i in range(data.num_columns)]
        values = ", ".join(
            _loaded_value(f"s.{name}", field, field.name in uuids)
            for name, field in zip(names, data.schema, strict=True)
        )
        statement = f"{target} SELECT {values} FROM {staging} s{on_key}"
        with tempfile.NamedTemporaryFile(suffix=".tsv", delete=False) as file:
            file.write(_load_file(ref, data, uuids))
        try:

            def run(connection: Any) -> int | None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"CREATE TEMPORARY TABLE {staging} "
                        f"({', '.join(f'{name} LONGBLOB' for name in names)})"
                    )
                    try:
                        cursor.execute(
                            f"LOAD DATA LOCAL INFILE %s INTO TABLE {staging} "
                            f"CHARACTER SET binary ({', '.join(names)})",
                            (file.name,),
                        )
                        written = cursor.execute(format_paramstyle(statement)) or 0
                    except pymysql.Error as exc:
                        if connection.open:
                            cursor.execute(f"DROP TEMPORARY TABLE {staging}")
                        if exc.args and exc.args[0] in _NO_LOCAL_INFILE:
                            return None
                        raise
                    cursor.execute(f"DROP TEMPORARY TABLE {staging}")
                    return written

            return self._call(run, f"insert into {ref}")
        finally:
            os.unlink(file.name)

    def _uuid_columns(self, ref: TableRef, data: pa.Table) -> set[str]:
        """The text columns of ``data`` that ``ref`` stores as ``BINARY(16)``: uuids."""
        texts = {field.name for field in data.schema if pa.types.is_string(field.type)}
        if not texts:
            return set()
        stored = self.fetch_rows(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? "
            "AND TABLE_NAME = ? AND COLUMN_TYPE = 'binary(16)'",
            [ref.schema, ref.name],
        )
        return texts & {name for (name,) in stored}

    # -- catalog ------------------------------------------------------------------------------
    def schema_exists(self, schema: str) -> bool:
        """True if the database ``schema`` exists."""
        return bool(
            self.fetch_rows(
                "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [schema]
            )
        )

    def create_schema(self, schema: str) -> None:
        """Create the database (utf8mb4, exact string comparison) if it does not exist."""
        self.execute(
            f"CREATE DATABASE IF NOT EXISTS {self.quote(schema)} "
            f"CHARACTER SET utf8mb4 COLLATE {self.string_collation}"
        )

    def drop_schema(self, schema: str) -> None:
        """Drop the database and everything in it; no-op if it does not exist."""
        self.execute(f"DROP DATABASE IF EXISTS {self.quote(schema)}")

    def _tables(self, schema: str | None) -> dict[TableRef, str]:
        rows = self.fetch_rows(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
            f"WHERE TABLE_TYPE = 'BASE TABLE' AND {_IN_SCHEMA}",
            [schema, schema],
        )
        return {TableRef(s, t): comment or "" for s, t, comment in rows}

    def _catalog(self, schema: str | None) -> Catalog:
        params = [schema, schema]
        catalog = Catalog(self.dialect, self._user_tables(schema))
        for s, t, name, native, nullable, default, comment, extra in self.fetch_rows(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'YES', "
            "COLUMN_DEFAULT, COLUMN_COMMENT, EXTRA FROM information_schema.COLUMNS "
            f"WHERE {_IN_SCHEMA} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
            params,
        ):
            catalog.columns.append(
                ColumnRow(
                    TableRef(s, t),
                    name,
                    native,
                    bool(nullable),
                    self._default_text(default, extra),
                    comment,
                )
            )
        foreign: defaultdict[tuple[TableRef, str], list[tuple]] = defaultdict(list)
        for s, t, name, column, parent_schema, parent, parent_column in self.fetch_rows(
            "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, "
            "REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
            "FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_NAME IS NOT NULL "
            f"AND {_IN_SCHEMA} ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, "
            "ORDINAL_POSITION",
            params,
        ):
            foreign[TableRef(s, t), name].append(
                (column, TableRef(parent_schema, parent), parent_column)
            )
        for (ref, _), pairs in sorted(
            foreign.items(), key=lambda i: (i[0][0].schema, i[0][0].name, _natural(i[0][1]))
        ):
            catalog.foreign_keys.append(
                ForeignKeyRow(
                    ref, pairs[0][1], tuple(p[0] for p in pairs), tuple(p[2] for p in pairs)
                )
            )
        indexes: defaultdict[tuple[TableRef, str], list[str]] = defaultdict(list)
        unique: dict[tuple[TableRef, str], bool] = {}
        for s, t, name, non_unique, column in self.fetch_rows(
            "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME "
            f"FROM information_schema.STATISTICS WHERE {_IN_SCHEMA} "
            "ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            params,
        ):
            indexes[TableRef(s, t), name].append(column)
            unique[TableRef(s, t), name] = not int(non_unique)
        implied = {(fk.ref, fk.child_attrs) for fk in catalog.foreign_keys}
        for (ref, name), attrs in indexes.items():
            if name == "PRIMARY":
                catalog.primary_keys[ref] = tuple(attrs)
            elif unique[ref, name] or (ref, tuple(attrs)) not in implied:
                # a non-unique index on exactly a foreign key's columns is the one MySQL
                # creates for the constraint
                catalog.indexes.append(IndexRow(ref, tuple(attrs), unique[ref, name]))
        return catalog

    def _default_text(self, default: str | None, extra: str) -> str | None:
        """The default as SQL text: MySQL 8 (unlike MariaDB) shows literals unquoted; an
        ``auto_increment`` column's is ``AUTO_INCREMENT``."""
        if "auto_increment" in extra.lower():
            return "AUTO_INCREMENT"
        if default is None or self._is_mariadb or "DEFAULT_GENERATED" in extra.upper():
            return default
        return "'" + default.replace("'", "''") + "'"


_DUPLICATE_ENTRY = re.compile(r"Duplicate entry '(.*)' for key '(?:[^']*\.)?PRIMARY'", re.DOTALL)


def _named_duplicate(message: str, data: pa.Table, primary_key: Sequence[str]) -> str | None:
    """``key (a, b)=(1, 2)`` for MySQL's "Duplicate entry '1-2' for key 'PRIMARY'", found among
    the inserted rows (the server names neither the columns nor the values' separation)."""
    match = _DUPLICATE_ENTRY.search(message)
    if match is None or not primary_key or not set(primary_key) <= set(data.column_names):
        return None
    columns = [data.column(name).to_pylist() for name in primary_key]
    for values in zip(*columns, strict=True):
        if "-".join(str(value) for value in values) == match.group(1):
            shown = ", ".join(str(value) for value in values)
            return f"key ({', '.join(primary_key)})=({shown})"
    return None


def _kill(connect_args: dict[str, Any], session: int) -> None:
    """``KILL`` server session ``session`` over a new connection (nothing if it is gone)."""
    try:
        killer = pymysql.connect(**{**connect_args, "init_command": None})
    except pymysql.Error as error:
        logger.debug(f"cannot connect to kill session {session}: {error}")
        return
    try:
        with killer.cursor() as cursor:
            cursor.execute("KILL %s", (session,))
    except pymysql.Error as error:  # 1094: the session has ended already
        logger.debug(f"KILL {session}: {error}")
    finally:
        killer.close()


def csv_select(sql: str, schema: pa.Schema) -> str:
    """``sql`` wrapped to return each row's numbers, dates and booleans as one line of CSV.

    The columns of ``sql`` are taken by position (a CTE with a column list names them). The
    first result column holds the CSV line (see :func:`csv_to_arrow`: NULL is an empty field,
    booleans are ``t``/``f``); strings and bytes follow as they are, one column each, since the
    driver hands those over without conversion. The wrapper holds no double quote or ``?`` of
    its own, so the placeholders of ``sql`` stay the only ones (:func:`to_format_paramstyle`).
    """
    names = [f"t.c{i}" for i in range(len(schema))]
    fields = []
    texts = []
    for name, field in zip(names, schema, strict=True):
        if _is_text(field.type):
            texts.append(name)
        elif pa.types.is_boolean(field.type):
            fields.append(f"IFNULL(CASE WHEN {name} THEN 't' WHEN NOT {name} THEN 'f' END, '')")
        else:
            fields.append(f"IFNULL({name}, '')")
    columns = ", ".join(name.removeprefix("t.") for name in names)
    outputs = ", ".join([f"CONCAT_WS(',', {', '.join(fields)})", *texts])
    return f"WITH t ({columns}) AS ({sql}) SELECT {outputs} FROM t"


def _columns(rows: Sequence[tuple], width: int) -> list[Sequence[Any]]:
    """Driver rows as columns."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _csv_batch(
    columns: Sequence[Sequence[Any]],
    schema: pa.Schema,
    texts: list[int],
    kinds: Sequence[ColumnKind] | None = None,
) -> pa.Table:
    """Arrow from columns of :func:`csv_select`: the CSV lines, then the text columns.

    The values are ``str`` from pymysql's rows (``kinds`` None), or the ``bytes`` that
    :func:`frames.backends.mysql_wire.read_columns` reads, of the columns' ``kinds``.
    """
    lines = columns[0]
    if kinds is None:
        data = "\n".join((*lines, "")).encode() if lines else b""
    else:
        data = b"\n".join((*lines, b"")) if lines else b""
    others = [field for i, field in enumerate(schema) if i not in texts]
    parsed = iter(csv_to_arrow(data, pa.schema(others)).columns)
    text_columns = iter(zip(columns[1:], kinds[1:] if kinds else [None] * len(texts), strict=True))
    arrays = [
        _text_array(*next(text_columns), field) if i in texts else next(parsed)
        for i, field in enumerate(schema)
    ]
    return pa.Table.from_arrays(arrays, names=schema.names)  # enums stay encoded


def _text_batch(
    columns: Sequence[Sequence[bytes | None]], schema: pa.Schema, kinds: Sequence[ColumnKind]
) -> pa.Table:
    """Arrow from the plain columns of a result read from the socket: strings and bytes as they
    are, other values from their text (:func:`frames.backends.arrow.text_to_arrow`)."""
    return text_to_arrow(
        [
            _text_array(values, kind, field)
            if _is_text(field.type)
            else pa.array(values, pa.binary()).cast(pa.string())
            for values, kind, field in zip(columns, kinds, schema, strict=True)
        ],
        schema,
    )


def _text_array(values: Sequence[Any], kind: ColumnKind | None, field: pa.Field) -> pa.Array:
    """A text column of a result: driver values (``kind`` None), or the wire's bytes.

    An enum's strings come dictionary-encoded: a few members repeated over many rows take less
    memory that way, and convert faster (:mod:`frames.io.convert` decodes them).
    """
    if kind is None or (kind is ColumnKind.BINARY and pa.types.is_string(field.type)):
        return column_to_arrow(_uuid_texts(list(values), field), field.type, field.name)
    array = pa.array(values, pa.binary())
    if not pa.types.is_string(field.type):
        return array
    if kind is ColumnKind.ENUM:
        encoded = array.dictionary_encode()
        return pa.DictionaryArray.from_arrays(encoded.indices, encoded.dictionary.cast(field.type))
    return array.cast(field.type)


def _uuid_rows(rows: Sequence[tuple], width: int, schema: pa.Schema) -> Sequence[tuple]:
    """``rows`` with the bytes in their string columns as uuid text (see :func:`_uuid_texts`)."""
    if width != len(schema):
        return rows  # rows_to_arrow reports the wrong width
    stored = [
        i
        for i, field in enumerate(schema)
        if pa.types.is_string(field.type) and _holds_bytes(row[i] for row in rows)
    ]
    if not stored:
        return rows
    columns = [list(column) for column in zip(*rows, strict=True)]
    for i in stored:
        columns[i] = _uuid_texts(columns[i], schema.field(i))
    return list(zip(*columns, strict=True))


def _uuid_texts(values: list[Any], field: pa.Field) -> list[Any]:
    """``values`` of a result column; bytes in a string column are uuids as MySQL stores them
    (``BINARY(16)``, read by SQL that does not select their text), turned into that text.

    Raises
    ------
    frames.errors.FetchError
        If such a value does not have 16 bytes.
    """
    if not pa.types.is_string(field.type) or not _holds_bytes(values):
        return values
    try:
        return [None if value is None else str(uuid.UUID(bytes=value)) for value in values]
    except ValueError as exc:
        raise FetchError(
            f"result column {field.name!r}: binary values of a string column "
            f"must be uuids of 16 bytes: {exc}"
        ) from exc


def _holds_bytes(values: Iterable[Any]) -> bool:
    """True if the first value that is not NULL is ``bytes`` (a column has one driver type)."""
    return isinstance(next((value for value in values if value is not None), None), bytes)


def _uuid_bytes(values: list[Any], ref: TableRef, name: str) -> list[bytes | None]:
    """The 16 bytes of each uuid text in ``values``, for a ``BINARY(16)`` column.

    Raises
    ------
    frames.errors.DataError
        Naming the column and the first value that is not a uuid.
    """
    stored: list[bytes | None] = []
    for value in values:
        try:
            stored.append(None if value is None else uuid.UUID(value).bytes)
        except ValueError:
            raise DataError(
                f"insert into {ref}: column {name!r}: {value!r} is not a uuid"
            ) from None
    return stored


def _loaded_value(name: str, field: pa.Field, is_uuid: bool) -> str:
    """SQL converting staged column ``name`` (bytes of :func:`_load_file`) to ``field``'s value.

    Numbers go through the types an ``INSERT`` of their literals would give them, so that they
    are rounded, not rejected, where the column holds fewer digits.
    """
    kind = field.type
    if pa.types.is_string(kind) and not is_uuid:
        return f"CONVERT({name} USING utf8mb4)"
    if pa.types.is_floating(kind):
        return f"CAST({name} AS DOUBLE)"
    if pa.types.is_decimal(kind):
        return f"CAST({name} AS DECIMAL(65, {kind.scale}))"
    return name


def _load_file(ref: TableRef, data: pa.Table, uuids: set[str]) -> bytes:
    """``data`` as the text ``LOAD DATA`` reads by default: tab-separated fields, one row a
    line, ``\\N`` for NULL, backslash, tab and newline escaped by a backslash; uuids as their
    16 bytes, booleans as ``1``/``0``."""
    fields = []
    for name, column in zip(data.column_names, data.columns, strict=True):
        if name in uuids:
            column = pa.array(_uuid_bytes(column.to_pylist(), ref, name), pa.binary())
        elif pa.types.is_boolean(column.type):
            column = pc.cast(column, pa.int8())
        if not (pa.types.is_string(column.type) or pa.types.is_binary(column.type)):
            column = pc.cast(column, pa.string())
        column = pc.cast(column, pa.large_binary())
        for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n")):
            column = pc.replace_substring(column, char, escaped)
        fields.append(pc.fill_null(column, pa.scalar(b"\\N", pa.large_binary())))
    lines = pc.binary_join_element_wise(*fields, pa.scalar(b"\t", pa.large_binary()))
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    text = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines),
        pa.scalar(b"\n", pa.large_binary()),
    )[0]
    return text.as_py() + b"\n"


def _is_text(kind: pa.DataType) -> bool:
    """Strings and bytes: read as the driver gives them, without conversion."""
    return pa.types.is_string(kind) or pa.types.is_binary(kind)


def _natural(name: str) -> tuple:
    """Sort key ordering ``t_ibfk_2`` before ``t_ibfk_10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _reject_non_finite(ref: TableRef, data: pa.Table) -> None:
    for name, column in zip(data.column_names, data.columns, strict=True):
        if (
            pa.types.is_floating(column.type)
            and pc.any(pc.or_(pc.is_nan(column), pc.is_inf(column))).as_py()
        ):
            raise DataError(
                f"insert into {ref}: column {name!r} holds NaN or infinity, which MySQL cannot "
                "store; use NULL for missing values"
            )
