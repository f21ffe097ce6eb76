"""pandas' meaning of scalar operations, as plan expressions.

A :class:`Term` is an expression with what pandas' behaviour depends on: its core type,
whether it may be missing, and whether pandas would hold it in a nullable (*masked*) dtype.
The rules, pinned on every backend:

* Missing values propagate through arithmetic (NULL in SQL, NaN/NA in pandas).
* A comparison with a missing value is false (``!=``: true) unless an operand is masked
  (``Int64``, ``boolean``, ...), where it is ``NA`` — SQL's unknown — as in pandas.
* ``&``, ``|`` and ``~`` take booleans; with ``NA`` they follow Kleene's logic, as SQL does.
* ``/`` is true division; dividing by zero gives a missing value on every backend (pandas gives
  ``±inf``, which MySQL cannot hold).
* ``//`` and ``%`` follow Python: the quotient is floored, the remainder takes the divisor's
  sign.
* ``+`` concatenates strings; other arithmetic on strings, dates or mixed types raises
  :class:`~frames.pandas.errors.PandasTypeError`, as pandas raises ``TypeError``.
* ``round`` rounds half to even (numpy's ``rint``), by an explicit tie test that every backend
  evaluates alike.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from frames.declare.types import CoreType
from frames.pandas.errors import PandasTypeError
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
    python_scalar,
    python_value_type,
)

_NARROW = ("int8", "int16", "int32")
_COMPARISONS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
NUMERIC = ("integer", "float", "decimal", "bool")
TEMPORAL = ("date", "datetime")


@dataclass(frozen=True)
class Term:
    """An expression, its core type, whether it may be missing, whether pandas masks it."""

    expr: Expr
    type: CoreType
    nullable: bool
    masked: bool = False

    @property
    def category(self) -> str:
        """The type's family (``integer``, ``float``, ``string``, ``bool``, ...)."""
        return self.type.category

    def with_expr(self, expr: Expr, type: CoreType | None = None, **changes: Any) -> Term:
        """A term computed from this one (same missingness and masking unless changed)."""
        return Term(
            expr,
            type or self.type,
            changes.get("nullable", self.nullable),
            changes.get("masked", self.masked),
        )


def rewritten(expr: Expr, replace: Callable[[Expr], Expr | None]) -> Expr:
    """``expr`` with every sub-expression for which ``replace`` gives an expression replaced
    by it (top-down: a replaced node's parts are not visited)."""
    new = replace(expr)
    if new is not None:
        return new
    changes = {}
    for item in dataclasses.fields(expr):
        value = getattr(expr, item.name)
        changed = _rewritten_value(value, replace)
        if changed is not value:
            changes[item.name] = changed
    return dataclasses.replace(expr, **changes) if changes else expr


def _rewritten_value(value: Any, replace: Callable[[Expr], Expr | None]) -> Any:
    if isinstance(value, Expr):
        return rewritten(value, replace)
    if isinstance(value, tuple):
        items = tuple(_rewritten_value(item, replace) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def is_missing(value: Any) -> bool:
    """True for ``None``, ``NaN``, ``NaT`` and ``pd.NA``."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    kind = type(value).__name__
    return kind in ("NAType", "NaTType")


def scalar(value: Any) -> Term:
    """A Python, numpy or pandas scalar as a bound parameter (missing: NULL)."""
    value = python_scalar(value)
    if is_missing(value):
        return Term(Lit(None), FLOAT64, True)
    if isinstance(value, (list, tuple, set, dict)) or hasattr(value, "__array__"):
        raise PandasTypeError(f"expected a scalar value, got {type(value).__name__} {value!r}")
    return Term(Param.of(value), python_value_type(value), False)


def as_term(value: Any) -> Term:
    """``value`` as a term: a term stays, anything with a ``term`` (a Series) gives it."""
    if isinstance(value, Term):
        return value
    inner = getattr(value, "_term", None)
    if isinstance(inner, Term):
        return inner
    return scalar(value)


def _is_null_literal(term: Term) -> bool:
    return isinstance(term.expr, Lit) and term.expr.value is None


def widened(term: Term) -> Term:
    """Narrow integers as int64 (arithmetic in 64 bits, as pandas' result type promises);
    booleans as 0/1 integers; enums as text."""
    if term.type.kind in _NARROW:
        return term.with_expr(Cast(term.expr, INT64), INT64)
    if term.category == "bool":
        return term.with_expr(bool_as_int(term.expr), INT64)
    return as_text(term)


def bool_as_int(expr: Expr) -> Expr:
    """A boolean as 1/0 (NULL stays NULL; PostgreSQL casts no boolean to bigint)."""
    return Case(((expr, Lit(1)), (Op("not", (expr,)), Lit(0))), Lit(None))


def as_text(term: Term) -> Term:
    """An enum term as text (pandas sees enums as strings: alphabetical, any value)."""
    if term.type.kind == "enum":
        return term.with_expr(Cast(term.expr, TEXT), TEXT)
    return term


def temporal_operand(term: Term, other: Term) -> Term:
    """A string compared with a date or datetime, as the timestamp it spells (as pandas
    compares ``s > '2024-01-01'``)."""
    if other.category in TEMPORAL and term.category == "string" and isinstance(term.expr, Param):
        import pandas

        try:
            stamp = pandas.Timestamp(term.expr.value)
        except ValueError as error:
            raise PandasTypeError(
                f"cannot compare a {other.type} column with {term.expr.value!r}: {error}"
            ) from None
        value: datetime.date = stamp.to_pydatetime()
        if other.category == "date" and stamp == stamp.normalize():
            value = stamp.date()
        return scalar(value)
    return term


# -- arithmetic ----------------------------------------------------------------------------------


def arithmetic(op: str, left: Any, right: Any, reverse: bool = False) -> Term:
    """``left op right`` (``reverse``: ``right op left``), for ``+ - * / // % **``."""
    a, b = as_term(left), as_term(right)
    if reverse:
        a, b = b, a
    if _is_null_literal(a) or _is_null_literal(b):
        known = b if _is_null_literal(a) else a
        return Term(Lit(None), FLOAT64 if known.category != "string" else TEXT, True, known.masked)
    a, b = as_text(a), as_text(b)
    if a.category == "string" or b.category == "string":
        if op == "+" and a.category == b.category == "string":
            return Term(Op("concat", (a.expr, b.expr)), TEXT, a.nullable or b.nullable)
        raise _operand_error(op, a, b)
    if a.category not in NUMERIC or b.category not in NUMERIC:
        raise _operand_error(op, a, b)
    if a.category == b.category == "bool" and op in ("+", "-", "*"):
        raise PandasTypeError(
            f"{op} of two boolean columns is logical in numpy, not arithmetic; use | or & for "
            "logic, or .astype('int64') first"
        )
    a, b = widened(a), widened(b)
    masked = a.masked or b.masked
    nonzero = isinstance(b.expr, Param) and b.expr.value != 0
    nullable = a.nullable or b.nullable or (op in ("/", "//", "%") and not nonzero)
    both_integers = a.category == b.category == "integer"
    if op in ("+", "-", "*"):
        expr: Expr = Op(op, (a.expr, b.expr))
        return Term(expr, _numeric_type(a, b), nullable, masked)
    divisor = b.expr if nonzero else Func("nullif", (b.expr, Lit(0)))
    if op == "/":
        return Term(Op("/", (a.expr, divisor)), FLOAT64, nullable, masked)
    if op == "//":
        floored: Expr = Func("floor", (Op("/", (a.expr, divisor)),))
        return Term(
            Cast(floored, INT64) if both_integers else floored,
            INT64 if both_integers else FLOAT64,
            nullable,
            masked,
        )
    if op == "%":
        if both_integers:
            inner = Op("%", (a.expr, divisor))
            expr = Op("%", (Op("+", (inner, b.expr)), divisor))
        else:  # a - b * floor(a / b): PostgreSQL has no remainder of floats
            quotient = Func("floor", (Op("/", (a.expr, divisor)),))
            expr = Op("-", (a.expr, Op("*", (b.expr, quotient))))
        return Term(expr, _numeric_type(a, b), nullable, masked)
    if op == "**":
        power: Expr = Func("power", (a.expr, b.expr))
        return Term(
            Cast(power, INT64) if both_integers else power,
            INT64 if both_integers else FLOAT64,
            nullable,
            masked,
        )
    raise PandasTypeError(f"unknown arithmetic operator {op!r}")


def coerced(term: Term, kind: CoreType) -> Expr:
    """``term``'s expression as ``kind`` (cast where the types differ, so that a CASE of
    mixed numbers has the type pandas gives the column)."""
    if term.type == kind or _is_null_literal(term):
        return term.expr
    if term.category == "bool":
        return Cast(bool_as_int(term.expr), kind)
    return Cast(term.expr, kind)


def _numeric_type(a: Term, b: Term) -> CoreType:
    if "float" in (a.category, b.category):
        return FLOAT64
    if "decimal" in (a.category, b.category):
        return a.type if a.category == "decimal" else b.type
    return INT64


def _operand_error(op: str, a: Term, b: Term) -> PandasTypeError:
    return PandasTypeError(
        f"unsupported operand types for {op}: {a.type} and {b.type} (pandas raises TypeError)"
    )


def negative(term: Term) -> Term:
    """``-term``."""
    if term.category not in NUMERIC or term.category == "bool":
        raise PandasTypeError(f"bad operand type for unary -: {term.type}")
    term = widened(term)
    return term.with_expr(Op("neg", (term.expr,)))


def absolute(term: Term) -> Term:
    """``abs(term)``."""
    if term.category not in NUMERIC or term.category == "bool":
        raise PandasTypeError(f"bad operand type for abs(): {term.type}")
    term = widened(term)
    return term.with_expr(Func("abs", (term.expr,)))


# -- comparisons and logic ---------------------------------------------------------------------


def compare(op: str, left: Any, right: Any) -> Term:
    """``left op right`` for ``== != < <= > >=`` with pandas' treatment of missing values."""
    a, b = as_term(left), as_term(right)
    a, b = temporal_operand(a, b), temporal_operand(b, a)
    sql_op = _COMPARISONS[op]
    masked = a.masked or b.masked
    if _is_null_literal(a) or _is_null_literal(b):
        if op in ("==", "!="):
            return Term(Lit(op == "!="), BOOL, False, masked)
        raise PandasTypeError(f"'{op}' is not supported between a column and None")
    member = _enum_equality(op, a, b) or _enum_equality(op, b, a)
    if member is not None:
        return member
    a, b = as_text(a), as_text(b)
    if not _comparable(a, b):
        if op in ("==", "!="):
            return Term(Lit(op == "!="), BOOL, False, masked)  # pandas: unequal everywhere
        raise PandasTypeError(
            f"'{op}' not supported between {a.type} and {b.type} values (pandas raises TypeError)"
        )
    return _two_valued(Op(sql_op, (a.expr, b.expr)), (a, b), missing=op == "!=")


def _enum_equality(op: str, enum: Term, value: Term) -> Term | None:
    """``enum == 'member'`` compared as the enum itself (an index can serve it); a value that
    is no member is unequal everywhere, without a comparison PostgreSQL would refuse."""
    if op not in ("==", "!=") or enum.type.kind != "enum" or not isinstance(value.expr, Param):
        return None
    if not isinstance(value.expr.value, str):
        return None
    if value.expr.value not in enum.type.values:
        return Term(Lit(op == "!="), BOOL, False, enum.masked)
    sql_op = _COMPARISONS[op]
    return _two_valued(Op(sql_op, (enum.expr, value.expr)), (enum, value), missing=op == "!=")


def _comparable(a: Term, b: Term) -> bool:
    families = {a.category, b.category}
    return (
        families <= set(NUMERIC)
        or families == {"string"}
        or families <= set(TEMPORAL)
        or len(families) == 1
    )


def _two_valued(expr: Expr, operands: Iterable[Term], missing: bool) -> Term:
    """A comparison whose missing operands give ``missing`` (pandas' NaN rule), unless an
    operand is masked: pandas then compares in masked arrays, where every missing value is
    ``NA`` — SQL's unknown."""
    operands = list(operands)
    nullable = any(t.nullable for t in operands)
    if any(t.masked for t in operands):  # pandas masks NaN too: NA, SQL's unknown
        return Term(expr, BOOL, nullable, True)
    if not nullable:
        return Term(expr, BOOL, False)
    return Term(Func("coalesce", (expr, Lit(missing))), BOOL, False)


def logical(op: str, left: Any, right: Any) -> Term:
    """``left & right`` (``and``), ``|`` (``or``) or ``^`` (``xor``) of booleans."""
    a, b = as_term(left), as_term(right)
    for term in (a, b):
        if term.category != "bool":
            raise PandasTypeError(
                f"{op} needs boolean operands, not {term.type} (bitwise operations on "
                "integers are not pushed down)"
            )
    masked = a.masked or b.masked
    nullable = a.nullable or b.nullable
    if op == "xor":
        either = Op("or", (a.expr, b.expr))
        both = Op("and", (a.expr, b.expr))
        return Term(Op("and", (either, Op("not", (both,)))), BOOL, nullable, masked)
    return Term(Op(op, (a.expr, b.expr)), BOOL, nullable, masked)


def invert(term: Term) -> Term:
    """``~term`` of a boolean."""
    if term.category != "bool":
        raise PandasTypeError(f"~ needs a boolean column, not {term.type}")
    return term.with_expr(Op("not", (term.expr,)))


def truth(term: Term) -> Expr:
    """A condition that holds where ``term`` is true (missing: false)."""
    if term.category != "bool":
        raise PandasTypeError(f"a row filter needs a boolean column, not {term.type}")
    return term.expr


# -- missing values and membership ---------------------------------------------------------------


def isna(term: Term) -> Term:
    """True where the value is missing."""
    if not term.nullable:
        return Term(Lit(False), BOOL, False)
    return Term(Op("is_null", (term.expr,)), BOOL, False)


def fill(term: Term, value: Any) -> Term:
    """Missing values replaced by ``value`` (a scalar or a term)."""
    other = as_term(value)
    if not term.nullable or _is_null_literal(other):
        return term
    other = temporal_operand(other, term)
    if not _comparable(term, other):
        raise PandasTypeError(
            f"fillna with a {other.type} value in a {term.type} column would make an object "
            "column, which frames does not hold; fill with a value of the column's type"
        )
    wide = widened(term) if other.category != term.category else term
    expr = Func("coalesce", (wide.expr, other.expr))
    kind = _numeric_type(wide, other) if wide.category in NUMERIC else term.type
    return Term(expr, kind, other.nullable, term.masked or other.masked)


def isin(term: Term, values: Iterable[Any]) -> Term:
    """True where the value is one of ``values``; a missing value is in them only if they hold
    a missing value; an empty list holds nothing."""
    items = list(values)
    nulls = any(_matches_missing(term, v, items) for v in items)
    candidates = [as_text(term)]
    for value in items:
        if is_missing(python_scalar(value)):
            continue
        candidate = temporal_operand(scalar(value), term)
        if _comparable(as_text(term), candidate):
            candidates.append(candidate)
    subject = candidates[0]
    test: Expr = (
        Op("in", (subject.expr, *(c.expr for c in candidates[1:])))
        if len(candidates) > 1
        else Lit(False)
    )
    if term.nullable:
        test = Func("coalesce", (test, Lit(False)))
        if nulls:
            test = Op("or", (test, Op("is_null", (term.expr,))))
    return Term(test, BOOL, False, term.masked)


def _matches_missing(term: Term, value: Any, items: list[Any]) -> bool:
    """Whether ``value`` of the ``isin`` list ``items`` matches the missing values of
    ``term``, as pandas decides it per dtype: ``pd.NA`` for masked dtypes, ``NaN`` (not None)
    for floats, any missing value for strings; for datetimes ``NaT``, or any missing value in
    a list that also holds a timestamp (pandas converts it to datetimes)."""
    kind = type(value).__name__
    if term.masked:
        return kind == "NAType"
    if term.category == "string":
        return is_missing(value)
    if term.category in TEMPORAL:
        stamped = any(isinstance(v, (datetime.date, np.datetime64)) for v in items)
        return kind == "NaTType" or (stamped and is_missing(python_scalar(value)))
    return isinstance(value, float) and math.isnan(value)


def when(condition: Term, then: Term, otherwise: Term) -> Term:
    """``then`` where ``condition`` is true, else ``otherwise`` (a missing condition is
    false)."""
    if condition.category != "bool":
        raise PandasTypeError(f"where/mask need a boolean condition, not {condition.type}")
    if not _is_null_literal(otherwise) and not _comparable(then, otherwise):
        raise PandasTypeError(
            f"cannot put {otherwise.type} values into a {then.type} column (pandas would make "
            "an object column)"
        )
    kind = then.type
    if not _is_null_literal(otherwise):
        kind = _common_type([then, otherwise], "where")
    return Term(
        Case(((condition.expr, coerced(then, kind)),), coerced(otherwise, kind)),
        kind,
        then.nullable or otherwise.nullable or condition.nullable,
        then.masked,
    )


def mapped(term: Term, mapping: Mapping[Any, Any], default: Term | None) -> Term:
    """``CASE term WHEN key THEN value ... ELSE default END`` (``default`` None: missing)."""
    subject = as_text(term)
    cases: list[tuple[Expr, Term]] = []
    for key, value in mapping.items():
        if is_missing(python_scalar(key)):
            cases.append((Op("is_null", (term.expr,)), as_term(value)))
            continue
        key_term = temporal_operand(scalar(key), term)
        if _comparable(subject, key_term):
            cases.append((Op("=", (subject.expr, key_term.expr)), as_term(value)))
    fallback = default if default is not None else Term(Lit(None), term.type, True)
    known = [t for _, t in cases if not _is_null_literal(t)]
    if not _is_null_literal(fallback):
        known.append(fallback)
    kind = _common_type(known, "map/replace") if known else term.type
    if not cases:
        return Term(coerced(fallback, kind), kind, True, term.masked)
    whens = tuple((test, coerced(value, kind)) for test, value in cases)
    return Term(Case(whens, coerced(fallback, kind)), kind, True, term.masked)


def _common_type(terms: list[Term], where: str) -> CoreType:
    """The type pandas gives a column of ``terms``' values (numbers widen; other mixes would
    be objects and are refused)."""
    families = {t.category for t in terms}
    if families <= set(NUMERIC):
        if "float" in families:
            return FLOAT64
        kinds = {t.type for t in terms}
        return kinds.pop() if len(kinds) == 1 else INT64
    if len(families) > 1 and not families <= set(TEMPORAL):
        raise PandasTypeError(
            f"{where} to values of different types would make an object column; use values "
            "of one type"
        )
    return terms[0].type


def clipped(term: Term, lower: Any, upper: Any) -> Term:
    """``term`` limited to ``[lower, upper]`` (None: no bound); missing stays missing."""
    if term.category not in NUMERIC and term.category not in TEMPORAL:
        raise PandasTypeError(f"clip needs numbers or dates, not {term.type}")
    cases: list[tuple[Expr, Term]] = []
    for bound, op in ((lower, "<"), (upper, ">")):
        if bound is None or is_missing(python_scalar(bound)):
            continue
        limit = temporal_operand(as_term(bound), term)
        if not _comparable(term, limit):
            raise PandasTypeError(f"clip bound {bound!r} does not fit a {term.type} column")
        cases.append((Op(op, (term.expr, limit.expr)), limit))
    if not cases:
        return term
    kind = _common_type([term, *(limit for _, limit in cases)], "clip")
    whens = tuple((test, coerced(limit, kind)) for test, limit in cases)
    return term.with_expr(Case(whens, coerced(term, kind)), kind)


def rounded(term: Term, decimals: int) -> Term:
    """``term`` rounded half to even to ``decimals`` places (integers unchanged)."""
    if not isinstance(decimals, int):
        raise PandasTypeError(f"round: decimals must be an integer, not {decimals!r}")
    if term.category in ("integer", "bool"):
        return term
    if term.category not in ("float", "decimal"):
        raise PandasTypeError(f"round needs numbers, not {term.type}")
    scale = Lit(float(10 ** abs(decimals)))
    scaled: Expr = Op("*", (term.expr, scale)) if decimals >= 0 else Op("/", (term.expr, scale))
    tie = Op("=", (Op("-", (scaled, Func("floor", (scaled,)))), Lit(0.5)))
    even = Op("*", (Lit(2), Func("round", (Op("/", (scaled, Lit(2))),))))
    nearest = Case(((tie, even),), Func("round", (scaled,)))
    back: Expr = Op("/", (nearest, scale)) if decimals >= 0 else Op("*", (nearest, scale))
    if decimals == 0:
        back = nearest
    return term.with_expr(back, FLOAT64 if term.category == "float" else term.type)


def between(term: Term, low: Any, high: Any, inclusive: str = "both") -> Term:
    """``low <= term <= high`` (``inclusive``: ``both``, ``neither``, ``left``, ``right``)."""
    bounds = {
        "both": ("<=", "<="),
        "neither": ("<", "<"),
        "left": ("<=", "<"),
        "right": ("<", "<="),
    }
    if inclusive not in bounds:
        raise PandasTypeError(f"between: inclusive must be one of {', '.join(bounds)}")
    left_op, right_op = bounds[inclusive]
    return logical(
        "and",
        compare(_flip(left_op), term, low),
        compare(right_op, term, high),
    )


def _flip(op: str) -> str:
    return {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]


def date_only(term: Term) -> Term:
    """The date part of a date or datetime."""
    if term.category not in TEMPORAL:
        raise PandasTypeError(f".dt needs dates or datetimes, not {term.type}")
    return term.with_expr(Cast(term.expr, DATE), DATE)


def midnight(term: Term) -> Term:
    """A datetime at the start of its day (``dt.normalize()``, ``dt.floor('D')``)."""
    day = date_only(term)
    return day.with_expr(Cast(day.expr, DATETIME), DATETIME)
