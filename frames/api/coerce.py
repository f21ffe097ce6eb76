"""The one place that turns user inputs into plan conditions and typed values.

Restriction arguments (dicts, strings, lists, ``AndList``, ``Not``, queries, DataFrames, booleans,
``None``) become :class:`~frames.plan.nodes.Cond` trees; dict values are converted to the type of
their attribute (``'2024-06-01'`` → ``date``) and bound as parameters.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

from frames.api.columns import Column, column_expr
from frames.declare.spec import Attribute
from frames.declare.values import convert_value
from frames.errors import DataError, QueryError
from frames.plan.heading import Heading
from frames.plan.nodes import (
    FALSE,
    TRUE,
    AndCond,
    Cond,
    ExprCond,
    Node,
    NotCond,
    OrCond,
    make_semijoin,
)
from frames.plan.normalize import normalize
from frames.plan.values import Col, Op, Param
from frames.sql.fragments import parse_fragment


class AndList(list):
    """A list of conditions that must all hold (a plain list means *any*).

    Examples
    --------
    >>> Student & dj.AndList(["home_state = 'UT'", {"sex": "F"}])  # doctest: +SKIP
    """


class Not:
    """The negation of a restriction: ``q & dj.Not(c)`` equals ``q - c``."""

    def __init__(self, restriction: Any):
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


def to_condition(arg: Any, node: Node, where: str) -> Cond:
    """The condition restricting ``node`` by the user argument ``arg``."""
    from frames.api.query import QueryExpression

    if isinstance(arg, Mapping):  # the most frequent argument first
        return dict_condition(arg, node.heading, where)
    if arg is None:
        return FALSE
    if isinstance(arg, bool):
        return TRUE if arg else FALSE
    if isinstance(arg, type) and issubclass(arg, QueryExpression):
        arg = arg()
    if isinstance(arg, QueryExpression):
        return make_semijoin(node, arg._plan, where)
    if isinstance(arg, Not):
        return NotCond(to_condition(arg.restriction, node, where))
    if isinstance(arg, str):
        return ExprCond(parse_fragment(arg, node.heading, where=where))
    if isinstance(arg, Column):
        return ExprCond(column_expr(arg, node.heading, where, aggregates=False))
    if isinstance(arg, AndList):
        return AndCond(tuple(to_condition(item, node, where) for item in arg))
    if _is_dataframe(arg):
        return OrCond(tuple(dict_condition(row, node.heading, where) for row in _records(arg)))
    if isinstance(arg, (list, tuple, set, frozenset)):
        return OrCond(tuple(to_condition(item, node, where) for item in arg))
    if hasattr(arg, "dtype") and getattr(arg.dtype, "names", None):  # numpy record array
        return OrCond(tuple(dict_condition(dict(zip(arg.dtype.names, rec, strict=True)),
                                           node.heading, where) for rec in arg))
    raise QueryError(f"{where}: cannot restrict by {type(arg).__name__} {arg!r}; use a dict, a "
                     "string, a list, dj.AndList, dj.Not, dj.Top or another query")


def dict_condition(row: Mapping[str, Any], heading: Heading, where: str) -> Cond:
    """AND of equalities for the keys of ``row`` that are attributes (``None``: IS NULL)."""
    items: list[Cond] = []
    for name, value in row.items():
        attr = heading.get(name)
        if attr is None:
            continue
        if value is None:
            items.append(ExprCond(Op("is_null", (Col(name),))))
        else:
            equal = Op("=", (Col(name), Param.of(query_value(value, attr, where))))
            # the value has its attribute's type already; of the typing rules only the enum
            # one (a non-member matches nothing) can change an equality
            items.append(ExprCond(normalize(equal, heading) if attr.type.kind == "enum"
                                  else equal))
    return AndCond(tuple(items)) if len(items) != 1 else items[0]


def _is_dataframe(arg: Any) -> bool:
    module = type(arg).__module__
    return type(arg).__name__ == "DataFrame" and module.split(".")[0] in ("pandas", "polars")


def _records(frame: Any) -> list[dict[str, Any]]:
    if type(frame).__module__.startswith("polars"):
        return frame.to_dicts()
    reset = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    return reset.to_dict("records")


def query_value(value: Any, attr: Attribute, where: str) -> Any:
    """``value`` converted for comparison with ``attr`` (strings parsed into dates, ...)."""
    try:
        return convert_value(value, attr)
    except (ValueError, TypeError, decimal.InvalidOperation) as error:
        raise DataError(f"{where}: value {value!r} for attribute {attr.name!r} "
                        f"({attr.type}): {error}") from None
