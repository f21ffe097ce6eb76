"""Restriction arguments as DataJoint builds them: ``AndList`` and ``Not``."""

from __future__ import annotations

import frames as dj


def test_andlist_append_flattens_andlists_as_datajoint() -> None:
    conditions = dj.AndList(["a = 1"])
    conditions.append(dj.AndList(["b = 2", {"c": 3}]))
    conditions.append(["d = 4", "e = 5"])  # a plain list stays one (OR) condition
    assert conditions == ["a = 1", "b = 2", {"c": 3}, ["d = 4", "e = 5"]]


def test_not_keeps_its_restriction() -> None:
    inner = {"a": 1}
    assert dj.Not(inner).restriction is inner
    assert repr(dj.Not(inner)) == "Not({'a': 1})"
