"""Scalar expressions of the plan: columns, literals, bound parameters, operators, aggregates.

User fragments (``'duration / 60'``, ``'count(*)'``, ``"quality = 'good'"``) and dict
restrictions are both turned into these nodes, so the compiler, the type inference and the
reference evaluator see one small language. :class:`Param` values are excluded from equality and
hashing, so two plans that differ only in bound values have the same *shape* (the compile-cache
key).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import Field, dataclass, field
from typing import Any, ClassVar

import numpy as np

from frames.declare.types import CoreType


class Expr:
    """Base class of expression nodes (frozen dataclasses)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every subclass is a dataclass

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions."""
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every descendant, depth first, in argument order."""
        yield self
        for child in self.children():
            yield from child.walk()

    def columns(self) -> set[str]:
        """Names of the attributes this expression reads."""
        return {node.name for node in self.walk() if isinstance(node, Col)}

    def has_aggregate(self) -> bool:
        """True if an aggregate function appears anywhere in the expression."""
        return any(isinstance(node, Agg) for node in self.walk())


@dataclass(frozen=True)
class Col(Expr):
    """A reference to an attribute of the operand's heading."""

    name: str


@dataclass(frozen=True)
class Lit(Expr):
    """A literal written in a fragment (number, boolean or NULL): part of the query's shape.

    Two literals are equal when they are spelled alike — of one Python type and ``repr`` — not
    merely equal in value: ``true`` and ``1``, or ``2`` and ``2.0``, compile to different SQL.
    """

    value: object = field(compare=False)
    spelling: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spelling", f"{type(self.value).__name__}:{self.value!r}")


@dataclass(frozen=True)
class Param(Expr):
    """A user value bound as a parameter. Only its type tag takes part in equality."""

    value: object = field(compare=False)
    tag: str = ""

    @staticmethod
    def of(value: object) -> Param:
        """A parameter for ``value``, tagged with its Python type (numpy and pandas scalars
        are bound as the Python values they hold)."""
        value = python_scalar(value)
        return Param(value, type(value).__name__)


def python_scalar(value: object) -> object:
    """``value`` as the plain Python value a driver binds: numpy scalars (``np.int64``,
    ``np.float32``, ``np.bool_``, ``np.datetime64``) and pandas' ``Timestamp`` become ``int``,
    ``float``, ``bool`` and ``datetime``; other values are returned as they are."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        return value.astype("datetime64[us]").item()
    if isinstance(value, np.generic):
        return value.item()
    to_datetime = getattr(value, "to_pydatetime", None)
    if isinstance(value, datetime.datetime) and to_datetime is not None:
        return to_datetime()
    return value


@dataclass(frozen=True)
class Op(Expr):
    """An operator: arithmetic, comparison, logic, LIKE, IN, BETWEEN, IS NULL, concatenation.

    ``op`` is one of ``+ - * / % neg = <> < <= > >= and or not is_null like in between concat``.
    ``in`` takes (needle, *candidates); ``between`` takes (value, low, high).
    """

    op: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Func(Expr):
    """A scalar function from the allowed set (see :data:`SCALAR_FUNCTIONS`)."""

    name: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Agg(Expr):
    """An aggregate: ``count`` (``arg`` None means ``count(*)``), sum, avg, min, max, std, var."""

    name: str
    arg: Expr | None
    distinct: bool = False

    def children(self) -> tuple[Expr, ...]:
        return () if self.arg is None else (self.arg,)


@dataclass(frozen=True)
class Case(Expr):
    """``CASE WHEN c1 THEN v1 ... ELSE default END``."""

    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr

    def children(self) -> tuple[Expr, ...]:
        out: list[Expr] = []
        for cond, value in self.whens:
            out += [cond, value]
        return (*out, self.default)


@dataclass(frozen=True)
class Over(Expr):
    """A window function: ``fn OVER (PARTITION BY partition ORDER BY order ROWS frame)``.

    ``fn`` is an :class:`Agg` (``count sum avg min max``) or a :class:`Func` among
    :data:`WINDOW_FUNCTIONS`. ``order`` holds (expression, descending, nulls first) triples;
    ``frame`` is ``(start, end)`` row offsets from the current row (None: unbounded), or None
    for the SQL default frame (the whole partition when there is no order). Only a
    :class:`~frames.plan.nodes.Window` node computes it.
    """

    fn: Expr
    partition: tuple[Expr, ...] = ()
    order: tuple[tuple[Expr, bool, bool], ...] = ()
    frame: tuple[int | None, int | None] | None = None

    def children(self) -> tuple[Expr, ...]:
        return (self.fn, *self.partition, *(key for key, _, _ in self.order))


@dataclass(frozen=True)
class Cast(Expr):
    """``CAST(arg AS type)``."""

    arg: Expr
    type: CoreType

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


#: Scalar functions a fragment may call, with their accepted argument counts.
SCALAR_FUNCTIONS: dict[str, tuple[int, int]] = {
    "abs": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceil": (1, 1),
    "sign": (1, 1),
    "sqrt": (1, 1),
    "exp": (1, 1),
    "ln": (1, 1),
    "log10": (1, 1),
    "power": (2, 2),
    "mod": (2, 2),
    "greatest": (1, 99),
    "least": (1, 99),
    "coalesce": (1, 99),
    "nullif": (2, 2),
    "lower": (1, 1),
    "upper": (1, 1),
    "length": (1, 1),
    "trim": (1, 1),
    "substring": (2, 3),
    "year": (1, 1),
    "month": (1, 1),
    "day": (1, 1),
    "current_date": (0, 0),
    "current_timestamp": (0, 0),
}

#: ``date_add(value, amount, unit)``: ``value + INTERVAL amount unit`` (``amount`` and ``unit``
#: are literals; fragments write it with ``INTERVAL``): the units, and those after which a date
#: is still a date.
INTERVAL_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")
DATE_UNITS = ("day", "week", "month", "year")

#: Aggregate functions a fragment may call.
AGGREGATES = ("count", "sum", "avg", "min", "max", "stddev", "variance")

INT64 = CoreType("int64")
FLOAT64 = CoreType("float64")
BOOL = CoreType("bool")
TEXT = CoreType("text")
UUID = CoreType("uuid")
DATE = CoreType("date")
DATETIME = CoreType("datetime", precision=6)
MAX_SCALE_PRECISION = 38


#: Functions that only a window computes (inside :class:`Over`), with their result types
#: (None: the type of the first argument).
WINDOW_FUNCTIONS: dict[str, CoreType | None] = {
    "row_number": INT64,
    "rank": INT64,
    "dense_rank": INT64,
    "lag": None,
    "lead": None,
}

#: Scalar functions built by the pandas API (not written in fragments), with their result
#: types (None: the type of the first argument). The date parts are integers (``weekday``
#: counts Monday as 0, ``second`` drops the fraction); ``strpos`` is the 1-based position of
#: its second argument in its first (0: absent).
PANDAS_FUNCTIONS: dict[str, CoreType | None] = {
    "hour": INT64,
    "minute": INT64,
    "second": INT64,
    "weekday": INT64,
    "dayofyear": INT64,
    "quarter": INT64,
    "strpos": INT64,
    "reverse": TEXT,
    "replace": TEXT,
}


def python_value_type(value: object) -> CoreType:
    """The core type a Python value is bound as."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT64
    if isinstance(value, float):
        return FLOAT64
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent
        scale = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=scale)
    if isinstance(value, datetime.datetime):
        return DATETIME
    if isinstance(value, datetime.date):
        return DATE
    if isinstance(value, uuid.UUID):
        return CoreType("uuid")
    if isinstance(value, bytes):
        return CoreType("bytes")
    return TEXT


def _numeric_result(left: CoreType, right: CoreType, op: str) -> CoreType:
    cats = {left.category, right.category}
    if "float" in cats:
        return FLOAT64
    if "decimal" in cats:
        ls = left.scale or 0 if left.category == "decimal" else 0
        rs = right.scale or 0 if right.category == "decimal" else 0
        scale = ls + rs if op == "*" else max(ls, rs)
        return CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=min(scale, 18))
    return INT64


def infer_type(expr: Expr, types: dict[str, CoreType]) -> CoreType:
    """The core type of ``expr`` given the types of the attributes it reads.

    The rules pin one result type for every backend: ``/``, ``avg``, ``sqrt`` and friends are
    float64; integer arithmetic, ``count`` and integer ``sum`` are int64; decimal arithmetic and
    ``sum`` keep a decimal scale; comparisons and logic are bool.
    """
    if isinstance(expr, Col):
        return types[expr.name]
    if isinstance(expr, (Lit, Param)):
        return TEXT if expr.value is None else python_value_type(expr.value)
    if isinstance(expr, Cast):
        return expr.type
    if isinstance(expr, Case):
        for _, value in expr.whens:
            if not (isinstance(value, Lit) and value.value is None):
                return infer_type(value, types)
        return infer_type(expr.default, types)
    if isinstance(expr, Agg):
        return _aggregate_type(expr, types)
    if isinstance(expr, Over):
        if isinstance(expr.fn, Func) and WINDOW_FUNCTIONS.get(expr.fn.name) is not None:
            return WINDOW_FUNCTIONS[expr.fn.name]  # type: ignore[return-value]
        if isinstance(expr.fn, Func):
            return infer_type(expr.fn.args[0], types)
        return infer_type(expr.fn, types)
    if isinstance(expr, Func) and expr.name in PANDAS_FUNCTIONS:
        known = PANDAS_FUNCTIONS[expr.name]
        return known if known is not None else infer_type(expr.args[0], types)
    if isinstance(expr, Func):
        return _function_type(expr, types)
    assert isinstance(expr, Op)
    if expr.op in (
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "and",
        "or",
        "not",
        "is_null",
        "like",
        "in",
        "between",
    ):
        return BOOL
    if expr.op == "concat":
        return TEXT
    if expr.op == "/":
        return FLOAT64
    if expr.op == "neg":
        return infer_type(expr.args[0], types)
    left, right = (infer_type(arg, types) for arg in expr.args)
    if expr.op in ("+", "-") and left.category in ("date", "datetime"):
        return left
    return _numeric_result(left, right, expr.op)


def _aggregate_type(expr: Agg, types: dict[str, CoreType]) -> CoreType:
    if expr.name == "count":
        return INT64
    arg = infer_type(expr.arg, types) if expr.arg is not None else INT64
    if expr.name in ("avg", "stddev", "variance"):
        return FLOAT64
    if expr.name == "sum":
        if arg.category == "decimal":
            return CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=arg.scale)
        return FLOAT64 if arg.category == "float" else INT64
    return arg  # min, max


def _function_type(expr: Func, types: dict[str, CoreType]) -> CoreType:
    name = expr.name
    if name in ("sqrt", "exp", "ln", "log10", "power"):
        return FLOAT64
    if name in ("length", "year", "month", "day", "sign"):
        return INT64
    if name in ("lower", "upper", "trim", "substring", "uuid_text"):
        return TEXT
    if name == "uuid_from_text":
        return UUID
    if name == "current_date":
        return DATE
    if name == "current_timestamp":
        return DATETIME
    arg = infer_type(expr.args[0], types)
    if name == "date_add":  # a date plus days is a date only once cast back (PostgreSQL)
        return DATETIME
    if name == "round":
        if arg.category == "decimal":
            digits = (
                expr.args[1].value if len(expr.args) > 1 and isinstance(expr.args[1], Lit) else 0
            )
            scale = max(0, min(int(digits), arg.scale or 0)) if isinstance(digits, int) else 0
            return CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=scale)
        return arg if arg.category in ("integer", "float") else FLOAT64
    if name in ("floor", "ceil"):
        if arg.category == "decimal":
            return CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=0)
        return arg
    if name == "mod":
        return _numeric_result(arg, infer_type(expr.args[1], types), "%")
    if name in ("greatest", "least", "coalesce"):
        result = arg
        for other in expr.args[1:]:
            other_type = infer_type(other, types)
            if result.is_numeric and other_type.is_numeric and result != other_type:
                result = _numeric_result(result, other_type, "+")
        return result
    if name == "abs" and arg.category == "integer":
        return INT64  # abs(int32 minimum) needs 64 bits
    return arg  # abs, nullif


def nullable(expr: Expr, nullable_columns: set[str]) -> bool:
    """Conservatively, whether ``expr`` can evaluate to NULL."""
    if isinstance(expr, Agg):
        return expr.name != "count"
    if isinstance(expr, Over):
        fn = expr.fn
        if isinstance(fn, Func):
            return fn.name in ("lag", "lead")
        return nullable(fn, nullable_columns) or expr.frame is not None  # an empty frame
    if isinstance(expr, Col):
        return expr.name in nullable_columns
    if isinstance(expr, (Lit, Param)):
        return expr.value is None
    if isinstance(expr, Op) and expr.op == "is_null":
        return False
    if isinstance(expr, Func) and expr.name == "coalesce":
        return all(nullable(arg, nullable_columns) for arg in expr.args)
    if isinstance(expr, (Case, Func)) or (isinstance(expr, Op) and expr.op == "/"):
        return True
    return any(nullable(child, nullable_columns) for child in expr.children())
