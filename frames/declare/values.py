"""Conversion of user-supplied Python values to the Python type of a core type."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

from frames.declare.spec import Attribute


def convert_value(value: Any, attr: Attribute) -> Any:
    """Convert a user value to the Python type of ``attr`` (raises ValueError/TypeError)."""
    category = attr.type.category
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if category == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal, str)):
            raise TypeError(f"expected an integer, got {type(value).__name__}")
        number = int(value)
        if number != (decimal.Decimal(value) if isinstance(value, str) else value):
            raise ValueError("expected an integer")
        return number
    if category == "float":
        if isinstance(value, bool):
            raise TypeError("expected a number, got bool")
        return float(value)
    if category == "decimal":
        if isinstance(value, float):
            return decimal.Decimal(repr(value))
        return decimal.Decimal(value)
    if category == "bool":
        if isinstance(value, (bool, int)) and value in (0, 1):
            return bool(value)
        raise TypeError(f"expected a bool, got {value!r}")
    if category == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))
    if category == "datetime":
        if isinstance(value, datetime.datetime):
            return value
        if isinstance(value, datetime.date):
            return datetime.datetime(value.year, value.month, value.day)
        return datetime.datetime.fromisoformat(str(value))
    if category == "uuid":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if category == "json":
        return value if isinstance(value, str) else json.dumps(value)
    if category == "bytes":
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(value).__name__}")
        return bytes(value)
    if not isinstance(value, str):
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value
