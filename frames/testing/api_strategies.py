"""Hypothesis strategies that draw what a user writes: data, and calls with raw arguments.

:data:`API_SCHEMA` is a fixed schema with the types whose rules refactors break: an enum whose
text order differs from its declaration order (and one with a quote), decimals, strings,
dates and datetimes of three precisions. :func:`api_cases` draws an :class:`ApiCase`: rows to
insert (raw values: datetimes with digits below their precision, decimals with more digits than
their scale, ISO text for dates, duplicates inside groups, boundary integers) and a few reads of
call descriptions (:mod:`frames.testing.api_calls`), each also drawn a second time with the same
shape and new literals (the compile cache must not confuse them). The descriptions cover:

* restrictions by dicts (NULLs, non-members of enums, keys that are not attributes, datetimes
  and dates as values or ISO text), SQL strings (every comparison, with the attribute on either
  side; BETWEEN and NOT BETWEEN with bounds drawn from the stored values, in either order;
  [NOT] IN lists; [NOT] LIKE; IS [NOT] NULL; AND / OR / NOT), lists, ``dj.AndList``,
  ``dj.Not``, booleans, ``None`` and other queries (semijoins and antijoins);
* joins, ``aggr`` (kept attributes, ``exclude_nonmatching``) and ``dj.U`` (distinct values and
  grouping) with every aggregate: ``count(*)``, ``count(x)``, ``count(distinct x)``, ``sum``,
  ``avg``, ``min``, ``max``, ``stddev``, ``variance`` over integers, decimals, strings, enums,
  dates and datetimes;
* ``dj.Top`` and ordered fetches with ``KEY``, ``KEY DESC``, ascending and descending
  attributes (nullable ones, enums), lists and comma-separated specifications, limits, offsets;
* projections that keep, drop, rename (swaps ``a='b', b='a'``, chains ``c='b', b='a'``, one
  attribute renamed twice, key attributes), copy and compute, then restrictions and orders by
  the new names;
* reads by ``to_dicts()``, ``to_dicts(order_by=...)``, ``fetch1()`` (zero, one or many rows) and
  ``len()``.

:data:`WRITE_SCHEMA` and :func:`write_rows` serve the write path: one table with every integer
width, a decimal, a varchar, an enum and datetimes of every precision 0..6, and rows whose values
are inside or outside each type's domain.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

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
from frames.testing.api_reference import (
    INTEGER_BOUNDS,
    Column,
    Interpreter,
    Result,
    Type,
    read_type,
    stored,
)
from frames.testing.strategies import AttrDef, ForeignKeyDef, SchemaDef, TableDef

#: The enums: text order ``hi < lo < mid`` against declaration order ``mid, hi, lo``; and
#: ``a'x < b < c`` against ``b, a'x, c``.
GRADE = "enum('mid', 'hi', 'lo')"
LEVEL = "enum('b', 'a''x', 'c')"
API_SCHEMA = SchemaDef(
    (
        TableDef(
            "Item",
            key_attrs=(AttrDef("item_id", "int16"),),
            attrs=(
                AttrDef("grade", GRADE),
                AttrDef("price", "decimal(6,2)", True),
                AttrDef("label", "varchar(8)", True),
                AttrDef("day", "date", True),
                AttrDef("stamp", "datetime(3)", True),
            ),
        ),
        TableDef(
            "Event",
            key_fks=(ForeignKeyDef("Item"),),
            key_attrs=(AttrDef("seq", "int8"),),
            attrs=(
                AttrDef("amount", "int32", True),
                AttrDef("level", LEVEL, True),
                AttrDef("note", "varchar(8)", True),
                AttrDef("at", "datetime", True),
                AttrDef("cost", "decimal(5,1)", True),
            ),
        ),
        TableDef(
            "Review",
            key_fks=(ForeignKeyDef("Item"),),
            key_attrs=(AttrDef("reviewer", "varchar(6)"),),
            attrs=(AttrDef("stars", "int16", True), AttrDef("moment", "datetime(6)", True)),
        ),
    )
)

#: One table for the write path: every integer width, a decimal, text, an enum and every
#: datetime precision.
WRITE_SCHEMA = SchemaDef(
    (
        TableDef(
            "Sample",
            key_attrs=(AttrDef("id", "int32"),),
            attrs=(
                AttrDef("i8", "int8", True),
                AttrDef("i16", "int16", True),
                AttrDef("i32", "int32", True),
                AttrDef("i64", "int64", True),
                AttrDef("money", "decimal(5,2)", True),
                AttrDef("code", "varchar(4)", True),
                AttrDef("grade", GRADE, True),
                AttrDef("t0", "datetime", True),
                *(AttrDef(f"t{p}", f"datetime({p})", True) for p in range(1, 7)),
            ),
        ),
    )
)


def catalog(schema: SchemaDef) -> dict[str, tuple[Column, ...]]:
    """The tables of ``schema`` as the API reference reads them (lineage: table.attribute)."""
    return {
        t.name: tuple(
            Column(
                a.name,
                a.type,
                a.nullable,
                a.in_key,
                f"{a.origin[0]}.{a.origin[1]}" if a.origin else None,
            )
            for a in schema.attributes(t.name)
        )
        for t in schema.tables
    }


API_CATALOG = catalog(API_SCHEMA)
WRITE_CATALOG = catalog(WRITE_SCHEMA)

# -- values ----------------------------------------------------------------------------------------

#: Characters of generated text: quotes, LIKE's wildcards, cases, an accented letter, a space.
TEXT_ALPHABET = "abAB '%_é"
#: Microseconds that round differently by each rule: ties at every precision, the largest value.
MICROSECONDS = (0, 500000, 123500, 123450, 555555, 999999, 1, 499999, 50, 5)
#: Moments around PostgreSQL's rounding epoch and the ends of the range.
MOMENTS = (
    datetime.datetime(1999, 12, 31, 23, 59, 59),
    datetime.datetime(2000, 1, 1),
    datetime.datetime(1000, 1, 1),
    datetime.datetime(2024, 2, 29, 12, 30),
    datetime.datetime(9999, 12, 31, 23, 59, 58),
)


def datetimes() -> st.SearchStrategy[datetime.datetime]:
    """Datetimes with microseconds below most precisions, ties of rounding in particular."""
    moments = st.one_of(
        st.sampled_from(MOMENTS),
        st.datetimes(datetime.datetime(1000, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 58)),
    )
    return st.builds(
        lambda moment, micro: moment.replace(microsecond=micro),
        moments,
        st.one_of(st.sampled_from(MICROSECONDS), st.integers(0, 999999)),
    )


def values(t: Type) -> st.SearchStrategy[Any]:
    """Raw values a user inserts into (or restricts) an attribute of type ``t``, in its domain."""
    if t.integer:
        low, high = INTEGER_BOUNDS[t.kind]
        return st.one_of(st.sampled_from([low, high, 0, 1, -1]), st.integers(-3, 9))
    if t.kind == "decimal":
        bound = 10 ** (t.precision - t.scale) - 1
        return st.builds(
            lambda whole, digits: decimal.Decimal(f"{whole}.{digits}"),
            st.one_of(st.sampled_from([0, bound, -bound]), st.integers(-20, 20)),
            st.sampled_from(["0", "5", "25", "125", "995"][: t.scale + 2]),
        ).filter(lambda d: abs(d.quantize(decimal.Decimal(1).scaleb(-t.scale))) <= bound)
    if t.kind == "varchar":
        return st.text(TEXT_ALPHABET, max_size=min(t.length, 4))
    if t.kind == "enum":
        return st.sampled_from(t.members)
    if t.kind == "date":
        return st.one_of(
            st.sampled_from([datetime.date(1999, 12, 31), datetime.date(2000, 1, 1)]),
            st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)),
        )
    if t.kind == "datetime":
        return datetimes()
    raise ValueError(f"no values for {t}")


def spelled(value: Any, t: Type, draw: Callable) -> Any:
    """``value`` as a user may also pass it: dates and datetimes half of the time as ISO text,
    decimals a quarter of the time as text."""
    if isinstance(value, datetime.datetime) and draw(st.booleans()):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date) and t.kind == "date" and draw(st.booleans()):
        return value.isoformat()
    if isinstance(value, decimal.Decimal) and draw(st.integers(0, 3)) == 0:
        return str(value)
    return value


def sql_literal(value: Any) -> str:
    """``value`` as an ANSI SQL literal."""
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime):
        return f"'{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no literal for {value!r}")


# -- data ------------------------------------------------------------------------------------------

Rows = dict[str, list[dict[str, Any]]]


@st.composite
def api_rows(draw: Callable) -> Rows:
    """Raw rows for :data:`API_SCHEMA`: few distinct values per attribute (so that groups hold
    duplicates), boundary keys, NULLs, and children for some items only."""
    item_ids = draw(
        st.lists(
            st.one_of(st.sampled_from([1, 2, 3, -32768, 32767]), st.integers(-5, 40)),
            unique=True,
            max_size=5,
        )
    )
    rows: Rows = {"Item": [], "Event": [], "Review": []}
    pools = {
        (table, c.name): draw(st.lists(values(read_type(c.type)), min_size=1, max_size=2))
        for table, columns in API_CATALOG.items()
        for c in columns
        if not c.in_key
    }

    def secondary(table: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in API_CATALOG[table]:
            if c.in_key:
                continue
            t = read_type(c.type)
            choice = draw(st.integers(0, 5))
            if c.nullable and choice == 0:
                out[c.name] = None
            elif choice < 5:
                out[c.name] = spelled(draw(st.sampled_from(pools[(table, c.name)])), t, draw)
            else:
                out[c.name] = spelled(draw(values(t)), t, draw)
        return out

    for item_id in item_ids:
        rows["Item"].append({"item_id": item_id, **secondary("Item")})
        for seq in range(draw(st.sampled_from([3, 0, 1, 2, 4]))):
            rows["Event"].append(
                {"item_id": item_id, "seq": (seq, 127, -128, 5)[seq], **secondary("Event")}
            )
        reviewers = draw(st.lists(st.sampled_from(["ann", "bob", "", "Zoë"]), unique=True))
        for reviewer in reviewers:
            rows["Review"].append({"item_id": item_id, "reviewer": reviewer, **secondary("Review")})
    return rows


# -- calls -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCase:
    """Rows to insert and reads to compare: each a call and how it is fetched."""

    rows: Mapping[str, Sequence[Mapping[str, Any]]]
    reads: tuple[tuple[Call, Fetch], ...]


_ORDERABLE = ("int8", "int16", "int32", "int64", "decimal", "varchar", "enum", "date", "datetime")
_CHILDREN = {"Item": ("Event", "Review")}
#: Pairs of tables that join (their only namesake is ``item_id``).
JOINS = (("Item", "Event"), ("Event", "Item"), ("Item", "Review"), ("Event", "Review"))


class _Choices:
    """Draws shape decisions (recorded, so that a second build can replay them) and literals
    (always drawn anew)."""

    def __init__(self, draw: Callable, replay: Sequence[Any] | None = None):
        self.draw = draw
        self.recorded: list[Any] = []
        self.replay: Iterator[Any] | None = iter(replay) if replay is not None else None

    def shape(self, strategy: st.SearchStrategy[Any]) -> Any:
        if self.replay is not None:
            return next(self.replay)
        value = self.draw(strategy)
        self.recorded.append(value)
        return value

    def literal(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.draw(strategy)


class _Calls:
    """Builds one call description over :data:`API_SCHEMA` from ``choices``."""

    def __init__(self, choices: _Choices, pools: Mapping[Type, list[Any]]):
        self.choices = choices
        self.pools = pools
        self.names = itertools.count(1)
        self.headings = Interpreter(API_CATALOG, {})

    def shape(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.choices.shape(strategy)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.shape(st.sampled_from(list(options)))

    def fresh(self) -> str:
        return f"n{next(self.names)}"

    def heading(self, call: Call) -> Result:
        return self.headings.result(call)

    # -- literals ----------------------------------------------------------------------------------
    def value(self, t: Type) -> Any:
        """A literal for an attribute of type ``t``: a stored value most of the time."""
        pool = self.pools.get(t, [])
        fresh = values(t) if t.kind in _ORDERABLE else st.integers(0, 4)
        if t.kind == "enum":
            fresh = st.one_of(fresh, st.sampled_from(["zz", "", "MID", "b "]))  # non-members
        strategy = st.one_of(st.sampled_from(pool), st.sampled_from(pool), fresh) if pool else fresh
        return self.choices.literal(strategy)

    # -- tables, joins, aggregations ---------------------------------------------------------------
    def table(self, name: str, depth: int = 1) -> Call:
        call: Call = Table(name)
        for _ in range(self.shape(st.integers(0, 2))):
            call = self.restrict(call, depth)
        if self.shape(st.integers(0, 3)) == 0:
            call = self.top(call)
        return call

    def source(self) -> Call:
        form = self.pick(["table", "table", "join", "aggr", "uaggr", "udistinct"])
        if form == "table":
            return self.table(self.pick(sorted(API_CATALOG)))
        if form == "join":
            return self.join()
        if form == "aggr":
            return self.aggr()
        child = (
            self.join() if self.shape(st.booleans()) else self.table(self.pick(["Item", "Event"]))
        )
        attrs = self.grouping(self.heading(child), 0 if form == "uaggr" else 1)
        if form == "udistinct":
            return UDistinct(attrs, child)
        return UAggr(attrs, child, self.aggregates(self.heading(child)))

    def join(self) -> Call:
        """Two tables whose only namesake is ``item_id`` (of one lineage)."""
        left, right = self.pick(JOINS)
        return Join(self.table(left), self.table(right))

    def grouping(self, heading: Result, least: int) -> tuple[str, ...]:
        names = [n for n, a in heading.attrs.items() if a.type.kind in _ORDERABLE]
        if not names:
            return ()
        return tuple(
            self.shape(st.lists(st.sampled_from(names), min_size=least, max_size=2, unique=True))
        )

    def aggr(self) -> Call:
        group = self.table("Item")
        source = self.table(self.pick(_CHILDREN["Item"]), depth=0)
        heading = self.heading(group)
        secondary = [n for n in heading.attrs if n not in heading.key]
        keep_form = self.pick(["none", "all", "some"])
        keep: tuple[str, ...] = ()
        if keep_form == "all":
            keep = ("...",)
        elif keep_form == "some":
            keep = tuple(self.shape(st.lists(st.sampled_from(secondary), max_size=2, unique=True)))
        return Aggr(
            group, source, self.aggregates(self.heading(source)), keep, self.shape(st.booleans())
        )

    def aggregates(self, heading: Result) -> tuple[tuple[str, str], ...]:
        out = []
        for _ in range(self.shape(st.integers(1, 3))):
            out.append((self.fresh(), self.aggregate(heading)))
        return tuple(out)

    def aggregate(self, heading: Result) -> str:
        attrs = {n: a.type for n, a in heading.attrs.items() if a.type.kind in _ORDERABLE}
        numbers = [n for n, t in attrs.items() if t.numeric]
        kinds = ["count*"]
        if attrs:
            kinds += ["count", "count_distinct", "count_distinct", "min", "max"]
        if numbers:
            kinds += ["sum", "sum", "avg", "stddev", "variance"]
        kind = self.pick(kinds)
        if kind == "count*":
            return "count(*)"
        if kind in ("count", "count_distinct", "min", "max"):
            name = self.pick(sorted(attrs))
            if kind == "count_distinct":
                return f"count({self.pick(['distinct', 'DISTINCT'])} {name})"
            return f"{kind}({name})"
        return f"{kind}({self.pick(numbers)})"

    # -- restrictions ------------------------------------------------------------------------------
    def restrict(self, call: Call, depth: int = 1) -> Call:
        return Restrict(call, self.condition(self.heading(call), depth), self.shape(st.booleans()))

    def condition(self, heading: Result, depth: int) -> Any:
        kinds = ["dict", "dict", "string", "string", "string", "string", "list", "andlist", "not"]
        kinds += ["true", "none"]
        if depth > 0:
            kinds += ["query"]
        kind = self.pick(kinds)
        if kind == "dict":
            return self.dict_condition(heading)
        if kind == "string":
            return self.string_condition(heading, 1)
        if kind in ("list", "andlist"):
            items = [
                self.condition(heading, 0)
                for _ in range(self.shape(st.integers(0 if kind == "list" else 1, 2)))
            ]
            return items if kind == "list" else AllOf(tuple(items))
        if kind == "not":
            return NotOf(self.condition(heading, 0))
        if kind == "true":
            return self.shape(st.booleans())
        if kind == "none":
            return None
        return self.semijoin(heading)

    def semijoin(self, heading: Result) -> Any:
        """A query sharing a lineage with ``heading`` (a table, restricted)."""
        lineages = {a.lineage for a in heading.attrs.values() if a.lineage}
        related = [
            name
            for name, columns in API_CATALOG.items()
            if any(c.lineage in lineages and c.name in heading.attrs for c in columns)
        ]
        if not related:
            return self.dict_condition(heading)
        other = self.table(self.pick(sorted(related)), depth=0)
        if self.unmatched(heading, other):  # namesakes without a shared lineage are refused
            other = Proj(other, (), ())
            if self.unmatched(heading, other):
                return self.dict_condition(heading)
        return other

    def unmatched(self, heading: Result, other: Call) -> bool:
        """True if ``other`` has namesakes of ``heading`` that do not share its lineage."""
        return any(
            n in heading.attrs and (a.lineage is None or a.lineage != heading.attrs[n].lineage)
            for n, a in self.heading(other).attrs.items()
        )

    def dict_condition(self, heading: Result) -> dict[str, Any]:
        names = [n for n, a in heading.attrs.items() if a.type.kind in _ORDERABLE]
        chosen = (
            self.shape(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
        )
        out: dict[str, Any] = {}
        for name in chosen:
            t = heading.attrs[name].type
            if self.choices.literal(st.integers(0, 5)) == 0:
                out[name] = None
            else:
                out[name] = spelled(self.value(t), t, self.choices.literal)
        if self.shape(st.integers(0, 5)) == 0:
            out["not_an_attribute"] = 1
        return out

    def string_condition(self, heading: Result, depth: int) -> str:
        attrs = {n: a.type for n, a in heading.attrs.items() if a.type.kind in _ORDERABLE}
        if not attrs:
            return self.pick(["TRUE", "FALSE"])
        kinds = ["compare", "compare", "flipped", "between", "in", "null", "columns"]
        if any(t.kind == "varchar" for t in attrs.values()):
            kinds.append("like")
        if depth > 0:
            kinds += ["and", "or", "not"]
        kind = self.pick(kinds)
        if kind in ("and", "or"):
            first = self.string_condition(heading, depth - 1)
            second = self.string_condition(heading, depth - 1)
            return f"({first}) {kind.upper()} ({second})"
        if kind == "not":
            return f"NOT ({self.string_condition(heading, depth - 1)})"
        name = self.pick(sorted(attrs))
        t = attrs[name]
        if kind in ("compare", "flipped"):
            op = self.pick(["=", "<>", "!=", "<", "<=", ">", ">="])
            literal = sql_literal(self.value(t))
            return f"{name} {op} {literal}" if kind == "compare" else f"{literal} {op} {name}"
        if kind == "between":
            low, high = self.value(t), self.value(t)
            negated = "NOT " if self.shape(st.integers(0, 3)) == 0 else ""
            return f"{name} {negated}BETWEEN {sql_literal(low)} AND {sql_literal(high)}"
        if kind == "in":
            items = [self.value(t) for _ in range(self.shape(st.integers(1, 3)))]
            negated = "NOT " if self.shape(st.booleans()) else ""
            return f"{name} {negated}IN ({', '.join(map(sql_literal, items))})"
        if kind == "null":
            return f"{name} IS {'NOT ' if self.shape(st.booleans()) else ''}NULL"
        if kind == "columns":
            partners = [n for n, other in attrs.items() if n != name and _comparable(t, other)]
            if partners:
                op = self.pick(["=", "<>", "<", ">="])
                return f"{name} {op} {self.pick(partners)}"
            return f"{name} IS NULL"
        texts = [n for n, other in attrs.items() if other.kind == "varchar"]
        pattern = self.choices.literal(st.text("ab%_ A'é", max_size=4))
        negated = "NOT " if self.shape(st.booleans()) else ""
        return f"{self.pick(texts)} {negated}LIKE {sql_literal(pattern)}"

    # -- order and projection ----------------------------------------------------------------------
    def order(self, heading: Result) -> str | tuple[str, ...]:
        names = [n for n, a in heading.attrs.items() if a.type.kind in _ORDERABLE]
        form = self.pick(["key", "one", "two", "comma"] if names else ["key"])
        direction = self.pick(["", " DESC", " desc", " ASC"])
        if form == "key":
            return "KEY" + direction
        first = self.pick(names) + direction
        if form == "one":
            return first
        second = self.pick(names) + self.pick(["", " DESC"])
        if second.split()[0] == first.split()[0]:
            return first
        return (first, second) if form == "two" else f"{first}, {second}"

    def top(self, call: Call) -> Call:
        limit = self.shape(st.one_of(st.none(), st.integers(0, 3)))
        order = self.order(self.heading(call)) if self.shape(st.integers(0, 4)) else None
        return TopCall(call, limit, order, self.shape(st.integers(0, 2)))

    def project(self, call: Call) -> Call:
        heading = self.heading(call)
        names = list(heading.attrs)
        secondary = [n for n in names if n not in heading.key]
        form = self.pick(["swap", "chain", "twice", "rename", "copy", "compute"])
        named: list[tuple[str, str]] = []
        involved: set[str] = set()
        if form in ("swap", "chain") and len(names) >= 2:
            a, b = self.shape(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
            if form == "swap":
                named = [(a, b), (b, a)]
            else:
                named = [(self.fresh(), b), (b, a)]
            involved = {a, b}
        elif form in ("twice", "rename", "copy") or len(names) < 2:
            a = self.pick(names)
            if form == "copy":
                named = [(self.fresh(), f"({a})")]
            else:
                named = [(self.fresh(), a)] + ([(self.fresh(), a)] if form == "twice" else [])
                involved = {a}
        else:
            named = [(self.fresh(), self.computed(heading))]
        rest = [n for n in secondary if n not in involved]
        kept_form = self.pick(["subset", "all", "drop"])
        attributes: tuple[str, ...] = ()
        if kept_form == "all":
            attributes = ("...",)
        elif kept_form == "drop" and rest:
            attributes = ("-" + self.pick(rest),)
        elif rest:
            attributes = tuple(self.shape(st.lists(st.sampled_from(rest), max_size=2, unique=True)))
        return Proj(call, attributes, tuple(named))

    def computed(self, heading: Result) -> str:
        attrs = {n: a.type for n, a in heading.attrs.items()}
        integers = [n for n, t in attrs.items() if t.integer]
        texts = [n for n, t in attrs.items() if t.kind == "varchar"]
        decimals = [n for n, t in attrs.items() if t.kind == "decimal"]
        forms = [f"{n} + 1" for n in integers] + [f"coalesce({n}, 0)" for n in integers]
        forms += [f"{n} * 2" for n in integers] + [f"-{n}" for n in integers]
        forms += [f"length({n})" for n in texts] + [f"lower({n})" for n in texts]
        forms += [f"{n} + 1" for n in decimals] + [f"abs({n})" for n in decimals]
        return self.pick(forms) if forms else "1 + 1"

    # -- whole reads -------------------------------------------------------------------------------
    def read(self) -> tuple[Call, Fetch]:
        call = self.source()
        if self.shape(st.integers(0, 2)) == 0:
            call = self.restrict(call, 0)
        if self.shape(st.integers(0, 2)) == 0:
            call = self.project(call)
            if self.shape(st.booleans()):
                call = self.restrict(call, 0)
        if self.shape(st.integers(0, 3)) == 0:
            call = self.top(call)
        kind = self.pick(["dicts", "dicts", "ordered", "fetch1", "len"])
        if kind == "ordered":
            order = self.order(self.heading(call)) if self.shape(st.integers(0, 4)) else None
            limit = self.shape(st.one_of(st.none(), st.integers(0, 3)))
            return call, Fetch("ordered", order, limit, self.shape(st.integers(0, 2)))
        if kind == "fetch1" and self.shape(st.booleans()):
            call = self.one_row(call)
        return call, Fetch(kind)

    def one_row(self, call: Call) -> Call:
        """``call`` restricted by a dict of its key's values (one row, if that key is stored)."""
        heading = self.heading(call)
        return Restrict(call, {k: self.value(heading.attrs[k].type) for k in heading.key})


def _comparable(a: Type, b: Type) -> bool:
    if a.numeric and b.numeric:
        return True
    return a.kind == b.kind and a.members == b.members and a.kind in _ORDERABLE


def _pools(rows: Rows) -> dict[Type, list[Any]]:
    out: dict[Type, list[Any]] = {}
    for table, table_rows in rows.items():
        for c in API_CATALOG[table]:
            t = read_type(c.type)
            out.setdefault(t, [])
            out[t] += [r[c.name] for r in table_rows if r[c.name] is not None]
    # the raw values and what they are stored as (rounded datetimes and decimals)
    return {t: found + [stored(v, t, False) for v in found] for t, found in out.items() if found}


@st.composite
def api_cases(draw: Callable, reads: int = 2) -> ApiCase:
    """Rows for :data:`API_SCHEMA` and ``reads`` calls, each followed by the same call with
    other literals."""
    rows = draw(api_rows())
    pools = _pools(rows)
    out: list[tuple[Call, Fetch]] = []
    for _ in range(reads):
        first = _Choices(draw)
        out.append(_Calls(first, pools).read())
        out.append(_Calls(_Choices(draw, first.recorded), pools).read())
    return ApiCase(rows, tuple(out))


# -- the write path --------------------------------------------------------------------------------


def outside(t: Type) -> st.SearchStrategy[Any]:
    """Values just outside the domain of ``t`` (None where every value of its kind fits)."""
    if t.integer:
        low, high = INTEGER_BOUNDS[t.kind]
        return st.sampled_from([low - 1, high + 1, high * 2 + 5])
    if t.kind == "decimal":
        bound = decimal.Decimal(10) ** (t.precision - t.scale)
        return st.sampled_from([bound, -bound, bound - decimal.Decimal("0.001")])
    if t.kind == "varchar":
        return st.text(TEXT_ALPHABET, min_size=t.length + 1, max_size=t.length + 2)
    if t.kind == "enum":
        return st.sampled_from(["zz", "MID", "", "hi "])
    if t.kind == "datetime" and t.precision < 6:
        return st.just(datetime.datetime(9999, 12, 31, 23, 59, 59, 999999))
    return st.nothing()


@st.composite
def write_rows(draw: Callable, max_rows: int = 4) -> list[dict[str, Any]]:
    """Raw rows for :data:`WRITE_SCHEMA`: values inside each type's domain (datetimes with
    digits below their precision, decimals with more digits than their scale, text spellings),
    NULLs, and now and then a value outside the domain."""
    ids = draw(st.lists(st.integers(0, 50), min_size=1, max_size=max_rows, unique=True))
    shared = draw(datetimes())  # one moment in every precision: the same value rounds apart
    rows = []
    for row_id in ids:
        row: dict[str, Any] = {"id": row_id}
        for c in WRITE_CATALOG["Sample"][1:]:
            t = read_type(c.type)
            choice = draw(st.integers(0, 15))
            if choice == 0:
                row[c.name] = None
            elif choice == 1 and not t.kind == "datetime" or choice == 15:
                row[c.name] = spelled(draw(st.one_of(outside(t), values(t))), t, draw)
            elif t.kind == "datetime" and choice < 8:
                row[c.name] = spelled(shared, t, draw)
            else:
                row[c.name] = spelled(draw(values(t)), t, draw)
        rows.append(row)
    return rows
