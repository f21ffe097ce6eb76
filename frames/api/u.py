"""``dj.U``: the universal set of the named attributes, for distinct values and grouping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from frames.api.bases import QueryBase, TableBase, _as_query
from frames.api.operators import aggregate_columns
from frames.errors import QueryError
from frames.plan.nodes import make_distinct, make_group_by

if TYPE_CHECKING:
    from frames.api.query import QueryExpression


class U:
    """``dj.U('a', 'b')`` — every combination of values of ``a`` and ``b``.

    ``dj.U('a') & q`` is the distinct values of ``a`` in ``q`` (``a`` becomes the key);
    ``dj.U('a').aggr(q, n='count(*)')`` groups ``q`` by ``a``; ``dj.U().aggr(q, ...)`` gives one
    row of aggregates over all of ``q``. ``dj.U`` cannot be fetched, joined or subtracted from;
    ``q & dj.U(...)`` is ``q`` (the universal set restricts nothing).
    """

    def __init__(self, *attributes: str):
        for attr in attributes:
            if not isinstance(attr, str):
                raise QueryError(f"dj.U() takes attribute names, not {attr!r}")
        self.attributes = tuple(attributes)

    @property
    def primary_key(self) -> list[str]:
        """The attributes of this universal set (the key of ``dj.U(...) & query``)."""
        return list(self.attributes)

    def __and__(self, query: Any) -> QueryExpression:
        if isinstance(query, type) and issubclass(query, TableBase):
            query = query()
        if not isinstance(query, QueryBase):
            raise QueryError(
                f"dj.U(...) can only be restricted by a query, not {query!r}: the "
                "universal set has no rows of its own to match"
            )
        return query._derive(make_distinct(query._plan, self.attributes))

    __rand__ = __and__

    def aggr(
        self, query: Any, *attributes: str, exclude_nonmatching: bool = True, **named: str
    ) -> QueryExpression:
        """Group ``query`` by this U's attributes and compute ``named`` aggregates.

        Only groups with rows exist: ``exclude_nonmatching=False`` is an error, as in DataJoint.
        """
        query = _as_query(query)
        if attributes:
            raise QueryError("dj.U(...).aggr() keeps only the U attributes and the computed ones")
        if not exclude_nonmatching:
            raise QueryError(
                "Cannot set exclude_nonmatching=False when aggregating on a "
                "universal set: it has no rows without matches to keep"
            )
        columns = aggregate_columns(query.plan.heading, named, "U().aggr()", query._backend)
        return query._derive(make_group_by(query._plan, self.attributes, columns))

    aggregate = aggr

    def __mul__(self, other: Any) -> QueryExpression:
        raise QueryError(
            "dj.U(...) * table is no longer supported in DataJoint 2.0: use "
            "dj.U(...) & table for distinct values or dj.U(...).aggr(table, ...) "
            "for grouping"
        )

    __rmul__ = __mul__

    def __sub__(self, other: Any) -> QueryExpression:
        raise QueryError(
            "dj.U(...) - table produces an infinite set and is not supported; "
            "restrict the table itself instead (table - other)"
        )

    def __repr__(self) -> str:
        return f"U({', '.join(map(repr, self.attributes))})"
