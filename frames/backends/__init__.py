"""Database backends: one driver connection each, opened from a URL.

>>> backend = open_backend("duckdb://")
>>> backend.fetch_rows("SELECT 1 + ?", [1])
[(2,)]
>>> backend.close()
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
from sqlalchemy.engine import URL, Engine, make_url

from frames.backends.base import Backend
from frames.errors import DatabaseConnectionError

__all__ = ["Backend", "open_backend", "SCHEMES"]

#: URL schemes accepted by :func:`open_backend` (a ``+driver`` suffix is allowed).
SCHEMES = ("duckdb", "postgresql", "postgres", "mysql", "mariadb")


def open_backend(url: str | URL | Engine, connect_args: dict[str, Any] | None = None) -> Backend:
    """Open a connection to the database at ``url``.

    Parameters
    ----------
    url : str, sqlalchemy.engine.URL or sqlalchemy.engine.Engine
        ``duckdb://`` (a new private in-memory database), ``duckdb:///path/file.duckdb``
        (``duckdb:////abs/path`` for an absolute path), ``postgresql://user:pass@host:5432/db``
        (also ``postgres://``, ``postgresql+psycopg2://``), ``mysql://user:pass@host:3306[/db]``
        (also ``mysql+pymysql://``, ``mariadb://``). Query parameters are passed to the driver
        (``?sslmode=require``). An engine or URL object is opened from its URL.
    connect_args : dict, optional
        Further keyword arguments of the driver's ``connect`` (pymysql, psycopg2), for values
        a URL cannot carry (``ssl={...}``); they win over the URL's. Not used by DuckDB.

    Returns
    -------
    Backend
        An open connection in autocommit mode.

    Raises
    ------
    frames.errors.DatabaseConnectionError
        If the URL is malformed or its scheme unsupported, or the server cannot be reached
        (the message names host and port and gives the driver's reason).
    """
    parsed = _parse(url)
    scheme = parsed.get_backend_name()
    shown = parsed.render_as_string(hide_password=True)
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseConnectionError(
            f"invalid port {parsed.port} in {shown!r}: a port is a whole number from 1 to 65535"
        )
    query: dict[str, Any] = dict(parsed.query)
    extra = connect_args or {}
    if scheme == "duckdb":
        from frames.backends.duckdb import DuckDBBackend

        return DuckDBBackend(shown, parsed.database or ":memory:")
    if scheme in ("postgresql", "postgres"):
        from frames.backends.postgres import PostgresBackend

        return PostgresBackend(
            shown,
            _drop_none(
                {
                    "host": parsed.host or "localhost",
                    "port": parsed.port or 5432,
                    "user": parsed.username,
                    "password": parsed.password,
                    "dbname": parsed.database,
                    **query,
                }
            )
            | extra,
        )
    if scheme in ("mysql", "mariadb"):
        from frames.backends.mysql import MySQLBackend, check_connect_options

        numbers = {k: int(v) for k, v in query.items() if isinstance(v, str) and v.isdigit()}
        check_connect_options(shown, [*query, *extra])
        return MySQLBackend(
            shown,
            _drop_none(
                {
                    "host": parsed.host or "localhost",
                    "port": parsed.port or 3306,
                    "user": parsed.username,
                    "password": parsed.password or "",
                    "database": parsed.database,
                    **query,
                    **numbers,  # pymysql wants int timeouts
                }
            )
            | extra,
        )
    raise DatabaseConnectionError(
        f"unsupported database URL scheme {parsed.drivername!r} in {shown!r}; supported: "
        + ", ".join(f"{s}://" for s in SCHEMES)
    )


def _parse(url: str | URL | Engine) -> URL:
    if isinstance(url, Engine):
        return url.url
    if isinstance(url, URL):
        return url
    if not isinstance(url, str):
        raise DatabaseConnectionError(
            f"a database URL must be a string, a sqlalchemy URL or an Engine, not "
            f"{type(url).__name__}"
        )
    try:
        return make_url(url)
    except (sqlalchemy.exc.ArgumentError, ValueError) as exc:  # ValueError: a port not a number
        raise DatabaseConnectionError(
            f"cannot parse database URL {url!r}: {exc}; expected e.g. duckdb://, "
            "postgresql://user:pass@host:5432/db or mysql://user:pass@host:3306"
        ) from exc


def _drop_none(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}
