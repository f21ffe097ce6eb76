"""Process-wide configuration (``frames.config``), DataJoint-style dict access.

Keys
----
database.url : str or None
    frames' one-line form: the URL of the default connection (``duckdb://``,
    ``postgresql://user:pass@host/db``, ``mysql://user:pass@host:3306``). It wins over the
    DataJoint keys below.
database.host : str or None
    DataJoint's form: the server of the default connection (``host`` or ``host:port``). Unlike
    DataJoint (default ``'localhost'``), the default is ``None``: not configured, and then the
    default connection is ``FRAMES_DATABASE_URL`` or, without it, in-memory DuckDB.
database.port : int or None
    Server port; ``None``: 3306 for MySQL, 5432 for PostgreSQL.
database.user, database.password : str or None
    Credentials for connections opened from the DataJoint keys.
database.backend : str
    ``'mysql'`` (default, also MariaDB) or ``'postgresql'``: the server kind at ``database.host``.
database.name : str or None
    PostgreSQL database to connect to (default ``'postgres'``, as DataJoint); ignored by MySQL.
database.reconnect : bool
    ``Connection.query`` re-opens a closed connection (default true).
safemode : bool
    When true (default), ``delete()`` and ``drop()`` ask for confirmation unless ``prompt=False``.
display.limit : int
    Rows shown by ``repr()`` of a query (default 12).
display.width : int
    Maximum characters of one cell in ``repr()`` (default 24).
fragment_dialect : str
    SQL dialect user fragments are read in: ``'auto'`` (default: as the connection's database
    reads SQL, which is what DataJoint does: MySQL-style on MySQL/MariaDB, ANSI elsewhere),
    ``'ansi'`` (PostgreSQL-style: single-quoted strings, double-quoted identifiers, ``||``
    concatenation) or ``'mysql'`` (double-quoted strings, as legacy DataJoint code writes them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from typing import Any

from sqlalchemy.engine import URL

_DEFAULTS: dict[str, Any] = {
    "database.url": None,
    "database.host": None,
    "database.port": None,
    "database.user": None,
    "database.password": None,
    "database.backend": "mysql",
    "database.name": None,
    "database.reconnect": True,
    "safemode": True,
    "display.limit": 12,
    "display.width": 24,
    "fragment_dialect": "auto",
    "loglevel": "INFO",
}

_FRAGMENT_DIALECTS = ("auto", "ansi", "mysql")
#: Values of ``database.backend``, DataJoint's names.
BACKENDS = ("mysql", "postgresql")


class Config(MutableMapping[str, Any]):
    """A validated mapping of settings; unknown keys raise ``KeyError`` listing the known ones."""

    def __init__(self) -> None:
        self._values = dict(_DEFAULTS)

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise KeyError(f"unknown setting {key!r}; settings: {', '.join(sorted(self._values))}")
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in _DEFAULTS:
            raise KeyError(f"unknown setting {key!r}; settings: {', '.join(sorted(_DEFAULTS))}")
        if key == "fragment_dialect" and value not in _FRAGMENT_DIALECTS:
            raise ValueError(
                f"config['fragment_dialect'] must be one of {_FRAGMENT_DIALECTS}, not {value!r}"
            )
        if key == "database.backend" and value not in BACKENDS:
            raise ValueError(f"config['database.backend'] must be one of {BACKENDS}, not {value!r}")
        if key == "database.port" and value is not None:
            value = int(value)
        self._values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        """The setting ``key``, or ``default`` if there is no such setting."""
        return self._values.get(key, default)

    def __delitem__(self, key: str) -> None:
        self._values[key] = _DEFAULTS[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def database_url(self) -> str | URL:
        """The URL of the default connection.

        In order: ``database.url``; the DataJoint keys when ``database.host`` is set (see
        :func:`server_url`); the environment variable ``FRAMES_DATABASE_URL``; in-memory DuckDB.
        """
        values = self._values
        if values["database.url"]:
            return values["database.url"]
        if values["database.host"]:
            return server_url(values["database.host"], values["database.user"],
                              values["database.password"])
        return os.environ.get("FRAMES_DATABASE_URL") or "duckdb://"

    def __repr__(self) -> str:
        return f"Config({self._values!r})"


def server_url(
    host: str,
    user: str | None,
    password: str | None,
    port: int | None = None,
    *,
    backend: str | None = None,
    database_name: str | None = None,
) -> URL:
    """The URL of a MySQL or PostgreSQL server given DataJoint's connection parameters.

    ``host`` may carry the port (``'db.example.org:3307'``), which then wins over ``port``;
    missing values come from :data:`config` (``database.port``, ``database.backend``,
    ``database.name``). PostgreSQL connects to ``database_name``, default ``'postgres'``.
    """
    backend = backend or config["database.backend"]
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if ":" in host:
        host, port_text = host.rsplit(":", 1)
        port = int(port_text)
    port = port or config["database.port"] or (5432 if backend == "postgresql" else 3306)
    database = None
    if backend == "postgresql":
        database = database_name or config["database.name"] or "postgres"
    return URL.create(backend, username=user, password=password, host=host, port=port,
                      database=database)


config = Config()
