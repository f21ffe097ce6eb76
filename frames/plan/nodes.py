"""Immutable relational plan nodes.

Every node is a frozen dataclass holding its operands and carrying its result :class:`Heading`
(excluded from equality and hashing, since it derives from the operands). Nodes are built only
through the ``make_*`` functions below, which validate the operands and raise at the operator
that caused an error, naming the offending attribute and listing the valid ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from typing import Any, ClassVar

from frames.declare.spec import Attribute, TableRef
from frames.declare.types import CoreType
from frames.errors import QueryError, UnknownAttributeError
from frames.plan.heading import Heading
from frames.plan.values import Agg, Col, Expr, Param, infer_type, nullable


class Node:
    """Base class of plan nodes."""

    heading: Heading
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every node class is a dataclass

    def inputs(self) -> tuple[Node, ...]:
        """Operand nodes, in field order."""
        return tuple(
            getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), Node)
        )

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The result's primary key."""
        return self.heading.primary_key


# -- conditions --------------------------------------------------------------------------------


class Cond:
    """Base class of restriction conditions."""

    def nodes(self) -> Iterator[Node]:
        """Plan nodes referenced by the condition (subqueries)."""
        return iter(())


@dataclass(frozen=True)
class ExprCond(Cond):
    """A boolean expression over the operand's attributes (dicts, strings)."""

    expr: Expr


@dataclass(frozen=True)
class Exists(Cond):
    """Semijoin: a matching row exists in ``query`` on the namesakes ``on`` (none: non-empty)."""

    query: Node
    on: tuple[str, ...]

    def nodes(self) -> Iterator[Node]:
        yield self.query


@dataclass(frozen=True)
class AndCond(Cond):
    """All of ``items`` hold (empty: true)."""

    items: tuple[Cond, ...]

    def nodes(self) -> Iterator[Node]:
        for item in self.items:
            yield from item.nodes()


@dataclass(frozen=True)
class OrCond(Cond):
    """Any of ``items`` holds (empty: false)."""

    items: tuple[Cond, ...]

    def nodes(self) -> Iterator[Node]:
        for item in self.items:
            yield from item.nodes()


@dataclass(frozen=True)
class NotCond(Cond):
    """``item`` is false (SQL NOT: unknown stays unknown; NOT EXISTS is two-valued)."""

    item: Cond

    def nodes(self) -> Iterator[Node]:
        yield from self.item.nodes()


TRUE = AndCond(())
FALSE = OrCond(())


# -- nodes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseTable(Node):
    """A stored table, as its heading describes it (a table altered or declared again under
    the same name is another plan, so no compiled query of the old one is reused)."""

    ref: TableRef
    heading: Heading = field(repr=False)


@dataclass(frozen=True)
class Restrict(Node):
    """Rows of ``child`` for which ``cond`` is true."""

    child: Node
    cond: Cond
    heading: Heading = field(compare=False, repr=False)


@dataclass(frozen=True)
class Project(Node):
    """Attributes of ``child`` selected, renamed or computed: ``columns`` is (name, expr) pairs."""

    child: Node
    columns: tuple[tuple[str, Expr], ...]
    heading: Heading = field(compare=False, repr=False)


@dataclass(frozen=True)
class Join(Node):
    """``left * right`` on the namesakes ``on``; ``outer`` keeps unmatched left rows."""

    left: Node
    right: Node
    on: tuple[str, ...]
    outer: bool = False
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Aggregate(Node):
    """``group.aggr(source, ...)``: one row per row of ``group``.

    ``kept`` are attributes of ``group``; ``columns`` are (name, expr) over the join of
    ``group`` and ``source``; ``outer`` keeps groups without matching rows (the default).
    """

    group: Node
    source: Node
    on: tuple[str, ...]
    kept: tuple[str, ...]
    columns: tuple[tuple[str, Expr], ...]
    outer: bool = True
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class GroupBy(Node):
    """``dj.U(*by).aggr(source, ...)``: one row per distinct ``by`` (one row if ``by`` is empty)."""

    source: Node
    by: tuple[str, ...]
    columns: tuple[tuple[str, Expr], ...]
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Distinct(Node):
    """``dj.U(*attrs) & child``: the distinct values of ``attrs``, which become the key."""

    child: Node
    attrs: tuple[str, ...]
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Union(Node):
    """``left + right``: same primary key; secondary attributes are outer-joined."""

    left: Node
    right: Node
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Top(Node):
    """The first ``limit`` rows (all if None) after ``offset`` in ``order`` (name, descending).

    ``nulls_first`` says, for each item of ``order``, whether its NULLs come first; empty:
    frames' default, NULLs first ascending and last descending.
    """

    child: Node
    order: tuple[tuple[str, bool], ...]
    limit: Param | None
    offset: Param | None
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    nulls_first: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Window(Node):
    """Every row of ``child`` with ``columns`` added: (name, expr) pairs whose expressions may
    hold window functions (:class:`~frames.plan.values.Over`), evaluated over ``child``'s rows."""

    child: Node
    columns: tuple[tuple[str, Expr], ...]
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


#: How a :class:`Merge` keeps unmatched rows (``cross``: every pair, no matching).
MERGE_HOWS = ("inner", "left", "right", "outer", "cross")


@dataclass(frozen=True)
class Merge(Node):
    """pandas' merge: pairs of rows of ``left`` and ``right`` whose ``pairs`` of attributes
    (left name, right name) are equal, NULL matching NULL as in pandas; ``how`` keeps the
    unmatched rows of the left (``left``), the right (``right``) or both (``outer``) sides,
    with NULL for the other side. The operands' attribute names are disjoint; ``indicator``
    names an added text attribute saying ``left_only``, ``right_only`` or ``both``."""

    left: Node
    right: Node
    how: str
    pairs: tuple[tuple[str, str], ...]
    indicator: str | None = None
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


@dataclass(frozen=True)
class Concat(Node):
    """The rows of ``left`` followed by the rows of ``right`` (SQL's UNION ALL): both have the
    same attribute names in the same order."""

    left: Node
    right: Node
    heading: Heading = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


# -- builders ---------------------------------------------------------------------------------


def _types(heading: Heading) -> dict[str, object]:
    return {a.name: a.type for a in heading}


def computed_attribute(name: str, expr: Expr, heading: Heading) -> Attribute:
    """The attribute produced by computing ``expr`` over ``heading``."""
    nulls = {a.name for a in heading if a.nullable}
    return Attribute(
        name,
        infer_type(expr, _types(heading)),  # type: ignore[arg-type]
        nullable=nullable(expr, nulls),
    )


def make_table(ref: TableRef, heading: Heading) -> BaseTable:
    """A stored table with its heading."""
    return BaseTable(ref, heading)


def make_restrict(child: Node, cond: Cond) -> Node:
    """``child & cond`` (conditions are validated by the caller).

    A restriction of a restriction is one restriction by both conditions, so that a query
    restricted in a loop a thousand times is not a plan a thousand levels deep.
    """
    if cond == TRUE:
        return child
    if isinstance(child, Restrict):
        both = tuple(
            item
            for part in (child.cond, cond)
            for item in (part.items if isinstance(part, AndCond) else (part,))
        )
        return Restrict(child.child, AndCond(both), child.heading)
    return Restrict(child, cond, child.heading)


def namesakes(
    left: Heading, right: Heading, operator: str, semantic_check: bool = True
) -> tuple[str, ...]:
    """Shared attribute names, checked for equal lineage unless ``semantic_check`` is false.

    Raises
    ------
    QueryError
        For namesakes whose lineage differs or is missing (DataJoint's semantic matching),
        naming the ``.proj()`` fix and ``semantic_check=False``.
    """
    shared = tuple(name for name in left.names if name in right)
    if not semantic_check:
        return shared
    bad = [
        name
        for name in shared
        if left[name].lineage is None or left[name].lineage != right[name].lineage
    ]
    if bad:
        raise QueryError(_lineage_message(left, right, bad, operator))
    return shared


def _lineage_message(left: Heading, right: Heading, bad: list[str], operator: str) -> str:
    """Why namesakes ``bad`` cannot be matched, in DataJoint's words, with frames' fix."""
    details = "; ".join(f"`{name}`: {left[name].lineage} vs {right[name].lineage}" for name in bad)
    fix = ", ".join(f"{name}_2='{name}'" for name in bad)
    missing = any(left[n].lineage is None or right[n].lineage is None for n in bad)
    cause = (
        "lineage missing on one side: a secondary attribute has no lineage, or the "
        "schema's `~lineage` entries are stale (run `schema.rebuild_lineage()`)"
        if missing
        else "different lineages"
    )
    return (
        f"{operator}: cannot join on attribute(s) {', '.join(f'`{n}`' for n in bad)}: "
        f"{cause} ({details}), so matching on them would compare unrelated values. "
        f"Use .proj() to rename one of the attributes, e.g. other.proj(..., {fix}), or "
        "match on every namesake with semantic_check=False"
    )


def make_semijoin(
    child: Node, other: Node, operator: str = "&", semantic_check: bool = True
) -> Exists:
    """The condition of ``child & other`` (``semantic_check=False``: any namesakes match)."""
    return Exists(other, namesakes(child.heading, other.heading, operator, semantic_check))


def make_project(
    child: Node,
    columns: Sequence[tuple[str, Expr]],
    key_renames: dict[str, str],
    where: str = "proj",
) -> Project:
    """Projection to ``columns``; ``key_renames`` maps new → old for renamed key attributes."""
    from frames.plan.values import Col

    seen: set[str] = set()
    attrs: list[Attribute] = []
    for name, expr in columns:
        if name in seen:
            raise QueryError(f"{where}: attribute {name!r} would appear twice in the result")
        seen.add(name)
        if isinstance(expr, Col):
            source = child.heading[expr.name]
            in_key = source.in_key and (name == expr.name or key_renames.get(name) == expr.name)
            attrs.append(replace(source, name=name, in_key=in_key))
        else:
            attrs.append(computed_attribute(name, expr, child.heading))
    heading = Heading(tuple(sorted(attrs, key=lambda a: not a.in_key)))
    return Project(child, tuple(columns), heading)


def determines(left: Heading, right: Heading) -> bool:
    """True if ``left`` → ``right``: every primary-key attribute of ``right`` is in ``left``."""
    return all(name in left for name in right.primary_key)


def join_heading(left: Heading, right: Heading, outer: bool = False) -> Heading:
    """The heading of ``left * right``, ordered and keyed as DataJoint 2.x orders it.

    A → B: A's key, A's other attributes, then B's new ones. B → A (only): the same with the
    operands swapped. Neither: A's key, B's other key attributes, A's secondary attributes, B's
    secondary attributes. ``outer`` makes the right operand's new attributes nullable.
    """

    def from_right(attr: Attribute) -> Attribute:
        return replace(attr, nullable=attr.nullable or outer)

    if determines(left, right):
        attrs = list(left) + [from_right(a) for a in right if a.name not in left]
    elif determines(right, left):
        attrs = [from_right(a) for a in right] + [a for a in left if a.name not in right]
    else:
        left_key, right_key = set(left.primary_key), set(right.primary_key)
        attrs = (
            [left[n] for n in left.primary_key]
            + [
                replace(from_right(right[n]), in_key=True)
                for n in right.primary_key
                if n not in left_key
            ]
            + [left[n] for n in left.secondary if n not in right_key]
            + [from_right(right[n]) for n in right.secondary if n not in left]
        )
    return Heading(tuple(attrs))


def make_join(
    left: Node, right: Node, outer: bool = False, operator: str = "*", semantic_check: bool = True
) -> Join:
    """``left * right`` (``outer``: left join, which requires left → right)."""
    on = namesakes(left.heading, right.heading, operator, semantic_check)
    if outer and not determines(left.heading, right.heading):
        missing = [n for n in right.primary_key if n not in left.heading]
        raise QueryError(
            "Left join requires the left operand to determine the right operand (A → B), so "
            "that each left row matches at most one right row. The following attributes from "
            f"the right operand's primary key are not in the left operand: {missing}. Use an "
            "inner join or restructure the query."
        )
    return Join(left, right, on, outer, join_heading(left.heading, right.heading, outer))


def make_aggregate(
    group: Node, source: Node, kept: Sequence[str], columns: Sequence[tuple[str, Expr]], outer: bool
) -> Aggregate:
    """``group.aggr(source, *kept, **columns)``.

    As in DataJoint 2.x, ``source`` must contain ``group``'s whole primary key, so that each of
    its rows belongs to exactly one group.
    """
    missing = [name for name in group.primary_key if name not in source.heading]
    if missing:
        raise QueryError(
            f"aggr: the aggregated query lacks the primary-key attribute(s) {', '.join(missing)} "
            "of the grouping query, so its rows cannot be assigned to groups; join it with a "
            "table that has them first"
        )
    on = namesakes(group.heading, source.heading, "aggr")
    group.heading.check(kept, "aggr")
    namespace = joined_heading(group.heading, source.heading)
    keep = set(kept) | set(group.heading.primary_key)
    attrs = [a for a in group.heading if a.name in keep]
    names = {a.name for a in attrs}
    for name, expr in columns:
        if name in names:
            raise QueryError(f"aggr: attribute {name!r} would appear twice in the result")
        names.add(name)
        _check_grouped(name, expr, group.heading.names, "aggr")
        attrs.append(computed_attribute(name, expr, namespace))
    kept_secondary = tuple(n for n in group.heading.secondary if n in keep)
    return Aggregate(
        group, source, on, kept_secondary, tuple(columns), outer, Heading(tuple(attrs))
    )


def columns_outside_aggregates(expr: Expr) -> list[str]:
    """The attributes ``expr`` reads outside its aggregates, in order (with repeats)."""
    out: list[str] = []
    pending = [expr]
    while pending:
        item = pending.pop()
        if isinstance(item, Col):
            out.append(item.name)
        elif not isinstance(item, Agg):
            pending.extend(reversed(item.children()))
    return out


def _check_grouped(name: str, expr: Expr, grouped: Sequence[str], where: str) -> None:
    """Refuse a computed attribute that reads, outside an aggregate, an attribute that is not
    one per group (SQL's "not in GROUP BY", which each engine words differently)."""
    loose = [c for c in dict.fromkeys(columns_outside_aggregates(expr)) if c not in grouped]
    if loose:
        raise QueryError(
            f"{where}: {name}= reads {', '.join(map(repr, loose))} outside an aggregate, but "
            f"{'it has' if len(loose) == 1 else 'they have'} many values in a group (the "
            f"groups are by {', '.join(grouped) or 'nothing: one group of all rows'}); "
            f"aggregate it, e.g. max({loose[0]}), or group by it"
        )


def joined_heading(left: Heading, right: Heading) -> Heading:
    """The heading expressions of an aggregation are evaluated in (left attributes first)."""
    return Heading(tuple(left) + tuple(a for a in right if a.name not in left))


def make_group_by(source: Node, by: Sequence[str], columns: Sequence[tuple[str, Expr]]) -> GroupBy:
    """``dj.U(*by).aggr(source, **columns)``."""
    source.heading.check(by, "U(...).aggr")
    attrs = [replace(source.heading[name], in_key=True) for name in by]
    names = set(by)
    for name, expr in columns:
        if name in names:
            raise QueryError(f"U().aggr: attribute {name!r} would appear twice in the result")
        names.add(name)
        _check_grouped(name, expr, by, "U().aggr")
        attrs.append(computed_attribute(name, expr, source.heading))
    return GroupBy(source, tuple(by), tuple(columns), Heading(tuple(attrs)))


def make_distinct(child: Node, attrs: Sequence[str]) -> Distinct:
    """``dj.U(*attrs) & child``."""
    child.heading.check(attrs, "U(...) & query")
    heading = Heading(tuple(replace(child.heading[name], in_key=True) for name in attrs))
    return Distinct(child, tuple(attrs), heading)


def make_union(left: Node, right: Node) -> Union:
    """``left + right``."""
    if set(left.primary_key) != set(right.primary_key):
        raise QueryError(
            f"union (+) needs operands with the same primary key: {left.primary_key} vs "
            f"{right.primary_key}"
        )
    shared = set(left.heading.secondary) & set(right.heading.secondary)
    if shared:
        raise QueryError(
            f"union (+): operands share secondary attributes {sorted(shared)}; project them away "
            "or rename them on one side"
        )
    if left.heading.secondary or right.heading.secondary:
        # the secondary attributes are outer-joined on the key (key-only operands are stacked
        # without matching, as in DataJoint)
        namesakes(left.heading.select(left.primary_key), right.heading, "+")
    attrs = list(left.heading) + [replace(a, nullable=True) for a in right.heading if not a.in_key]
    # Rows only in ``right`` have NULL for every secondary attribute of ``left``.
    attrs = [replace(a, nullable=True) if a.name in left.heading.secondary else a for a in attrs]
    return Union(left, right, Heading(tuple(attrs)))


def make_top(
    child: Node,
    order: Sequence[tuple[str, bool]],
    limit: int | None,
    offset: int | None,
    nulls_first: Sequence[bool] = (),
) -> Top:
    """The first ``limit`` rows after ``offset`` in ``order``, completed with the primary key
    (``nulls_first``: per item of ``order``, whether its NULLs come first)."""
    for name, _ in order:
        if name not in child.heading:
            raise UnknownAttributeError(child.heading.unknown_message(name, "order_by"))
    named = {name for name, _ in order}
    full = tuple(order) + tuple((k, False) for k in child.primary_key if k not in named)
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise QueryError(f"limit must be a non-negative integer, not {limit!r}")
    if offset is not None and (not isinstance(offset, int) or offset < 0):
        raise QueryError(f"offset must be a non-negative integer, not {offset!r}")
    if nulls_first and len(nulls_first) != len(order):
        raise QueryError(f"nulls_first needs one flag per order item, not {nulls_first!r}")
    return Top(
        child,
        full,
        None if limit is None else Param.of(limit),
        None if not offset else Param.of(offset),
        child.heading,
        tuple(nulls_first) + (True,) * (len(full) - len(order)) if nulls_first else (),
    )


def make_window(child: Node, columns: Sequence[tuple[str, Expr]]) -> Window:
    """``child`` with the computed ``columns`` (window functions allowed) added."""
    attrs = list(child.heading)
    for name, expr in columns:
        if name in child.heading or any(a.name == name for a in attrs):
            raise QueryError(f"window: attribute {name!r} would appear twice in the result")
        attrs.append(computed_attribute(name, expr, child.heading))
    return Window(child, tuple(columns), Heading(tuple(attrs)))


def make_merge(
    left: Node,
    right: Node,
    how: str,
    pairs: Sequence[tuple[str, str]],
    indicator: str | None = None,
) -> Merge:
    """``left`` merged with ``right`` on ``pairs`` as pandas merges (see :class:`Merge`)."""
    if how not in MERGE_HOWS:
        raise QueryError(f"merge: how must be one of {', '.join(MERGE_HOWS)}, not {how!r}")
    shared = set(left.heading.names) & set(right.heading.names)
    if shared:
        raise QueryError(f"merge: the operands share attribute names {sorted(shared)}")
    left.heading.check([a for a, _ in pairs], "merge (left)")
    right.heading.check([b for _, b in pairs], "merge (right)")
    if (how == "cross") != (not pairs):
        raise QueryError("merge: a cross merge has no keys, and every other merge has some")

    def side(heading: Heading, unmatched: bool) -> list[Attribute]:
        return [replace(a, in_key=False, nullable=a.nullable or unmatched) for a in heading]

    attrs = side(left.heading, how in ("right", "outer")) + side(
        right.heading, how in ("left", "outer")
    )
    if indicator is not None:
        if indicator in shared | set(left.heading.names) | set(right.heading.names):
            raise QueryError(f"merge: indicator {indicator!r} names an existing attribute")
        attrs.append(Attribute(indicator, CoreType("text")))
    return Merge(left, right, how, tuple(pairs), indicator, Heading(tuple(attrs)))


def make_concat(left: Node, right: Node) -> Concat:
    """The rows of ``left`` then those of ``right``, which have the same attribute names."""
    if left.heading.names != right.heading.names:
        raise QueryError(
            f"concat: the operands' attributes differ: {left.heading.names} vs "
            f"{right.heading.names}"
        )
    attrs = [
        replace(a, in_key=False, nullable=a.nullable or right.heading[a.name].nullable)
        for a in left.heading
    ]
    return Concat(left, right, Heading(tuple(attrs)))


def walk(node: Node) -> Iterator[Node]:
    """Every node of the plan, depth first, operands before conditions' subqueries."""
    yield node
    for child in node.inputs():
        yield from walk(child)
    if isinstance(node, Restrict):
        for sub in node.cond.nodes():
            yield from walk(sub)
