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
  missing value is ``NaN``-like and compares false.

The plan may carry further *hidden* attributes: a dropped column that the order still sorts
by, a row position. A hidden attribute keeps its name until a new column claims it; it is then
renamed to a fresh ``__frames_*`` name.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.declare.types import CoreType
from frames.errors import UnknownAttributeError
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

    def aligned_with(self, other: FrameState, reads: set[str]) -> bool:
        """True if an expression over ``other``'s rows that reads ``reads`` means the same on
        this frame's rows: this frame keeps (some of) ``other``'s rows and index, through
        filters, pages, windows and projections that leave those attributes as they are —
        where pandas would align a Series of ``other`` by index."""
        if self.index != other.index:
            return False
        needed = set(reads) | set(self.index)
        plan = self.plan
        while plan is not other.plan:
            if isinstance(plan, Project):
                kept = dict(plan.columns)
                if any(not (isinstance(kept.get(n), Col) and kept[n].name == n) for n in needed):  # type: ignore[union-attr]
                    return False
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
        """The rows where ``condition`` is true (NULL counts as false)."""
        return self.derive(plan=make_restrict(self.plan, ExprCond(condition)))

    def with_values(
        self,
        items: Sequence[tuple[str, Hashable, Expr, bool]],
        *,
        hidden: bool = False,
    ) -> FrameState:
        """Columns set to expressions: (name, label, expression, masked) items.

        An existing column keeps its place; a new one is appended (``hidden``: kept out of the
        columns, for the order or a later step). A hidden attribute or an index level whose
        name a new column takes is renamed out of the way first. Expressions holding window
        functions are computed by a :class:`~frames.plan.nodes.Window` node first.
        """
        state = self
        claimed = {name for name, _, _, _ in items}
        clashes = [n for n in state.plan.heading.names if n in claimed and n not in state.columns]
        if clashes:
            state = state._renamed_hidden(clashes, claimed)
        windowed = [item for item in items if _has_window(item[2])]
        if windowed:
            state, items = state._windows_first(items)
        columns = [(n, Col(n)) for n in state.plan.heading.names]
        sorted_by = {key for key, _, _ in state.order or ()}
        kept: dict[str, str] = {}  # a replaced column the order sorts by keeps its old values
        for name in claimed & sorted_by:
            kept[name] = state.fresh(name.removeprefix(HIDDEN), [*claimed, *kept.values()])
            columns.append((kept[name], Col(name)))
        if kept:
            order = tuple((kept.get(k, k), d, f) for k, d, f in state.order)  # type: ignore[union-attr]
            state = state.derive(order=order)
        positions = {n: i for i, (n, _) in enumerate(columns)}
        visible, labels = list(state.columns), list(state.labels)
        masked = set(state.masked)
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
        return state.derive(
            plan=plan, columns=tuple(visible), labels=tuple(labels), masked=frozenset(masked)
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

    def _renamed_hidden(self, names: list[str], claimed: set[str]) -> FrameState:
        """``names`` (hidden attributes or index levels) renamed to fresh hidden names."""
        renames: dict[str, str] = {}
        for name in names:
            renames[name] = self.fresh(name.removeprefix(HIDDEN), [*claimed, *renames.values()])
        plan = make_project(
            self.plan, [(renames.get(n, n), Col(n)) for n in self.plan.heading.names], {}
        )
        order = (
            None
            if self.order is None
            else tuple((renames.get(k, k), d, f) for k, d, f in self.order)
        )
        return self.derive(
            plan=plan,
            index=tuple(renames.get(n, n) for n in self.index),
            order=order,
            masked=frozenset(renames.get(n, n) for n in self.masked),
        )

    def ordered_plan(self, limit: int | None = None, offset: int | None = None) -> Node:
        """The plan sorted by the frame's order (and paged), if it has one."""
        if self.order is None:
            if limit is None and not offset:
                return self.plan
            return make_top(self.plan, [], limit, offset)
        keys = [(name, desc) for name, desc, _ in self.order]
        nulls = [first for _, _, first in self.order]
        return make_top(self.plan, keys, limit, offset, nulls)

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


def _has_window(expr: Expr) -> bool:
    return any(isinstance(node, Over) for node in expr.walk())


def _same_label(a: Hashable, b: Hashable) -> bool:
    """pandas' label equality (``True`` is not the label ``1``)."""
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)
