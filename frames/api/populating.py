"""Which tables ``make()`` is filling in the current context: inserts into an Imported or
Computed table (or its parts) are allowed only there (:meth:`frames.api.table.Table.insert`)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_populating: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "frames_populating", default=frozenset()
)


@contextlib.contextmanager
def populating(table_name: str) -> Iterator[None]:
    """Mark ``table_name`` (and its parts) as being filled by ``make()``."""
    token = _populating.set(_populating.get() | {table_name})
    try:
        yield
    finally:
        _populating.reset(token)


def insert_allowed(stored_name: str) -> bool:
    """True while ``make()`` of this table (or, for a part, of its master) is running."""
    names = _populating.get()
    return any(stored_name == n or stored_name.startswith(n + "__") for n in names)
