"""The interface every database backend implements.

A backend owns one driver connection and speaks SQL text with bound parameters. It knows nothing
of plans, headings or user classes: the layers above hand it finished SQL and Arrow data.

SQL handed to a backend uses ``?`` for every bound parameter (sqlglot's generic placeholder); a
backend whose driver uses another paramstyle converts it (see :func:`to_format_paramstyle`).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from frames.backends.cursor import ResultCursor
from frames.backends.query_cache import QueryCache
from frames.declare.spec import ForeignKeySpec, TableRef, TableSpec

OnDuplicate = Literal["error", "skip", "replace"]


class Backend(ABC):
    """One open database connection of a given dialect.

    Attributes
    ----------
    dialect : str
        ``'duckdb'``, ``'postgres'`` or ``'mysql'`` — the name ``frames.sql`` uses for it.
    declares_foreign_keys : bool
        False where foreign keys are enforced by frames instead of the engine (DuckDB, whose
        constraint checks reject cascading deletes inside one transaction).
    string_collation : str or None
        The collation string columns are declared with, where the server decides it (MySQL 8
        and MariaDB spell their binary NO PAD collations differently); None: the dialect's.
    shared_by_processes : bool
        False where other processes cannot open the same database alongside this one (DuckDB),
        so ``populate(processes=N)`` runs in this process.
    list_schemas_sql, connection_id_sql, current_user_sql : str
        Catalog and session queries behind ``Connection.list_schemas()``,
        ``Connection.connection_id`` and ``Connection.get_user()``.
    sessions : int
        How many driver connections this backend has opened: it grows when the backend
        reconnects (a statement that ran just before may have been applied by the old session).
    sessions_sql : str or None
        SQL listing the ids (as ``connection_id_sql`` gives them) of the sessions open on the
        server, which tells the job queue whether a reservation's holder is still there; None
        where there are no sessions (DuckDB).
    """

    dialect: str
    #: SQL that lists the user schemas (system schemas excluded), sorted.
    list_schemas_sql: str
    #: SQL that returns the server's id of this session, or ``None`` where there is none.
    connection_id_sql: str | None = None
    #: SQL that returns the user this session acts as (``'user@host'`` on MySQL).
    current_user_sql: str = "SELECT current_user"
    sessions_sql: str | None = None
    declares_foreign_keys: bool = True
    #: While set, reads are answered from this cache and writes refused (DataJoint's
    #: ``Connection.set_query_cache``).
    query_cache: QueryCache | None = None
    shared_by_processes: bool = True

    def __init__(self, url: str) -> None:
        self.url = url
        self._in_transaction = False
        self.sessions = 1

    @property
    def string_collation(self) -> str | None:
        """The collation string columns are declared with (see the class docstring)."""
        return None

    # -- statements ---------------------------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of affected rows (``-1`` if unknown)."""

    @abstractmethod
    def fetch_rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a query and return its rows as tuples of driver values (for small results).

        This is the lowest-latency path, one round trip (``fetch1``, ``len``, ``bool``);
        :func:`frames.io.convert.driver_rows_to_dicts` turns the rows of a query into frames'
        Python types.
        """

    @abstractmethod
    def fetch_arrow(self, sql: str, params: Sequence[Any], schema: pa.Schema) -> pa.Table:
        """Run a query and return its result as Arrow, conformed to ``schema``.

        ``schema`` names every result column, in order, with the Arrow type frames expects
        (:func:`frames.declare.types.arrow_type`). The backend returns exactly those columns
        with those types, converting where its driver yields something else (e.g. MySQL's
        0/1 for booleans, PostgreSQL's text from COPY). A string column may come back
        dictionary-encoded (enums on DuckDB and MySQL); :mod:`frames.io.convert` decodes it.
        """

    @abstractmethod
    def fetch_arrow_batches(
        self, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Iterator[pa.Table]:
        """Run a query and yield its result as Arrow tables of about ``batch_rows`` rows.

        Each table is conformed to ``schema`` as :meth:`fetch_arrow`'s result is, and the
        result is read from the server as the tables are consumed: no more than a few of them
        are held at once, whatever the size of the result. Closing the iterator early stops
        the query.
        """

    @abstractmethod
    def fetch_arrow_parallel(
        self, statements: Sequence[tuple[str, Sequence[Any]]], schema: pa.Schema
    ) -> list[pa.Table]:
        """Run queries at the same time, each on a connection of its own, and return their
        results as Arrow (conformed to ``schema``), in the order of ``statements``."""

    @abstractmethod
    def raw_query(
        self, sql: str, args: Sequence[Any] | Mapping[str, Any] | None = (), as_dict: bool = False
    ) -> ResultCursor:
        """Run user SQL in the driver's ``%s`` / ``%(name)s`` paramstyle (DataJoint's).

        As with pymysql and psycopg2, ``%%`` stands for ``%`` unless ``args`` is ``None``.
        Returns the buffered result; rows are tuples, or dicts if ``as_dict``.

        Raises
        ------
        frames.errors.QueryError
            (or a more specific frames error) if the server rejects the statement.
        """

    @abstractmethod
    def quote(self, identifier: str) -> str:
        """``identifier`` quoted for this engine's SQL (embedded quote characters doubled)."""

    # -- transactions -------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        """True between :meth:`begin` and :meth:`commit`/:meth:`rollback`."""
        return self._in_transaction

    @abstractmethod
    def begin(self) -> None:
        """Start a transaction (re-connecting first if the connection was lost)."""

    @abstractmethod
    def commit(self) -> None:
        """Commit the current transaction."""

    @abstractmethod
    def rollback(self) -> None:
        """Roll back the current transaction."""

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: commit on success, roll back on any exception.

        Raises
        ------
        frames.errors.TransactionError
            If a transaction is already open on this connection, or a failure inside the
            block (caught there) aborted it: it is rolled back.
        """
        from frames.errors import TransactionError

        if self._in_transaction:
            raise TransactionError(
                "a transaction is already open on this connection; frames does not nest "
                "transactions: run the inner work inside the outer transaction instead"
            )
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        else:
            self.commit()

    # -- bulk writes --------------------------------------------------------------------------
    @abstractmethod
    def insert_arrow(
        self,
        ref: TableRef,
        data: pa.Table,
        primary_key: Sequence[str],
        on_duplicate: OnDuplicate = "error",
    ) -> int:
        """Insert every row of ``data`` (columns named as the table's) into ``ref``.

        ``on_duplicate``: ``'error'`` lets the engine raise on a duplicate key, ``'skip'``
        keeps the existing row, ``'replace'`` overwrites it. Runs inside the caller's
        transaction when one is open. Returns the number of rows written.
        Driver errors are re-raised as :class:`frames.errors.DuplicateError`,
        :class:`frames.errors.IntegrityError` or :class:`frames.errors.DataError`.
        """

    @abstractmethod
    def insert_select(
        self,
        ref: TableRef,
        columns: Sequence[str],
        select: str,
        params: Sequence[Any],
        primary_key: Sequence[str],
        on_duplicate: OnDuplicate = "error",
    ) -> int:
        """Insert the rows of the query ``select`` (bound by ``params``, its outputs in the
        order of ``columns``) into ``ref`` in one statement, duplicates handled exactly as
        :meth:`insert_arrow` handles them; the affected row count as the driver reports it."""

    @abstractmethod
    def native_types(self, ref: TableRef) -> dict[str, str]:
        """The engine's own type of each column of ``ref``, as its catalog spells it."""

    # -- catalog ------------------------------------------------------------------------------
    def list_schemas(self) -> list[str]:
        """Names of the user schemas (MySQL databases), sorted; system schemas excluded."""
        return [name for (name,) in self.fetch_rows(self.list_schemas_sql)]

    @abstractmethod
    def schema_exists(self, schema: str) -> bool:
        """True if the schema (PostgreSQL/DuckDB schema, MySQL database) exists."""

    @abstractmethod
    def create_schema(self, schema: str) -> None:
        """Create the schema if it does not exist."""

    @abstractmethod
    def drop_schema(self, schema: str) -> None:
        """Drop the schema and everything in it."""

    @abstractmethod
    def list_tables(self, schema: str) -> list[str]:
        """Stored names of the user tables in ``schema`` (hidden ``~`` tables excluded)."""

    @abstractmethod
    def table_exists(self, ref: TableRef) -> bool:
        """True if the table exists."""

    @abstractmethod
    def introspect(self, schema: str) -> list[TableSpec]:
        """Rebuild the :class:`TableSpec` of every table of ``schema`` from database metadata.

        Declared core types come from the column comments (``:int32:comment``), keys, foreign
        keys and indexes from the catalog; lineage is left to the caller.
        """

    @abstractmethod
    def foreign_keys(self) -> list[tuple[TableRef, ForeignKeySpec]]:
        """Every foreign key in the database as (child table, key), across all schemas."""

    def reopen(self) -> Backend:
        """A new connection to the same database with the same settings, for a worker process
        forked from this one (see :attr:`shared_by_processes`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be opened again")

    @abstractmethod
    def close(self) -> None:
        """Close the driver connection."""

    @property
    @abstractmethod
    def closed(self) -> bool:
        """True after :meth:`close` (until :meth:`reconnect`); a lost connection is not closed."""

    @abstractmethod
    def ping(self) -> None:
        """Check that the connection is open and the server answers.

        Raises
        ------
        frames.errors.DatabaseConnectionError
            If the connection was closed or lost.
        """

    @abstractmethod
    def reconnect(self) -> None:
        """Open the driver connection again (after :meth:`close` or a lost connection).

        Raises
        ------
        frames.errors.DatabaseConnectionError
            If the server cannot be reached, or the database cannot be reopened.
        """


def to_format_paramstyle(sql: str) -> str:
    """Turn ``?`` placeholders into ``%s`` for drivers with the ``format`` paramstyle.

    Literal ``%`` (the modulo operator) is doubled. SQL from frames carries no string literals,
    so a ``?`` outside identifiers is always a placeholder; quoted identifiers are left as they are.
    """
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in '"`':
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)
