"""The guarded SQL of undefined values, per dialect, without a database (the errors it raises
are checked on every backend in tests/backends/test_undefined_values.py)."""

from __future__ import annotations

import pytest
from test_query_compile import table

from frames import undefined
from frames.sql.fragments import parse_fragment
from frames.sql.guards import describe

READING = table(
    "reading",
    ("rid", "int32", True),
    ("x", "float64", False),
    ("d", "int16", False),
    ("label", "varchar(20)", False),
)

RAISES = {
    "duckdb": "ERROR('frames-undefined-",
    "postgres": "THEN 'frames-undefined-",
    "mysql": "9223372036854775807 + ",
}


@pytest.mark.parametrize("dialect", sorted(RAISES))
@pytest.mark.parametrize(
    "expression", ["x / d", "d % 3", "sqrt(x)", "ln(x)", "power(x, d)", "cast(label as date)"]
)
def test_operations_without_a_value_everywhere_are_guarded(dialect: str, expression: str) -> None:
    sql, params = READING.proj(v=expression).compile(dialect)
    assert RAISES[dialect] in sql
    assert sql.count("?") == len(params), "a guard added a placeholder"


def test_the_tag_names_the_expression() -> None:
    sql, _ = READING.proj(v="x / (d - 2)").compile("duckdb")
    tag = sql.split("frames-undefined-")[1].split("'")[0]
    assert undefined.described(f"Invalid Input Error: frames-undefined-{tag}") == (
        "division by zero in x / (d - 2)"
    )
    number = undefined.NUMBER_OFFSET + int(tag)
    assert undefined.described(
        f"BIGINT value is out of range in '{undefined.BIGINT_MAX} + {number}'"
    )


def test_floating_point_overflow_is_checked_where_floats_overflow_to_infinity() -> None:
    duckdb, _ = READING.proj(v="x * x + 1").compile("duckdb")
    postgres, _ = READING.proj(v="x * x + 1").compile("postgres")
    assert duckdb.count("ISFINITE(") == 1  # once, at the top
    assert duckdb.count('"t1"."x" * "t1"."x"') == 2, (
        "the checked value and the result: the value twice, no more"
    )
    assert "ISFINITE" not in postgres and "frames-undefined" not in postgres


def test_bound_values_are_not_named_since_the_sql_serves_every_value() -> None:
    first = READING.proj(v="cast(label || 'x' as int32)").compile("postgres")[0]
    second = READING.proj(v="cast(label || 'y' as int32)").compile("postgres")[0]
    assert first == second
    expression = parse_fragment("cast(label || 'x' as int32)", READING.plan.heading, where="t")
    assert describe(expression) == "CAST(label || ? AS int32)"
