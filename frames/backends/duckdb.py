"""The DuckDB backend: an in-process database, in memory or in a file.

Results come out of DuckDB as Arrow natively and are conformed to the requested schema (HUGEINT
sums, enum dictionaries, decimal widths). Inserts register the Arrow table with DuckDB and run one
``INSERT ... SELECT``. DuckDB does not declare foreign keys (see DESIGN.md); they are read from
each schema's hidden ``~foreign_keys`` catalog table.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from frames.backends import interrupt
from frames.backends.arrow import conform_table
from frames.backends.base import OnDuplicate
from frames.backends.common import SqlBackend
from frames.backends.cursor import ResultCursor
from frames.backends.introspect import (
    Catalog,
    ColumnRow,
    ForeignKeyRow,
    IndexRow,
)
from frames.declare.spec import TableRef
from frames.declare.storage import FOREIGN_KEY_CATALOG
from frames.errors import (
    DatabaseConnectionError,
    DuplicateError,
    FetchError,
    QueryError,
    TransactionConflictError,
)

T = TypeVar("T")
_PYFORMAT = re.compile(r"%%|%(?:\(([^)]*)\))?s")
_registration_ids = itertools.count()
_THIS_DATABASE = "database_name = current_database()"
#: The message of the RuntimeError DuckDB raises when Ctrl-C stops a query.
_INTERRUPTED = "Query interrupted"
#: DuckDB optimisers that give wrong results on queries frames emits (DuckDB 2.0.1), each pinned
#: by a test in tests/properties/test_regressions.py:
#: ``projection_pullup`` dropped the LIMIT (and turned EXISTS false) over a LEFT JOIN of a
#: subquery that its statistics find empty (test_limit_and_exists_over_a_left_join_of_nothing);
#: ``row_group_pruner`` skipped row groups by statistics left from deleted rows, so an ORDER BY
#: ... LIMIT after a table's rows were replaced returned nothing
#: (test_top_after_the_rows_are_replaced).
UNSOUND_OPTIMIZERS = ("projection_pullup", "row_group_pruner")


def from_pyformat(
    sql: str, args: Sequence[Any] | Mapping[str, Any] | None
) -> tuple[str, list[Any]]:
    """DataJoint's ``%s`` / ``%(name)s`` SQL as DuckDB's ``?`` SQL and its parameter list.

    As in pymysql and psycopg2, ``%%`` stands for ``%``, and nothing is replaced when ``args``
    is ``None``.
    """
    if args is None:
        return sql, []
    params: list[Any] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        name = match.group(1)
        try:
            params.append(args[len(params)] if name is None else args[name])  # type: ignore
        except (KeyError, IndexError, TypeError) as exc:
            raise QueryError(
                f"the placeholder {match.group(0)} has no value in the arguments {args!r}; "
                "give a sequence for %s placeholders, a mapping for %(name)s ones"
            ) from exc
        return "?"

    return _PYFORMAT.sub(placeholder, sql), params


def _disable_unsound_optimizers(connection: duckdb.DuckDBPyConnection) -> None:
    """Turn off the :data:`UNSOUND_OPTIMIZERS` this DuckDB version has."""
    known = {
        name for (name,) in connection.execute("SELECT name FROM duckdb_optimizers()").fetchall()
    }
    disabled = [name for name in UNSOUND_OPTIMIZERS if name in known]
    if disabled:
        connection.execute(f"SET disabled_optimizers = '{','.join(disabled)}'")


class DuckDBBackend(SqlBackend):
    """A DuckDB database opened in this process.

    Parameters
    ----------
    url : str
        The URL it was opened from (kept for messages).
    path : str
        Database file, or ``':memory:'`` for a private in-memory database.
    """

    dialect = "duckdb"
    list_schemas_sql = (
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = "
        "current_database() AND NOT internal ORDER BY schema_name"
    )
    declares_foreign_keys = False
    driver_error = duckdb.Error
    begin_sql = "BEGIN TRANSACTION"
    shared_by_processes = False

    def __init__(self, url: str, path: str = ":memory:") -> None:
        super().__init__(url)
        self._path = path
        self._con: duckdb.DuckDBPyConnection | None = self._open()

    def _open(self) -> duckdb.DuckDBPyConnection:
        try:
            con = duckdb.connect(self._path)
        except duckdb.Error as exc:
            raise DatabaseConnectionError(
                f"cannot open DuckDB database {self._path!r}: {exc}"
            ) from exc
        _disable_unsound_optimizers(con)
        return con

    # -- primitives ---------------------------------------------------------------------------
    def _attempt(self, operation: Callable[[Any], T]) -> T:
        if self._con is None:
            raise self._closed_error()
        connection = self._con
        if not self._cancellable:
            return operation(connection)
        # DuckDB stops at Ctrl-C by itself, but not in a statement with parameters: there the
        # watcher interrupts it; either way the statement ends with a RuntimeError
        with interrupt.watch(connection.interrupt):
            try:
                return operation(connection)
            except (duckdb.InterruptException, RuntimeError) as exc:
                if not isinstance(exc, duckdb.InterruptException) and str(exc) != _INTERRUPTED:
                    raise
                cancelled = exc
        interrupt.raise_pending(cancelled)
        raise AssertionError("unreachable")  # pragma: no cover

    def _execute_on(self, connection: Any, sql: str, params: Sequence[Any]) -> int:
        result = connection.execute(sql, list(params))
        description = result.description
        if description and len(description) == 1 and description[0][0] == "Count":
            row = result.fetchone()
            return row[0] if row else -1
        return -1

    def _fetch_rows_on(self, connection: Any, sql: str, params: Sequence[Any]) -> list[tuple]:
        return connection.execute(sql, list(params)).fetchall()

    def _raw_query_on(
        self,
        connection: Any,
        sql: str,
        args: Sequence[Any] | Mapping[str, Any] | None,
        as_dict: bool,
    ) -> ResultCursor:
        query, params = from_pyformat(sql, args)
        result = connection.execute(query, params)
        if not result.description:
            return ResultCursor.from_rows([], None, -1)
        rows = result.fetchall()
        return ResultCursor.from_rows(rows, result.description, len(rows), as_dict=as_dict)

    def _fetch_arrow_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema
    ) -> pa.Table:
        return conform_table(_relation(connection, sql, params).to_arrow_table(), schema)

    def _fetch_batches_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Generator[pa.Table, None, None]:
        """DuckDB's own record-batch reader: it computes each batch as the previous is taken."""
        for batch in _relation(connection, sql, params).to_arrow_reader(batch_rows):
            yield conform_table(pa.Table.from_batches([batch]), schema)

    def _stream_backend(self) -> DuckDBBackend:
        """A backend on a new connection to this database (its ``cursor()``: same database,
        same settings, a transaction of its own)."""
        if self._con is None:
            raise self._closed_error()
        reader = copy.copy(self)
        reader._con = self._con.cursor()
        reader._in_transaction = False
        return reader

    def _insert(
        self, ref: TableRef, data: pa.Table, primary_key: Sequence[str], on_duplicate: OnDuplicate
    ) -> int:
        source = f"__frames_insert_{next(_registration_ids)}"
        columns = self.column_list(data.column_names)
        sql = (
            f"INSERT INTO {self.qualified(ref)} ({columns}) SELECT {columns} "
            f"FROM {self.quote(source)}"
            + self.duplicate_clause(ref, primary_key, data.column_names, on_duplicate)
        )

        def run(connection: duckdb.DuckDBPyConnection) -> int:
            # Inserts always run in a transaction: after a failure, its rollback removes the
            # registration (unregistering in the aborted transaction would itself fail).
            connection.register(source, data)
            written = self._execute_on(connection, sql, ())
            connection.unregister(source)
            return written

        try:
            return self._call(run, f"insert into {ref}")
        except DuplicateError as error:
            # ON CONFLICT sees committed rows only: a key that another transaction inserted
            # meanwhile (not yet committed then) is a conflict between the two
            if on_duplicate == "error" or "primary key" not in str(error):
                raise
            raise TransactionConflictError(
                f"{error}; another transaction inserted the same key at the same time"
            ) from error.__cause__

    def missing_keys(self, ref: TableRef, keys: pa.Table) -> pa.Table:
        """The rows of ``keys`` that match no row of ``ref`` on the columns they name.

        frames enforces foreign keys on DuckDB (see :attr:`declares_foreign_keys`): before an
        insert, the distinct parent keys of the new rows are looked up here with one anti-join,
        inside the caller's transaction.
        """
        name = f"__frames_keys_{next(_registration_ids)}"
        source = self.quote(name)
        match = " AND ".join(f"p.{self.quote(c)} = k.{self.quote(c)}" for c in keys.column_names)
        sql = (
            f"SELECT * FROM {source} AS k WHERE NOT EXISTS "
            f"(SELECT 1 FROM {self.qualified(ref)} AS p WHERE {match})"
        )

        def run(connection: duckdb.DuckDBPyConnection) -> pa.Table:
            connection.register(name, keys)
            try:
                return connection.sql(sql).to_arrow_table()
            finally:
                connection.unregister(name)

        return self._call(run, f"foreign key check on {ref}")

    # -- catalog ------------------------------------------------------------------------------
    def schema_exists(self, schema: str) -> bool:
        """True if the schema exists in this database."""
        return bool(
            self.fetch_rows(
                "SELECT 1 FROM duckdb_schemas() WHERE database_name = current_database() "
                "AND schema_name = ?",
                [schema],
            )
        )

    def create_schema(self, schema: str) -> None:
        """Create the schema if it does not exist."""
        self.execute(f"CREATE SCHEMA IF NOT EXISTS {self.quote(schema)}")

    def drop_schema(self, schema: str) -> None:
        """Drop the schema and everything in it (no-op if it does not exist)."""
        self.execute(f"DROP SCHEMA IF EXISTS {self.quote(schema)} CASCADE")

    def close(self) -> None:
        """Close the database (an in-memory database is discarded)."""
        if self._con is not None:
            self._con.close()
            self._con = None
        self._in_transaction = False

    @property
    def closed(self) -> bool:
        """True after :meth:`close` (until :meth:`reconnect`)."""
        return self._con is None

    def ping(self) -> None:
        """Check that the database is open."""
        if self._con is None:
            raise self._closed_error()

    def reconnect(self) -> None:
        """Open the database file again; an in-memory database, once closed, cannot be.

        Raises
        ------
        frames.errors.DatabaseConnectionError
            For an in-memory database that was closed (its contents are gone), or a file that
            cannot be opened.
        """
        if self._con is not None:
            return
        if self._path == ":memory:":
            raise DatabaseConnectionError(
                f"the in-memory DuckDB database of {self.url} was closed and its contents "
                "discarded; open a new connection with frames.connect()"
            )
        self._in_transaction = False
        self._con = self._open()
        self.sessions += 1

    # -- catalog reading ----------------------------------------------------------------------
    def _tables(self, schema: str | None) -> dict[TableRef, str]:
        rows = self.fetch_rows(
            f"SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE {_THIS_DATABASE} "
            "AND NOT internal AND (? IS NULL OR schema_name = ?)",
            [schema, schema],
        )
        return {TableRef(s, t): comment or "" for s, t, comment in rows}

    def _catalog(self, schema: str | None) -> Catalog:
        where = f"{_THIS_DATABASE} AND (? IS NULL OR schema_name = ?)"
        params = [schema, schema]
        catalog = Catalog(self.dialect, self._user_tables(schema))
        for s, t, name, native, nullable, default, comment in self.fetch_rows(
            "SELECT schema_name, table_name, column_name, data_type, is_nullable, "
            f"column_default, comment FROM duckdb_columns() WHERE {where} "
            "ORDER BY schema_name, table_name, column_index",
            params,
        ):
            catalog.columns.append(
                ColumnRow(TableRef(s, t), name, native, nullable, default, comment)
            )
        for s, t, kind, names in self.fetch_rows(
            "SELECT schema_name, table_name, constraint_type, constraint_column_names "
            f"FROM duckdb_constraints() WHERE {where} "
            "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
            "ORDER BY schema_name, table_name, constraint_index",
            params,
        ):
            if kind == "PRIMARY KEY":
                catalog.primary_keys[TableRef(s, t)] = tuple(names)
            else:
                catalog.indexes.append(IndexRow(TableRef(s, t), tuple(names), True))
        for s, t, unique, expressions in self.fetch_rows(
            "SELECT schema_name, table_name, is_unique, expressions FROM duckdb_indexes() "
            f"WHERE {where} AND NOT is_primary ORDER BY schema_name, table_name, index_oid",
            params,
        ):
            catalog.indexes.append(IndexRow(TableRef(s, t), _index_columns(expressions), unique))
        catalog.foreign_keys.extend(self._recorded_foreign_keys(schema))
        return catalog

    def _recorded_foreign_keys(self, schema: str | None) -> list[ForeignKeyRow]:
        holders = sorted(
            ref.schema for ref in self._tables(schema) if ref.name == FOREIGN_KEY_CATALOG
        )
        if not holders:
            return []
        union = " UNION ALL ".join(
            f"SELECT ? AS s, child, ordinal, parent_schema, parent, child_attrs, parent_attrs, "
            f"is_unique FROM {self.quote(s)}.{self.quote(FOREIGN_KEY_CATALOG)}"
            for s in holders
        )
        rows = self.fetch_rows(f"{union} ORDER BY s, child, ordinal", holders)
        return [
            ForeignKeyRow(
                TableRef(s, child),
                TableRef(parent_schema, parent),
                _split_names(child_attrs),
                _split_names(parent_attrs),
                bool(unique),
            )
            for s, child, _, parent_schema, parent, child_attrs, parent_attrs, unique in rows
        ]


def _relation(
    connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]
) -> duckdb.DuckDBPyRelation:
    """The result of the query ``sql`` as a DuckDB relation.

    Raises
    ------
    frames.errors.FetchError
        If ``sql`` is a statement that returns no rows.
    """
    relation = connection.sql(sql, params=list(params) or None)
    if relation is None:
        raise FetchError(f"fetching needs a query that returns rows, got: {sql}")
    return relation


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _index_columns(expressions: str) -> tuple[str, ...]:
    """Column names from ``duckdb_indexes().expressions`` (``[a, '"Odd name"', b]``)."""
    names = []
    for item in expressions.strip().removeprefix("[").removesuffix("]").split(","):
        name = item.strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":
            name = name[1:-1].replace("''", "'")
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('""', '"')
        names.append(name)
    return tuple(names)
