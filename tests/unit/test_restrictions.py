"""The attributes a restriction names (which decide whether it is copied to a relative)."""

from __future__ import annotations

from frames.api.restrictions import attributes_of
from frames.plan.nodes import FALSE, AndCond, Exists, ExprCond, NotCond, OrCond
from frames.plan.values import Col


def test_attributes_of_every_condition_kind() -> None:
    a, b = ExprCond(Col("a")), ExprCond(Col("b"))
    exists = Exists(query=None, on=("c", "d"))  # type: ignore[arg-type]
    assert attributes_of(a) == {"a"}
    assert attributes_of(exists) == {"c", "d"}
    assert attributes_of(AndCond((a, OrCond((b, NotCond(exists)))))) == {"a", "b", "c", "d"}
    assert attributes_of(FALSE) == set()
