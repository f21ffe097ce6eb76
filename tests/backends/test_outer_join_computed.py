"""A left join or an aggregation keeping every group computes the matched side's computed
attributes before joining: an unmatched row has NULL there, not the value an expression of
NULL gives (``coalesce(v, 7)`` would otherwise give 7 for a row that does not exist)."""

from __future__ import annotations

import uuid

import frames as dj


def test_computed_attributes_of_the_optional_side_stay_null_without_a_match(
    backend_url: str,
) -> None:
    connection = dj.connect(backend_url)
    schema = dj.Schema(f"frames_oj_{uuid.uuid4().hex[:8]}", connection=connection)
    try:

        @schema
        class A(dj.Manual):
            definition = """
            a : int32
            """

        @schema
        class B(dj.Manual):
            definition = """
            -> A
            ---
            v = null : int32
            """

        A.insert([{"a": 1}, {"a": 2}])
        B.insert([{"a": 1, "v": None}])
        computed = B.proj(w="coalesce(v, 7)")
        assert A.join(computed, left=True).to_dicts(order_by="a") == [
            {"a": 1, "w": 7},
            {"a": 2, "w": None},
        ]
        assert A.aggr(computed, n="count(w)", s="sum(w)").to_dicts(order_by="a") == [
            {"a": 1, "n": 1, "s": 7},
            {"a": 2, "n": 0, "s": None},
        ]
    finally:
        schema.drop(prompt=False)
        connection.close()
