"""Connections: ``frames.connect(url)`` and the process-wide default connection."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from frames.backends.base import Backend
from frames.settings import config
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

    Parameters
    ----------
    backend : Backend
        The driver-level backend (see :func:`frames.backends.open_backend`).

    Examples
    --------
    >>> import frames as dj
    >>> conn = dj.connect("duckdb://")
    >>> with conn.transaction:
    ...     pass
    """

    def __init__(self, backend: Backend):
        self.backend = backend
        self.transaction = _TransactionContext(self)

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

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run raw SQL (``?`` placeholders) and return its rows."""
        return self.backend.fetch_rows(sql, params)

    def close(self) -> None:
        """Close the connection."""
        self.backend.close()

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
        ``mysql://user@host:3306``. Defaults to ``config['database.url']``, then the environment
        variable ``FRAMES_DATABASE_URL``, then in-memory DuckDB. The first connection opened
        becomes the default used by schemas created without one.
    """
    from frames.backends import open_backend

    global _default
    connection = Connection(open_backend(url if url is not None else config.database_url()))
    with _lock:
        if _default is None:
            _default = connection
    return connection


def conn(reset: bool = False) -> Connection:
    """The process-wide default connection, opened on first use (``reset``: open a new one)."""
    global _default
    with _lock:
        if _default is None or reset:
            from frames.backends import open_backend

            _default = Connection(open_backend(config.database_url()))
        return _default
