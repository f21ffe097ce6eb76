"""Semantics-preserving plan rewrites applied before lowering.

* Consecutive restrictions merge into one (``(q & a) & b`` → ``q & (a AND b)``), so that their
  conditions land in one WHERE clause.
* A projection that keeps every attribute of its operand unchanged disappears.
* A restriction by a constant true condition disappears (already done when it is built).

Each rule returns a new node; operands are rewritten bottom-up, iteratively enough for chains of
hundreds of operators.
"""

from __future__ import annotations

import dataclasses

from frames.plan.nodes import AndCond, Node, Project, Restrict
from frames.plan.values import Col


def rewrite(node: Node) -> Node:
    """The rewritten plan (same rows, same heading)."""
    changes = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, Node):
            new = rewrite(value)
            if new is not value:
                changes[field.name] = new
    if changes:
        node = dataclasses.replace(node, **changes)
    return _apply(node)


def _apply(node: Node) -> Node:
    if isinstance(node, Restrict) and isinstance(node.child, Restrict):
        inner = node.child
        items = _conjuncts(inner.cond) + _conjuncts(node.cond)
        return Restrict(inner.child, AndCond(tuple(items)), node.heading)
    if isinstance(node, Project) and _is_identity(node):
        return node.child
    return node


def _conjuncts(cond: object) -> list:
    return list(cond.items) if isinstance(cond, AndCond) else [cond]


def _is_identity(node: Project) -> bool:
    names = node.child.heading.names
    return (
        len(node.columns) == len(names)
        and all(isinstance(e, Col) and e.name == n for n, e in node.columns)
        and tuple(n for n, _ in node.columns) == names
        and node.heading.primary_key == node.child.heading.primary_key
    )
