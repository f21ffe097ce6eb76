"""DataJoint core types: parsing their spelling and mapping them to Arrow.

A :class:`CoreType` is the portable type of an attribute (``int32``, ``decimal(5,1)``,
``enum('M','F')``, ...). Each backend's SQL spelling lives with its dialect in ``frames.sql``;
this module knows only the portable names, their Python values and their Arrow types.
Common native SQL spellings from older DataJoint code (``int unsigned``, ``double``, ``longblob``,
``timestamp``, ...) are accepted and mapped to the nearest core type that holds every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

INTEGER_KINDS = ("int8", "int16", "int32", "int64")
FLOAT_KINDS = ("float32", "float64")
INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}
MAX_DECIMAL_PRECISION = 38


@dataclass(frozen=True)
class CoreType:
    """A portable attribute type.

    Parameters
    ----------
    kind : str
        One of ``int8 int16 int32 int64 float32 float64 bool decimal char varchar text enum date
        datetime uuid json bytes``.
    precision : int, optional
        Digits of a ``decimal``; fractional-second digits of a ``datetime``.
    scale : int, optional
        Digits after the point of a ``decimal``.
    length : int, optional
        Length of ``char(n)`` / ``varchar(n)``.
    values : tuple of str
        Members of an ``enum``.
    """

    kind: str
    precision: int | None = None
    scale: int | None = None
    length: int | None = None
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "decimal":
            return f"decimal({self.precision},{self.scale})"
        if self.kind in ("char", "varchar"):
            return f"{self.kind}({self.length})"
        if self.kind == "enum":
            return "enum(" + ", ".join(_quote(v) for v in self.values) + ")"
        if self.kind == "datetime" and self.precision:
            return f"datetime({self.precision})"
        return self.kind

    @property
    def category(self) -> str:
        """Coarse family: integer, float, decimal, string, bool, date, datetime, uuid, json or
        bytes."""
        if self.kind in INTEGER_KINDS:
            return "integer"
        if self.kind in FLOAT_KINDS:
            return "float"
        if self.kind in ("char", "varchar", "text", "enum"):
            return "string"
        return self.kind

    @property
    def is_numeric(self) -> bool:
        """True for integers, floats and decimals."""
        return self.category in ("integer", "float", "decimal")

    @property
    def is_exact(self) -> bool:
        """True if equality on values of this type is exact (not float, json)."""
        return self.category not in ("float", "json")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Parsing

_SIMPLE = {
    k: CoreType(k)
    for k in (*INTEGER_KINDS, *FLOAT_KINDS, "bool", "date", "uuid", "json", "bytes", "text")
}

# Native spellings accepted for DataJoint 0.x / MySQL compatibility, mapped to a core type that
# holds every value of the native one (unsigned integers widen to the next signed size).
_NATIVE_INTEGERS = {
    "tinyint": ("int8", "int16"),
    "smallint": ("int16", "int32"),
    "mediumint": ("int32", "int32"),
    "int": ("int32", "int64"),
    "integer": ("int32", "int64"),
    "bigint": ("int64", "int64"),
}
_NATIVE_SIMPLE = {
    "boolean": "bool",
    "double": "float64",
    "double precision": "float64",
    "real": "float32",
    "float": "float32",
    "float4": "float32",
    "float8": "float64",
    "int2": "int16",
    "int4": "int32",
    "int8": "int8",
    "tinytext": "text",
    "mediumtext": "text",
    "longtext": "text",
    "blob": "bytes",
    "tinyblob": "bytes",
    "mediumblob": "bytes",
    "longblob": "bytes",
    "bytea": "bytes",
    "timestamp": "datetime",
    "year": "int16",
}

_INT_RE = re.compile(
    r"^(tinyint|smallint|mediumint|int|integer|bigint)\s*(\(\s*\d+\s*\))?"
    r"(\s+unsigned)?(\s+zerofill)?$"
)
#: ``decimal`` without digits is MySQL's ``decimal(10,0)``.
_DECIMAL_RE = re.compile(
    r"^(?:decimal|numeric|dec|fixed)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?"
    r"(\s+unsigned)?(\s+zerofill)?$"
)
#: MySQL's ``float(p)`` (single precision up to 24 bits), ``double(m,d)``, ``float unsigned``.
_FLOAT_RE = re.compile(
    r"^(float|double|real)\s*(?:\(\s*(\d+)\s*(,\s*\d+\s*)?\))?"
    r"(\s+unsigned)?(\s+zerofill)?$"
)
_CHAR_RE = re.compile(r"^(char|varchar)\s*\(\s*(\d+)\s*\)$")
_DATETIME_RE = re.compile(r"^(datetime|timestamp)\s*(?:\(\s*(\d)\s*\))?$")
_ENUM_RE = re.compile(r"^enum\s*\((.*)\)$", re.S)
_ENUM_MEMBER_RE = re.compile(r"\s*('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")\s*(,|$)")


def parse_type(text: str) -> CoreType:
    """Parse a type spelling such as ``'decimal(5,1)'`` or ``"enum('M','F')"``.

    Raises
    ------
    ValueError
        With a message saying what was expected; callers add the table and line.
    """
    spelling = " ".join(text.strip().split())
    lower = spelling.lower()
    if lower in _SIMPLE:
        return _SIMPLE[lower]
    if lower in _NATIVE_SIMPLE:
        return CoreType(_NATIVE_SIMPLE[lower])
    match = _INT_RE.match(lower)
    if match:
        signed, unsigned = _NATIVE_INTEGERS[match.group(1)]
        return CoreType(unsigned if match.group(3) else signed)
    match = _FLOAT_RE.match(lower)
    if match:
        single = (
            match.group(1) == "float" and match.group(3) is None and int(match.group(2) or 0) <= 24
        )
        return CoreType("float32" if single else "float64")
    match = _DECIMAL_RE.match(lower)
    if match:
        precision = int(match.group(1) or 10)
        scale = int(match.group(2) or 0)
        if not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise ValueError(
                f"decimal precision must be 1..{MAX_DECIMAL_PRECISION}, got {precision}"
            )
        if scale > precision:
            raise ValueError(f"decimal scale {scale} exceeds its precision {precision}")
        return CoreType("decimal", precision=precision, scale=scale)
    match = _CHAR_RE.match(lower)
    if match:
        length = int(match.group(2))
        if length < 1:
            raise ValueError(f"{match.group(1)} length must be positive, got {length}")
        return CoreType(match.group(1), length=length)
    match = _DATETIME_RE.match(lower)
    if match:
        digits = int(match.group(2) or 0)
        if digits > 6:
            raise ValueError(f"datetime takes 0..6 fractional digits, got {digits}")
        return CoreType("datetime", precision=digits)
    match = _ENUM_RE.match(spelling)
    if match and lower.startswith("enum"):
        return CoreType("enum", values=_parse_enum_members(match.group(1)))
    raise ValueError(
        f"unknown type {text.strip()!r}; core types are int8, int16, int32, int64, float32, "
        "float64, bool, decimal(p,s), char(n), varchar(n), enum(...), date, datetime[(n)], uuid, "
        "json, bytes"
    )


def _parse_enum_members(body: str) -> tuple[str, ...]:
    members: list[str] = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        match = _ENUM_MEMBER_RE.match(body, pos)
        if not match:
            raise ValueError(f"enum members must be quoted strings separated by commas: {body!r}")
        token = match.group(1)
        quote = token[0]
        members.append(token[1:-1].replace(quote * 2, quote))
        pos = match.end()
    if not members:
        raise ValueError("enum needs at least one member")
    if len(set(members)) != len(members):
        raise ValueError(f"enum members repeat: {members}")
    return tuple(members)


# ---------------------------------------------------------------------------------------------
# Arrow


def arrow_type(t: CoreType) -> pa.DataType:
    """The Arrow type that carries values of ``t`` between backends and converters."""
    kind = t.kind
    if kind in INTEGER_KINDS:
        return getattr(pa, kind)()
    if kind == "float32":
        return pa.float32()
    if kind == "float64":
        return pa.float64()
    if kind == "bool":
        return pa.bool_()
    if kind == "decimal":
        return pa.decimal128(t.precision or MAX_DECIMAL_PRECISION, t.scale or 0)
    if kind in ("char", "varchar", "text", "enum", "json", "uuid"):
        return pa.string()
    if kind == "date":
        return pa.date32()
    if kind == "datetime":
        return pa.timestamp("us")
    if kind == "bytes":
        return pa.binary()
    raise ValueError(f"no Arrow type for {t}")
