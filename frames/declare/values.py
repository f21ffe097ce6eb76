"""Conversion of user-supplied Python values to the Python type of a core type."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

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


#: PostgreSQL's epoch: it rounds a timestamp's microseconds counted from this moment.
ROUNDING_EPOCH = datetime.datetime(2000, 1, 1)
_EPOCH_MICROSECONDS = (ROUNDING_EPOCH - datetime.datetime(1970, 1, 1)) // datetime.timedelta(
    microseconds=1
)
_LATEST_MICROSECONDS = (datetime.datetime.max - datetime.datetime(1970, 1, 1)) // (
    datetime.timedelta(microseconds=1)
)


def round_datetime(moment: datetime.datetime, digits: int) -> datetime.datetime:
    """``moment`` rounded to ``digits`` fractional-second digits, exactly as PostgreSQL rounds.

    PostgreSQL rounds the microseconds since 2000-01-01 half away from zero (``.1235`` becomes
    ``.124`` from 2000 on and ``.123`` before). MariaDB truncates and DuckDB keeps microseconds,
    so frames rounds before a value reaches any of them, by PostgreSQL's rule.

    Raises
    ------
    ValueError
        If the rounded moment is later than the latest datetime (9999-12-31 23:59:59.999999).
    """
    quantum = 10 ** (6 - digits)
    if moment.microsecond % quantum == 0:
        return moment
    offset = (moment.replace(tzinfo=None) - ROUNDING_EPOCH) // datetime.timedelta(microseconds=1)
    magnitude = (abs(offset) + quantum // 2) // quantum * quantum
    shift = (magnitude if offset >= 0 else -magnitude) - offset
    try:
        return moment + datetime.timedelta(microseconds=shift)
    except OverflowError:
        raise ValueError(f"{moment} rounded to {digits} fractional digits is after 9999") from None


def round_timestamps(
    values: pa.Array | pa.ChunkedArray, digits: int
) -> pa.Array | pa.ChunkedArray | None:
    """:func:`round_datetime` of every value of a ``timestamp[us]`` array.

    ``None`` when a rounded value would be after 9999 (:func:`round_datetime` then reports it).
    """
    if digits >= 6:
        return values
    quantum = 10 ** (6 - digits)
    offsets = pc.subtract(pc.cast(values, pa.int64()), _EPOCH_MICROSECONDS)
    magnitudes = pc.multiply(pc.divide(pc.add(pc.abs(offsets), quantum // 2), quantum), quantum)
    signed = pc.if_else(pc.less(offsets, 0), pc.negate(magnitudes), magnitudes)
    micros = pc.add(signed, _EPOCH_MICROSECONDS)
    latest = pc.max(micros).as_py()
    if latest is not None and latest > _LATEST_MICROSECONDS:
        return None
    return pc.cast(micros, values.type)
