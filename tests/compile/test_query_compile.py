"""Query compilation without a database: flat SQL, bound parameters, errors at the operator."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import frames as dj
import frames.plan.rewrite as rewrite_module
import frames.sql.compile as compile_module
from frames.api.query import QueryExpression
from frames.declare.spec import Attribute, TableRef
from frames.declare.types import parse_type
from frames.errors import FragmentError, QueryError, UnknownAttributeError
from frames.plan.heading import Heading
from frames.plan.nodes import Node, make_table
from frames.sql.lower import Lowering

S = "lab"


def table(
    name: str, *attrs: tuple[str, str, bool], lineage: dict[str, str] | None = None
) -> QueryExpression:
    lineage = lineage or {}
    heading = Heading(
        tuple(
            Attribute(
                n, parse_type(t), in_key=k, lineage=lineage.get(n, f"{S}.{name}.{n}" if k else None)
            )
            for n, t, k in attrs
        )
    )
    return QueryExpression(make_table(TableRef(S, name), heading), None)  # type: ignore[arg-type]


SUBJECT = table(
    "subject",
    ("subject_id", "int32", True),
    ("sex", "enum('M','F')", False),
    ("weight", "decimal(5,1)", False),
)
SESSION = table(
    "session",
    ("subject_id", "int32", True),
    ("session_date", "date", True),
    ("notes", "varchar(255)", False),
    lineage={"subject_id": f"{S}.subject.subject_id"},
)


def test_restrictions_projections_and_joins_fuse_into_one_select() -> None:
    query = ((SESSION & {"subject_id": 1}) * (SUBJECT & "sex = 'M'")).proj("notes", "weight")
    sql, params = query.compile("postgres")
    assert sql.count("SELECT") == 1
    assert "JOIN" in sql and "NATURAL" not in sql and "USING" not in sql
    assert params == [1, "M"]
    assert "'M'" not in sql and " 1" not in sql.split("WHERE")[1]


def test_antijoin_is_not_exists_on_every_dialect(backend_name: str) -> None:
    sql, _ = (SUBJECT - SESSION).compile(backend_name)
    assert "NOT (EXISTS(" in sql and " IN (" not in sql


#: One query per construct; its SQL on each dialect is in snapshots/test_compiled_sql/.
SNAPSHOT_QUERIES: dict[str, Callable[[], QueryExpression]] = {
    "restrict_join_project": lambda: ((SESSION & {"subject_id": 1}) * (SUBJECT & "sex = 'M'")).proj(
        "notes", "weight"
    ),
    "semijoin": lambda: SUBJECT & SESSION,
    "antijoin": lambda: SUBJECT - SESSION,
    "left_join": lambda: SESSION.join(SUBJECT, left=True),
    "aggregate_restricted": lambda: SUBJECT.aggr(SESSION & {"notes": "x"}, n="count(*)"),
    "average": lambda: dj.U().aggr(SUBJECT.proj(w="weight"), m="avg(w)", n="count(*)"),
    # the guard's error tag derives from the expression's text: the same SQL in every process
    "guarded_division": lambda: SUBJECT.proj(r="weight / subject_id"),
    "top": lambda: SUBJECT & dj.Top(2, "weight DESC", offset=1),
    "outer_union": lambda: SUBJECT.proj("sex") + SUBJECT.proj(),
    "distinct": lambda: dj.U("sex") & SUBJECT,
}


@pytest.mark.parametrize("name", SNAPSHOT_QUERIES)
def test_compiled_sql(name: str, backend_name: str, snapshot) -> None:
    """The whole statement and its parameters, as each dialect gets them."""
    sql, params = SNAPSHOT_QUERIES[name]().compile(backend_name)
    snapshot.check(sql, params)


def test_aggregation_counts_matches_not_the_null_row() -> None:
    sql, _ = SUBJECT.aggr(SESSION, n="count(*)").compile("duckdb")
    assert "LEFT JOIN" in sql and "COUNT(*)" not in sql
    assert "GROUP BY" in sql


def test_aggregation_of_a_restricted_source_keeps_its_condition_in_the_join() -> None:
    sql, params = SUBJECT.aggr(SESSION & {"notes": "x"}, n="count(*)").compile("postgres")
    assert "LEFT JOIN" in sql and params == ["x"]
    assert sql.index("?") < sql.index("GROUP BY")
    assert "WHERE" not in sql.split("LEFT JOIN")[0]


def test_division_and_average_are_floating_point_everywhere() -> None:
    for dialect, cast in [
        ("duckdb", "DOUBLE"),
        ("postgres", "DOUBLE PRECISION"),
        ("mysql", "DOUBLE"),
    ]:
        sql, _ = dj.U().aggr(SUBJECT, m="avg(weight)").compile(dialect)
        assert f"AS {cast})" in sql
        sql, _ = SUBJECT.proj(w="weight / 60").compile(dialect)
        assert f"AS {cast}) / 60" in sql
    heading = SUBJECT.proj(w="weight / 60").plan.heading
    assert heading["w"].type.kind == "float64"


def test_same_shape_reuses_the_compiled_sql_with_new_values() -> None:
    first = (SESSION & {"subject_id": 1}).compile("duckdb")
    second = (SESSION & {"subject_id": 2}).compile("duckdb")
    assert first[0] == second[0] and first[1] == [1] and second[1] == [2]


@pytest.mark.parametrize(
    ("first", "second"), [("1", "true"), ("true", "1"), ("2", "2.0"), ("1.0", "1.00")]
)
def test_literals_equal_in_value_but_spelled_differently_compile_apart(
    first: str, second: str
) -> None:
    """The SQL cache is keyed by plan shape; a literal's spelling is part of it."""
    flags = table(
        "flags", ("id", "int32", True), ("n", "decimal(5,2)", False), ("b", "bool", False)
    )
    for literal in (first, second):
        sql, _ = flags.proj(x=literal).compile("postgres")
        assert f'{literal.upper()} AS "X"' in sql.upper(), (literal, sql)


def test_values_that_look_like_sql_stay_parameters() -> None:
    sql, params = (SESSION & {"notes": "x'; DROP TABLE session; --"}).compile("mysql")
    assert "DROP" not in sql and params == ["x'; DROP TABLE session; --"]


def test_a_chain_of_200_operators_is_rewritten_in_one_pass_and_lowered_flat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compiling costs one rewrite visit per plan node, and the merged restrictions lower to one
    block: the work grows with the chain's length, not faster (counted, not timed)."""
    query = SESSION
    for i in range(200):
        query = query & {"subject_id": i} if i % 2 else query.proj("notes")
    visits: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            visits[name] += 1
            return function(*args)

        return call

    rewriting = counted("rewrite", rewrite_module.rewrite)
    monkeypatch.setattr(rewrite_module, "rewrite", rewriting)  # its recursive calls
    monkeypatch.setattr(compile_module, "rewrite", rewriting)  # the first call
    monkeypatch.setattr(Lowering, "lower", counted("lower", Lowering.lower))
    sql, params = query.compile("postgres")
    assert visits == {"rewrite": plan_size(query.plan), "lower": 2}  # Restrict, BaseTable
    assert plan_size(query.plan) == 201
    assert len(params) == 100 and sql.count("SELECT") == 1


def plan_size(node: Node) -> int:
    """The number of plan nodes in ``node``'s tree."""
    children = (getattr(node, f.name) for f in dataclasses.fields(node))
    return 1 + sum(plan_size(child) for child in children if isinstance(child, Node))


def test_unknown_attribute_in_a_fragment_names_it_and_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownAttributeError) as error:
        SUBJECT.proj(w="weights / 60")
    message = str(error.value)
    assert "'weights'" in message and "subject_id, sex, weight" in message and "^" in message


def test_fragments_reject_statements_subqueries_and_unknown_functions() -> None:
    for fragment in ["sex = 'M'; DROP TABLE x", "subject_id in (select 1)", "sleep(10) = 1"]:
        with pytest.raises(FragmentError):
            SUBJECT & fragment
    with pytest.raises(FragmentError, match="only allowed in aggr"):
        SUBJECT.proj(s="sum(weight)")


def test_mysql_fragment_dialect_reads_double_quoted_strings() -> None:
    dj.config["fragment_dialect"] = "mysql"
    try:
        _, params = (SUBJECT & 'sex = "M"').compile("duckdb")
    finally:
        del dj.config["fragment_dialect"]
    assert params == ["M"]


def test_namesakes_without_shared_lineage_cannot_be_joined() -> None:
    other = table("other", ("id", "int32", True), ("notes", "varchar(10)", False))
    with pytest.raises(QueryError, match=r"notes.*proj"):
        SESSION * other.proj(notes="notes")


def test_projection_errors() -> None:
    with pytest.raises(UnknownAttributeError):
        SUBJECT.proj("nope")
    with pytest.raises(QueryError, match="primary-key"):
        SUBJECT.proj("-subject_id")
    with pytest.raises(QueryError, match="both kept and assigned"):
        SUBJECT.proj("sex", sex="weight")
    with pytest.raises(QueryError, match="twice"):
        SUBJECT.proj(subject_id="sex")


def test_projection_keeps_key_renames_in_the_key_and_heading_order() -> None:
    renamed = SESSION.proj("notes", subject="subject_id")
    assert renamed.primary_key == ["subject", "session_date"]
    assert SUBJECT.proj("weight", "sex").heading.names == ["subject_id", "sex", "weight"]


def test_join_key_follows_functional_dependency() -> None:
    assert (SESSION * SUBJECT).primary_key == ["subject_id", "session_date"]
    assert (SUBJECT * SESSION).primary_key == ["subject_id", "session_date"]
    with pytest.raises(QueryError, match="left operand to determine"):
        SUBJECT.join(SESSION, left=True)


def test_u_cannot_be_joined() -> None:
    with pytest.raises(QueryError):
        dj.U("sex") * SUBJECT
    assert (dj.U("sex") & SUBJECT).primary_key == ["sex"]


def test_top_orders_by_the_key_after_the_named_attributes() -> None:
    query = SUBJECT & dj.Top(2, "weight DESC", offset=1)
    sql, params = query.compile("mysql")
    assert "ORDER BY `t1`.`weight` DESC" in sql and "`t1`.`subject_id`" in sql.split("ORDER BY")[1]
    assert params == [2, 1]


def test_union_needs_the_same_primary_key() -> None:
    with pytest.raises(QueryError, match="same primary key"):
        SUBJECT + SESSION


def test_aggregation_needs_the_groups_key_in_the_aggregated_query() -> None:
    other = table("other", ("other_id", "int32", True))
    with pytest.raises(QueryError, match="subject_id"):
        SUBJECT.aggr(other, n="count(*)")


def test_join_heading_order_follows_datajoint() -> None:
    # A -> B: A's attributes, then B's new ones
    assert (SESSION * SUBJECT).heading.names == [
        "subject_id",
        "session_date",
        "notes",
        "sex",
        "weight",
    ]
    # B -> A only: B's attributes first, and B's key
    assert (SUBJECT * SESSION).heading.names == [
        "subject_id",
        "session_date",
        "notes",
        "sex",
        "weight",
    ]
    # neither: A's key, B's new key, A's secondary, B's secondary
    other = table("other", ("other_id", "int32", True), ("label", "varchar(8)", False))
    joined = SUBJECT * other
    assert joined.heading.names == ["subject_id", "other_id", "sex", "weight", "label"]
    assert joined.primary_key == ["subject_id", "other_id"]


def test_outer_union_makes_every_secondary_attribute_nullable() -> None:
    union = SUBJECT.proj("sex") + SUBJECT.proj()
    assert union.heading["sex"].nullable and not union.heading["subject_id"].nullable


def test_operands_of_in_and_between_keep_their_precedence() -> None:
    sql, _ = (SUBJECT & "(sex = 'M') in (true, false)").compile("postgres")
    assert '("t1"."sex" = ?) IN (TRUE, FALSE)' in sql
    sql, _ = (SUBJECT & "(weight > 1) between false and true").compile("duckdb")
    assert '("t1"."weight" > 1) BETWEEN' in sql
