"""The immutable state behind a lazy pandas frame: a plan plus what pandas adds to a relation.

A relation has no index, no row order and no column labels other than names; a pandas frame
has all three. :class:`FrameState` keeps them next to the plan:

* ``columns`` are the plan attributes shown as columns, in order, and ``labels`` their pandas
  labels (a string usually, a tuple under ``MultiIndex`` columns);
* ``index`` are the plan attributes that form the index (none: a fresh ``RangeIndex`` when the
  result is fetched);
* ``order`` is the row order pandas would keep, as (attribute, descending, NULLs first) keys,
  or None where pandas' order has no counterpart (the rows come in any order);
* ``masked`` are the attributes pandas holds in a nullable dtype (``Int64``, ``boolean``,
  ``Float64``), whose missing values propagate through comparisons as ``NA``; every other
  missing value is ``NaN``-like and compares false;
* ``column_names`` name the levels of the column labels (a pivot table's ``columns`` key).

The plan may carry further *hidden* attributes: a dropped column that the order still sorts
by, a row position. A hidden attribute keeps its name until a new column claims it; it is then
renamed to a fresh ``__frames_*`` name.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.declare.types import CoreType
from frames.errors import UnknownAttributeError
from frames.pandas.terms import rewritten
from frames.plan.nodes import (
    ExprCond,
    Node,
    Project,
    Restrict,
    Top,
    Window,
    make_project,
    make_restrict,
    make_top,
    make_window,
)
from frames.plan.values import Col, Expr, Over
from frames.sql.compile import compile_plan

if TYPE_CHECKING:
    from frames.api.connection import Connection

#: One key of a row order: attribute, descending, NULLs first.
OrderKey = tuple[str, bool, bool]
#: The prefix of the names frames gives hidden attributes.
HIDDEN = "__frames_"


@dataclass(frozen=True)
class FrameState:
    """What a lazy frame is: see the module documentation."""

    plan: Node
    connection: Connection = field(compare=False)
    columns: tuple[str, ...]
    labels: tuple[Hashable, ...]
    index: tuple[str, ...] = ()
    index_names: tuple[Hashable, ...] = ()
    order: tuple[OrderKey, ...] | None = None
    masked: frozenset[str] = frozenset()
    column_names: tuple[Hashable, ...] = ()

    # -- names ----------------------------------------------------------------------------------
    @property
    def types(self) -> dict[str, CoreType]:
        """Core type of every plan attribute."""
        return {a.name: a.type for a in self.plan.heading}

    def nullable(self, name: str) -> bool:
        """True if attribute ``name`` may be NULL."""
        return self.plan.heading[name].nullable

    def name_of(self, label: Hashable, where: str = "") -> str:
        """The attribute of the column labelled ``label`` (pandas' KeyError otherwise)."""
        for name, known in zip(self.columns, self.labels, strict=True):
            if _same_label(known, label):
                return name
        for name, known in zip(self.index, self.index_names, strict=True):
            if known is not None and _same_label(known, label):
                return name
        prefix = f"{where}: " if where else ""
        shown = ", ".join(repr(label) for label in self.labels) or "(none)"
        raise UnknownAttributeError(f"{prefix}no column {label!r}. Columns: {shown}")

    def has_label(self, label: Hashable) -> bool:
        """True if a column (not an index level) is labelled ``label``."""
        return any(_same_label(known, label) for known in self.labels)

    def label_of(self, name: str) -> Hashable:
        """The label of column ``name``."""
        return self.labels[self.columns.index(name)]

    def fresh(self, base: str, taken: Iterable[str] = ()) -> str:
        """A hidden attribute name, ``__frames_<base>``, not yet in the plan or ``taken``."""
        used = set(self.plan.heading.names) | set(taken)
        name, number = f"{HIDDEN}{base}", 1
        while name in used:
            number += 1
            name = f"{HIDDEN}{base}{number}"
        return name

    def rebase(self, other: FrameState, expr: Expr) -> Expr | None:
        """``expr``, an expression over ``other``'s rows, as an expression over this frame's
        rows where pandas would align the two by index: ``other`` computes columns from
        (some of) this frame's rows, or this frame keeps (some of) ``other``'s rows. None
        where they do not align."""
        plan = other.plan
        while True:
            if self._descends_from(plan, other.index, expr.columns()):
                return expr
            if not isinstance(plan, Project):
                return None
            expr = rewritten(expr, _substitution(dict(plan.columns)))
            plan = plan.child

    def aligned_with(self, other: FrameState, reads: set[str]) -> bool:
        """True if an expression over ``other``'s rows that reads ``reads`` means the same on
        this frame's rows: this frame keeps (some of) ``other``'s rows and index, through
        filters, pages, windows and projections that leave those attributes as they are —
        where pandas would align a Series of ``other`` by index."""
        return self._descends_from(other.plan, other.index, reads)

    def _descends_from(self, source: Node, index: tuple[str, ...], reads: set[str]) -> bool:
        if self.index != index:
            return False
        needed = set(reads) | set(self.index)
        sources = {id(source)}
        base = source
        while isinstance(base, Project) and _passes(base, needed):
            base = base.child
            sources.add(id(base))
        plan = self.plan
        while id(plan) not in sources:
            if isinstance(plan, Project) and _passes(plan, needed):
                plan = plan.child
            elif isinstance(plan, (Restrict, Top, Window)):
                plan = plan.child
            else:
                return False
        return True

    def derive(self, **changes: Any) -> FrameState:
        """A copy with ``changes``."""
        return replace(self, **changes)

    # -- plan building --------------------------------------------------------------------------
    def needed(self) -> tuple[str, ...]:
        """The attributes the frame uses: index, columns, order keys (in that order)."""
        names = [*self.index, *self.columns, *(key for key, _, _ in self.order or ())]
        return tuple(dict.fromkeys(names))

    def pruned(self) -> FrameState:
        """The same frame with hidden attributes the order does not use projected away."""
        needed = self.needed()
        if needed == self.plan.heading.names:
            return self
        plan = make_project(self.plan, [(n, Col(n)) for n in needed], {})
        return self.derive(plan=plan)

    def restricted(self, condition: Expr) -> FrameState:
        """The rows where ``condition`` is true (NULL counts as false); a condition with
        window functions is computed as a hidden attribute first (WHERE cannot hold one)."""
        if _has_window(condition):
            flag = self.fresh("keep")
            marked = self.with_values([(flag, None, condition, False)], hidden=True)
            return marked.restricted(Col(flag)).pruned()
        return self.derive(plan=make_restrict(self.plan, ExprCond(condition)))

    def with_values(
        self,
        items: Sequence[tuple[str, Hashable, Expr, bool]],
        *,
        hidden: bool = False,
    ) -> FrameState:
        """Columns set to expressions: (name, label, expression, masked) items, evaluated
        over this frame's attributes.

        An existing column keeps its place; a new one is appended (``hidden``: kept out of the
        columns, for the order or a later step). A hidden attribute or an index level whose
        name a new column takes moves to a fresh hidden name, and a replaced column the order
        sorts by keeps its old values under one (the rows stay in pandas' order).
        Expressions holding window functions are computed by a
        :class:`~frames.plan.nodes.Window` node first.
        """
        state = self
        if any(_has_window(expr) for _, _, expr, _ in items):
            state, items = state._windows_first(items)
        claimed = {name for name, _, _, _ in items}
        sorted_by = {key for key, _, _ in state.order or ()}
        moved: dict[str, str] = {}  # old attribute -> the hidden name it keeps its values in
        columns: list[tuple[str, Expr]] = []
        for name in state.plan.heading.names:
            if name in claimed and (name not in state.columns or name in sorted_by):
                moved[name] = state.fresh(name.removeprefix(HIDDEN), [*claimed, *moved.values()])
                columns.append((moved[name], Col(name)))
            if name not in claimed or name in state.columns:
                columns.append((name, Col(name)))
        positions = {n: i for i, (n, _) in enumerate(columns)}
        visible, labels = list(state.columns), list(state.labels)
        masked = {moved.get(n, n) for n in state.masked} | (set(state.masked) & set(visible))
        for name, label, expr, is_masked in items:
            if name in positions:
                columns[positions[name]] = (name, expr)
            else:
                positions[name] = len(columns)
                columns.append((name, expr))
            if name in visible:
                labels[visible.index(name)] = label
            elif not hidden:
                visible.append(name)
                labels.append(label)
            (masked.add if is_masked else masked.discard)(name)
        plan = make_project(state.plan, columns, {})
        order = (
            None
            if state.order is None
            else tuple((moved.get(k, k), d, f) for k, d, f in state.order)
        )
        return state.derive(
            plan=plan,
            columns=tuple(visible),
            labels=tuple(labels),
            index=tuple(moved.get(n, n) for n in state.index),
            order=order,
            masked=frozenset(masked),
        )

    def _windows_first(
        self, items: Sequence[tuple[str, Hashable, Expr, bool]]
    ) -> tuple[FrameState, list[tuple[str, Hashable, Expr, bool]]]:
        """Compute the window expressions of ``items`` as hidden attributes (a Window node),
        and the items reading them."""
        taken: list[str] = []
        computed: list[tuple[str, Expr]] = []
        rewritten = []
        for name, label, expr, masked in items:
            if _has_window(expr):
                hidden = self.fresh("w", taken)
                taken.append(hidden)
                computed.append((hidden, expr))
                expr = Col(hidden)
            rewritten.append((name, label, expr, masked))
        return self.derive(plan=make_window(self.plan, computed)), rewritten

    def ordered_plan(self, limit: int | None = None, offset: int | None = None) -> Node:
        """The plan sorted by the frame's order (and paged), if it has one."""
        if self.order is None:
            if limit is None and not offset:
                return self.plan
            return make_top(self.plan, [], limit, offset)
        keys = [(name, desc) for name, desc, _ in self.order]
        nulls = [first for _, _, first in self.order]
        ordered = make_top(self.plan, keys, limit, offset, nulls)
        plan = self.plan
        if (  # head(n) already sorted the rows this way: no second ORDER BY around it
            isinstance(plan, Top)
            and limit is None
            and not offset
            and (plan.order, plan.nulls_first) == (ordered.order, ordered.nulls_first)
        ):
            return plan
        return ordered

    def output_plan(self, limit: int | None = None) -> Node:
        """The plan a fetch runs: index and columns, sorted by the frame's order."""
        ordered = self.ordered_plan(limit)
        names = [*self.index, *self.columns]
        if tuple(names) == ordered.heading.names:
            return ordered
        return make_project(ordered, [(n, Col(n)) for n in names], {})

    # -- running --------------------------------------------------------------------------------
    def compile(self, dialect: str | None = None, limit: int | None = None) -> tuple[str, list]:
        """SQL text and parameters of the fetch (``dialect``: default, the connection's)."""
        return compile_plan(self.output_plan(limit), dialect or self.connection.dialect)

    def fetch(self, plan: Node | None = None) -> pa.Table:
        """Run ``plan`` (default: the fetch of this frame) as one statement; Arrow result."""
        plan = self.output_plan() if plan is None else plan
        backend = self.connection.backend
        if not plan.heading.names:
            count = self.count()
            return pa.table({"_": [None] * count}).drop_columns(["_"])
        sql, params = compile_plan(plan, backend.dialect)
        return backend.fetch_arrow(sql, params, plan.heading.arrow_schema())

    def count(self) -> int:
        """The number of rows (one ``COUNT(*)`` query)."""
        sql, params = compile_plan(self.plan, self.connection.dialect, mode="count")
        return int(self.connection.backend.fetch_rows(sql, params)[0][0])

    def exists(self) -> bool:
        """True if there is a row (one ``EXISTS`` query)."""
        sql, params = compile_plan(self.plan, self.connection.dialect, mode="exists")
        return bool(self.connection.backend.fetch_rows(sql, params)[0][0])


def _substitution(computed: dict[str, Expr]) -> Callable[[Expr], Expr | None]:
    """A :func:`rewritten` replacement of columns by the expressions that compute them."""

    def replace(expr: Expr) -> Expr | None:
        return computed[expr.name] if isinstance(expr, Col) else None

    return replace


def _passes(project: Project, names: set[str]) -> bool:
    """True if ``project`` keeps the attributes ``names`` as they are."""
    kept = dict(project.columns)
    return all(kept.get(n) == Col(n) for n in names)


def _has_window(expr: Expr) -> bool:
    return any(isinstance(node, Over) for node in expr.walk())


def _same_label(a: Hashable, b: Hashable) -> bool:
    """pandas' label equality (``True`` is not the label ``1``)."""
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)
