"""DataJoint's storage naming conventions: class names ↔ table names and tiers.

Manual ``session``, Lookup ``#letter_grade``, Imported ``_scan``, Computed ``__activity``,
Part ``master__part`` (the master's stored name, then ``__`` and the part's snake-case name).
"""

from __future__ import annotations

import re
import warnings

#: Longest stored table name (MySQL's limit; DataJoint's on every backend).
MAX_TABLE_NAME_LENGTH = 64
TIER_PREFIXES = {"manual": "", "lookup": "#", "imported": "_", "computed": "__"}
_CAMEL_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def to_snake_case(class_name: str) -> str:
    """``'RecordingSession'`` → ``'recording_session'``.

    Underscores are dropped with a warning (``Table_Name`` is ``table_name``), as DataJoint does
    for older code.

    Raises
    ------
    ValueError
        If the name is not CamelCase (DataJoint requires table classes to be CamelCase).
    """
    if "_" in class_name:
        warnings.warn(
            f"Table class name `{class_name}` contains underscores. CamelCase names "
            "without underscores are recommended.",
            UserWarning,
            stacklevel=2,
        )
        class_name = class_name.replace("_", "")
    if not _CAMEL_RE.match(class_name):
        raise ValueError(
            f"table class name {class_name!r} must be CamelCase: a capital letter, then letters "
            "and digits"
        )
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def to_camel_case(snake: str) -> str:
    """``'recording_session'`` → ``'RecordingSession'``."""
    return "".join(part.capitalize() for part in snake.split("_") if part)


def table_name(class_name: str, tier: str, master_name: str | None = None) -> str:
    """The stored table name of a class of the given tier (``master_name``: stored name)."""
    if tier == "part":
        if master_name is None:
            raise ValueError("a part table needs its master's stored name")
        return f"{master_name}__{to_snake_case(class_name)}"
    return TIER_PREFIXES[tier] + to_snake_case(class_name)


def tier_of(stored_name: str) -> str:
    """The tier encoded in a stored table name."""
    bare = stored_name.lstrip("#_")
    if "__" in bare:
        return "part"
    if stored_name.startswith("__"):
        return "computed"
    if stored_name.startswith("_"):
        return "imported"
    if stored_name.startswith("#"):
        return "lookup"
    return "manual"


def class_name_of(stored_name: str) -> str:
    """The CamelCase class name for a stored table name (a part: its own part only)."""
    bare = stored_name.lstrip("#_")
    return to_camel_case(bare.split("__")[-1])


def master_of(stored_name: str) -> str | None:
    """The master's stored name for a part table, else ``None``."""
    prefix_len = len(stored_name) - len(stored_name.lstrip("#_"))
    bare = stored_name[prefix_len:]
    if "__" not in bare:
        return None
    return stored_name[:prefix_len] + bare.rsplit("__", 1)[0]
