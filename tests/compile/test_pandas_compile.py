"""The SQL frames.pandas chains compile to, per dialect, without a database: one statement,
bound values, NULL placement and window spellings per dialect, portable outer merges."""

from __future__ import annotations

import pytest

import frames.pandas as fpd
from frames.api.query import QueryExpression
from frames.declare.spec import Attribute, TableRef
from frames.declare.types import parse_type
from frames.plan.heading import Heading
from frames.plan.nodes import make_table

DIALECTS = ["duckdb", "postgres", "mysql"]


def frame(name: str, *attrs: tuple[str, str, bool, bool]) -> fpd.DataFrame:
    """A frame over a table without a connection: (name, type, in key, nullable) attributes."""
    heading = Heading(
        tuple(Attribute(n, parse_type(t), in_key=k, nullable=null) for n, t, k, null in attrs)
    )
    query = QueryExpression(make_table(TableRef("lab", name), heading), None)  # type: ignore[arg-type]
    return fpd.DataFrame(query)


ITEM = frame(
    "item",
    ("id", "int32", True, False),
    ("g", "varchar(8)", False, True),
    ("x", "int64", False, True),
    ("t", "datetime", False, True),
)
CODE = frame("code", ("code", "int32", True, False), ("g", "varchar(8)", False, True))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_chain_is_one_statement_with_bound_values(dialect: str) -> None:
    chain = ITEM[ITEM.x > 3].assign(y=ITEM.x * 2).groupby("g").agg(n=("y", "sum")).head(2)
    sql, params = chain.compile(dialect)
    assert ";" not in sql and sorted(params) == [2, 2, 3]
    assert " 3" not in sql.replace("?", "")


def test_values_do_not_change_the_compiled_shape() -> None:
    first, first_params = ITEM[ITEM.x > 3].head(1).compile("duckdb")
    second, second_params = ITEM[ITEM.x > 7].head(5).compile("duckdb")
    assert first == second and first_params != second_params


def test_window_null_placement_per_dialect() -> None:
    last = ITEM.sort_values("x").x.cumsum()  # MySQL sorts NULLs first ascending
    sql = last.compile("mysql")[0]
    assert "NULLS" not in sql and "`x` IS NULL ASC, `t1`.`x` ASC" in sql
    first = ITEM.sort_values("x", na_position="first").x.cumsum()  # PostgreSQL: NULLs last
    assert "NULLS FIRST" in first.compile("postgres")[0]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_outer_merges_are_portable(dialect: str) -> None:
    sql = ITEM[["g", "x"]].merge(CODE, on="g", how="outer").compile(dialect)[0]
    assert "FULL" not in sql.upper() and "UNION ALL" in sql and "NOT EXISTS" in sql
    null_safe = "<=>" if dialect == "mysql" else "IS NOT DISTINCT FROM"
    assert null_safe in sql  # both keys can be NULL: NULL matches NULL, as in pandas
    plain = ITEM.reset_index().merge(CODE.reset_index(), left_on="id", right_on="code")
    assert null_safe not in plain.compile(dialect)[0]  # keys without NULLs: a hashable =


def test_date_parts_per_dialect() -> None:
    assert "WEEKDAY(" in ITEM.t.dt.dayofweek.compile("mysql")[0]
    assert "ISODOW" in ITEM.t.dt.dayofweek.compile("postgres")[0]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_empty_isin_is_false(dialect: str) -> None:
    sql = ITEM[ITEM.x.isin([])].compile(dialect)[0]
    assert "IN ()" not in sql and "FALSE" in sql.upper()
