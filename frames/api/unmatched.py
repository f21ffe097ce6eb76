"""Dict restrictions that name no attribute of the table they restrict.

DataJoint's rule restricts by the keys of a dict that are attributes and ignores the others, so
``Parent & {'pid_typo': 1}`` (a misspelt key) restricts nothing: it is the whole table. Queries
keep that rule. A restricted table remembers such dicts (:func:`unmatched_keys`), and
``delete()``, ``delete_quick()`` and ``drop()`` refuse a table that carries one
(:func:`refuse_unmatched`) instead of removing every row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from frames.api.coerce import AndList, Not
from frames.errors import UnknownAttributeError

if TYPE_CHECKING:
    from frames.api.table import Table
    from frames.plan.heading import Heading

__all__ = ["refuse_unmatched", "unmatched_keys"]


def unmatched_keys(condition: Any, heading: Heading) -> tuple[str, ...] | None:
    """The keys of the first dict in ``condition`` that shares no attribute with ``heading``.

    Dicts are looked for where ``&`` reads them as rows to match: the condition itself, the
    items of a list, tuple, set or ``dj.AndList`` (also nested), the records of a numpy record
    (array) and the columns of a non-empty pandas or polars DataFrame. A dict inside ``dj.Not``
    is not one (its negation restricts to nothing). ``None`` if there is no such dict.
    """
    pending = [condition]  # depth first, left to right, without recursion (nesting is deep)
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            keys = tuple(str(key) for key in item)
            if not any(key in heading for key in keys):
                return keys
        elif isinstance(item, (list, tuple, set, frozenset, AndList)):
            pending.extend(reversed(list(item)))
        elif not isinstance(item, (Not, str, bytes)):
            columns = _record_names(item)
            if columns is not None and not any(name in heading for name in columns):
                return columns
    return None


def _record_names(condition: Any) -> tuple[str, ...] | None:
    """The field names of a non-empty DataFrame or numpy record (array), else ``None``."""
    module = type(condition).__module__.split(".")[0]
    if type(condition).__name__ == "DataFrame" and module in ("pandas", "polars"):
        if not len(condition):
            return None
        if module == "pandas":
            index = [name for name in condition.index.names if name is not None]
            return (*map(str, index), *map(str, condition.columns))
        return tuple(condition.columns)
    names = getattr(getattr(condition, "dtype", None), "names", None)
    if names and (getattr(condition, "ndim", 1) == 0 or len(condition)):
        return tuple(names)
    return None


def refuse_unmatched(table: Table, operation: str) -> None:
    """Raise if ``table`` is restricted by a dict that names none of its attributes.

    Raises
    ------
    UnknownAttributeError
        Naming the dict's keys, the table and its attributes; nothing has been changed.
    """
    keys = table._unmatched
    if keys is None:
        return
    shown = f"keys {', '.join(repr(key) for key in keys)}" if keys else "no keys"
    done = "dropped" if operation == "drop" else "deleted"
    raise UnknownAttributeError(
        f"{table._name}.{operation}(): {table._name} is restricted by a dict with {shown}, "
        f"none of them an attribute of {table._name} ({', '.join(table.heading.names)}). "
        "Queries ignore such a dict (DataJoint's rule), so it would select every row; nothing "
        f"was {done}. Check the spelling of the keys, or call {operation}() on the "
        "unrestricted table to mean every row."
    )
