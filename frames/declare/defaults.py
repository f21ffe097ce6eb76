"""How a definition writes an attribute's default value."""

from __future__ import annotations

import datetime
from decimal import Decimal

from frames.declare.spec import NO_DEFAULT, Attribute, SqlDefault


def default_literal(attr: Attribute) -> str | None:
    """The default of ``attr`` as a definition writes it after ``=`` (``None`` if it has none).

    Examples
    --------
    >>> from frames.declare.types import CoreType
    >>> default_literal(Attribute("note", CoreType("varchar", length=8), default="it's"))
    "'it''s'"
    >>> default_literal(Attribute("weight", CoreType("float32"), nullable=True, default=None))
    'null'
    """
    value = attr.default
    if attr.auto_increment:
        return None
    if value is NO_DEFAULT:
        return "null" if attr.nullable else None
    if value is None:
        return "null"
    if isinstance(value, SqlDefault):
        return value.keyword
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
    else:
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return "'" + text.replace("'", "''") + "'"
