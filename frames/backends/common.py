"""Behaviour shared by the three backends: transactions, error mapping, reconnection.

:class:`SqlBackend` implements the parts of :class:`~frames.backends.base.Backend` that do not
depend on the driver — transaction state, atomic inserts, translating driver errors into frames
errors — on top of a few primitives each backend supplies. :class:`ServerBackend` adds what the
client/server engines share: DB-API cursors, ``%s`` placeholders and transparent reconnection
after a lost connection.

Transactions have one rule on every backend: once something fails inside a transaction — a
statement the database rejects, a conflict with another transaction, a lost connection, an
interrupt — the transaction is *aborted*. It stays open, so that nothing meant for it runs
outside it, but every further statement raises :class:`~frames.errors.TransactionError` until it
is rolled back, and committing it rolls it back and raises. (PostgreSQL and DuckDB behave so
themselves; MySQL would carry on with the statements that did not fail.) Errors frames raises
before a statement reaches the database (a value that does not fit) or while it converts a
result do not abort the transaction.

Conflicts with concurrent transactions (:mod:`frames.backends.conflicts`) raise
:class:`~frames.errors.TransactionConflictError`; a statement outside a transaction, and an
insert that runs in a transaction of its own, are run again after a short random wait.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
import time
from abc import abstractmethod
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import pyarrow as pa

from frames.backends.arrow import prepare_insert, rows_to_arrow
from frames.backends.base import Backend, OnDuplicate, to_format_paramstyle
from frames.backends.conflicts import ATTEMPTS, backoff, is_conflict, retry_conflicts
from frames.backends.cursor import ResultCursor
from frames.backends.driver_errors import driver_message, is_driver_error, translate
from frames.backends.introspect import Catalog, build_foreign_keys, build_specs
from frames.backends.stream import read_at_once, stream_batches
from frames.declare.spec import ForeignKeySpec, TableRef, TableSpec
from frames.errors import (
    FramesError,
    LostConnectionError,
    LostTransactionError,
    TransactionConflictError,
    TransactionError,
)

T = TypeVar("T")
logger = logging.getLogger("frames")
#: :func:`to_format_paramstyle`, cached: the same statements run again and again.
format_paramstyle = functools.lru_cache(maxsize=4096)(to_format_paramstyle)
_ON_DUPLICATE = ("error", "skip", "replace")
#: Statements a query cache answers (DataJoint's rule).
_READ_STATEMENT = re.compile(r"\s*(SELECT|SHOW)\b", re.IGNORECASE)


class SqlBackend(Backend):
    """A backend over one driver connection; subclasses supply the driver-specific primitives.

    Subclasses set :attr:`driver_error` (the driver's base exception class) and
    :attr:`begin_sql`, and implement :meth:`_attempt`, :meth:`_execute_on`,
    :meth:`_fetch_rows_on`, :meth:`_fetch_arrow_on`, :meth:`_insert`, :meth:`_tables` and
    :meth:`_catalog`; MySQL also sets :attr:`quote_char`.
    """

    driver_error: type[Exception] = Exception
    begin_sql = "BEGIN"
    quote_char = '"'
    #: Why the open transaction was aborted (see the module docstring); None while it is not.
    _aborted: str | None = None
    #: False while a statement runs that Ctrl-C must not cancel (COMMIT, ROLLBACK).
    _cancellable = True

    # -- primitives ---------------------------------------------------------------------------
    @abstractmethod
    def _attempt(self, operation: Callable[[Any], T]) -> T:
        """Run ``operation(connection)`` (a server backend reconnects here if needed)."""

    @abstractmethod
    def _execute_on(self, connection: Any, sql: str, params: Sequence[Any]) -> int:
        """Run one statement on ``connection``; return the affected row count."""

    @abstractmethod
    def _fetch_rows_on(self, connection: Any, sql: str, params: Sequence[Any]) -> list[tuple]:
        """Run a query on ``connection``; return its rows."""

    @abstractmethod
    def _fetch_arrow_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema
    ) -> pa.Table:
        """Run a query on ``connection``; return it as Arrow conformed to ``schema``."""

    @abstractmethod
    def _insert(
        self, ref: TableRef, data: pa.Table, primary_key: Sequence[str], on_duplicate: OnDuplicate
    ) -> int:
        """Insert prepared ``data`` inside the open transaction; return the rows inserted."""

    @abstractmethod
    def _tables(self, schema: str | None) -> dict[TableRef, str]:
        """Every table of ``schema`` (``None``: of all user schemas), hidden ones included,
        with its comment."""

    @abstractmethod
    def _catalog(self, schema: str | None) -> Catalog:
        """The catalog rows of the user tables of ``schema`` (``None``: all user schemas)."""

    # -- shared behaviour ---------------------------------------------------------------------
    def quote(self, identifier: str) -> str:
        """``identifier`` quoted for this engine's SQL (embedded quote characters doubled)."""
        q = self.quote_char
        return q + identifier.replace(q, q + q) + q

    def _closed_error(self) -> LostConnectionError:
        """The error for using a backend after :meth:`close`."""
        return LostConnectionError(
            f"the connection to {self.url} was closed; open a new one with open_backend()"
        )

    def qualified(self, ref: TableRef) -> str:
        """The quoted ``schema.table`` name of ``ref``."""
        return f"{self.quote(ref.schema)}.{self.quote(ref.name)}"

    def _call(self, operation: Callable[[Any], T], context: str = "") -> T:
        """Run ``operation(connection)``, translating driver errors into frames errors.

        ``context`` (``'insert into s.t'``) prefixes the message, followed by the driver's own
        (see :func:`frames.backends.driver_errors.translate`, the one place where errors of
        the drivers are mapped): no driver exception leaves this method. A conflict with a
        concurrent transaction is :class:`~frames.errors.TransactionConflictError`; outside a
        transaction the statement is run again first (it was rolled back), up to
        :data:`~frames.backends.conflicts.ATTEMPTS` times.

        Raises
        ------
        frames.errors.TransactionError
            Inside a transaction aborted by an earlier failure.
        """
        if self._in_transaction and self._aborted is not None:
            raise self._aborted_error()
        return self._run(operation, context)

    def _run(self, operation: Callable[[Any], T], context: str = "") -> T:
        """:meth:`_call` without the check for an aborted transaction (COMMIT, ROLLBACK)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._attempt(operation)
            except (KeyboardInterrupt, SystemExit) as exc:
                self._abort(f"interrupted by {type(exc).__name__}")
                raise
            except Exception as exc:
                if isinstance(exc, TransactionError):  # the connection was lost
                    self._abort(str(exc))
                if isinstance(exc, FramesError) or not is_driver_error(self.dialect, exc):
                    raise
                conflict = is_conflict(exc)
                if conflict and not self._in_transaction and attempt < ATTEMPTS:
                    logger.debug(f"{context or 'statement'}: conflict, retrying: {exc}")
                    time.sleep(backoff(attempt))
                    continue
                conflict_error = self._conflict_error(exc, context) if conflict else None
                error = conflict_error or translate(self.dialect, exc, context)
                self._abort(str(error))
                raise error from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _conflict_error(self, exc: Exception, context: str) -> TransactionConflictError:
        """The error for a statement or transaction the database rolled back because of a
        concurrent transaction."""
        message = driver_message(self.dialect, exc)
        scope = "transaction" if self._in_transaction else "statement"
        return TransactionConflictError(
            f"{context + ': ' if context else ''}{message}; the database rolled the {scope} "
            "back because of a concurrent transaction: run it again"
        )

    def _abort(self, reason: str) -> None:
        """Mark the open transaction (if any) aborted by ``reason`` (the first reason stays)."""
        if self._in_transaction and self._aborted is None:
            self._aborted = reason

    def _aborted_error(self) -> TransactionError:
        return TransactionError(
            f"the transaction was aborted by an earlier error ({self._aborted}); no statement "
            "can run in it any more: roll it back (leave the `with conn.transaction:` block "
            "with the error, or call cancel_transaction()) and run it again"
        )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of affected rows (``-1`` if unknown).

        Raises
        ------
        frames.errors.QueryError
            While a :attr:`query_cache` is on (only reads are allowed then).
        """
        if self.query_cache is not None:
            raise self.query_cache.refuse(f"the statement {sql.split(None, 1)[0]}")
        return self._call(lambda con: self._execute_on(con, sql, params))

    def fetch_rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a query and return its rows as tuples of driver values (for small results)."""

        def run() -> list[tuple]:
            return self._call(lambda con: self._fetch_rows_on(con, sql, params))

        if self.query_cache is None:
            return run()
        return self.query_cache.rows("rows", sql, params, run)

    def raw_query(
        self, sql: str, args: Sequence[Any] | Mapping[str, Any] | None = (), as_dict: bool = False
    ) -> ResultCursor:
        """Run user SQL in the ``%s`` paramstyle; return its buffered result.

        Raises
        ------
        frames.errors.QueryError
            (or a more specific frames error) if the server rejects the statement.
        """

        def run() -> ResultCursor:
            return self._call(lambda con: self._raw_query_on(con, sql, args, as_dict))

        if self.query_cache is None:
            return run()
        if not _READ_STATEMENT.match(sql):
            raise self.query_cache.refuse("a statement other than SELECT or SHOW")
        return self.query_cache.rows(f"raw:{as_dict}", sql, args, run)

    @abstractmethod
    def _raw_query_on(
        self,
        connection: Any,
        sql: str,
        args: Sequence[Any] | Mapping[str, Any] | None,
        as_dict: bool,
    ) -> ResultCursor:
        """Run user SQL (``%s`` paramstyle) on ``connection``; return its buffered result."""

    def fetch_arrow(self, sql: str, params: Sequence[Any], schema: pa.Schema) -> pa.Table:
        """Run a query and return its result as Arrow, conformed to ``schema``.

        Raises
        ------
        frames.errors.FetchError
            If the result has another number of columns or a value does not fit its type.
        """

        def run() -> pa.Table:
            return self._call(lambda con: self._fetch_arrow_on(con, sql, params, schema))

        if self.query_cache is None:
            return run()
        return self.query_cache.arrow(sql, params, schema, run)

    def fetch_arrow_batches(
        self, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Iterator[pa.Table]:
        """Run a query and yield its result as Arrow tables of about ``batch_rows`` rows.

        Outside a transaction the rows are read as they are consumed, on a connection of their
        own (this one stays free meanwhile); inside one they are read whole on the
        transaction's connection and handed out in batches (:mod:`frames.backends.stream`).

        Raises
        ------
        frames.errors.FetchError
            If the result has another number of columns or a value does not fit its type
            (when the batch holding it is read).
        """
        return stream_batches(self, sql, params, schema, batch_rows)

    def fetch_arrow_parallel(
        self, statements: Sequence[tuple[str, Sequence[Any]]], schema: pa.Schema
    ) -> list[pa.Table]:
        """Run queries at the same time, each on a connection of its own (one thread each), and
        return their results as Arrow, in the order of ``statements``
        (:func:`frames.backends.stream.read_at_once`)."""
        return read_at_once(self, statements, schema)

    @abstractmethod
    def _fetch_batches_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema, batch_rows: int
    ) -> Generator[pa.Table, None, None]:
        """Run a query on ``connection`` when first iterated; yield its result as Arrow tables
        of about ``batch_rows`` rows, each read from the server as the previous is consumed."""

    @abstractmethod
    def _stream_backend(self) -> SqlBackend:
        """A backend on a new connection to the same database, for one streamed result."""

    def _abandon_stream(self) -> None:
        """Stop the query whose result this connection is streaming, without reading the rest
        (the connection is closed next); nothing to do where closing it stops the query."""

    def begin(self) -> None:
        """Start a transaction (re-connecting first if the connection was lost).

        Raises
        ------
        frames.errors.TransactionError
            If a transaction is already open: frames does not nest transactions.
        """
        if self._in_transaction:
            raise TransactionError(
                "a transaction is already open on this connection; frames does not nest "
                "transactions: run the inner work inside the outer transaction instead"
            )
        self.execute(self.begin_sql)
        self._in_transaction = True
        self._aborted = None

    def _control(self, sql: str) -> None:
        """Run ``COMMIT`` or ``ROLLBACK`` (also in an aborted transaction), without letting
        Ctrl-C cancel it (it is short, and a cancelled ROLLBACK would leave the transaction)."""
        if self.query_cache is not None:
            raise self.query_cache.refuse(f"the statement {sql}")
        self._cancellable = False
        try:
            self._run(lambda con: self._execute_on(con, sql, ()))
        finally:
            self._cancellable = True

    def commit(self) -> None:
        """Commit the current transaction.

        Raises
        ------
        frames.errors.TransactionError
            If no transaction is open, or it was aborted by an earlier failure (it is rolled
            back), or the connection was lost (:class:`~frames.errors.LostTransactionError`).
        frames.errors.TransactionConflictError
            If the database refused to commit because of a concurrent transaction (it was
            rolled back).
        """
        if not self._in_transaction:
            raise TransactionError("commit() without an open transaction: call begin() first")
        if self._aborted is not None:
            reason = self._aborted
            self.rollback()
            raise TransactionError(
                f"the transaction was rolled back, not committed: it was aborted by an "
                f"earlier error ({reason})"
            )
        try:
            self._control("COMMIT")
        except LostTransactionError as error:
            if error.__cause__ is None:  # lost before COMMIT was sent
                raise
            raise LostTransactionError(
                f"the connection to {self.url} was lost while committing: the transaction was "
                "either committed or rolled back by the server, and frames cannot tell which; "
                f"look at the data before running it again ({error.__cause__})"
            ) from error.__cause__
        finally:
            self._in_transaction = False
            self._aborted = None

    def rollback(self) -> None:
        """Roll back the current transaction; without one (or after a lost connection), no-op.

        Never raises for the transaction itself: if the ROLLBACK cannot be sent, the connection
        is closed, which has the server roll the transaction back.
        """
        if not self._in_transaction:
            return
        try:
            self._control("ROLLBACK")
        except (FramesError, self.driver_error):
            self._discard()
        finally:
            self._in_transaction = False
            self._aborted = None

    def _discard(self) -> None:
        """Give up the connection (its state is unknown): a server rolls back what was open."""

    def insert_arrow(
        self,
        ref: TableRef,
        data: pa.Table,
        primary_key: Sequence[str],
        on_duplicate: OnDuplicate = "error",
    ) -> int:
        """Insert every row of ``data`` (columns named as the table's) into ``ref``.

        ``on_duplicate``: ``'error'`` raises on a duplicate key, ``'skip'`` keeps the existing
        row, ``'replace'`` overwrites the columns present in ``data`` (others keep their
        values). Rows repeating a key within ``data`` count once (the first for skip, the last
        for replace). The insert is atomic: it runs in the caller's transaction when one is
        open (a failure aborts that transaction, see the module docstring), else in its own,
        which is run again if it conflicts with a concurrent one. Returns the number of rows
        inserted or replaced.

        Raises
        ------
        frames.errors.DuplicateError
            A primary-key or unique-index value already exists (``on_duplicate='error'``).
        frames.errors.IntegrityError
            A referenced parent row does not exist.
        frames.errors.DataError
            A value does not fit its column (NULL, range, enum member, format).
        frames.errors.TransactionConflictError
            Inside the caller's transaction, a conflict with a concurrent one.
        """
        self._check_insert(ref, on_duplicate)
        if data.num_rows == 0:
            return 0
        prepared = prepare_insert(data, primary_key, on_duplicate)
        if self._in_transaction:
            written = self._insert(ref, prepared, primary_key, on_duplicate)
        else:

            def insert() -> int:
                with self.transaction():
                    return self._insert(ref, prepared, primary_key, on_duplicate)

            written = retry_conflicts(insert, f"insert into {ref}")
        return prepared.num_rows if on_duplicate == "replace" else written

    def list_tables(self, schema: str) -> list[str]:
        """Stored names of the user tables in ``schema``, sorted (``~`` tables excluded)."""
        return sorted(ref.name for ref in self._user_tables(schema))

    def table_exists(self, ref: TableRef) -> bool:
        """True if the table exists (hidden ``~`` tables included)."""
        return ref in self._tables(ref.schema)

    def introspect(self, schema: str) -> list[TableSpec]:
        """Rebuild the :class:`TableSpec` of every user table of ``schema``, sorted by name.

        Core types come from the column comments (``:int32:comment``), else from the native
        types; lineage is left to the caller.
        """
        return build_specs(self._catalog(schema))

    def foreign_keys(self) -> list[tuple[TableRef, ForeignKeySpec]]:
        """Every foreign key in the database as (child table, key), across all user schemas."""
        return build_foreign_keys(self._catalog(None))

    def _user_tables(self, schema: str | None) -> dict[TableRef, str]:
        return {
            ref: comment
            for ref, comment in self._tables(schema).items()
            if not ref.name.startswith("~")
        }

    def column_list(self, names: Sequence[str]) -> str:
        """Quoted, comma-separated column names."""
        return ", ".join(self.quote(n) for n in names)

    def _check_insert(self, ref: TableRef, on_duplicate: str) -> None:
        """Refuse an unknown ``on_duplicate`` and inserts while a query cache is on."""
        if on_duplicate not in _ON_DUPLICATE:
            raise ValueError(f"on_duplicate must be one of {_ON_DUPLICATE}, not {on_duplicate!r}")
        if self.query_cache is not None:
            raise self.query_cache.refuse(f"inserting into {ref.schema}.{ref.name}")

    # -- duplicate keys: the one decision every insert path uses ---------------------------------
    def duplicate_clause(
        self,
        ref: TableRef,
        primary_key: Sequence[str],
        columns: Sequence[str],
        on_duplicate: OnDuplicate,
    ) -> str:
        """The clause ending an ``INSERT ... VALUES`` or ``INSERT ... SELECT`` into a table with
        ``primary_key``, writing ``columns``, that implements ``on_duplicate``.

        Every insert path (rows, staged files, queries) ends its statement with this clause, so
        that all of them treat duplicates alike: ``'skip'`` keeps the existing row whose primary
        key a new row repeats (a conflict on another unique index still raises, as in DataJoint
        on PostgreSQL); ``'replace'`` updates, in place, the non-key columns of the row with
        the same primary key (never a delete and re-insert, which would touch its children).
        This is ``ON CONFLICT`` (DuckDB, PostgreSQL); MySQL overrides it.
        """
        if on_duplicate == "error":
            return ""
        if not primary_key:
            if on_duplicate == "skip":
                return " ON CONFLICT DO NOTHING"
            raise ValueError("on_duplicate='replace' needs the table's primary key")
        target = self.column_list(primary_key)
        if on_duplicate == "skip":
            return f" ON CONFLICT ({target}) DO NOTHING"
        updates = ", ".join(
            f"{self.quote(c)} = EXCLUDED.{self.quote(c)}" for c in columns if c not in primary_key
        )
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return f" ON CONFLICT ({target}) {action}"

    def insert_select(
        self,
        ref: TableRef,
        columns: Sequence[str],
        select: str,
        params: Sequence[Any],
        primary_key: Sequence[str],
        on_duplicate: OnDuplicate = "error",
    ) -> int:
        """See :meth:`Backend.insert_select`: the statement ends with :meth:`duplicate_clause`,
        as every row path's does."""
        self._check_insert(ref, on_duplicate)
        sql = (
            f"INSERT INTO {self.qualified(ref)} ({self.column_list(columns)}) {select}"
            + self.duplicate_clause(ref, primary_key, columns, on_duplicate)
        )
        return self.execute(sql, params)

    def native_types(self, ref: TableRef) -> dict[str, str]:
        """See :meth:`Backend.native_types` (read from :meth:`_catalog`)."""
        return {
            row.name: row.native_type for row in self._catalog(ref.schema).columns if row.ref == ref
        }


class ServerBackend(SqlBackend):
    """A PostgreSQL or MySQL backend: a DB-API connection that is re-opened when lost.

    Outside a transaction, an operation that finds the connection broken reconnects and runs
    once more; inside one, it raises :class:`~frames.errors.LostTransactionError` (the server
    has rolled the transaction back, which stays aborted until rolled back here) and the next
    operation after that reconnects. An operation interrupted by ``KeyboardInterrupt`` or
    ``SystemExit`` leaves the connection in an unknown state: it is given up
    (:meth:`_abandon`, which also has the server stop what it was doing), and the next
    operation reconnects.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._conn: Any = self._connect()

    @abstractmethod
    def _connect(self) -> Any:
        """Open a new driver connection in autocommit mode with the session settings applied.

        Raises
        ------
        frames.errors.DatabaseConnectionError
        """

    @abstractmethod
    def _is_broken(self) -> bool:
        """True if the driver connection has been closed by the server or the network."""

    @abstractmethod
    def _abandon(self) -> None:
        """Close the driver connection at once, without talking to it, and have the server end
        its session (what it was running stops; its transaction is rolled back)."""

    def _attempt(self, operation: Callable[[Any], T]) -> T:
        if self._conn is None:
            raise self._closed_error()
        if self._is_broken():
            self._lost(None)
        try:
            return self._guarded(operation)
        except self.driver_error as exc:
            if not self._is_broken():
                raise
            self._lost(exc)
        return self._guarded(operation)

    def _guarded(self, operation: Callable[[Any], T]) -> T:
        """Run ``operation``; after an interrupt, give the connection up."""
        try:
            return self._interruptible(operation)
        except (KeyboardInterrupt, SystemExit):
            self._abandon()
            raise

    def _interruptible(self, operation: Callable[[Any], T]) -> T:
        """Run ``operation`` so that Ctrl-C stops it (pymysql, pure Python, stops by itself;
        PostgreSQL overrides this)."""
        return operation(self._conn)

    def _discard(self) -> None:
        if self._conn is not None and not self._is_broken():
            self._abandon()

    def _lost(self, exc: Exception | None) -> None:
        """Handle a broken connection: reconnect, unless a transaction was open on it."""
        if self._in_transaction:
            detail = f": {' '.join(str(exc).split())}" if exc else ""
            raise LostTransactionError(
                f"the connection to {self.url} was lost during a transaction, which the "
                f"server rolled back{detail}"
            ) from exc
        self._close_quietly()
        self._conn = self._connect()
        self.sessions += 1

    def _stream_backend(self) -> ServerBackend:
        if self._conn is None:
            raise self._closed_error()
        return self.reopen()

    def reopen(self) -> ServerBackend:
        """A new connection to the same server with the same settings, outside any
        transaction; this one stays open."""
        clone = copy.copy(self)
        clone._in_transaction = False
        clone._aborted = None
        clone._conn = self._connect()
        clone.sessions = 1
        return clone

    def _close_quietly(self) -> None:
        try:
            self._conn.close()
        except self.driver_error:
            pass

    def _execute_on(self, connection: Any, sql: str, params: Sequence[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(format_paramstyle(sql), tuple(params))
            return cursor.rowcount

    def _fetch_rows_on(self, connection: Any, sql: str, params: Sequence[Any]) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(format_paramstyle(sql), tuple(params))
            return [tuple(row) for row in cursor.fetchall()]

    def _raw_query_on(
        self,
        connection: Any,
        sql: str,
        args: Sequence[Any] | Mapping[str, Any] | None,
        as_dict: bool,
    ) -> ResultCursor:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall() if cursor.description else []
            return ResultCursor.from_rows(
                rows,
                cursor.description,
                cursor.rowcount,
                as_dict=as_dict,
                lastrowid=cursor.lastrowid or None,
            )

    def _fetch_few_on(
        self, connection: Any, sql: str, params: Sequence[Any], schema: pa.Schema
    ) -> pa.Table:
        """A result from the driver's rows as Arrow: one round trip, no bulk-path set-up."""
        with connection.cursor() as cursor:
            cursor.execute(format_paramstyle(sql), tuple(params))
            rows = cursor.fetchall()
            width = len(cursor.description or ())
        return rows_to_arrow(rows, width, schema)

    @property
    def closed(self) -> bool:
        """True after :meth:`close` (until :meth:`reconnect`)."""
        return self._conn is None

    def ping(self) -> None:
        """Check that the connection is open and the server answers (without reconnecting)."""
        if self._conn is None:
            raise self._closed_error()
        try:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        except self.driver_error as exc:
            raise LostConnectionError(
                f"the connection to {self.url} was lost: {' '.join(str(exc).split())}"
            ) from exc

    def reconnect(self) -> None:
        """Open a new driver connection; an open transaction is lost (rolled back)."""
        if self._conn is not None:
            self._close_quietly()
            self._conn = None
        self._in_transaction = False
        self._conn = self._connect()
        self.sessions += 1

    def close(self) -> None:
        """Close the driver connection (an open transaction is rolled back by the server)."""
        if self._conn is not None:
            self._close_quietly()
            self._conn = None
        self._in_transaction = False
