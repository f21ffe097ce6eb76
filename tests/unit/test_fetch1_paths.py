"""The short paths of ``(Table & key).fetch1()`` give what the general paths give.

``Table & dict`` is built from the class's declaration without an unrestricted instance, and
the compiled query of a plan shape reads the values of later plans of that shape along the
paths recorded on its first compile. Both must be indistinguishable from the general paths:
same instances, plans, SQL, parameters, results and errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import ClassVar

import pytest

import frames as dj
from frames.api.query import QueryExpression
from frames.errors import DataError, FetchError, MissingTableError
from frames.plan.nodes import AndCond, ExprCond, make_restrict, make_table
from frames.plan.values import Col, Op, Param
from frames.sql.compile import _compile_cached, _params, compile_plan, compile_shape


@pytest.fixture
def tables() -> Iterator[dict[str, type]]:
    connection = dj.connect("duckdb://")
    schema = dj.Schema("fetch1_paths", connection=connection)

    @schema
    class Recording(dj.Manual):
        definition = """
        subject : int32
        session : int32
        recording : int32
        ---
        quality : enum('good', 'bad')
        code : uuid
        duration : float64
        """

    @schema
    class Tagged(dj.Manual):
        definition = """
        subject : int32
        ---
        tag : varchar(8)
        """

        seen: ClassVar[list[object]] = []

        def restrict(self, condition: object) -> QueryExpression:
            type(self).seen.append(condition)
            return super().restrict(condition)

    Recording.insert(
        [
            {
                "subject": s,
                "session": t,
                "recording": r,
                "quality": "good" if r else "bad",
                "code": uuid.UUID(int=100 * s + 10 * t + r),
                "duration": 1.5 * r,
            }
            for s in range(2)
            for t in range(2)
            for r in range(3)
        ]
    )
    Tagged.insert([{"subject": 1, "tag": "kept"}, {"subject": 2, "tag": "dropped"}])
    yield {"Recording": Recording, "Tagged": Tagged}
    connection.close()


KEY = {"subject": 1, "session": 0, "recording": 2}


def test_class_restriction_is_the_instance_restriction(tables: dict[str, type]) -> None:
    recording = tables["Recording"]
    for row in (
        KEY,
        {},
        {"quality": "good", "other": 3},
        {"subject": "1"},
        {"quality": "unknown"},
        {"code": None},
    ):
        short, general = recording & row, recording() & row
        assert type(short) is recording
        assert vars(short).keys() == vars(general).keys()
        assert short.plan == general.plan
        assert short._connection is general._connection
        assert short.compile() == general.compile()
        assert short.to_dicts(order_by="KEY") == general.to_dicts(order_by="KEY")


def test_fetch1_by_full_key(tables: dict[str, type]) -> None:
    recording = tables["Recording"]
    row = (recording & KEY).fetch1()
    assert row == {**KEY, "quality": "good", "code": uuid.UUID(int=102), "duration": 3.0}
    assert (recording & KEY).fetch1("duration", "KEY") == (3.0, KEY)
    for key in ({**KEY, "recording": 1}, {**KEY, "subject": 0}):  # the cached shape, new values
        assert (recording & key).fetch1("KEY") == key


def test_errors_are_unchanged(tables: dict[str, type]) -> None:
    recording = tables["Recording"]
    with pytest.raises(
        DataError,
        match=r"^Recording & \.\.\.: value 'x' for attribute "
        r"'subject'",
    ):
        recording & {"subject": "x"}
    with pytest.raises(FetchError, match="Recording has no rows"):
        (recording & {**KEY, "recording": 9}).fetch1()
    with pytest.raises(FetchError, match="Recording has more than one row"):
        (recording & {"subject": 1}).fetch1()

    class Undeclared(dj.Manual):
        definition = "a : int32"

    with pytest.raises(
        MissingTableError, match="Table class Undeclared is not properly configured"
    ):
        Undeclared & {"a": 1}


def test_overridden_restriction_is_used(tables: dict[str, type]) -> None:
    tagged = tables["Tagged"]
    assert (tagged & {"subject": 1}).fetch1() == {"subject": 1, "tag": "kept"}
    assert tagged.seen == [{"subject": 1}]


def _equality(name: str, param: Param) -> ExprCond:
    return ExprCond(Op("=", (Col(name), param)))


def test_same_shape_params_in_walk_order(tables: dict[str, type]) -> None:
    """Plans of one shape bind their own values, in the order a walk finds them."""
    heading = tables["Recording"]._heading.plan
    base = make_table(tables["Recording"]._spec.ref, heading)
    _compile_cached.cache_clear()
    plans = [
        make_restrict(
            base,
            AndCond(tuple(_equality(n, Param.of(v)) for n, v in zip(KEY, values, strict=True))),
        )
        for values in ((1, 0, 2), (0, 1, 1), (7, 8, 9))
    ]
    first_sql, _ = compile_plan(plans[0], "duckdb")
    for plan in plans:
        sql, params = compile_plan(plan, "duckdb")
        assert sql == first_sql
        assert params == [p.value for p in _params(plan)]
        assert (sql, params) == _uncached(plan)
    assert _compile_cached.cache_info().currsize == 1


def test_shared_parameter_objects_compile_apart(tables: dict[str, type]) -> None:
    """A plan whose occurrences share one parameter object is not bound like one whose
    occurrences are distinct objects, though both have the same shape."""
    base = make_table(tables["Recording"]._spec.ref, tables["Recording"]._heading.plan)
    shared = Param.of(1)
    one = make_restrict(base, AndCond((_equality("subject", shared), _equality("session", shared))))
    two = make_restrict(
        base, AndCond((_equality("subject", Param.of(1)), _equality("session", Param.of(0))))
    )
    assert one == two
    _compile_cached.cache_clear()
    for plan in (one, two, one, two):
        assert compile_plan(plan, "duckdb") == _uncached(plan)


def test_uuid_values_bound_per_dialect(tables: dict[str, type]) -> None:
    code = uuid.UUID(int=102)
    plan = (tables["Recording"] & {"code": code}).plan
    assert compile_plan(plan, "duckdb")[1] == [str(code)]
    assert compile_plan(plan, "mysql")[1] == [code.bytes]


def _uncached(plan: object) -> tuple[str, list[object]]:
    params = _params(plan)  # type: ignore[arg-type]
    compiled = compile_shape(plan, "duckdb", "rows")  # type: ignore[arg-type]
    return compiled.sql, compiled.bind(params)
