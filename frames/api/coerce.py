"""The one place that turns user inputs into plan conditions and typed values.

Restriction arguments (dicts, strings, lists, ``AndList``, ``Not``, queries, DataFrames, booleans,
``None``) become :class:`~frames.plan.nodes.Cond` trees; dict values are converted to the type of
their attribute (``'2024-06-01'`` → ``date``) and bound as parameters.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from frames.api.bases import QueryBase, TableBase
from frames.api.columns import Column, column_expr
from frames.api.u import U
from frames.codecs.attributes import codec_restriction_error
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
    namesakes,
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

    def append(self, restriction: Any) -> None:
        """Add a condition; an ``AndList`` adds its conditions (no nesting), as in DataJoint."""
        if isinstance(restriction, AndList):
            self.extend(restriction)
        else:
            super().append(restriction)


class Not:
    """The negation of a restriction: ``q & dj.Not(c)`` equals ``q - c``."""

    def __init__(self, restriction: Any):
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


def to_condition(
    arg: Any, node: Node, where: str, semantic_check: bool = True, backend: str | None = None
) -> Cond:
    """The condition restricting ``node`` by the user argument ``arg``.

    ``semantic_check=False`` matches query arguments on every namesake, whatever its lineage;
    ``backend`` (the connection's dialect) decides how SQL strings are read.
    """

    def sub(item: Any) -> Cond:
        return to_condition(item, node, where, semantic_check, backend)

    if isinstance(arg, Mapping):  # the most frequent argument first
        return dict_condition(arg, node.heading, where)
    if arg is None:
        return FALSE
    if isinstance(arg, bool):
        return TRUE if arg else FALSE
    if isinstance(arg, type) and issubclass(arg, TableBase):
        arg = arg()
    if isinstance(arg, QueryBase):
        return make_semijoin(node, arg._plan, where, semantic_check)
    if isinstance(arg, U):  # the universal set restricts nothing
        return TRUE
    if isinstance(arg, Not):
        negated = False
        while isinstance(arg, Not):  # NOT NOT c is c (also in three-valued logic)
            negated, arg = not negated, arg.restriction
        return NotCond(sub(arg)) if negated else sub(arg)
    if isinstance(arg, str):
        return ExprCond(parse_fragment(arg, node.heading, where=where, backend=backend))
    if isinstance(arg, Column):
        return ExprCond(column_expr(arg, node.heading, where, aggregates=False))
    if isinstance(arg, AndList):
        return AndCond(tuple(sub(item) for item in _flattened(arg, AndList)))
    if _is_dataframe(arg):
        return OrCond(tuple(dict_condition(row, node.heading, where) for row in _records(arg)))
    if isinstance(arg, _ANY_OF):
        return OrCond(tuple(sub(item) for item in _flattened(arg, _ANY_OF)))
    names = getattr(getattr(arg, "dtype", None), "names", None)
    if names and getattr(arg, "ndim", 1) == 0:  # one numpy record (numpy.void)
        return dict_condition(dict(zip(names, arg.tolist(), strict=True)), node.heading, where)
    if names:  # a numpy record array: any of its records
        return OrCond(
            tuple(
                dict_condition(dict(zip(names, rec, strict=True)), node.heading, where)
                for rec in arg
            )
        )
    raise QueryError(
        f"{where}: Invalid restriction type {arg!r}; restrict by a dict, a string, "
        "a list, dj.AndList, dj.Not, another query, or dj.Top (alone, not inside "
        "a list)"
    )


_ANY_OF = (list, tuple, set, frozenset)


def _flattened(items: Any, kinds: type | tuple[type, ...]) -> list[Any]:
    """The items of ``items``, those nested in lists of the same meaning (``kinds``: plain
    lists are OR, ``AndList`` is AND) taken out, without recursion: ``[[a, b], c]`` restricts
    as ``[a, b, c]``, at any depth."""
    out: list[Any] = []
    pending: list[Iterator[Any]] = [iter(items)]
    while pending:
        item: Any = next(pending[-1], _END)
        if item is _END:
            pending.pop()
        elif isinstance(item, kinds) and (kinds is AndList) == isinstance(item, AndList):
            pending.append(iter(cast(Iterable[Any], item)))
        else:
            out.append(item)
    return out


_END = object()


def assert_join_compatibility(expr1: Any, expr2: Any, semantic_check: bool = True) -> None:
    """Raise if ``expr1`` and ``expr2`` cannot be joined or restricted by each other.

    As in DataJoint: both must be queries (``dj.U`` is compatible with anything) on the same
    connection, and with ``semantic_check`` their namesake attributes must share a lineage.

    Raises
    ------
    QueryError
        Naming the offending operand or namesakes.
    """
    operands = []
    for expr in (expr1, expr2):
        if isinstance(expr, type) and issubclass(expr, TableBase):
            expr = expr()
        if not isinstance(expr, (U, QueryBase)):
            raise QueryError(f"Object {expr!r} is not a QueryExpression and cannot be joined.")
        operands.append(expr)
    first, second = operands
    if isinstance(first, U) or isinstance(second, U):
        return
    if first._connection is not second._connection:
        raise QueryError(
            "Cannot operate on expressions from different connections; build both "
            "from tables of the same connection"
        )
    namesakes(first.plan.heading, second.plan.heading, "join", semantic_check)


def dict_condition(row: Mapping[str, Any], heading: Heading, where: str) -> Cond:
    """AND of equalities for the keys of ``row`` that are attributes (``None``, and NaN or NaT
    as pandas marks missing values, mean IS NULL, as an insert stores them)."""
    items: list[Cond] = []
    for name, value in row.items():
        attr = heading.get(name)
        if attr is None:
            continue
        if value is None or _missing(value):
            items.append(ExprCond(Op("is_null", (Col(name),))))
        else:
            equal = Op("=", (Col(name), Param.of(query_value(value, attr, where))))
            # the value has its attribute's type already; of the typing rules only the enum
            # one (a non-member matches nothing) can change an equality
            items.append(ExprCond(normalize(equal, heading) if attr.type.kind == "enum" else equal))
    return AndCond(tuple(items)) if len(items) != 1 else items[0]


_NEVER_MISSING = frozenset((int, str, bool, bytes))


def _missing(value: Any) -> bool:
    """NaN, NaT or ``pandas.NA``: how a DataFrame or a numpy array marks a missing value."""
    if type(value) in _NEVER_MISSING:  # the usual key values, at once
        return False
    if isinstance(value, float):  # float and numpy.float64
        return value != value
    if type(value).__name__ in ("NaTType", "NAType"):
        return True
    dtype = getattr(value, "dtype", None)  # other numpy scalars (float32, datetime64)
    return (
        getattr(value, "ndim", None) == 0
        and dtype is not None
        and dtype.kind in "fmM"
        and bool(value != value)
    )


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
    if attr.codec:
        raise codec_restriction_error(attr, where)
    try:
        return convert_value(value, attr)
    except (ValueError, TypeError, decimal.InvalidOperation) as error:
        raise DataError(
            f"{where}: value {value!r} for attribute {attr.name!r} ({attr.type}): {error}"
        ) from None
