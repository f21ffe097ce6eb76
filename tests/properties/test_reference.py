"""The reference evaluator itself: hand-checked answers from the semantics in DESIGN.md, and the
fragment parser against the expressions the strategies mean (no database needed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import frames as dj
from frames.declare.spec import Attribute, TableRef
from frames.declare.types import parse_type
from frames.plan.heading import Heading
from frames.plan.nodes import make_table
from frames.sql.fragments import parse_fragment
from frames.testing.asserts import values_match
from frames.testing.reference import (
    Approx,
    ReferenceError,
    count_unknown,
    evaluate,
    evaluate_expression,
)
from frames.testing.strategies import (
    RICH_SCHEMA,
    aggregate_fragments,
    condition_fragments,
    maybe_null,
    value_fragments,
    values_of,
)


def _table(
    name: str,
    key: dict[str, str],
    secondary: dict[str, str] | None = None,
    lineage: dict[str, str] | None = None,
    nullable: tuple[str, ...] = (),
):
    """A query over a table that exists only as a plan (nothing is fetched)."""
    lineage = lineage or {}
    attrs = [
        Attribute(n, parse_type(t), in_key=True, lineage=lineage.get(n, f"s.{name}.{n}"))
        for n, t in key.items()
    ]
    attrs += [
        Attribute(n, parse_type(t), nullable=n in nullable, lineage=lineage.get(n))
        for n, t in (secondary or {}).items()
    ]
    return dj.QueryExpression(make_table(TableRef("s", name), Heading(tuple(attrs))), None)


A = _table(
    "a",
    {"a": "int32"},
    {"x": "int32", "d": "decimal(5,2)", "s": "varchar(8)"},
    nullable=("x", "d", "s"),
)
B = _table(
    "b", {"a": "int32", "b": "int32"}, {"y": "int64"}, lineage={"a": "s.a.a"}, nullable=("y",)
)
N = _table("n", {"k": "int32"}, {"a": "int32"}, lineage={"a": "s.a.a"}, nullable=("a",))
ROWS = {
    "a": [
        {"a": 1, "x": 5, "d": Decimal("1.50"), "s": "p"},
        {"a": 2, "x": None, "d": None, "s": None},
        {"a": 3, "x": 0, "d": Decimal("-2.25"), "s": "it's"},
    ],
    "b": [{"a": 1, "b": 1, "y": 10}, {"a": 1, "b": 2, "y": None}, {"a": 3, "b": 1, "y": 7}],
    "n": [{"k": 1, "a": None}, {"k": 2, "a": 1}],
}


def rows(query, *names):
    result = evaluate(query.plan, ROWS)
    names = names or result.names
    return sorted(
        (tuple(r[n] for n in names) for r in result.rows),
        key=lambda t: tuple((v is None, str(v)) for v in t),
    )


def test_restrictions_use_three_valued_logic():
    assert rows(A & "x > 1", "a") == [(1,)]
    assert rows(A - "x > 1", "a") == [(3,)]  # NULL x is in neither part
    assert count_unknown(A.plan, (A & "x > 1").plan.cond, ROWS) == 1
    assert rows(A & {"x": None}, "a") == [(2,)]  # None means IS NULL
    assert rows(A & {"x": 5, "zzz": 1}, "a") == [(1,)]  # unknown keys are ignored
    assert rows(A & [], "a") == []  # an empty OR is false
    assert rows(A - [], "a") == [(1,), (2,), (3,)]
    assert rows(A & dj.AndList(["x >= 0", {"s": "it's"}]), "a") == [(3,)]
    assert rows(A & dj.Not("x > 1"), "a") == [(3,)]
    assert rows(A & "NOT (x > 1 OR s = 'p')", "a") == [(3,)]


def test_semijoin_and_antijoin_are_exists():
    assert rows(A & B, "a") == [(1,), (3,)]
    assert rows(A - B, "a") == [(2,)]
    assert rows(A - N, "a") == [(2,), (3,)]  # a NULL in N hides no row (not NOT IN)
    assert rows(N & A, "k") == [(2,)]
    assert rows(A & (B & "b > 5"), "a") == []
    empty = B & "b > 5"
    assert rows(A & empty.proj(z="a"), "a") == []  # no namesakes: is the other empty?
    assert rows(A & B.proj(z="a"), "a") == [(1,), (2,), (3,)]


def test_join_keys_and_outer_join():
    joined = evaluate((A * B).plan, ROWS)
    assert set(joined.primary_key) == {"a", "b"}  # B → A: the key of B
    assert len(joined.rows) == 3
    outer = evaluate(A.join(B.proj(y2="y") & {"b": 1}, left=False).plan, ROWS)
    assert len(outer.rows) == 2
    pk_only = _table("p", {"a": "int32"}, {"w": "int32"}, lineage={"a": "s.a.a"})
    left = evaluate(A.join(pk_only, left=True).plan, {**ROWS, "p": [{"a": 1, "w": 9}]})
    assert sorted((r["a"], r["w"]) for r in left.rows) == [(1, 9), (2, None), (3, None)]
    assert left.primary_key == ("a",)


def test_aggregation_over_no_matches():
    result = rows(
        A.aggr(B, n="count(*)", m="count(y)", t="sum(y)", v="avg(y)", h="max(y)"),
        "a",
        "n",
        "m",
        "t",
        "h",
    )
    assert result == [(1, 2, 1, 10, 10), (2, 0, 0, None, None), (3, 1, 1, 7, 7)]
    averages = {r["a"]: r["v"] for r in evaluate(A.aggr(B, v="avg(y)").plan, ROWS).rows}
    assert averages == {1: 10.0, 2: None, 3: 7.0}
    assert isinstance(averages[1], Approx)
    inner = rows(A.aggr(B, n="count(*)", exclude_nonmatching=True), "a", "n")
    assert inner == [(1, 2), (3, 1)]
    restricted = rows(A.aggr(B & "b > 1", n="count(*)"), "a", "n")
    assert restricted == [(1, 1), (2, 0), (3, 0)]  # a restricted group keeps every row


def test_grouping_distinct_and_sums():
    assert rows(dj.U("x") & A, "x") == [(0,), (5,), (None,)]
    assert rows(dj.U() & A) == [()]
    assert rows(dj.U() & (A & "a > 9")) == []
    assert rows(dj.U().aggr(A & "a > 9", n="count(*)", t="sum(x)")) == [(0, None)]
    total = evaluate(dj.U().aggr(A, t="sum(d)").plan, ROWS).rows[0]["t"]
    assert total == Decimal("-0.75") and total.as_tuple().exponent == -2
    assert rows(dj.U("a").aggr(B, n="count(*)"), "a", "n") == [(1, 2), (3, 1)]


def test_union_and_top():
    union = evaluate(((A & "a = 1").proj("x") + (A & "a > 1").proj("s")).plan, ROWS)
    assert sorted((r["a"], r["x"], r["s"]) for r in union.rows) == [
        (1, 5, None),
        (2, None, None),
        (3, None, "it's"),
    ]
    ordered = evaluate((A & dj.Top(2, order_by="x")).plan, ROWS)
    assert [r["a"] for r in ordered.rows] == [2, 3]  # NULL first ascending
    ordered = evaluate((A & dj.Top(2, order_by="x DESC", offset=1)).plan, ROWS)
    assert [r["a"] for r in ordered.rows] == [3, 2]  # NULL last descending


def test_undefined_values_raise():
    big = _table("g", {"k": "int32"}, {"v": "int64"})
    tables = {"g": [{"k": 1, "v": 2**63 - 1}]}
    with pytest.raises(ReferenceError):
        evaluate(big.proj(w="v + 1").plan, tables)
    with pytest.raises(ReferenceError):
        evaluate(
            dj.U().aggr(big, t="sum(v)").plan, {"g": [{"k": 1, "v": 2**63 - 1}, {"k": 2, "v": 1}]}
        )
    assert evaluate(big.proj(w="v / 2").plan, tables).rows[0]["w"] == pytest.approx(2**62)


# -- the fragment parser against what each generated fragment means -------------------------


def _rich_heading() -> Heading:
    attrs = {}
    for table in RICH_SCHEMA.tables:
        for attr in RICH_SCHEMA.attributes(table.name):
            attrs.setdefault(attr.name, Attribute(attr.name, attr.core, nullable=True))
    return Heading(tuple(attrs.values()))


HEADING = _rich_heading()
TYPES = {a.name: a.type for a in HEADING}


@st.composite
def heading_rows(draw, size: int = 1):
    return [
        {a.name: draw(maybe_null(values_of(a.type), True)) for a in HEADING} for _ in range(size)
    ]


def _outcome(expr, row, group=None):
    try:
        return evaluate_expression(expr, row, TYPES, group)
    except ReferenceError:
        return ReferenceError


def _same(parsed, meant) -> bool:
    if parsed is ReferenceError or meant is ReferenceError:
        return parsed is meant
    if isinstance(meant, Approx) and isinstance(parsed, float):
        return meant.matches(parsed)
    return values_match(parsed, meant) or (parsed == meant and type(parsed) is type(meant))


@given(fragment=condition_fragments(HEADING) | value_fragments(HEADING), data=heading_rows(3))
def test_fragments_mean_what_they_say(fragment, data):
    """Each generated fragment, parsed by frames, evaluates like the expression it was made
    from (so the reference, which evaluates parsed plans, checks what the user wrote)."""
    note(fragment.text)
    parsed = parse_fragment(fragment.text, HEADING, where="test")
    for row in data:
        got, meant = _outcome(parsed, row), _outcome(fragment.expr, row)
        assert _same(got, meant), f"{fragment.text} on {row}: parsed {got!r}, meant {meant!r}"


@given(fragment=aggregate_fragments(HEADING), data=heading_rows(4))
def test_aggregate_fragments_mean_what_they_say(fragment, data):
    note(fragment.text)
    parsed = parse_fragment(fragment.text, HEADING, where="test", allow_aggregates=True)
    for group in (data, data[:1], []):
        got, meant = _outcome(parsed, {}, group), _outcome(fragment.expr, {}, group)
        assert _same(got, meant), f"{fragment.text} over {group}: parsed {got!r}, meant {meant!r}"


def test_dates_in_fragments_are_dates():
    parsed = parse_fragment("day >= '2024-01-01'", HEADING, where="test")
    row = {"day": datetime.date(2024, 1, 1)}
    assert evaluate_expression(parsed, row, TYPES) is True
