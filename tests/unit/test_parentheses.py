"""Redundant parentheses are dropped before parsing, without changing what a fragment means."""

from __future__ import annotations

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot.dialects.dialect import Dialect

from frames.declare.spec import Attribute
from frames.declare.types import CoreType
from frames.plan.heading import Heading
from frames.plan.normalize import normalize
from frames.sql.fragments import _Converter, parse_fragment
from frames.sql.parentheses import without_redundant_parentheses

HEADING = Heading(tuple(Attribute(n, CoreType("int32"), nullable=True) for n in "abcd"))


def _reduced(text: str, read: str = "postgres") -> str:
    tokens = Dialect.get_or_raise(read).tokenize(text)
    return " ".join(t.text for t in without_redundant_parentheses(tokens))


def test_redundant_pairs_go_and_meaningful_ones_stay() -> None:
    assert _reduced("((a = 1)) OR (b = 2 OR (c = 3))") == "a = 1 OR b = 2 OR c = 3"
    assert _reduced("a AND (b OR c)") == "a AND ( b OR c )"
    assert _reduced("x AND ((a OR b))") == "x AND ( a OR b )"
    assert _reduced("NOT (a OR b)") == "NOT ( a OR b )"
    assert _reduced("(a = 1) = true") == "( a = 1 ) = true"
    assert _reduced("a BETWEEN 1 AND (b AND c)") == "a BETWEEN 1 AND ( b AND c )"
    assert _reduced("f((a OR b), c)") == "f ( ( a OR b ) , c )"
    assert _reduced("a IN ((1), (2))") == "a IN ( ( 1 ) , ( 2 ) )"
    assert _reduced("(" * 1000 + "a = 1" + ")" * 1000) == "a = 1"


def test_unbalanced_parentheses_are_left_to_the_parser() -> None:
    assert _reduced("((a = 1)") == "( ( a = 1 )"


_ATOMS = st.sampled_from(
    ["a = 1", "b > 2", "c IS NULL", "NOT d = 3", "a BETWEEN 1 AND 3", "b IN (1, 2)", "true"]
)


@st.composite
def _conditions(draw, depth: int = 4) -> str:
    if depth == 0 or draw(st.booleans()):
        text = draw(_ATOMS)
    else:
        op = draw(st.sampled_from(["AND", "OR"]))
        parts = [draw(_conditions(depth - 1)) for _ in range(draw(st.integers(2, 3)))]
        text = f" {op} ".join(parts)
        if draw(st.booleans()):
            text = f"NOT ({text})"
    for _ in range(draw(st.integers(0, 2))):
        text = f"({text})"
    return text


@settings(max_examples=150, deadline=None)
@given(_conditions(), st.sampled_from(["postgres", "mysql"]))
def test_reduction_keeps_the_meaning(text: str, read: str) -> None:
    """The fragment read with and without the reduction gives the same plan expression."""
    direct = _Converter(text, HEADING, "test", False).convert(sqlglot.parse_one(text, read=read))
    backend = "mysql" if read == "mysql" else "postgres"
    assert parse_fragment(text, HEADING, where="test", backend=backend) == normalize(
        direct, HEADING
    )
