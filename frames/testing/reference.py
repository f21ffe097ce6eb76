"""A pure-Python reference evaluator of frames plans, for differential testing.

:func:`evaluate` runs a plan (:mod:`frames.plan.nodes`) over plain Python rows — one list of dicts
per stored table — and returns a :class:`Relation`: the attribute names, the primary key and the
rows. It is written from the semantics in ``DESIGN.md`` and shares no code with the SQL compiler
(:mod:`frames.sql`): no lowering, no rewriting, no SQL. Result headings (names and primary key) are
derived here from the operators' rules, not copied from the plan, so a wrong key in the plan shows
up as a difference.

Semantics implemented
---------------------
* Three-valued logic: ``None`` is *unknown* for conditions and NULL for values. A restriction
  keeps the rows whose condition is true; ``NOT`` of unknown is unknown; ``EXISTS`` is two-valued.
* Equality on join, semijoin, antijoin and aggregation namesakes is SQL equality: NULL matches
  nothing. Grouping, ``DISTINCT`` and union keys treat NULLs as equal (one group / one row).
* ``count(*)`` over no matching rows is 0, ``count(a)`` counts non-NULL values, ``sum``/``avg``/
  ``min``/``max`` over no (non-NULL) values are NULL. ``avg`` and ``/`` are floating point; integer
  arithmetic and integer ``sum`` are exact 64-bit integers (a result outside int64 is an error,
  :class:`ReferenceError`); decimal arithmetic keeps its scale (Python :mod:`decimal`).
* Strings compare by code point, case-sensitively, and ``LIKE`` has no escape character; ``||``
  yields NULL when either operand is NULL. Enums sort by their declaration order (``Top``),
  but compare (``<``, ``>=``, ...) and take ``min``/``max`` as their text, as MySQL does
  (normalised plans cast them to text for that, :mod:`frames.plan.normalize`).
* ``Top`` orders NULLs first ascending and last descending, completing the order with the primary
  key (the plan's ``Top.order`` already carries that completion).
* Floating-point results are :class:`Approx` values carrying an absolute tolerance, since engines
  may sum in a different order.

Semantics flags
---------------
:class:`Semantics` holds the rules a backend may deliberately choose differently. Both the
compiler and this evaluator should read the same flags; today there are none that differ between
the supported backends, so the defaults describe every backend.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from frames.declare.spec import TableRef
from frames.declare.types import INTEGER_RANGES, CoreType
from frames.plan.nodes import (
    Aggregate,
    AndCond,
    BaseTable,
    Cond,
    Distinct,
    Exists,
    ExprCond,
    GroupBy,
    Join,
    Node,
    NotCond,
    OrCond,
    Project,
    Restrict,
    Top,
    Union,
)
from frames.plan.values import Agg, Case, Cast, Col, Expr, Func, Lit, Op, Param

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DECIMAL_DIGITS = 38
_DECIMAL = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN)
Row = dict[str, Any]


class ReferenceError(Exception):  # noqa: A001 - deliberately specific to this module
    """The query has no value by the semantics (integer overflow, division by zero...).

    The backend is expected to raise an error for the same query.
    """


class Approx(float):
    """A floating-point result with the absolute tolerance within which backends may differ."""

    tol: float

    def __new__(cls, value: float, tol: float = 0.0) -> Approx:
        obj = super().__new__(cls, value)
        obj.tol = max(tol, abs(value) * 1e-12, 1e-300)
        return obj

    def matches(self, other: object) -> bool:
        """True if ``other`` is a float within the tolerance."""
        return isinstance(other, float) and abs(other - float(self)) <= self.tol


@dataclass(frozen=True)
class Semantics:
    """Rules a backend may deliberately choose; read by the evaluator (and, ideally, the compiler).

    Attributes
    ----------
    null_first_ascending : bool
        NULLs sort before every value in ascending order (and after them descending).
    """

    null_first_ascending: bool = True


DEFAULT_SEMANTICS = Semantics()


@dataclass
class Relation:
    """A result: attribute names in order, primary-key names and rows (dicts)."""

    names: tuple[str, ...]
    primary_key: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


Tables = Mapping[Any, Sequence[Row]]


def evaluate(node: Node, tables: Tables, semantics: Semantics = DEFAULT_SEMANTICS) -> Relation:
    """Evaluate ``node`` over ``tables``.

    Parameters
    ----------
    node : Node
        A frames plan (``query.plan``).
    tables : mapping
        Rows of each stored table, keyed by :class:`~frames.declare.spec.TableRef` or by
        ``"schema.table"`` / storage name. Values must be the Python types frames returns (``int``,
        ``Decimal`` with the column's scale, ``str``, ``date``, ``bool``...); absent keys are
        empty tables.

    Raises
    ------
    ReferenceError
        If the query has no value (integer overflow, division by zero).
    """
    return _Evaluator(tables, semantics).relation(node)


def evaluate_expression(
    expr: Expr, row: Row, types: Mapping[str, CoreType], group: Sequence[Row] | None = None
) -> Any:
    """The value of one expression on ``row`` (aggregates range over ``group``).

    Raises
    ------
    ReferenceError
        If the value is undefined (integer overflow, division by zero).
    """
    return _Evaluator({}, DEFAULT_SEMANTICS).value(
        expr, row, types, None if group is None else list(group)
    )


def count_unknown(node: Node, cond: Cond, tables: Tables) -> int:
    """The number of rows of ``node`` for which ``cond`` is unknown (neither true nor false)."""
    evaluator = _Evaluator(tables, DEFAULT_SEMANTICS)
    relation = evaluator.relation(node)
    types = _types(node)
    return sum(1 for row in relation.rows if evaluator.cond(cond, row, types) is None)


# -- the evaluator -----------------------------------------------------------------------------


def _types(node: Node) -> dict[str, CoreType]:
    return {a.name: a.type for a in node.heading}


class _Evaluator:
    def __init__(self, tables: Tables, semantics: Semantics):
        self.tables = tables
        self.semantics = semantics
        self._cache: dict[int, tuple[Node, Relation]] = {}

    # -- relations ------------------------------------------------------------------------------
    def relation(self, node: Node) -> Relation:
        cached = self._cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        method: Callable[[Any], Relation] = getattr(self, "_" + type(node).__name__.lower())
        result = method(node)
        self._cache[id(node)] = (node, result)
        return result

    def _stored_rows(self, ref: TableRef) -> Sequence[Row]:
        for key in (ref, f"{ref.schema}.{ref.name}", ref.name):
            if key in self.tables:
                return self.tables[key]
        return ()

    def _basetable(self, node: BaseTable) -> Relation:
        names = node.heading.names
        rows = [{n: row.get(n) for n in names} for row in self._stored_rows(node.ref)]
        return Relation(names, node.heading.primary_key, rows)

    def _restrict(self, node: Restrict) -> Relation:
        child = self.relation(node.child)
        types = _types(node.child)
        rows = [row for row in child.rows if self.cond(node.cond, row, types) is True]
        return Relation(child.names, child.primary_key, rows)

    def _project(self, node: Project) -> Relation:
        child = self.relation(node.child)
        types = _types(node.child)
        names = tuple(name for name, _ in node.columns)
        # The key stays: each key attribute of the operand is the first column that names it.
        key: list[str] = []
        for attr in child.primary_key:
            for name, expr in node.columns:
                if isinstance(expr, Col) and expr.name == attr:
                    key.append(name)
                    break
            else:
                raise AssertionError(f"projection drops key attribute {attr!r}")
        rows = [
            {name: self.value(expr, row, types) for name, expr in node.columns}
            for row in child.rows
        ]
        return Relation(_key_first(names, key), tuple(key), rows)

    def _join(self, node: Join) -> Relation:
        left, right = self.relation(node.left), self.relation(node.right)
        on = tuple(n for n in left.names if n in right.names)
        extra = tuple(n for n in right.names if n not in left.names)
        rows: list[Row] = []
        for lrow in left.rows:
            matched = False
            for rrow in right.rows:
                if all(_sql_equal(lrow[n], rrow[n]) for n in on):
                    matched = True
                    rows.append({**lrow, **{n: rrow[n] for n in extra}})
            if node.outer and not matched:
                rows.append({**lrow, **dict.fromkeys(extra)})
        # The key by functional dependency, attributes in DataJoint 2.x's order: A → B: A's
        # attributes then B's new ones; B → A: the other way round; neither: A's key, B's new
        # key attributes, A's other attributes, B's other new attributes.
        if set(right.primary_key) <= set(left.names):
            key, names = left.primary_key, left.names + extra
        elif set(left.primary_key) <= set(right.names):
            key = right.primary_key
            names = right.names + tuple(n for n in left.names if n not in right.names)
        else:
            key = left.primary_key + tuple(
                n for n in right.primary_key if n not in left.primary_key
            )
            rest = [n for n in left.names + extra if n not in key]
            names = key + tuple(dict.fromkeys(rest))
        return Relation(_key_first(names, key), tuple(key), rows)

    def _aggregate(self, node: Aggregate) -> Relation:
        group, source = self.relation(node.group), self.relation(node.source)
        on = tuple(n for n in group.names if n in source.names)
        types = {**_types(node.source), **_types(node.group)}
        kept = tuple(n for n in group.names if n in group.primary_key or n in node.kept)
        names = kept + tuple(name for name, _ in node.columns)
        rows: list[Row] = []
        for grow in group.rows:
            matches = [
                {**srow, **grow}
                for srow in source.rows
                if all(_sql_equal(grow[n], srow[n]) for n in on)
            ]
            if not matches and not node.outer:
                continue
            out = {n: grow[n] for n in kept}
            for name, expr in node.columns:
                out[name] = self.value(expr, grow, types, matches)
            rows.append(out)
        return Relation(names, group.primary_key, rows)

    def _groupby(self, node: GroupBy) -> Relation:
        source = self.relation(node.source)
        types = _types(node.source)
        groups: dict[tuple, list[Row]] = {}
        for row in source.rows:
            groups.setdefault(_group_key(row, node.by), []).append(row)
        if not node.by and not groups:
            groups[()] = []
        names = node.by + tuple(name for name, _ in node.columns)
        rows = []
        for members in groups.values():
            first = members[0] if members else {}
            out = {n: first[n] for n in node.by}
            for name, expr in node.columns:
                out[name] = self.value(expr, first, types, members)
            rows.append(out)
        return Relation(names, node.by, rows)

    def _distinct(self, node: Distinct) -> Relation:
        child = self.relation(node.child)
        seen: dict[tuple, Row] = {}
        for row in child.rows:
            seen.setdefault(_group_key(row, node.attrs), {n: row[n] for n in node.attrs})
        return Relation(node.attrs, node.attrs, list(seen.values()))

    def _union(self, node: Union) -> Relation:
        left, right = self.relation(node.left), self.relation(node.right)
        key = left.primary_key
        left_secondary = tuple(n for n in left.names if n not in key)
        right_secondary = tuple(n for n in right.names if n not in right.primary_key)
        names = left.names + right_secondary
        by_key: dict[tuple, Row] = {}
        for row in left.rows:
            by_key.setdefault(_group_key(row, key), {**row, **dict.fromkeys(right_secondary)})
        for row in right.rows:
            found = by_key.get(_group_key(row, key))
            if found is None:
                by_key[_group_key(row, key)] = {
                    **{n: row[n] for n in key},
                    **dict.fromkeys(left_secondary),
                    **{n: row[n] for n in right_secondary},
                }
            else:
                found.update({n: row[n] for n in right_secondary})
        return Relation(names, key, list(by_key.values()))

    def _top(self, node: Top) -> Relation:
        child = self.relation(node.child)
        types = _types(node.child)
        null_first = self.semantics.null_first_ascending

        def compare(a: Row, b: Row) -> int:
            for name, descending in node.order:
                x, y = a[name], b[name]
                if x is None or y is None:
                    if x is None and y is None:
                        continue
                    result = -1 if (x is None) == null_first else 1
                else:
                    kx, ky = _order_value(x, types.get(name)), _order_value(y, types.get(name))
                    if kx == ky:
                        continue
                    result = -1 if kx < ky else 1
                return -result if descending else result
            return 0

        rows = sorted(child.rows, key=functools.cmp_to_key(compare))
        offset = node.offset.value if node.offset is not None else 0
        limit = node.limit.value if node.limit is not None else None
        assert isinstance(offset, int) and (limit is None or isinstance(limit, int))  # make_top's
        rows = rows[offset:]
        if limit is not None:
            rows = rows[:limit]
        return Relation(child.names, child.primary_key, rows)

    # -- conditions -----------------------------------------------------------------------------
    def cond(self, cond: Cond, row: Row, types: Mapping[str, CoreType]) -> bool | None:
        """True, False or None (unknown) for ``cond`` on ``row``."""
        if isinstance(cond, ExprCond):
            return _truth(self.value(cond.expr, row, types))
        if isinstance(cond, AndCond):
            return _and(self.cond(item, row, types) for item in cond.items)
        if isinstance(cond, OrCond):
            return _or(self.cond(item, row, types) for item in cond.items)
        if isinstance(cond, NotCond):
            return _not(self.cond(cond.item, row, types))
        if isinstance(cond, Exists):
            other = self.relation(cond.query)
            return any(all(_sql_equal(row[n], orow[n]) for n in cond.on) for orow in other.rows)
        raise TypeError(f"unknown condition {cond!r}")

    # -- expressions ----------------------------------------------------------------------------
    def value(
        self, expr: Expr, row: Row, types: Mapping[str, CoreType], group: list[Row] | None = None
    ) -> Any:
        """The value of ``expr`` on ``row``; aggregates range over ``group``."""
        if isinstance(expr, Col):
            return row[expr.name]
        if isinstance(expr, (Lit, Param)):
            return expr.value
        if isinstance(expr, Agg):
            if group is None:
                raise ReferenceError(f"aggregate {expr.name}() outside aggregation")
            return self._aggregate_value(expr, group, types)

        def sub(e: Expr) -> Any:
            return self.value(e, row, types, group)

        if isinstance(expr, Op):
            return _operator(expr, sub, types)
        if isinstance(expr, Func) and expr.name == "text_cast":
            cast = expr.args[0]
            assert isinstance(cast, Cast)
            return _text_cast(sub(cast.arg), cast.type)
        if isinstance(expr, Func):
            result = _function(expr.name, [sub(arg) for arg in expr.args])
            if expr.name == "coalesce" and isinstance(result, int) and not isinstance(result, bool):
                scale = _decimal_scale(expr.args, types)
                if scale is not None:  # coalesce(decimal, int) is a decimal
                    return decimal.Decimal(result).quantize(decimal.Decimal(1).scaleb(-scale))
            return result
        if isinstance(expr, Case):
            for when, then in expr.whens:
                if _truth(sub(when)) is True:
                    return sub(then)
            return sub(expr.default)
        if isinstance(expr, Cast):
            return _cast(sub(expr.arg), expr.type)
        raise NotImplementedError(f"the reference evaluator does not support {expr!r}")

    def _aggregate_value(self, expr: Agg, group: list[Row], types: Mapping[str, CoreType]) -> Any:
        if expr.arg is None:
            return len(group)
        values = [self.value(expr.arg, row, types) for row in group]
        values = [v for v in values if v is not None]
        if expr.distinct:
            values = list({_hashable(v): v for v in values}.values())
        if expr.name == "count":
            return len(values)
        if not values:
            return None
        if expr.name == "sum":
            if isinstance(values[0], bool):
                raise NotImplementedError("sum of booleans")
            if isinstance(values[0], int):
                return _check_int(sum(values))
            if isinstance(values[0], decimal.Decimal):
                return _check_decimal(_DECIMAL.create_decimal(sum(values, decimal.Decimal(0))))
            return Approx(math.fsum(values), _float_tolerance(values))
        if expr.name == "avg":
            floats = [float(v) for v in values]
            return Approx(math.fsum(floats) / len(floats), _float_tolerance(floats))
        if expr.name in ("min", "max"):
            return (min if expr.name == "min" else max)(
                values, key=lambda v: _order_value(v, None)
            )  # enums: their text
        raise NotImplementedError(f"aggregate {expr.name}() in the reference evaluator")


# -- helpers: logic ----------------------------------------------------------------------------


def _truth(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        return value != 0
    raise TypeError(f"{value!r} is not a truth value")


def _and(values: Iterable[bool | None]) -> bool | None:
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values: Iterable[bool | None]) -> bool | None:
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _sql_equal(a: Any, b: Any) -> bool:
    """SQL ``a = b`` taken as a join or match condition: NULL matches nothing."""
    return a is not None and b is not None and _compare(a, b) == 0


def _hashable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return ("n", value.normalize() if value.is_finite() else value)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", decimal.Decimal(value).normalize())
    return (type(value).__name__, value)


def _group_key(row: Row, names: Sequence[str]) -> tuple:
    """A grouping key in which NULLs are equal to each other (GROUP BY, DISTINCT, union)."""
    return tuple(_hashable(row[n]) for n in names)


def _key_first(names: Sequence[str], key: Sequence[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n in key) + tuple(n for n in names if n not in key)


# -- helpers: values ---------------------------------------------------------------------------


def _check_int(value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ReferenceError(f"integer result {value} is outside int64")
    return value


def _check_decimal(value: decimal.Decimal) -> decimal.Decimal:
    """``value``, which must fit the widest decimal every backend holds (38 digits)."""
    digits = len(value.as_tuple().digits)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and max(digits, -exponent) > MAX_DECIMAL_DIGITS:
        raise ReferenceError(f"decimal result {value} has more than {MAX_DECIMAL_DIGITS} digits")
    return value


def _float_tolerance(values: Sequence[Any]) -> float:
    largest = max((abs(float(v)) for v in values), default=0.0)
    return largest * len(values) * 4e-16


def _order_value(value: Any, core: CoreType | None) -> Any:
    """A sort key: enums by declaration order, strings by code point, numbers by value."""
    if core is not None and core.kind == "enum" and isinstance(value, str) and value in core.values:
        return core.values.index(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _compare(a: Any, b: Any) -> int:
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = (int(a) if isinstance(a, bool) else a), (int(b) if isinstance(b, bool) else b)
    if isinstance(a, str) != isinstance(b, str):
        raise TypeError(f"cannot compare {a!r} with {b!r}")
    if isinstance(a, (datetime.date, str, uuid.UUID)) or isinstance(
        b, (datetime.date, str, uuid.UUID)
    ):
        return (a > b) - (a < b)  # uuids in the order of their canonical text
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        return (fa > fb) - (fa < fb)
    da, db = decimal.Decimal(a), decimal.Decimal(b)
    return (da > db) - (da < db)


def _decimal_scale(args: Sequence[Expr], types: Mapping[str, CoreType]) -> int | None:
    """The largest scale of the decimal attributes or literals among ``args`` (None: none)."""
    scales = []
    for arg in args:
        if isinstance(arg, Col) and types[arg.name].kind == "decimal":
            scales.append(types[arg.name].scale or 0)
        elif isinstance(arg, (Lit, Param)) and isinstance(arg.value, decimal.Decimal):
            exponent = arg.value.as_tuple().exponent
            scales.append(-exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return max(scales) if scales else None


def _arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        if op == "%":
            if b == 0:
                raise ReferenceError("modulo by zero")
            return _finite(math.fmod(a, b))
        return _finite({"+": a + b, "-": a - b, "*": a * b}[op])
    if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
        da, db = decimal.Decimal(a), decimal.Decimal(b)
        if op == "%":
            if db == 0:
                raise ReferenceError("modulo by zero")
            return _DECIMAL.remainder(da, db)
        method = {"+": _DECIMAL.add, "-": _DECIMAL.subtract, "*": _DECIMAL.multiply}[op]
        return _check_decimal(method(da, db))
    if op == "%":
        if b == 0:
            raise ReferenceError("modulo by zero")
        return _check_int(int(math.copysign(abs(a) % abs(b), a)) if a else 0)
    return _check_int({"+": a + b, "-": a - b, "*": a * b}[op])


def _like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.S) is not None


def _operator(expr: Op, sub: Callable[[Expr], Any], types: Mapping[str, CoreType]) -> Any:
    op = expr.op
    # Every operand is evaluated (no short cut), so that an error anywhere is an error: engines
    # may evaluate operands in any order.
    if op == "and":
        return _and([_truth(sub(a)) for a in expr.args])
    if op == "or":
        return _or([_truth(sub(a)) for a in expr.args])
    if op == "not":
        return _not(_truth(sub(expr.args[0])))
    if op == "is_null":
        return sub(expr.args[0]) is None
    args = [sub(a) for a in expr.args]
    if op == "in":
        needle, *candidates = args
        if needle is None:
            return None
        if any(c is not None and _compare(needle, c) == 0 for c in candidates):
            return True
        return None if any(c is None for c in candidates) else False
    if any(a is None for a in args):
        return None
    if op in ("=", "<>", "<", "<=", ">", ">="):
        a, b = args
        c = _compare(a, b)
        return {"=": c == 0, "<>": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]
    if op == "between":
        value, low, high = args
        return _compare(value, low) >= 0 and _compare(value, high) <= 0
    if op in ("+", "-", "*", "%"):
        return _arith(op, *args)
    if op == "/":
        a, b = args
        if float(b) == 0:
            raise ReferenceError("division by zero")
        result = _finite(float(a) / float(b))
        return Approx(result, abs(result) * 1e-12)
    if op == "neg":
        value = args[0]
        return _check_int(-value) if isinstance(value, int) else -value
    if op == "like":
        return _like(args[0], args[1])
    if op == "concat":
        if not all(isinstance(a, str) for a in args):
            raise NotImplementedError("|| of non-strings in the reference evaluator")
        return args[0] + args[1]
    raise NotImplementedError(f"operator {op!r} in the reference evaluator")


def _function(name: str, args: list[Any]) -> Any:
    if name == "coalesce":
        return next((a for a in args if a is not None), None)
    if name == "nullif":
        a, b = args
        return None if a is not None and b is not None and _compare(a, b) == 0 else a
    if any(a is None for a in args):
        return None
    if name == "abs":
        value = args[0]
        return _check_int(abs(value)) if isinstance(value, int) else abs(value)
    if name == "lower":
        return args[0].lower()
    if name == "upper":
        return args[0].upper()
    if name == "length":
        return len(args[0])
    if name == "finite":  # frames' overflow check: the value itself, if finite
        return _finite(args[0]) if isinstance(args[0], float) else args[0]
    if name in _REAL_FUNCTIONS:
        return _real_function(name, [float(a) for a in args])
    if name == "mod":
        return _arith("%", *args)
    if name == "uuid_text":
        return str(args[0])
    if name == "uuid_from_text":
        return uuid.UUID(args[0])
    raise NotImplementedError(f"function {name}() in the reference evaluator")


def _finite(value: float) -> float:
    """``value``, unless a floating-point operation overflowed (PostgreSQL's error)."""
    if math.isinf(value) or math.isnan(value):
        raise ReferenceError("floating-point overflow")
    return value


_REAL_FUNCTIONS = ("sqrt", "ln", "log10", "exp", "power")


def _real_function(name: str, args: list[float]) -> Approx:
    """``sqrt``, ``ln``, ``log10``, ``exp``, ``power`` with PostgreSQL's domain errors."""
    x = args[0]
    if name == "sqrt" and x < 0:
        raise ReferenceError("square root of a negative number")
    if name in ("ln", "log10") and x <= 0:
        raise ReferenceError("logarithm of a number that is not positive")
    if name == "power":
        y = args[1]
        if (x == 0 and y < 0) or (x < 0 and y != math.floor(y)):
            raise ReferenceError("power without a real value")
    try:
        result = {
            "sqrt": math.sqrt,
            "ln": math.log,
            "log10": math.log10,
            "exp": math.exp,
            "power": lambda v: math.pow(v, args[-1]),
        }[name](x)
    except OverflowError:
        raise ReferenceError(f"{name}() overflows") from None
    return Approx(_finite(result), abs(result) * 1e-12)


#: What a ``CAST`` from text reads, by target category (frames' rule, written here anew).
_TEXT_NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)"
_TEXT_FORMS = {
    "integer": r"[-+]?\d{1,38}",
    "decimal": _TEXT_NUMBER,
    "float": _TEXT_NUMBER + r"([eE][-+]?\d+)?",
    "date": r"\d{4}-\d{2}-\d{2}",
    "datetime": r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?",
}


def _text_cast(text: str | None, target: CoreType) -> Any:
    """``CAST(text AS target)`` for a number, date or datetime: undefined unless ``text``
    spells a value of the type, within its range."""
    if text is None:
        return None
    if re.fullmatch(_TEXT_FORMS[target.category], text, flags=re.ASCII) is None:
        raise ReferenceError(f"{text!r} is not a {target}")
    try:
        if target.category == "integer":
            low, high = INTEGER_RANGES[target.kind]
            whole = int(text)
            if not low <= whole <= high:
                raise ReferenceError(f"{text!r} is out of the range of {target}")
            return whole
        if target.category == "decimal":
            scale = target.scale or 0
            exact = decimal.Decimal(text).quantize(
                decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP
            )
            if abs(exact) >= decimal.Decimal(10) ** ((target.precision or 10) - scale):
                raise ReferenceError(f"{text!r} is out of the range of {target}")
            return exact
        if target.category == "float":
            return _finite(float(text))
        if target.category == "date":
            return datetime.date.fromisoformat(text)
        return datetime.datetime.fromisoformat(text)
    except ValueError:  # a date that does not exist
        raise ReferenceError(f"{text!r} is not a {target}") from None


def _cast(value: Any, target: CoreType) -> Any:
    """``CAST(value AS target)`` for the casts frames' typing rules introduce."""
    if value is None:
        return None
    if target.category == "integer":
        return int(value)
    if target.category == "float":
        return float(value)
    if target.category == "string":
        return value if isinstance(value, str) else str(value)
    if target.category == "decimal":  # frames widens decimal operands of * to 38 digits
        exponent = decimal.Decimal(1).scaleb(-(target.scale or 0))
        return decimal.Decimal(value).quantize(exponent, rounding=decimal.ROUND_HALF_UP)
    raise NotImplementedError(f"the reference evaluator does not cast to {target}")
