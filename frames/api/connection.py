"""Connections: ``frames.connect(url)`` and the process-wide default connection."""

from __future__ import annotations

import dataclasses
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from frames.backends.base import Backend
from frames.backends.cursor import ResultCursor
from frames.errors import DatabaseConnectionError, TransactionError
from frames.settings import config, server_url
from frames.sql.dialects import Dialect, get_dialect


class _TransactionContext:
    """``with conn.transaction:`` — DataJoint's spelling of a transaction block."""

    def __init__(self, connection: Connection):
        self._connection = connection
        self._stack: list[Any] = []

    def __enter__(self) -> Connection:
        manager = self._connection.backend.transaction()
        manager.__enter__()
        self._stack.append(manager)
        return self._connection

    def __exit__(self, *exc: Any) -> bool | None:
        return self._stack.pop().__exit__(*exc)


class Connection:
    """An open database connection used by schemas and queries.

    ``Connection(host, user, password)`` opens a MySQL/MariaDB or PostgreSQL connection as
    DataJoint does; :func:`connect` opens one from a URL (any backend, DuckDB included).

    Parameters
    ----------
    host : str
        Server host name, optionally with the port (``'127.0.0.1:3306'``).
    user, password : str, optional
        Credentials; default ``config['database.user']`` / ``config['database.password']``.
    port : int, optional
        Server port, unless ``host`` carries one; default ``config['database.port']``, else
        3306 (MySQL) or 5432 (PostgreSQL).
    use_tls : bool or dict, optional
        Accepted for DataJoint compatibility.
    database_name : str, optional
        PostgreSQL database; default ``config['database.name']``, else ``'postgres'``.
    backend : str, optional
        ``'mysql'`` or ``'postgresql'``; default ``config['database.backend']``.

    Raises
    ------
    frames.errors.DatabaseConnectionError
        If the server cannot be reached or refuses the credentials.

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
    ) -> None:
        from frames.backends import open_backend

        user = user if user is not None else config["database.user"]
        password = password if password is not None else config["database.password"]
        url = server_url(host, user, password, port, backend=backend,
                         database_name=database_name)
        self._attach(open_backend(url))

    @classmethod
    def from_backend(cls, backend: Backend) -> Connection:
        """A connection over an open :class:`~frames.backends.base.Backend`."""
        connection = cls.__new__(cls)
        connection._attach(backend)
        return connection

    def _attach(self, backend: Backend) -> None:
        self.backend = backend
        self.transaction = _TransactionContext(self)
        self._lost_transaction = False

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

    @property
    def in_transaction(self) -> bool:
        """True inside ``with conn.transaction:``."""
        return self.backend.in_transaction

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction, or the caller's if one is already open (for multi-statement writes)."""
        if self.backend.in_transaction:
            yield
        else:
            with self.backend.transaction():
                yield

    @property
    def is_connected(self) -> bool:
        """True if the connection is open and the server answers."""
        try:
            self.backend.ping()
        except DatabaseConnectionError:
            return False
        return True

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
            Re-open a closed connection first (default ``config['database.reconnect']``).

        Returns
        -------
        ResultCursor
            ``fetchone()``, ``fetchall()``, ``fetchmany()``, iteration, ``rowcount``,
            ``description``.

        Raises
        ------
        frames.errors.QueryError
            (or a more specific subclass) if the server rejects the statement.
        frames.errors.DatabaseConnectionError
            If the connection is closed and ``reconnect`` is false.
        frames.errors.TransactionError
            If the connection was closed inside a transaction (which is then lost).
        """
        if reconnect is None:
            reconnect = config["database.reconnect"]
        if reconnect and not self.is_connected:
            self.backend.reconnect()
            if self._lost_transaction:
                self._lost_transaction = False
                raise TransactionError(
                    "the connection was closed during a transaction, which the server rolled "
                    "back; reconnected: run the transaction again")
        with warnings.catch_warnings():
            if suppress_warnings:
                warnings.simplefilter("ignore")
            return self.backend.raw_query(sql, args, as_dict)

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back by the server)."""
        self._lost_transaction = self.backend.in_transaction
        self.backend.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection({self.backend.url!r})"


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
        keys ``database.host`` etc., the environment variable ``FRAMES_DATABASE_URL``, else
        in-memory DuckDB. The first connection opened becomes the default used by schemas
        created without one.
    """
    from frames.backends import open_backend

    global _default
    connection = Connection.from_backend(
        open_backend(url if url is not None else config.database_url()))
    with _lock:
        if _default is None:
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
    the missing ones taken from ``config['database.*']``. As in DataJoint, the arguments are
    ignored once a default connection exists, unless ``reset``.
    """
    from frames.backends import open_backend

    global _default
    with _lock:
        if _default is None or reset:
            if host is None and user is None and password is None:
                _default = Connection.from_backend(open_backend(config.database_url()))
            else:
                _default = Connection(host or config["database.host"] or "localhost", user,
                                      password, use_tls=use_tls)
        return _default
