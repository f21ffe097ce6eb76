"""Bases by which the lower api modules recognise a query or a schema without importing the
modules that define them (:mod:`frames.api.query` imports :mod:`frames.api.coerce` and
:mod:`frames.api.u`; :mod:`frames.api.schema` sits above the tables and the diagram)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from frames.errors import FramesError, QueryError

if TYPE_CHECKING:
    from frames.api.connection import Connection
    from frames.api.query import QueryExpression
    from frames.plan.nodes import Node


class QueryBase:
    """The base of :class:`~frames.api.query.QueryExpression`, and so of every table."""

    _plan: Node
    _connection: Connection

    if TYPE_CHECKING:  # defined by QueryExpression

        @property
        def plan(self) -> Node: ...

        def _derive(self, plan: Node) -> QueryExpression: ...


class TableBase(QueryBase):
    """The base of :class:`~frames.api.table.Table`: a table class given for a query stands for
    its instance (``query & Subject``)."""


class SchemaBase:
    """The base of :class:`~frames.api.schema.Schema`."""

    connection: Connection | None
    database: str | None

    @property
    def _bound(self) -> tuple[Connection, str]:
        """The connection and the database name of the activated schema."""
        if self.database is None or self.connection is None:
            raise FramesError("Schema must be activated first.")
        return self.connection, self.database


def _as_query(other: Any) -> QueryExpression:
    if isinstance(other, type) and issubclass(other, TableBase):
        other = other()
    if not isinstance(other, QueryBase):
        raise QueryError(f"expected a query or table, got {type(other).__name__} {other!r}")
    return cast("QueryExpression", other)
