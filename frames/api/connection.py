"""Connections: DataJoint's ``Connection(host, user, password)`` and ``conn()``, frames'
``connect(url)``, and the process-wide default connection."""

from __future__ import annotations

import dataclasses
import logging
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from frames.api.dependencies import Dependencies, dependencies_of
from frames.backends import open_backend
from frames.backends.base import Backend
from frames.backends.cursor import ResultCursor
from frames.backends.query_cache import QueryCache
from frames.errors import DatabaseConnectionError, FramesError, LostConnectionError
from frames.settings import Config, check_thread_safe, config, server_url, thread_safe_mode
from frames.sql.dialects import Dialect, get_dialect

logger = logging.getLogger("frames")


class _TransactionContext:
    """``with conn.transaction:`` — a transaction that commits at the end of the block and rolls
    back if it raises.

    The same rule holds on every backend: once a statement fails inside the block (the
    database rejects it, it conflicts with a concurrent transaction, the connection is lost,
    Ctrl-C stops it), the transaction is aborted, even if the block catches the error: every
    further statement raises :class:`~frames.errors.TransactionError`, and the end of the block
    rolls back and raises :class:`~frames.errors.TransactionError` naming the first failure.
    Nothing of an aborted transaction is committed. Errors frames raises before a statement
    reaches the database (a value that does not fit) do not abort it.
    """

    def __init__(self, connection: Connection):
        self._connection = connection

    def __enter__(self) -> Connection:
        self._connection.start_transaction()
        return self._connection

    def __exit__(self, exc_type: type[BaseException] | None, *exc: Any) -> None:
        if exc_type is None:
            self._connection.commit_transaction()
        else:
            self._connection.cancel_transaction()


class Adapter:
    """DataJoint's ``connection.adapter``: the kind of server and how it quotes names.

    Attributes
    ----------
    backend : str
        DataJoint's name of the server kind: ``'mysql'``, ``'postgresql'`` (frames: also
        ``'duckdb'``).
    """

    def __init__(self, backend: Backend):
        self._backend = backend
        self.backend = "postgresql" if backend.dialect == "postgres" else backend.dialect

    def quote_identifier(self, name: str) -> str:
        """``name`` quoted as an identifier (```name``` on MySQL, ``"name"`` elsewhere)."""
        return self._backend.quote(name)

    def __repr__(self) -> str:
        return f"Adapter({self.backend!r})"


class Connection:
    """An open database connection used by schemas and queries.

    ``Connection(host, user, password)`` opens a MySQL/MariaDB or PostgreSQL connection as
    DataJoint does; :func:`connect` opens one from a URL (any backend, DuckDB included).

    Parameters
    ----------
    host : str
        Server host name, optionally with the port (``'127.0.0.1:3306'``).
    user, password : str, optional
        Credentials; default ``database.user`` / ``database.password`` of the configuration.
    port : int, optional
        Server port, unless ``host`` carries one; default ``database.port``.
    use_tls : bool or dict, optional
        TLS: ``True`` or a dict of pymysql ``ssl`` options (PostgreSQL: ``sslmode=require``),
        ``False`` off, ``None`` (default) preferred: TLS when the server offers it (PostgreSQL:
        ``sslmode=prefer``). Without a CA in the dict, the server certificate is not checked.
    database_name : str, optional
        PostgreSQL database; default ``database.name``, else ``'postgres'``.
    backend : str, optional
        ``'mysql'`` or ``'postgresql'``; default ``database.backend``.
    config_override : Config, optional
        The configuration this connection reads (an :class:`frames.api.instance.Instance`'s);
        default the process-wide ``frames.config``.

    Attributes
    ----------
    backend : Backend
        The driver-level connection frames runs its SQL on.
    adapter : Adapter
        The server kind (``adapter.backend``) and identifier quoting.
    conn_info : dict
        ``host``, ``port``, ``user``, ``passwd`` (``None`` for :func:`connect`'s connections,
        whose URL shows it masked), ``database_name``, and for DataJoint-style
        connections ``ssl_input`` (the ``use_tls`` given) and ``ssl`` (unless TLS is off).

    Raises
    ------
    frames.errors.DatabaseConnectionError
        If the server cannot be reached or refuses the credentials (on MySQL also a
        ``pymysql.err.OperationalError``, as DataJoint lets through).

    Examples
    --------
    >>> import frames as dj
    >>> conn = dj.connect("duckdb://")
    >>> with conn.transaction:
    ...     pass
    """

    def __init__(
        self,
        host: str,
        user: str | None = None,
        password: str | None = None,
        port: int | None = None,
        use_tls: bool | dict | None = None,
        *,
        database_name: str | None = None,
        backend: str | None = None,
        config_override: Config | None = None,
    ) -> None:
        settings = config_override if config_override is not None else config
        database = settings.database
        backend = backend or database.backend
        url = server_url(
            host,
            user if user is not None else database.user,
            password if password is not None else database.password,
            port,
            backend=backend,
            database_name=database_name,
            settings=settings,
        )
        charset = (
            {"charset": settings.connection.charset}
            if backend == "mysql" and settings.connection.charset
            else {}
        )
        opened = open_backend(url, _tls_args(backend, use_tls) | charset)
        self._attach(opened, settings, url)
        self.conn_info["ssl_input"] = use_tls
        if use_tls is not False:
            self.conn_info["ssl"] = use_tls if isinstance(use_tls, dict) else True

    @classmethod
    def from_backend(cls, backend: Backend, config_override: Config | None = None) -> Connection:
        """A connection over an open :class:`~frames.backends.base.Backend`."""
        connection = cls.__new__(cls)
        settings = config_override if config_override is not None else config
        connection._attach(backend, settings, make_url(backend.url).set(password=None))
        return connection

    def _attach(self, backend: Backend, settings: Config, url: URL) -> None:
        """Take ``backend`` as this connection's; ``url`` (password included, where known) is
        recorded in :attr:`conn_info`."""
        self.backend = backend
        self.adapter = Adapter(backend)
        self.transaction = _TransactionContext(self)
        self._config = settings
        self._lost_transaction = False
        self.conn_info: dict[str, Any] = {
            "host": url.host,
            "port": url.port,
            "user": url.username,
            "passwd": url.password,
            "database_name": url.database,
        }

    @property
    def dialect(self) -> str:
        """The SQL dialect name: ``duckdb``, ``postgres`` or ``mysql``."""
        return self.backend.dialect

    @property
    def sql_dialect(self) -> Dialect:
        """The :class:`~frames.sql.dialects.Dialect` of this connection's server."""
        dialect = get_dialect(self.backend.dialect)
        collation = self.backend.string_collation
        if collation and collation != dialect.string_collation:
            dialect = dataclasses.replace(dialect, string_collation=collation)
        return dialect

    # -- state -------------------------------------------------------------------------------
    def ping(self) -> None:
        """Check that the connection is open and the server answers.

        Raises
        ------
        frames.errors.LostConnectionError
            If the connection was closed or lost.
        """
        self.backend.ping()

    @property
    def is_connected(self) -> bool:
        """True if the connection is open and the server answers."""
        try:
            self.ping()
        except DatabaseConnectionError:
            return False
        return True

    def connect(self) -> None:
        """Open the connection again (after :meth:`close` or a lost connection).

        Raises
        ------
        frames.errors.DatabaseConnectionError
            If the server cannot be reached (or an in-memory DuckDB database was closed).
        """
        self.backend.reconnect()

    @property
    def connection_id(self) -> int | None:
        """The server's id of this session (MySQL ``connection_id()``, PostgreSQL's backend
        process id); ``None`` on DuckDB."""
        sql = self.backend.connection_id_sql
        return self.backend.fetch_rows(sql)[0][0] if sql else None

    def get_user(self) -> str:
        """The user this session acts as (``'user@host'`` on MySQL)."""
        return self.backend.fetch_rows(self.backend.current_user_sql)[0][0]

    @property
    def dependencies(self) -> Dependencies:
        """The foreign-key graph of the tables on this connection (DataJoint's
        ``connection.dependencies``; loaded on demand)."""
        return dependencies_of(self)

    def list_schemas(self) -> list[str]:
        """Names of the schemas (MySQL databases) on the server, system schemas excluded."""
        return self.backend.list_schemas()

    # -- raw SQL -----------------------------------------------------------------------------
    def query(
        self,
        sql: str,
        args: Sequence[Any] | Mapping[str, Any] | None = (),
        *,
        as_dict: bool = False,
        suppress_warnings: bool = True,
        reconnect: bool | None = None,
    ) -> ResultCursor:
        """Run raw SQL and return a cursor over its result, as DataJoint's ``query``.

        Parameters
        ----------
        sql : str
            One statement with ``%s`` (or ``%(name)s``) placeholders, in the server's dialect.
            As with the MySQL and PostgreSQL drivers, a literal ``%`` is written ``%%``.
        args : sequence or mapping, optional
            The bound values of the placeholders.
        as_dict : bool
            Rows as dicts keyed by column name instead of tuples.
        suppress_warnings : bool
            Silence the driver's warnings.
        reconnect : bool, optional
            Re-open a closed connection first (default ``database.reconnect``).

        Returns
        -------
        ResultCursor
            ``fetchone()``, ``fetchall()``, ``fetchmany()``, iteration, ``rowcount``,
            ``description``.

        Raises
        ------
        frames.errors.QueryError
            (or a more specific subclass) if the server rejects the statement.
        frames.errors.LostConnectionError
            If the connection is closed and ``reconnect`` is false, or it was closed inside a
            transaction (which is then lost; the connection is open again).
        """
        if reconnect is None:
            reconnect = self._config.database.reconnect
        if reconnect and self.backend.closed:  # a lost connection the backend re-opens itself
            logger.warning("Reconnecting to database server.")
            self.connect()
            if self._lost_transaction:
                self._lost_transaction = False
                raise LostConnectionError(
                    "the connection was closed during a transaction, which the server rolled "
                    "back; reconnected: run the transaction again"
                )
        with warnings.catch_warnings():
            if suppress_warnings:
                warnings.simplefilter("ignore")
            return self.backend.raw_query(sql, args, as_dict)

    # -- query cache -------------------------------------------------------------------------
    def set_query_cache(self, query_cache: str | None = None) -> None:
        """Turn DataJoint's query cache on under the tag ``query_cache`` (``None``: off).

        While it is on, reads return the results saved under the same tag in the folder
        ``config['query_cache']`` (the first read of a statement runs it and saves the result),
        and writes raise :class:`~frames.errors.QueryError`.

        Raises
        ------
        frames.errors.FramesError
            If ``config['query_cache']`` is not set to a folder.
        """
        if not query_cache:
            self.backend.query_cache = None
            return
        folder = self._config.query_cache
        if folder is None:
            raise FramesError(
                "Provide filepath dj.config['query_cache'] when using query "
                "caching: the folder the cached results are kept in."
            )
        Path(folder).mkdir(parents=True, exist_ok=True)
        self.backend.query_cache = QueryCache(query_cache, Path(folder))

    def purge_query_cache(self) -> None:
        """Delete every cached result in the folder ``config['query_cache']``."""
        folder = self._config.query_cache
        if folder is not None and Path(folder).is_dir():
            for path in Path(folder).iterdir():
                if path.is_file():
                    path.unlink()

    # -- transactions ------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        """True between :meth:`start_transaction` and its commit or cancel."""
        return self.backend.in_transaction

    def start_transaction(self) -> None:
        """Start a transaction.

        Raises
        ------
        frames.errors.TransactionError
            If one is already open: transactions do not nest.
        """
        self.backend.begin()

    def commit_transaction(self) -> None:
        """Commit the open transaction (nothing to do without one).

        Raises
        ------
        frames.errors.TransactionError
            If a failure aborted the transaction (see :class:`_TransactionContext`): it is
            rolled back instead.
        frames.errors.TransactionConflictError
            If the database refused the commit because of a concurrent transaction.
        frames.errors.LostTransactionError
            If the connection was lost (at ``COMMIT`` itself: the server may have committed).
        """
        if self.backend.in_transaction:
            self.backend.commit()

    def cancel_transaction(self) -> None:
        """Roll back the open transaction (nothing to do without one)."""
        self.backend.rollback()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction, or the caller's if one is already open (for multi-statement writes)."""
        if self.backend.in_transaction:
            yield
        else:
            with self.backend.transaction():
                yield

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (an open transaction is rolled back by the server)."""
        self._lost_transaction = self.backend.in_transaction
        self.backend.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "disconnected"
        return f"Connection({self.backend.url!r}, {state})"


def _tls_args(backend: str, use_tls: bool | dict | None) -> dict[str, Any]:
    """Driver arguments for DataJoint's ``use_tls`` (see :class:`Connection`)."""
    if backend == "postgresql":
        return {
            "sslmode": "disable" if use_tls is False else "prefer" if use_tls is None else "require"
        }
    if use_tls is False:
        return {"ssl_disabled": True}
    # pymysql starts TLS only given a non-empty ssl dict (no CA: the certificate is not checked)
    ssl = use_tls if isinstance(use_tls, dict) else {"check_hostname": False}
    tls = {"ssl": ssl, "ssl_disabled": False}
    return tls | {"tls_preferred": True} if use_tls is None else tls


_default: Connection | None = None
_lock = threading.Lock()


def connect(url: Any = None) -> Connection:
    """Open a connection.

    Parameters
    ----------
    url : str, sqlalchemy URL or Engine, optional
        ``duckdb://`` (in memory), ``duckdb:///path.duckdb``, ``postgresql://user@host/db``,
        ``mysql://user@host:3306``. Defaults to the configured connection
        (:meth:`frames.settings.Config.database_url`): ``config['database.url']``, the DataJoint
        keys ``database.host`` etc. (opened as ``Connection(host, user, password)``), the
        environment variable ``FRAMES_DATABASE_URL``, else in-memory DuckDB. The first
        connection opened becomes the default used by schemas created without one (not in
        thread-safe mode).

    Raises
    ------
    frames.errors.DatabaseConnectionError
        If the database cannot be opened.
    frames.errors.FramesError
        If ``database.host`` is configured without ``database.user`` or ``database.password``.
    """
    global _default
    connection = (
        _open_default(None, None, None, None)
        if url is None
        else Connection.from_backend(open_backend(url))
    )
    with _lock:
        if _default is None and not thread_safe_mode():
            _default = connection
    return connection


def conn(
    host: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    reset: bool = False,
    use_tls: bool | dict | None = None,
) -> Connection:
    """The process-wide default connection, opened on first use (``reset``: open a new one).

    Without arguments it opens the configured connection (see :func:`connect`). With
    DataJoint's ``host``/``user``/``password`` it opens ``Connection(host, user, password)``,
    the missing ones taken from ``database.*`` of the configuration. As in DataJoint, the
    arguments are ignored once a default connection exists, unless ``reset``.

    Raises
    ------
    frames.errors.ThreadSafetyError
        In thread-safe mode (``DJ_THREAD_SAFE=true``): use an ``Instance``'s connection.
    frames.errors.FramesError
        If a DataJoint-style connection lacks a user or password.
    """
    global _default
    check_thread_safe()
    with _lock:
        if _default is None or reset:
            _default = _open_default(host, user, password, use_tls)
        return _default


def _open_default(
    host: str | None, user: str | None, password: str | None, use_tls: bool | dict | None
) -> Connection:
    """The connection :func:`conn` opens: DataJoint's keys if given or configured, else the
    configured URL."""
    database = config.database
    if host is None and user is None and password is None and (database.url or not database.host):
        return Connection.from_backend(open_backend(config.database_url()))
    user = user if user is not None else database.user
    password = password if password is not None else database.password
    for name, value in (("user", user), ("password", password)):
        if value is None:
            raise FramesError(
                f"Database {name} not configured. Set "
                f"dj.config['database.{name}'] or pass {name}= to dj.conn()."
            )
    return Connection(
        host or database.host or "localhost",
        user,
        password,
        use_tls=use_tls if use_tls is not None else database.use_tls,
    )


def list_schemas(connection: Connection | None = None) -> list[str]:
    """Names of the schemas on the server of ``connection`` (default :func:`conn`), system
    schemas excluded."""
    return (connection or conn()).list_schemas()
