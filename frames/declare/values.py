"""Conversion of user-supplied Python values to the Python type of a core type."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

from frames.declare.spec import Attribute


def convert_value(value: Any, attr: Attribute) -> Any:
    """Convert a user value to the Python type of ``attr``.

    Raises
    ------
    ValueError
        The value does not spell a value of the type (``'abc'`` for a number, infinity for
        an integer, text that UTF-8 cannot encode, such as a lone surrogate).
    TypeError
        The value is of a type that does not convert (bytes for a number).
    """
    try:
        return _convert(value, attr)
    except OverflowError:  # int(inf), float(10**400)
        text = repr(value)
        text = text if len(text) <= 40 else text[:20] + "..." + text[-10:]
        raise ValueError(f"{text} is out of the range of {attr.type}") from None


def _convert(value: Any, attr: Attribute) -> Any:
    category = attr.type.category
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if category == "integer":
        if isinstance(value, bool):  # stored as 0/1, as DataJoint (a MySQL tinyint) does
            return int(value)
        if not isinstance(value, (int, float, decimal.Decimal, str)):
            raise TypeError(f"expected an integer, got {type(value).__name__}")
        number = int(value)
        if number != (decimal.Decimal(value) if isinstance(value, str) else value):
            raise ValueError("expected an integer")
        return number
    if category == "float":
        return float(value)
    if category == "decimal":
        exact = decimal.Decimal(repr(value) if isinstance(value, float) else value)
        if exact.is_finite() and exact.adjusted() >= (attr.type.precision or 38):
            raise ValueError(f"{exact} has more digits than {attr.type} holds")
        return exact
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
            moment = value
        elif isinstance(value, datetime.date):
            moment = datetime.datetime(value.year, value.month, value.day)
        else:
            moment = datetime.datetime.fromisoformat(str(value))
        return round_datetime(moment, attr.type.precision or 0)
    if category == "uuid":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if category == "json":
        return encodable(value if isinstance(value, str) else json.dumps(value))
    if category == "bytes":
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(value).__name__}")
        return bytes(value)
    if not isinstance(value, str):
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return encodable(value)


def encodable(text: str) -> str:
    """``text``, if UTF-8 can encode it (every backend stores UTF-8).

    Raises
    ------
    ValueError
        Naming the first character that cannot be encoded (a lone surrogate such as
        ``'\\udc80'``, which a file name decoded with ``surrogateescape`` can hold).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = text[error.start]
        raise ValueError(
            f"the character {bad!r} at position {error.start} is a lone surrogate, which UTF-8 "
            "cannot encode; decode the text properly (or store it as bytes)"
        ) from None
    return text


def round_datetime(moment: datetime.datetime, digits: int) -> datetime.datetime:
    """``moment`` rounded half up to ``digits`` fractional-second digits.

    Engines disagree (PostgreSQL rounds, MariaDB truncates, DuckDB keeps microseconds), so
    frames rounds before the value reaches any of them.
    """
    quantum = 10 ** (6 - digits)
    micro = (moment.microsecond + quantum // 2) // quantum * quantum
    if micro == moment.microsecond:
        return moment
    return moment.replace(microsecond=0) + datetime.timedelta(microseconds=micro)
