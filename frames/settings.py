"""Process-wide configuration (``frames.config``), DataJoint-style dict access.

Keys
----
database.url : str or None
    Connection URL used when no connection is given; ``FRAMES_DATABASE_URL`` overrides the default
    (in-memory DuckDB).
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

_DEFAULTS: dict[str, Any] = {
    "database.url": None,
    "safemode": True,
    "display.limit": 12,
    "display.width": 24,
    "fragment_dialect": "auto",
    "loglevel": "INFO",
}

_FRAGMENT_DIALECTS = ("auto", "ansi", "mysql")


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
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        self._values[key] = _DEFAULTS[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def database_url(self) -> str:
        """The URL for the default connection: the setting, ``FRAMES_DATABASE_URL``, or DuckDB."""
        return self._values["database.url"] or os.environ.get("FRAMES_DATABASE_URL") or "duckdb://"

    def __repr__(self) -> str:
        return f"Config({self._values!r})"


config = Config()
