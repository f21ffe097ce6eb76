"""Argument parsing for projection, aggregation and ordering (shared by queries and ``U``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from frames.api.columns import Column, column_expr
from frames.errors import ArgumentTypeError, QueryError, UnknownAttributeError
from frames.plan.heading import Heading
from frames.plan.values import Col, Expr
from frames.sql.fragments import parse_fragment

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PAREN_NAME = re.compile(r"^\(\s*([a-z][a-z0-9_]*)\s*\)$")
_ORDER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(asc|desc)?\s*$", re.I)


def projection_columns(
    heading: Heading,
    attributes: Sequence[Any],  # names and ``...``, checked here
    named: dict[str, Any],
    where: str,
    backend: str | None = None,
) -> tuple[list[tuple[str, Expr]], dict[str, str]]:
    """The (name, expression) list of ``proj(*attributes, **named)`` and key renames new→old.

    ``backend`` (the connection's dialect) decides how SQL expressions are read.

    The primary key always stays (renamed if asked); ``'...'`` keeps every attribute, ``'-a'``
    drops ``a``; ``new='old'`` renames, ``new='(old)'`` copies, ``new='expr'`` computes.
    """
    attributes = ["..." if attr is Ellipsis else attr for attr in attributes]  # proj(...)
    keep: set[str] = set(heading.primary_key)
    dropped: set[str] = set()
    for attr in attributes:
        if not isinstance(attr, str):
            raise QueryError(f"{where}: attribute names must be strings, not {attr!r}")
        if attr == "...":
            keep.update(heading.names)
        elif attr.startswith("-"):
            name = attr[1:].strip()
            heading.check([name], where)
            if name in heading.primary_key:
                raise QueryError(
                    f"{where}: cannot drop primary-key attribute {name!r}; the "
                    "primary key always stays in a projection"
                )
            dropped.add(name)
        else:
            heading.check([attr], where)
            if attr in named:
                raise QueryError(f"{where}: attribute {attr!r} is both kept and assigned")
            keep.add(attr)
    if any(a.startswith("-") for a in attributes) and "..." not in attributes:
        keep.update(heading.names)
    keep -= dropped
    renamed: dict[str, str] = {}  # old -> new for plain renames
    computed: list[tuple[str, Expr]] = []
    key_renames: dict[str, str] = {}
    for new, value in named.items():
        _check_named(new, value, where)
        if isinstance(value, Column):
            computed.append((new, column_expr(value, heading, where, aggregates=False)))
            continue
        text = value.strip()
        copy = _PAREN_NAME.match(text)
        if text in heading:  # an attribute's name, also one DataJoint could not declare (oldID)
            if text in renamed:
                computed.append((new, Col(text)))  # renaming one attribute twice: a copy
                continue
            renamed[text] = new
            if text in heading.primary_key:
                key_renames[new] = text
        elif copy:
            heading.check([copy.group(1)], where)
            computed.append((new, Col(copy.group(1))))
        else:
            computed.append(
                (new, parse_fragment(value, heading, where=f"{where} {new}=", backend=backend))
            )
    columns: list[tuple[str, Expr]] = []
    for attribute in heading:
        if attribute.name in renamed:
            columns.append((renamed[attribute.name], Col(attribute.name)))
        elif attribute.name in keep:
            columns.append((attribute.name, Col(attribute.name)))
    columns += computed
    return columns, key_renames


def _check_named(name: str, value: Any, where: str) -> None:
    """``name=value`` must name a valid attribute and give a string or a column expression."""
    if not _NAME.match(name):
        raise QueryError(
            f"{where}: {name!r} is not a valid attribute name (lowercase letters, "
            "digits and underscores, starting with a letter)"
        )
    if not isinstance(value, (str, Column)):
        raise QueryError(
            f"{where}: {name}= must be an attribute name, an SQL expression string "
            f"or a column expression, not {value!r}"
        )


def aggregate_columns(
    namespace: Heading, named: dict[str, Any], where: str, backend: str | None = None
) -> list[tuple[str, Expr]]:
    """The computed (name, expression) pairs of ``aggr(**named)`` (``backend``: the
    connection's dialect, which decides how SQL expressions are read)."""
    out = []
    for name, value in named.items():
        _check_named(name, value, where)
        if isinstance(value, Column):
            out.append((name, column_expr(value, namespace, where, aggregates=True)))
            continue
        out.append(
            (
                name,
                parse_fragment(
                    value,
                    namespace,
                    where=f"{where} {name}=",
                    allow_aggregates=True,
                    backend=backend,
                ),
            )
        )
    return out


def parse_order(order_by: str | Sequence[str] | None, heading: Heading) -> list[tuple[str, bool]]:
    """``'KEY'``, ``'a DESC'`` or a list of them → (attribute, descending) pairs."""
    if order_by is None:
        return []
    items = [order_by] if isinstance(order_by, str) else order_by
    if not isinstance(items, Sequence) or not all(isinstance(item, str) for item in items):
        raise ArgumentTypeError(
            f"order_by: expected an attribute name or a list of them ('KEY', 'a DESC'), "
            f"not {order_by!r}"
        )
    out: list[tuple[str, bool]] = []
    for item in items:
        for part in item.split(","):
            match = _ORDER.match(part)
            if not match:
                raise QueryError(f"order_by: cannot read {part!r}; write 'attribute [ASC|DESC]'")
            name, direction = match.group(1), (match.group(2) or "asc").lower()
            if name == "KEY":  # upper case: ``key`` may be an attribute (as in DataJoint)
                out += [(k, direction == "desc") for k in heading.primary_key]
                continue
            if name not in heading:
                raise UnknownAttributeError(heading.unknown_message(name, "order_by"))
            out.append((name, direction == "desc"))
    return out
