"""Restrictions have no recursion limit: 10,000 ORs, 1,000 nested parentheses, 10,000 dicts,
a thousand restrictions in a loop — on every backend, with the rows a short one gives."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest

import frames as dj


@pytest.fixture
def numbers(backend_url: str, schema_name: str) -> Iterator[type]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Number(dj.Manual):
        definition = """
        n : int32
        ---
        parity : varchar(4)
        """

    Number.insert([{"n": i, "parity": "even" if i % 2 == 0 else "odd"} for i in range(20)])
    yield Number
    connection.close()


def _keys(query) -> list[int]:
    return sorted(row["n"] for row in query.to_dicts())


def test_ten_thousand_ors(numbers) -> None:
    text = " OR ".join(f"n = {i * 3}" for i in range(10_000))
    assert _keys(numbers & text) == [0, 3, 6, 9, 12, 15, 18]
    assert _keys(numbers - text) == [n for n in range(20) if n % 3]


def test_ten_thousand_ands(numbers) -> None:
    text = " AND ".join(f"n <> {i + 5}" for i in range(10_000))
    assert _keys(numbers & text) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "shape",
    ["redundant", "left", "right", "and_in_or"],
)
def test_a_thousand_nested_parentheses(numbers, shape: str) -> None:
    depth = 1000
    if shape == "redundant":
        text = "(" * depth + "n = 7" + ")" * depth
        expected = [7]
    elif shape == "left":  # ((((n = 0) OR n = 1) OR n = 2) ...)
        text = "(" * depth + "n = 0" + "".join(f" OR n = {i})" for i in range(1, depth + 1))
        expected = list(range(20))
    elif shape == "right":  # (n = 0 OR (n = 1 OR (n = 2 ...)))
        text = "".join(f"(n = {i} OR " for i in range(depth)) + "n = -1" + ")" * depth
        expected = list(range(20))
    else:  # (n < 10 AND (n > 2 AND (... OR n = 15)))
        text = "".join("(n < 10 AND " for _ in range(depth)) + "n > 2" + ")" * depth
        text = f"({text}) OR n = 15"
        expected = [3, 4, 5, 6, 7, 8, 9, 15]
    assert _keys(numbers & text) == expected


def test_ten_thousand_dicts(numbers) -> None:
    keys = [{"n": i * 2} for i in range(10_000)]
    assert _keys(numbers & keys) == list(range(0, 20, 2))
    assert _keys(numbers - keys) == list(range(1, 20, 2))
    pairs = [{"n": i, "parity": "even" if i % 2 == 0 else "odd"} for i in range(0, 20_000, 2)]
    assert _keys(numbers & pairs) == list(range(0, 20, 2))
    assert _keys(numbers - pairs) == list(range(1, 20, 2))


def test_nested_lists_and_negations(numbers) -> None:
    nested = functools.reduce(lambda inner, i: [inner, {"n": i}], range(1, 1000), {"n": 0})
    assert _keys(numbers & nested) == list(range(20))
    negated = functools.reduce(lambda inner, _: dj.Not(inner), range(1001), {"n": 3})
    assert _keys(numbers & negated) == [n for n in range(20) if n != 3]


def test_a_thousand_restrictions_in_a_loop(numbers) -> None:
    query = numbers
    for i in range(1000):
        query = query & f"n <> {i + 5}"
        query = query - {"n": i + 1000}
    assert _keys(query) == [0, 1, 2, 3, 4]
