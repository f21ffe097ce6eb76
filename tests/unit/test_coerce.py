"""Query arguments as DataJoint reads them: ``AndList``, ``Not`` and ``order_by``."""

from __future__ import annotations

import frames as dj
from frames.api.operators import parse_order
from frames.declare.spec import Attribute
from frames.declare.types import parse_type
from frames.plan.heading import Heading


def test_andlist_append_flattens_andlists_as_datajoint() -> None:
    conditions = dj.AndList(["a = 1"])
    conditions.append(dj.AndList(["b = 2", {"c": 3}]))
    conditions.append(["d = 4", "e = 5"])  # a plain list stays one (OR) condition
    assert conditions == ["a = 1", "b = 2", {"c": 3}, ["d = 4", "e = 5"]]


def test_not_keeps_its_restriction() -> None:
    inner = {"a": 1}
    assert dj.Not(inner).restriction is inner
    assert repr(dj.Not(inner)) == "Not({'a': 1})"


def test_order_by_key_in_upper_case_only_is_the_primary_key() -> None:
    heading = Heading(
        (
            Attribute("id", parse_type("int32"), in_key=True),
            Attribute("key", parse_type("int32"), in_key=True),
        )
    )
    assert parse_order(["key desc", "id"], heading) == [("key", True), ("id", False)]
    assert parse_order("KEY DESC", heading) == [("id", True), ("key", True)]
