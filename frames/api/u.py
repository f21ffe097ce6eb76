"""``dj.U``: the universal set of the named attributes, for distinct values and grouping."""

from __future__ import annotations

from typing import Any

from frames.api.operators import aggregate_columns
from frames.api.query import QueryExpression, _as_query
from frames.errors import QueryError
from frames.plan.nodes import make_distinct, make_group_by


class U:
    """``dj.U('a', 'b')`` — every combination of values of ``a`` and ``b``.

    ``dj.U('a') & q`` is the distinct values of ``a`` in ``q`` (``a`` becomes the key);
    ``dj.U('a').aggr(q, n='count(*)')`` groups ``q`` by ``a``; ``dj.U().aggr(q, ...)`` gives one
    row of aggregates over all of ``q``. ``dj.U`` cannot be fetched or joined.
    """

    def __init__(self, *attributes: str):
        for attr in attributes:
            if not isinstance(attr, str):
                raise QueryError(f"dj.U() takes attribute names, not {attr!r}")
        self.attributes = tuple(attributes)

    def __and__(self, query: Any) -> QueryExpression:
        query = _as_query(query)
        return query._derive(make_distinct(query._plan, self.attributes))

    __rand__ = __and__

    def aggr(self, query: Any, *attributes: str, **named: str) -> QueryExpression:
        """Group ``query`` by this U's attributes and compute ``named`` aggregates."""
        query = _as_query(query)
        if attributes:
            raise QueryError("dj.U(...).aggr() keeps only the U attributes and the computed ones")
        named.pop("exclude_nonmatching", None)
        columns = aggregate_columns(query.heading, named, "U().aggr()")
        return query._derive(make_group_by(query._plan, self.attributes, columns))

    def __mul__(self, other: Any) -> QueryExpression:
        raise QueryError("dj.U(...) * query is not supported; use dj.U(...) & query for distinct "
                         "values or dj.U(...).aggr(query, ...) for grouping")

    __rmul__ = __mul__

    def __sub__(self, other: Any) -> QueryExpression:
        raise QueryError("dj.U(...) - query is not defined (U is the universal set)")

    def __repr__(self) -> str:
        return f"U({', '.join(map(repr, self.attributes))})"
