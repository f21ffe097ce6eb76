"""Carrying a table's restriction to its relatives along foreign keys (for ``Diagram``).

A restriction is a list of items, each a plan condition (a :class:`~frames.plan.nodes.Cond`
over named attributes, as a restricted table holds it) or a query whose rows select by their
namesakes. Along a foreign key a restriction is either *copied* — when every attribute it names
is carried unchanged by the key and lies in the other table's primary key, the same condition
selects the related rows — or *projected*: the other table is restricted by the distinct key
values of the restricted rows, renamed across the key. Copying keeps a restriction meaningful
when the restricted table has no rows yet (``self.upstream`` inside ``make()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from frames.api.coerce import to_condition
from frames.api.u import U
from frames.plan.nodes import (
    AndCond,
    Cond,
    Exists,
    ExprCond,
    NotCond,
    OrCond,
    Restrict,
    make_restrict,
)
from frames.plan.nodes import Top as TopNode

if TYPE_CHECKING:
    from frames.api.query import QueryExpression

__all__ = ["attributes_of", "parent_rows", "referenced_rows", "restricted", "seed_restriction"]


def seed_restriction(table: QueryExpression) -> tuple[list[Cond], set[str]]:
    """The conditions restricting a (restricted) table, ANDed, and the attributes they name.

    A ``dj.Top`` restriction is an ORDER BY ... LIMIT, not a condition: a table restricted by
    one is represented by the primary keys it selects.
    """
    conditions: list[Cond] = []
    node = table._plan
    while isinstance(node, (Restrict, TopNode)):
        if isinstance(node, TopNode):
            base = _base_plan(node)
            keys = to_condition(table.keys(), base, f"{table._name} (seed)")
            return [keys], set(base.heading.primary_key)
        conditions.append(node.cond)
        node = node.child
    conditions.reverse()
    return conditions, set().union(*(attributes_of(cond) for cond in conditions))


def _base_plan(node: Any) -> Any:
    while isinstance(node, (Restrict, TopNode)):
        node = node.child
    return node


def attributes_of(cond: Cond) -> set[str]:
    """The attributes of the restricted table that ``cond`` reads."""
    if isinstance(cond, ExprCond):
        return cond.expr.columns()
    if isinstance(cond, Exists):
        return set(cond.on)
    if isinstance(cond, (AndCond, OrCond)):
        return set().union(*(attributes_of(item) for item in cond.items))
    if isinstance(cond, NotCond):
        return attributes_of(cond.item)
    return set()


def restricted(table: QueryExpression, items: Sequence[Any], *, any_of: bool) -> QueryExpression:
    """``table`` restricted by ``items``: any of them (OR) or all of them (AND).

    Items are plan conditions or anything ``&`` accepts (queries, dicts, lists, ``False``).
    """
    where = f"{table._name} (diagram restriction)"
    conditions = tuple(
        item if isinstance(item, Cond) else to_condition(item, table._plan, where) for item in items
    )
    combined = OrCond(conditions) if any_of else AndCond(conditions)
    return table._derive(make_restrict(table._plan, combined))


def parent_rows(parent: QueryExpression, attr_map: dict[str, str]) -> QueryExpression:
    """The restricted ``parent``'s keys under the child's names of a foreign key
    (``attr_map``: child attribute → parent attribute): restricts the child downward."""
    return parent.proj(**{c: p for c, p in attr_map.items() if c != p})


def referenced_rows(child: QueryExpression, attr_map: dict[str, str]) -> QueryExpression:
    """The distinct values of a foreign key in the restricted ``child``'s rows, under the
    parent's names: restricts the parent upward.

    Only the key's attributes are kept, so that the parent matches on exactly those (a renamed
    key may take the name of another attribute of ``child``).
    """
    return (U(*attr_map) & child).proj(**{p: c for c, p in attr_map.items() if c != p})
