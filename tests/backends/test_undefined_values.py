"""Undefined values agree: every backend raises UndefinedValueError, naming the expression,
where PostgreSQL raises, and returns the same values everywhere else (NULL stays NULL)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

import frames as dj
from frames.errors import UndefinedValueError


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[tuple[type, type]]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Reading(dj.Manual):
        definition = """
        rid : int32
        ---
        x = null : float64
        d = null : int32
        w = null : decimal(6,2)
        label = '' : varchar(20)
        """

    @schema
    class Result(dj.Manual):
        definition = """
        rid : int32
        ---
        y = null : float64
        """

    Reading.insert(
        [
            {"rid": 1, "x": 8.0, "d": 2, "w": 2.5, "label": "12"},
            {"rid": 2, "x": -3.0, "d": 0, "w": 0, "label": "x7"},
            {"rid": 3, "x": None, "d": None, "w": None, "label": "2024-02-30"},
        ]
    )
    yield Reading, Result
    connection.close()


UNDEFINED = [
    ("x / d", "division by zero in x / d"),
    ("w / d", "division by zero in w / d"),
    ("d % d", "division by zero in d % d"),
    ("mod(rid, d)", "division by zero in rid % d"),
    ("sqrt(x)", "square root of a negative number in sqrt(x)"),
    ("ln(x)", "in ln(x)"),
    ("log10(d)", "in log10(d)"),
    ("power(x, 0.5)", "in power(x, 0.5)"),
    ("power(d, -1)", "in power(d, -1)"),
    ("exp(x * 100)", "overflow (the result exceeds the largest double) in exp(x * 100)"),
    ("cast(label as int32)", "CAST(label AS int32)"),
    ("cast(label as decimal(4,1))", "CAST(label AS decimal(4,1))"),
    ("cast(label as date)", "CAST(label AS date)"),
]


@pytest.mark.parametrize(("expression", "named"), UNDEFINED, ids=[u[0] for u in UNDEFINED])
def test_undefined_values_raise_naming_the_expression(lab, expression: str, named: str) -> None:
    reading, _ = lab
    with pytest.raises(UndefinedValueError) as raised:
        reading.proj(v=expression).to_dicts()
    assert named in str(raised.value)
    with pytest.raises(UndefinedValueError):  # in a restriction too
        len(reading & f"{expression} IS NOT NULL")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("x / d", {1: 4.0, 3: None}),
        ("sqrt(x)", {1: math.sqrt(8.0), 3: None}),
        ("ln(x)", {1: math.log(8.0), 3: None}),
        ("power(x, 2)", {1: 64.0, 2: 9.0, 3: None}),
        ("d % 2", {1: 0, 2: 0, 3: None}),
        ("cast(label as int32)", {1: 12}),
        ("cast(label as decimal(5,1))", {1: 12}),
        ("x / NULL", {1: None, 2: None, 3: None}),
    ],
)
def test_defined_values_and_nulls_are_the_same_everywhere(lab, expression, expected) -> None:
    reading, _ = lab
    rows = (reading & [{"rid": rid} for rid in expected]).proj(v=expression).to_dicts()
    got = {row["rid"]: row["v"] for row in rows}
    assert got.keys() == expected.keys()
    for rid, value in expected.items():
        assert got[rid] == pytest.approx(value) if value is not None else got[rid] is None


def test_an_undefined_value_in_insert_select_writes_nothing(lab) -> None:
    reading, result = lab
    with pytest.raises(UndefinedValueError) as raised:
        result.insert(reading.proj(y="x / d"))
    assert "x / d" in str(raised.value)
    assert len(result) == 0
    result.insert((reading & "d <> 0").proj(y="x / d"))
    assert result.to_dicts(order_by="rid") == [{"rid": 1, "y": 4.0}]


def test_a_guard_only_fires_on_the_rows_the_query_keeps(lab) -> None:
    reading, _ = lab
    assert (reading & "d <> 0").proj(v="x / d").to_dicts() == [{"rid": 1, "v": 4.0}]
