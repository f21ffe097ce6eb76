"""pandas dtypes of frames' core types, and ``astype`` conversions pushed down as SQL casts.

The dtype a column is fetched as (pinned; see the README's pandas section):

================  ================================================================
core type         pandas dtype
================  ================================================================
int8 ... int64    numpy ``int8`` ... ``int64``; a column that holds missing values is
                  ``float64`` (as pandas holds integers with NaN); a *masked* column
                  (a nullable integer attribute of a table, ``astype('Int64')``) is
                  ``Int8`` ... ``Int64``
float32/float64   numpy ``float32``/``float64`` (masked: ``Float32``/``Float64``)
bool              numpy ``bool``; ``object`` with missing values; masked: ``boolean``
strings, enums    pandas' default string dtype (``str`` on pandas 3)
date, datetime    ``datetime64[us]`` (pandas has no date dtype: a date is midnight)
decimal, uuid,    ``object`` holding ``Decimal``, ``UUID``, parsed JSON, ``bytes``
json, bytes
================  ================================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from frames.declare.types import CoreType
from frames.pandas.errors import NotPushedDownError, PandasTypeError
from frames.pandas.terms import Term, bool_as_int
from frames.plan.values import (
    BOOL,
    DATE,
    DATETIME,
    FLOAT64,
    INT64,
    TEXT,
    Case,
    Cast,
    Expr,
    Func,
    Lit,
    Op,
    Param,
)

#: Masked (nullable) pandas dtype names by core kind.
MASKED_NAMES = {
    "int8": "Int8",
    "int16": "Int16",
    "int32": "Int32",
    "int64": "Int64",
    "float32": "Float32",
    "float64": "Float64",
    "bool": "boolean",
}
_TARGETS: dict[str, tuple[CoreType, bool]] = {
    **{kind: (CoreType(kind), False) for kind in ("int8", "int16", "int32", "int64")},
    **{name: (CoreType(kind), True) for kind, name in MASKED_NAMES.items()},
    "int": (INT64, False),
    "float": (FLOAT64, False),
    "float64": (FLOAT64, False),
    "float32": (CoreType("float32"), False),
    "bool": (BOOL, False),
    "str": (TEXT, False),
    "string": (TEXT, False),
    "datetime64[ns]": (DATETIME, False),
    "datetime64[us]": (DATETIME, False),
    "datetime64[ms]": (DATETIME, False),
    "datetime64[s]": (DATETIME, False),
    "datetime64": (DATETIME, False),
}


def string_dtype() -> Any:
    """pandas' default dtype of strings (``str`` on pandas 3, ``object`` before)."""
    import pandas

    return pandas.Series(["a"]).dtype


def pandas_dtype(kind: CoreType, nullable: bool, masked: bool) -> Any:
    """The dtype a column of ``kind`` is fetched as (see the module documentation); for an
    integer or boolean column that may hold missing values, the dtype it has when it does."""
    import pandas

    category = kind.category
    if masked and kind.kind in MASKED_NAMES:
        return pandas.api.types.pandas_dtype(MASKED_NAMES[kind.kind])
    if category == "integer":
        return np.dtype("float64") if nullable else np.dtype(kind.kind)
    if category == "float":
        return np.dtype(kind.kind)
    if category == "bool":
        return np.dtype(object) if nullable else np.dtype(bool)
    if category == "string":
        return string_dtype()
    if category in ("date", "datetime"):
        return np.dtype("datetime64[us]")
    return np.dtype(object)


def parse_dtype(dtype: Any) -> tuple[CoreType, bool]:
    """The core type and masking ``astype(dtype)`` converts to."""
    if dtype in (int, float, bool, str):
        return _TARGETS[dtype.__name__]
    name = str(dtype)
    if name in _TARGETS:
        return _TARGETS[name]
    if name == "category":
        raise NotPushedDownError(
            "astype('category') has no database counterpart; keep the column as strings, or "
            "call .to_pandas() first and convert there"
        )
    raise PandasTypeError(
        f"astype: frames converts to {', '.join(sorted(_TARGETS))}, not {dtype!r}"
    )


def converted(term: Term, target: CoreType, masked: bool) -> Term:
    """``term`` converted to ``target`` as pandas' ``astype`` converts."""
    source = term.category
    goal = target.category
    expr = term.expr
    result: Expr
    if source == goal and term.type.kind == target.kind:
        result = expr
    elif goal == "integer" and source == "float":
        truncated = Case(
            ((Op("<", (expr, Lit(0))), Func("ceil", (expr,))),), Func("floor", (expr,))
        )
        result = Cast(truncated, target)
    elif goal in ("integer", "float") and source == "bool":
        result = Cast(bool_as_int(expr), target)
    elif goal == "bool" and source in ("integer", "float", "decimal"):
        result = Op("<>", (expr, Lit(0)))
    elif goal == "string" and source == "bool":
        result = Case(
            ((expr, Param.of("True")), (Op("not", (expr,)), Param.of("False"))), Lit(None)
        )
    elif goal == "string" and source in ("float", "date", "datetime", "decimal"):
        raise NotPushedDownError(
            f"astype(str) of a {term.type} column: each database spells these values "
            "differently from Python; format them after .to_pandas()"
        )
    elif goal == "datetime" and source == "date" or goal == "date" and source == "datetime":
        result = Cast(expr, DATETIME if goal == "datetime" else DATE)
    elif source in ("uuid", "json", "bytes") or goal in ("uuid", "json", "bytes"):
        raise NotPushedDownError(f"astype from {term.type} to {target} is not pushed down")
    else:
        result = Cast(expr, target)
    return Term(result, target, term.nullable, masked)
