"""An API-level reference: the user's calls (:mod:`frames.testing.api_calls`) run over Python rows.

:mod:`frames.testing.reference` evaluates frames' *plan*, so a mistake on the way from the user's
arguments to the plan (reading ``order_by``, a projection's renames, the enum rewrites, the
conversion of restriction values) reaches it too, and the two agree. This module starts where
the user starts: from the raw arguments. It reads the type spellings, the restriction strings
and the order specifications the API strategies generate with its own small parsers, converts
values with its own rules and evaluates the operators with its own code. It imports nothing from
frames but the description classes.

Semantics (frames' documented ones, README "Semantics pinned across backends")
-----------------------------------------------------------------------------
* Three-valued logic: ``q & c`` keeps the rows where ``c`` is true, ``q - c`` those where it is
  false (for a query argument, ``q - r`` is the exact complement of ``q & r``). A dict is the
  AND of its keys that are attributes (``None`` means IS NULL), a list the OR of its items
  (``[]`` is false), ``dj.AndList`` the AND, ``None`` false, ``{}`` true.
* Values given for an attribute take its type: ISO text becomes a date or a datetime; a
  datetime is rounded to the attribute's fractional digits as PostgreSQL rounds (the
  microseconds since 2000-01-01, half away from zero); decimals are stored rounded half to even
  to their scale.
* Enums sort by their declaration order (``Top``, ``order_by``) but compare as text (``<``,
  ``BETWEEN``, ``min``/``max``); an equality with a non-member matches nothing.
* Strings compare by code point. ``LIKE`` has no escape character.
* Ordering puts NULLs first ascending and last descending, and is completed by the primary key
  (ascending) where the order leaves ties. A query ending in ``dj.Top`` is fetched in its order,
  and ``dj.Top(order_by=None)`` keeps it. A restriction by an argument that is true by its form
  (``True``, ``{}`` or a dict naming no attribute, an empty ``dj.AndList``) is the query itself,
  so it keeps that order too; any other restriction leaves the rows unordered.
* ``count(*)`` of no rows is 0, other aggregates of no values are NULL; ``count(distinct x)``
  counts distinct non-NULL values; ``avg``, ``stddev``, ``variance`` (sample) are floating point.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from frames.testing.api_calls import (
    Aggr,
    AllOf,
    Call,
    Fetch,
    Join,
    NotOf,
    Proj,
    Restrict,
    Table,
    TopCall,
    UAggr,
    UDistinct,
)

Row = dict[str, Any]


class OutOfDomain(ValueError):
    """A value an attribute's type cannot hold: frames must refuse it (``DataError``)."""


class NoValue(Exception):
    """The query has no value by the semantics (the backend is expected to raise)."""


class Inexact(float):
    """A floating-point result and the absolute difference within which engines may give it."""

    tolerance: float

    def __new__(cls, value: float, tolerance: float) -> Inexact:
        made = super().__new__(cls, value)
        made.tolerance = max(tolerance, abs(value) * 1e-12, 1e-300)
        return made

    def matches(self, other: Any) -> bool:
        """True if ``other`` is a float within the tolerance."""
        return isinstance(other, float) and abs(other - float(self)) <= self.tolerance


# -- types -----------------------------------------------------------------------------------------

#: Inclusive ranges of the integer types, by type name.
INTEGER_BOUNDS = {
    "int8": (-128, 127),
    "int16": (-32768, 32767),
    "int32": (-2147483648, 2147483647),
    "int64": (-9223372036854775808, 9223372036854775807),
}
_TYPE = re.compile(r"^\s*([a-z0-9]+)\s*(?:\((.*)\))?\s*$", re.S)


@dataclass(frozen=True)
class Type:
    """An attribute type as this module reads its spelling."""

    kind: str  # int8..int64, decimal, varchar, enum, date, datetime, bool
    precision: int = 0  # decimal digits, or a datetime's fractional digits
    scale: int = 0
    length: int = 0
    members: tuple[str, ...] = ()

    @property
    def integer(self) -> bool:
        return self.kind in INTEGER_BOUNDS

    @property
    def numeric(self) -> bool:
        return self.integer or self.kind == "decimal"


def read_type(spelling: str) -> Type:
    """``'decimal(6,2)'``, ``"enum('a', 'b')"``, ``'datetime(3)'`` ... as a :class:`Type`."""
    match = _TYPE.match(spelling)
    if not match:
        raise ValueError(f"cannot read the type {spelling!r}")
    kind, inside = match.group(1), match.group(2)
    if kind == "enum":
        return Type("enum", members=tuple(m.replace("''", "'") for m in _quoted(inside or "")))
    numbers = [int(n) for n in inside.split(",")] if inside else []
    if kind == "decimal":
        return Type("decimal", precision=numbers[0], scale=numbers[1] if len(numbers) > 1 else 0)
    if kind in ("varchar", "char"):
        return Type("varchar", length=numbers[0])
    if kind == "datetime":
        return Type("datetime", precision=numbers[0] if numbers else 0)
    if kind in INTEGER_BOUNDS or kind in ("date", "bool"):
        return Type(kind)
    raise ValueError(f"the API reference does not know the type {spelling!r}")


def _quoted(text: str) -> list[str]:
    return re.findall(r"'((?:[^']|'')*)'", text)


# -- values ----------------------------------------------------------------------------------------

_PG_EPOCH = datetime.datetime(2000, 1, 1)
_LATEST = datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)


def round_moment(moment: datetime.datetime, digits: int) -> datetime.datetime:
    """``moment`` at ``digits`` fractional digits, as PostgreSQL's ``timestamp(digits)`` rounds:
    the microseconds since 2000-01-01, half away from zero.

    Raises
    ------
    OutOfDomain
        If the result is later than 9999-12-31 23:59:59.999999.
    """
    days = moment.toordinal() - _PG_EPOCH.toordinal()
    seconds = days * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second
    micros = decimal.Decimal(seconds * 1_000_000 + moment.microsecond)
    step = decimal.Decimal(10) ** (6 - digits)
    rounded = int((micros / step).quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP) * step)
    whole, micro = divmod(rounded, 1_000_000)
    day, second = divmod(whole, 86400)
    ordinal = _PG_EPOCH.toordinal() + day
    if ordinal > _LATEST.toordinal():
        raise OutOfDomain(f"{moment} rounded to {digits} digits is after 9999")
    date = datetime.date.fromordinal(ordinal)
    return datetime.datetime(
        date.year, date.month, date.day, second // 3600, second // 60 % 60, second % 60, micro
    )


def as_type(value: Any, t: Type) -> Any:
    """``value`` (not None) as a value of ``t``, the way a restriction or an insert reads it.

    Raises
    ------
    OutOfDomain
        If it cannot be read as ``t`` at all.
    """
    try:
        if t.integer:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise OutOfDomain(f"{value!r} is not an integer")
            return int(value)
        if t.kind == "decimal":
            return decimal.Decimal(str(value))
        if t.kind == "date":
            if isinstance(value, datetime.datetime):
                return value.date()
            if isinstance(value, datetime.date):
                return value
            return datetime.date.fromisoformat(value)
        if t.kind == "datetime":
            if not isinstance(value, datetime.datetime):
                value = datetime.datetime.fromisoformat(value)
            return round_moment(value, t.precision)
    except (ValueError, TypeError, decimal.InvalidOperation) as error:
        if isinstance(error, OutOfDomain):
            raise
        raise OutOfDomain(str(error)) from None
    if not isinstance(value, str) and t.kind in ("varchar", "enum"):
        raise OutOfDomain(f"{value!r} is not a string")
    return value


def stored(value: Any, t: Type, nullable: bool) -> Any:
    """The value an insert of ``value`` stores in an attribute of type ``t``.

    Raises
    ------
    OutOfDomain
        If the insert must be refused: NULL for a non-nullable attribute, an integer outside its
        range, a decimal with too many integer digits, text longer than the length, a non-member
        of an enum, a datetime that rounds past 9999.
    """
    if value is None:
        if nullable:
            return None
        raise OutOfDomain("NULL in a non-nullable attribute")
    value = as_type(value, t)
    if t.integer:
        low, high = INTEGER_BOUNDS[t.kind]
        if not low <= value <= high:
            raise OutOfDomain(f"{value} is outside {t.kind}")
    elif t.kind == "decimal":
        value = value.quantize(decimal.Decimal(1).scaleb(-t.scale), decimal.ROUND_HALF_EVEN)
        if abs(value) >= decimal.Decimal(10) ** (t.precision - t.scale):
            raise OutOfDomain(f"{value} has more than {t.precision - t.scale} integer digits")
    elif t.kind == "varchar" and len(value) > t.length:
        raise OutOfDomain(f"{value!r} is longer than {t.length}")
    elif t.kind == "enum" and value not in t.members:
        raise OutOfDomain(f"{value!r} is not a member of {t.members}")
    return value


# -- relations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attr:
    """An attribute of a result: its type, whether it may be NULL and its lineage."""

    type: Type
    nullable: bool = False
    lineage: str | None = None


@dataclass
class Result:
    """Attributes (name → :class:`Attr`, in order), the primary key and the rows.

    ``order`` is the order the rows are in when the query ends in a ``Top`` (``None``: any).
    """

    attrs: dict[str, Attr]
    key: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    order: list[tuple[str, bool]] | None = None

    def types(self) -> dict[str, Type]:
        return {n: a.type for n, a in self.attrs.items()}


@dataclass(frozen=True)
class Column:
    """A stored attribute: name, type spelling, nullable, in the key, lineage."""

    name: str
    type: str
    nullable: bool = False
    in_key: bool = False
    lineage: str | None = None


Catalog = Mapping[str, Sequence[Column]]


# -- the fragment language -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><>|!=|<=|>=|[=<>(),*+\-/%]))"
)
_KEYWORDS = {"and", "or", "not", "between", "in", "like", "is", "null", "true", "false"}
_FUNCTIONS = {"coalesce", "lower", "upper", "length", "abs"}
_AGGREGATES = {"count", "sum", "avg", "min", "max", "stddev", "variance"}


@dataclass(frozen=True)
class Node:
    """A parsed fragment: ``kind`` and its parts (names, values, sub-nodes)."""

    kind: str
    parts: tuple[Any, ...] = ()


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"cannot read {text[position:]!r}")
        position = match.end()
        if match.group("num") is not None:
            number = match.group("num")
            out.append(("lit", decimal.Decimal(number) if "." in number else int(number)))
        elif match.group("str") is not None:
            out.append(("lit", match.group("str")[1:-1].replace("''", "'")))
        elif match.group("name") is not None:
            word = match.group("name")
            lowered = word.lower()
            out.append(("kw", lowered) if lowered in _KEYWORDS else ("name", word))
        else:
            out.append(("op", "<>" if match.group("op") == "!=" else match.group("op")))
    return out


class _Parser:
    """Recursive descent over the fragments the API strategies write."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, offset: int = 0) -> tuple[str, Any]:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", None)

    def take(self, kind: str, value: Any = None) -> Any:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            raise ValueError(f"expected {value or kind}, found {token}")
        self.at += 1
        return token[1]

    def accept(self, kind: str, value: Any) -> bool:
        if self.peek() == (kind, value):
            self.at += 1
            return True
        return False

    def whole(self) -> Node:
        node = self.disjunction()
        self.take("end")
        return node

    def disjunction(self) -> Node:
        items = [self.conjunction()]
        while self.accept("kw", "or"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Node("or", tuple(items))

    def conjunction(self) -> Node:
        items = [self.negation()]
        while self.accept("kw", "and"):
            items.append(self.negation())
        return items[0] if len(items) == 1 else Node("and", tuple(items))

    def negation(self) -> Node:
        if self.accept("kw", "not"):
            return Node("not", (self.negation(),))
        return self.predicate()

    def predicate(self) -> Node:
        left = self.sum()
        negated = self.accept("kw", "not")
        if self.accept("kw", "between"):
            low = self.sum()
            self.take("kw", "and")
            node = Node("between", (left, low, self.sum()))
        elif self.accept("kw", "in"):
            self.take("op", "(")
            items = [self.sum()]
            while self.accept("op", ","):
                items.append(self.sum())
            self.take("op", ")")
            node = Node("in", (left, *items))
        elif self.accept("kw", "like"):
            node = Node("like", (left, self.sum()))
        elif not negated and self.accept("kw", "is"):
            negated = self.accept("kw", "not")
            self.take("kw", "null")
            node = Node("is_null", (left,))
        elif not negated and self.peek()[0] == "op" and self.peek()[1] in _COMPARE:
            op = self.take("op")
            return Node("compare", (op, left, self.sum()))
        else:
            if negated:
                raise ValueError("NOT in the wrong place")
            return left
        return Node("not", (node,)) if negated else node

    def sum(self) -> Node:
        node = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            node = Node("arith", (self.take("op"), node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/"), ("op", "%")):
            node = Node("arith", (self.take("op"), node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.accept("op", "-"):
            return Node("neg", (self.unary(),))
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.peek()
        if kind == "lit":
            self.at += 1
            return Node("lit", (value,))
        if kind == "kw" and value in ("true", "false", "null"):
            self.at += 1
            return Node("lit", ({"true": True, "false": False, "null": None}[value],))
        if kind == "op" and value == "(":
            self.at += 1
            node = self.disjunction()
            self.take("op", ")")
            return node
        if kind == "name":
            self.at += 1
            lowered = value.lower()
            if self.peek() == ("op", "(") and lowered in _FUNCTIONS | _AGGREGATES:
                return self.call(lowered)
            return Node("col", (value,))
        raise ValueError(f"unexpected {value!r}")

    def call(self, name: str) -> Node:
        self.take("op", "(")
        if name in _AGGREGATES:
            if name == "count" and self.accept("op", "*"):
                self.take("op", ")")
                return Node("agg", ("count", None, False))
            distinct = self.peek() == ("name", "distinct") or self.peek() == ("name", "DISTINCT")
            if distinct:
                self.at += 1
            arg = self.sum()
            self.take("op", ")")
            return Node("agg", (name, arg, distinct))
        args = [self.sum()]
        while self.accept("op", ","):
            args.append(self.sum())
        self.take("op", ")")
        return Node("func", (name, *args))


_COMPARE = ("=", "<>", "<", "<=", ">", ">=")


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """A fragment the API strategies write, parsed (raises ValueError on anything else)."""
    return _Parser(text).whole()


# -- evaluation of fragments -----------------------------------------------------------------------


def _and(values: Sequence[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: Sequence[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.S) is not None


def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


class _Scope:
    """Evaluates parsed fragments on one row (aggregates over ``group``)."""

    def __init__(self, types: Mapping[str, Type], row: Row, group: Sequence[Row] | None = None):
        self.types = types
        self.row = row
        self.group = group

    def type_of(self, node: Node) -> Type | None:
        if node.kind == "col":
            return self.types[node.parts[0]]
        return None

    def literal_for(self, node: Node, other: Type | None) -> Any:
        """A node's value; a text literal compared with a typed attribute takes its type."""
        value = self.value(node)
        if other is None or node.kind != "lit" or not isinstance(value, str):
            return value
        if other.kind in ("date", "datetime", "decimal"):
            return as_type(value, other)
        return value

    def operands(self, nodes: Sequence[Node]) -> list[Any]:
        typed = next((t for t in map(self.type_of, nodes) if t is not None), None)
        return [self.literal_for(n, typed) for n in nodes]

    def truth(self, node: Node) -> bool | None:
        kind = node.kind
        if kind == "and":
            return _and([self.truth(n) for n in node.parts])
        if kind == "or":
            return _or([self.truth(n) for n in node.parts])
        if kind == "not":
            return _not(self.truth(node.parts[0]))
        if kind == "is_null":
            return self.value(node.parts[0]) is None
        if kind == "compare":
            op, left, right = node.parts
            a, b = self.operands([left, right])
            if a is None or b is None:
                return None
            c = _cmp(a, b)
            return {"=": c == 0, "<>": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[
                op
            ]
        if kind == "between":
            value, low, high = self.operands(node.parts)
            if value is None or low is None or high is None:
                return _and(
                    [
                        None if value is None or low is None else _cmp(value, low) >= 0,
                        None if value is None or high is None else _cmp(value, high) <= 0,
                    ]
                )
            return _cmp(value, low) >= 0 and _cmp(value, high) <= 0
        if kind == "in":
            needle, *candidates = self.operands(node.parts)
            if needle is None:
                return None
            if any(c is not None and _cmp(needle, c) == 0 for c in candidates):
                return True
            return None if any(c is None for c in candidates) else False
        if kind == "like":
            value, pattern = self.value(node.parts[0]), self.value(node.parts[1])
            return None if value is None or pattern is None else _like(value, pattern)
        value = self.value(node)
        return None if value is None else bool(value)

    def value(self, node: Node) -> Any:
        kind = node.kind
        if kind == "lit":
            return node.parts[0]
        if kind == "col":
            return self.row[node.parts[0]]
        if kind == "neg":
            inner = self.value(node.parts[0])
            return None if inner is None else -inner
        if kind == "arith":
            op, left, right = node.parts
            a, b = self.value(left), self.value(right)
            if a is None or b is None:
                return None
            if op == "/":
                if b == 0:
                    raise NoValue("division by zero")
                return Inexact(float(a) / float(b), 0.0)
            return {"+": a + b, "-": a - b, "*": a * b}[op]
        if kind == "func":
            return self.function(node.parts[0], [self.value(n) for n in node.parts[1:]])
        if kind == "agg":
            return self.aggregate(*node.parts)
        return self.truth(node)

    @staticmethod
    def function(name: str, args: list[Any]) -> Any:
        if name == "coalesce":
            return next((a for a in args if a is not None), None)
        if args[0] is None:
            return None
        functions: dict[str, Callable[[Any], Any]] = {
            "lower": str.lower,
            "upper": str.upper,
            "length": len,
            "abs": abs,
        }
        return functions[name](args[0])

    def aggregate(self, name: str, arg: Node | None, distinct: bool) -> Any:
        if self.group is None:
            raise ValueError("an aggregate outside aggregation")
        if arg is None:
            return len(self.group)
        values = [_Scope(self.types, row).value(arg) for row in self.group]
        values = [v for v in values if v is not None]
        if distinct:
            values = list(dict.fromkeys(values))
        if name == "count":
            return len(values)
        if not values:
            return None
        if name == "sum":
            return sum(values[1:], values[0])
        if name == "min":
            return min(values)
        if name == "max":
            return max(values)
        floats = [float(v) for v in values]
        largest = max(abs(v) for v in floats)
        mean = math.fsum(floats) / len(floats)
        if name == "avg":
            return Inexact(mean, largest * len(floats) * 1e-15)
        if len(floats) < 2:
            return None
        variance = math.fsum((v - mean) ** 2 for v in floats) / (len(floats) - 1)
        spread = largest * largest * len(floats) * 1e-13
        if name == "variance":
            return Inexact(variance, spread)
        return Inexact(math.sqrt(variance), math.sqrt(spread))


def _result_type(node: Node, types: Mapping[str, Type]) -> tuple[Type, bool]:
    """The type of a computed value (for later comparisons and ordering) and if it may be NULL."""
    if node.kind == "col":
        return types[node.parts[0]], True
    if node.kind == "agg":
        name, arg = node.parts[0], node.parts[1]
        if name == "count":
            return Type("int64"), False
        if name in ("min", "max", "sum") and arg is not None:
            inner = _result_type(arg, types)[0]
            if name == "sum" and inner.integer:
                return Type("int64"), True
            if inner.kind == "enum":  # enums compare as text, so min and max are text
                return Type("varchar", length=255), True
            return inner, True
        return Type("float"), True
    if node.kind == "func" and node.parts[0] == "length":
        return Type("int64"), True
    if node.kind == "func" and node.parts[0] in ("lower", "upper"):
        return Type("varchar", length=255), True
    if node.kind in ("arith", "neg", "func"):
        operands = [_result_type(p, types)[0] for p in node.parts if isinstance(p, Node)]
        decimals = [t for t in operands if t.kind == "decimal"]
        if decimals:
            return decimals[0], True
        return Type("int64"), True
    return Type("bool"), True


# -- evaluation of calls ---------------------------------------------------------------------------


def _sql_equal(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a == b


class Interpreter:
    """Evaluates call descriptions over ``tables`` (name → stored rows) of ``catalog``."""

    def __init__(self, catalog: Catalog, tables: Mapping[str, Sequence[Row]]):
        self.catalog = catalog
        self.tables = tables

    def result(self, call: Call) -> Result:
        """The result of ``call``."""
        method: Callable[[Any], Result] = getattr(self, "_" + type(call).__name__.lower())
        return method(call)

    def _table(self, call: Table) -> Result:
        columns = self.catalog[call.name]
        attrs = {c.name: Attr(read_type(c.type), c.nullable, c.lineage) for c in columns}
        key = tuple(c.name for c in columns if c.in_key)
        rows = [
            {c.name: row.get(c.name) for c in columns} for row in self.tables.get(call.name, ())
        ]
        return Result(attrs, key, rows)

    # restrictions
    def truth(self, arg: Any, result: Result, row: Row) -> bool | None:
        """The truth of the restriction ``arg`` on ``row`` of ``result``."""
        if isinstance(arg, dict):
            items: list[bool | None] = []
            for name, value in arg.items():
                if name not in result.attrs:
                    continue
                stored_value = row[name]
                if value is None:
                    items.append(stored_value is None)
                    continue
                wanted = as_type(value, result.attrs[name].type)
                items.append(None if stored_value is None else stored_value == wanted)
            return _and(items)
        if arg is None:
            return False
        if isinstance(arg, bool):
            return arg
        if isinstance(arg, str):
            return _Scope(result.types(), row).truth(parse(arg))
        if isinstance(arg, list):
            return _or([self.truth(item, result, row) for item in arg])
        if isinstance(arg, AllOf):
            return _and([self.truth(item, result, row) for item in arg.items])
        if isinstance(arg, NotOf):
            return _not(self.truth(arg.item, result, row))
        other = self.result(arg)
        on = [n for n in result.attrs if n in other.attrs]
        return any(all(_sql_equal(row[n], orow[n]) for n in on) for orow in other.rows)

    def _restrict(self, call: Restrict) -> Result:
        child = self.result(call.child)
        if not call.negate and _true_by_form(call.arg, child):
            return child  # the query itself: it keeps the order of its Top
        wanted = False if call.negate else True
        rows = [row for row in child.rows if self.truth(call.arg, child, row) is wanted]
        return replace(child, rows=rows, order=None)

    # projection
    def _proj(self, call: Proj) -> Result:
        child = self.result(call.child)
        keep = set(child.key)
        dropped = set()
        for attribute in call.attributes:
            if attribute == "...":
                keep |= set(child.attrs)
            elif attribute.startswith("-"):
                dropped.add(attribute[1:])
            else:
                keep.add(attribute)
        if any(a.startswith("-") for a in call.attributes):
            keep |= set(child.attrs)
        keep -= dropped
        renamed: dict[str, str] = {}
        computed: list[tuple[str, Node | str]] = []
        for new, value in call.named:
            text = value.strip()
            if re.fullmatch(r"[a-z][a-z0-9_]*", text) and text in child.attrs:
                if text in renamed:
                    computed.append((new, text))
                else:
                    renamed[text] = new
            elif re.fullmatch(r"\(\s*[a-z][a-z0-9_]*\s*\)", text):
                computed.append((new, text[1:-1].strip()))
            else:
                computed.append((new, parse(text)))
        attrs: dict[str, Attr] = {}
        sources: list[tuple[str, Node | str]] = []
        for name, attr in child.attrs.items():
            if name in renamed:
                attrs[renamed[name]] = attr
                sources.append((renamed[name], name))
            elif name in keep:
                attrs[name] = attr
                sources.append((name, name))
        types = child.types()
        for new, source in computed:
            if isinstance(source, str):
                attrs[new] = replace(child.attrs[source], lineage=child.attrs[source].lineage)
            else:
                computed_type, nullable = _result_type(source, types)
                attrs[new] = Attr(computed_type, nullable)
            sources.append((new, source))
        key = tuple(renamed.get(k, k) for k in child.key)
        rows = []
        for row in child.rows:
            scope = _Scope(types, row)
            rows.append(
                {
                    new: row[source] if isinstance(source, str) else scope.value(source)
                    for new, source in sources
                }
            )
        return Result(attrs, key, rows)

    # join
    def _join(self, call: Join) -> Result:
        left, right = self.result(call.left), self.result(call.right)
        on = [n for n in left.attrs if n in right.attrs]
        extra = [n for n in right.attrs if n not in left.attrs]
        rows = [
            {**lrow, **{n: rrow[n] for n in extra}}
            for lrow in left.rows
            for rrow in right.rows
            if all(_sql_equal(lrow[n], rrow[n]) for n in on)
        ]
        if set(right.key) <= set(left.attrs):
            key = left.key
        elif set(left.key) <= set(right.attrs):
            key = right.key
        else:
            key = left.key + tuple(k for k in right.key if k not in left.key)
        attrs = {**left.attrs, **{n: right.attrs[n] for n in extra}}
        return Result(attrs, key, rows)

    # aggregation
    def _aggregate_row(
        self, named: Sequence[tuple[str, str]], types: Mapping[str, Type], group: list[Row]
    ) -> Row:
        return {name: _Scope(types, {}, group).value(parse(text)) for name, text in named}

    def _aggregate_attrs(
        self, named: Sequence[tuple[str, str]], types: Mapping[str, Type]
    ) -> dict[str, Attr]:
        out = {}
        for name, text in named:
            computed_type, nullable = _result_type(parse(text), types)
            out[name] = Attr(computed_type, nullable)
        return out

    def _aggr(self, call: Aggr) -> Result:
        group, source = self.result(call.group), self.result(call.source)
        on = [n for n in group.attrs if n in source.attrs]
        kept = [n for n in group.attrs if n in group.key or "..." in call.keep or n in call.keep]
        types = source.types()
        rows = []
        for grow in group.rows:
            matches = [
                srow for srow in source.rows if all(_sql_equal(grow[n], srow[n]) for n in on)
            ]
            if not matches and call.exclude:
                continue
            rows.append(
                {**{n: grow[n] for n in kept}, **self._aggregate_row(call.named, types, matches)}
            )
        attrs = {n: group.attrs[n] for n in kept}
        attrs.update(self._aggregate_attrs(call.named, types))
        return Result(attrs, group.key, rows)

    def _udistinct(self, call: UDistinct) -> Result:
        child = self.result(call.child)
        seen: dict[tuple, Row] = {}
        for row in child.rows:
            values = tuple(row[n] for n in call.attrs)
            seen.setdefault(values, dict(zip(call.attrs, values, strict=True)))
        attrs = {n: child.attrs[n] for n in call.attrs}
        return Result(attrs, call.attrs, list(seen.values()))

    def _uaggr(self, call: UAggr) -> Result:
        child = self.result(call.child)
        groups: dict[tuple, list[Row]] = {}
        for row in child.rows:
            groups.setdefault(tuple(row[n] for n in call.attrs), []).append(row)
        if not call.attrs and not groups:
            groups[()] = []
        types = child.types()
        rows = [
            {
                **dict(zip(call.attrs, values, strict=True)),
                **self._aggregate_row(call.named, types, members),
            }
            for values, members in groups.items()
        ]
        attrs = {n: child.attrs[n] for n in call.attrs}
        attrs.update(self._aggregate_attrs(call.named, types))
        return Result(attrs, call.attrs, rows)

    # order
    def _topcall(self, call: TopCall) -> Result:
        child = self.result(call.child)
        order = read_order(call.order_by, child) if call.order_by is not None else None
        if order is None:
            order = child.order if child.order is not None else read_order("KEY", child)
        rows = sort(child, order, call.offset, call.limit)
        return Result(child.attrs, child.key, rows, complete(order, child))


def _true_by_form(arg: Any, result: Result) -> bool:
    """``True``, a dict naming no attribute of ``result`` (``{}`` too), an empty AndList."""
    if isinstance(arg, dict):
        return not any(name in result.attrs for name in arg)
    return arg is True or (isinstance(arg, AllOf) and not arg.items)


def read_order(order_by: str | Sequence[str], result: Result) -> list[tuple[str, bool]]:
    """``'KEY DESC'``, ``'a'``, ``['a DESC', 'b asc']`` as (attribute, descending) pairs."""
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    out: list[tuple[str, bool]] = []
    for item in items:
        for part in item.split(","):
            words = part.split()
            descending = len(words) > 1 and words[1].lower() == "desc"
            if words[0] == "KEY":
                out += [(k, descending) for k in result.key]
            else:
                out.append((words[0], descending))
    return out


def complete(order: Sequence[tuple[str, bool]], result: Result) -> list[tuple[str, bool]]:
    """``order`` followed by the primary-key attributes it does not name, ascending."""
    named = {n for n, _ in order}
    return list(order) + [(k, False) for k in result.key if k not in named]


def _sort_key(value: Any, t: Type) -> Any:
    return t.members.index(value) if t.kind == "enum" else value


def sort(
    result: Result, order: Sequence[tuple[str, bool]], offset: int = 0, limit: int | None = None
) -> list[Row]:
    """The rows of ``result`` in ``order`` (completed by the key), then offset and limit."""
    full = complete(order, result)

    def compare(a: Row, b: Row) -> int:
        for name, descending in full:
            x, y = a[name], b[name]
            if x is None and y is None:
                continue
            if x is None or y is None:
                c = -1 if x is None else 1
            else:
                t = result.attrs[name].type
                c = _cmp(_sort_key(x, t), _sort_key(y, t))
                if c == 0:
                    continue
            return -c if descending else c
        return 0

    rows = sorted(result.rows, key=functools.cmp_to_key(compare))[offset:]
    return rows if limit is None else rows[:limit]


# -- what a read returns ---------------------------------------------------------------------------


@dataclass
class Expected:
    """What reading a call gives: rows (``ordered``: in that order), a count, one row, or the
    exception class the read must raise (``raises``)."""

    names: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    ordered: bool = False
    count: int | None = None
    raises: str | None = None
    types: dict[str, Type] = field(default_factory=dict)


def expect(interpreter: Interpreter, call: Call, how: Fetch) -> Expected:
    """What ``how`` reading ``call`` must give.

    Raises
    ------
    NoValue
        If the query has no value (the backend may raise).
    """
    result = interpreter.result(call)
    base = Expected(tuple(result.attrs), result.key, types=result.types())
    if how.kind == "len":
        base.count = len(result.rows)
        return base
    if how.kind == "fetch1":
        if len(result.rows) != 1:
            base.raises = "FetchError"
        base.rows = result.rows
        return base
    if how.kind == "ordered" and (how.order_by is not None or how.limit is not None or how.offset):
        if how.order_by is not None:
            order = read_order(how.order_by, result)
        else:
            order = result.order if result.order is not None else read_order("KEY", result)
        base.rows = sort(result, order, how.offset, how.limit)
        base.ordered = True
        return base
    base.rows = result.rows
    base.ordered = result.order is not None
    return base
