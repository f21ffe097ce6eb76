"""``merge``, ``join`` and ``concat`` as one statement.

merge follows pandas: keys are ``on`` (shared labels; default: every shared column),
``left_on``/``right_on`` or the indexes; a missing key matches a missing key (unlike SQL's
``=``); overlapping columns get ``suffixes``; a shared ``on`` key is one column (for an outer
merge, whichever side has it). The rows come in pandas' order: the left frame's order for
``inner``/``left``/``cross`` (each left row's matches in the right frame's order), the right
frame's for ``right``, and the keys' order for ``outer``. ``concat`` stacks frames (UNION ALL)
in order, aligning columns by label (missing ones are NULL) and types as pandas does.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from frames.declare.types import CoreType
from frames.pandas.errors import AlignmentError, MergeError, PandasTypeError, not_pushed_down
from frames.pandas.state import FrameState, OrderKey
from frames.pandas.terms import NUMERIC, Term, as_text
from frames.plan.nodes import Node, make_concat, make_merge, make_project
from frames.plan.values import FLOAT64, INT64, TEXT, Cast, Col, Expr, Func, Lit, Over

if TYPE_CHECKING:
    from frames.pandas.frame import DataFrame
    from frames.pandas.series import Series

_HOWS = ("inner", "left", "right", "outer", "cross")


def _labels(value: Any) -> list[Hashable]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def merge(
    left: DataFrame,
    right: DataFrame,
    how: str = "inner",
    on: Any = None,
    left_on: Any = None,
    right_on: Any = None,
    left_index: bool = False,
    right_index: bool = False,
    sort: bool = False,
    suffixes: Sequence[str | None] = ("_x", "_y"),
    indicator: bool | str = False,
    validate: str | None = None,
) -> DataFrame:
    """pandas' ``merge`` of two lazy frames on one connection (see the module docs)."""
    from frames.pandas.frame import DataFrame

    if not isinstance(right, DataFrame):
        right = _as_frame(right)
    if how not in _HOWS:
        raise ValueError(f"merge: how must be one of {', '.join(_HOWS)}, not {how!r}")
    if validate is not None:
        raise not_pushed_down(
            f"merge(validate={validate!r})", "check the keys with duplicated().any()"
        )
    if left._state.connection is not right._state.connection:
        raise AlignmentError("merge: the frames come from different connections")
    ls, rs = left._state.pruned(), right._state.pruned()
    keys = _key_pairs(ls, rs, how, on, left_on, right_on, left_index, right_index)
    shared = {lab for lab, rlab in keys.labels if lab == rlab and not keys.by_index}
    ls, rs = _text_enum_keys(ls, keys.left), _text_enum_keys(rs, keys.right)
    renames = _right_renames(ls, rs)
    right_plan = make_project(
        rs.plan, [(renames.get(n, n), Col(n)) for n in rs.plan.heading.names], {}
    )
    pairs = [(a, renames.get(b, b)) for a, b in zip(keys.left, keys.right, strict=True)]
    for a, b in pairs:
        _check_key_types(ls.plan.heading[a].type, right_plan.heading[b].type, a, b)
    mark = None
    if indicator:
        mark = ls.fresh("merge", [*right_plan.heading.names])
    plan = make_merge(ls.plan, right_plan, how, pairs, mark)

    left_suffix, right_suffix = (s or "" for s in suffixes)
    left_labels = set(ls.labels)
    right_labels = {lab for lab in rs.labels if lab not in shared}
    columns: list[tuple[str, Hashable, Expr]] = []
    taken: set[str] = set()
    key_of_left = dict(zip(keys.left, pairs, strict=True))
    for name, label in zip(ls.columns, ls.labels, strict=True):
        if label in shared and name in key_of_left:
            value = _shared_key(how, *key_of_left[name])
        else:
            value = Col(name)
            if label in right_labels:
                label = _suffixed(label, left_suffix, right_suffix)
        columns.append((name, label, value))
        taken.add(name)
    for name, label in zip(rs.columns, rs.labels, strict=True):
        if label in shared:
            continue
        if label in left_labels:
            label = _suffixed(label, right_suffix, left_suffix)
        columns.append((renames.get(name, name), label, Col(renames.get(name, name))))
    if mark is not None:
        columns.append((mark, indicator if isinstance(indicator, str) else "_merge", Col(mark)))
    index, index_names = _merged_index(ls, rs, keys, how, renames)
    order, sort_keys = _merged_order(ls, rs, pairs, how, sort, renames)
    hidden = [k for k, _, _ in order or ()] + [n for n, _ in index]
    outputs = [(n, e) for n, _, e in columns]
    outputs += [(n, e) for n, e in [*index, *sort_keys] if n not in {o for o, _ in outputs}]
    outputs += [(n, Col(n)) for n in dict.fromkeys(hidden) if n not in {o for o, _ in outputs}]
    projected = make_project(plan, outputs, {})
    masked = {n for n in ls.masked} | {renames.get(n, n) for n in rs.masked}
    state = FrameState(
        plan=projected,
        connection=ls.connection,
        columns=tuple(n for n, _, _ in columns),
        labels=tuple(lab for _, lab, _ in columns),
        index=tuple(n for n, _ in index),
        index_names=tuple(index_names),
        order=order,
        masked=frozenset(n for n in masked if n in projected.heading),
    )
    result = DataFrame._of(state.pruned())
    return result._renamed_attributes()


class _Keys:
    """The merge keys: attribute names on each side, their labels, and whether they are the
    indexes."""

    def __init__(
        self,
        left: list[str],
        right: list[str],
        labels: list[tuple[Hashable, Hashable]],
        by_index: bool,
        right_index: bool = False,
    ):
        self.left = left
        self.right = right
        self.labels = labels
        self.by_index = by_index
        self.right_index = right_index


def _key_pairs(
    ls: FrameState,
    rs: FrameState,
    how: str,
    on: Any,
    left_on: Any,
    right_on: Any,
    left_index: bool,
    right_index: bool,
) -> _Keys:
    if how == "cross":
        if (
            on is not None
            or left_on is not None
            or right_on is not None
            or left_index
            or right_index
        ):
            raise ValueError("a cross merge takes no keys")
        return _Keys([], [], [], False)
    if left_index and right_index:
        if len(ls.index) != len(rs.index) or not ls.index:
            raise ValueError("merge on indexes needs indexes of the same number of levels")
        labels = list(zip(ls.index_names, rs.index_names, strict=True))
        return _Keys(list(ls.index), list(rs.index), labels, True)
    if left_index or right_index:
        if not (right_index and left_on is not None):
            raise not_pushed_down(
                "merging a column with an index this way", "use left_on=... with right_index=True"
            )
        lefts = _labels(left_on)
        if len(lefts) != len(rs.index):
            raise ValueError("left_on must name one column per level of the right index")
        names = [ls.name_of(lab, "merge(left_on)") for lab in lefts]
        labels = list(zip(lefts, rs.index_names, strict=True))
        return _Keys(names, list(rs.index), labels, False, right_index=True)
    if on is not None:
        lefts = rights = _labels(on)
    elif left_on is not None or right_on is not None:
        lefts, rights = _labels(left_on), _labels(right_on)
        if len(lefts) != len(rights):
            raise ValueError("len(right_on) must equal len(left_on)")
    else:
        lefts = rights = [lab for lab in ls.labels if rs.has_label(lab)]
        if not lefts:
            raise ValueError(
                "No common columns to perform merge on; pass on=, left_on= or right_on="
            )
    names_l = [ls.name_of(lab, "merge (left)") for lab in lefts]
    names_r = [rs.name_of(lab, "merge (right)") for lab in rights]
    return _Keys(names_l, names_r, list(zip(lefts, rights, strict=True)), False)


def _text_enum_keys(state: FrameState, names: list[str]) -> FrameState:
    """Enum keys as text (pandas sees strings; PostgreSQL compares an enum only with its own
    members)."""
    items = []
    for name in names:
        attr = state.plan.heading[name]
        if attr.type.kind == "enum":
            term = as_text(Term(Col(name), attr.type, attr.nullable))
            label = state.label_of(name) if name in state.columns else None
            items.append((name, label, term.expr, False))
    return state.with_values(items, hidden=True) if items else state


def _right_renames(ls: FrameState, rs: FrameState) -> dict[str, str]:
    """Fresh names for the right side's attributes that the left side also has."""
    taken = set(ls.plan.heading.names) | set(rs.plan.heading.names)
    renames: dict[str, str] = {}
    for name in rs.plan.heading.names:
        if name in ls.plan.heading:
            fresh = ls.fresh(f"r_{name.removeprefix('__frames_')}", taken)
            renames[name] = fresh
            taken.add(fresh)
    return renames


def _check_key_types(a: CoreType, b: CoreType, left: str, right: str) -> None:
    families = {a.category, b.category}
    if len(families) > 1 and not families <= set(NUMERIC) and families != {"date", "datetime"}:
        raise MergeError(
            f"You are trying to merge on {a} ({left}) and {b} ({right}) columns; convert one "
            "with astype first"
        )


def _shared_key(how: str, left: str, right: str) -> Expr:
    """The one column of a shared ``on`` key: the side every row has."""
    if how == "right":
        return Col(right)
    if how == "outer":
        return Func("coalesce", (Col(left), Col(right)))
    return Col(left)


def _suffixed(label: Hashable, suffix: str, other: str) -> Hashable:
    """An overlapping column's label with ``suffix`` (pandas needs one of the two)."""
    if not suffix and not other:
        raise MergeError(f"columns overlap but no suffix specified: {label!r}")
    if isinstance(label, tuple):
        return (*label[:-1], f"{label[-1]}{suffix}")
    return f"{label}{suffix}"


def _merged_index(
    ls: FrameState, rs: FrameState, keys: _Keys, how: str, renames: dict[str, str]
) -> tuple[list[tuple[str, Expr]], list[Hashable]]:
    """The result's index: the keys' when merging on indexes (the left's when the right index
    is matched by left columns), else a RangeIndex."""
    if keys.by_index:
        index = []
        for left, right in zip(keys.left, keys.right, strict=True):
            index.append((left, _shared_key(how, left, renames.get(right, right))))
        return index, list(ls.index_names)
    if keys.right_index and how in ("inner", "left"):
        return [(n, Col(n)) for n in ls.index], list(ls.index_names)
    return [], []


def _merged_order(
    ls: FrameState,
    rs: FrameState,
    pairs: list[tuple[str, str]],
    how: str,
    sort: bool,
    renames: dict[str, str],
) -> tuple[tuple[OrderKey, ...] | None, list[tuple[str, Expr]]]:
    """The merged rows' order (pandas': the left frame's, the right's for a right merge, the
    keys' for an outer or sorted merge) and the hidden key attributes it sorts by."""
    left = ls.order
    right = None if rs.order is None else tuple((renames.get(k, k), d, f) for k, d, f in rs.order)
    if sort or how == "outer":
        keys = [(ls.fresh(f"key{i}"), _shared_key(how, a, b)) for i, (a, b) in enumerate(pairs)]
        key_order = [(name, False, False) for name, _ in keys]
        return tuple(dict.fromkeys([*key_order, *(left or ()), *(right or ())])), keys
    first, second = (right, left) if how == "right" else (left, right)
    if first is None:
        return None, []
    return tuple(dict.fromkeys([*first, *(second or ())])), []


def join(
    left: DataFrame,
    other: DataFrame,
    on: Any = None,
    how: str = "left",
    lsuffix: str = "",
    rsuffix: str = "",
) -> DataFrame:
    """pandas' ``join``: ``other``'s index matched by this frame's index (or ``on`` columns)."""
    if on is None:
        return merge(
            left, other, how=how, left_index=True, right_index=True, suffixes=(lsuffix, rsuffix)
        )
    return merge(left, other, how=how, left_on=on, right_index=True, suffixes=(lsuffix, rsuffix))


def _as_frame(value: Any) -> DataFrame:
    from frames.pandas.frame import DataFrame
    from frames.pandas.series import Series

    if isinstance(value, Series):
        if value.name is None:
            raise ValueError("Cannot merge a Series without a name")
        return value.to_frame()
    if isinstance(value, DataFrame):
        return value
    raise not_pushed_down(
        f"merging with {type(value).__name__}", "load it into a table and open it as a frame"
    )


# -- concat ---------------------------------------------------------------------------------------


def concat(
    objs: Sequence[DataFrame | Series],
    *,
    axis: Any = 0,
    join: str = "outer",
    ignore_index: bool = False,
    keys: Any = None,
    sort: bool = False,
) -> Any:
    """Frames (or Series) stacked in order: UNION ALL, columns aligned by label."""
    from frames.pandas.frame import DataFrame
    from frames.pandas.series import Series

    items: list[Any] = list(objs)
    if not items:
        raise ValueError("No objects to concatenate")
    if keys is not None:
        raise not_pushed_down("concat(keys=...)", "assign a column telling the parts apart")
    if axis in (1, "columns"):
        return _side_by_side(items)
    series = all(isinstance(item, Series) for item in items)
    found: set[Hashable] = {item.name for item in items} if series else set()
    common = found.pop() if len(found) == 1 else None
    if series:  # Series stack whatever their names: one column
        items = [item.rename("__frames_value" if common is None else common) for item in items]
    frames = [_as_frame(item) if isinstance(item, Series) else item for item in items]
    if not all(isinstance(f, DataFrame) for f in frames):
        raise TypeError("concat takes frames.pandas DataFrames or Series")
    states = [f._state.pruned() for f in frames]
    if len({id(s.connection) for s in states}) > 1:
        raise AlignmentError("concat: the frames come from different connections")
    labels = _aligned_labels(states, join, sort)
    names = _output_names(labels)
    types = [_common_type(states, label) for label in labels]
    levels = {len(s.index) for s in states}
    keep_index = not ignore_index and len(levels) == 1 and levels != {0}
    index_names = _common_index_names(states) if keep_index else []
    index_attrs = [f"__frames_index{i}" for i in range(len(index_names))]
    ordered = all(s.order is not None for s in states)
    plan: Node | None = None
    for number, state in enumerate(states):
        outputs: list[tuple[str, Expr]] = []
        for attr, level in zip(index_attrs, state.index, strict=False):
            outputs.append((attr, Col(level)))
        for name, label, kind in zip(names, labels, types, strict=True):
            source = state.name_of(label) if state.has_label(label) else None
            outputs.append((name, _cast_to(state, source, kind)))
        outputs.append(("__frames_part", Lit(number)))
        if ordered:
            order = tuple((Col(n), d, f) for n, d, f in state.order or ())
            outputs.append(("__frames_pos", Over(Func("row_number", ()), (), order)))
        part = state.with_values([(n, None, e, False) for n, e in outputs], hidden=True)
        part_plan = make_project(part.plan, [(n, Col(n)) for n, _ in outputs], {})
        plan = part_plan if plan is None else make_concat(plan, part_plan)
    assert plan is not None
    masked = {
        name
        for name, label in zip(names, labels, strict=True)
        if any(s.has_label(label) and s.name_of(label) in s.masked for s in states)
    }
    result = FrameState(
        plan=plan,
        connection=states[0].connection,
        columns=tuple(names),
        labels=tuple(labels),
        index=tuple(index_attrs),
        index_names=tuple(index_names),
        order=(("__frames_part", False, False), ("__frames_pos", False, False))
        if ordered
        else None,
        masked=frozenset(masked),
    )
    frame = DataFrame._of(result)._renamed_attributes()
    if series:
        return Series._of_frame(frame).rename(common)
    return frame


def _side_by_side(items: list[Any]) -> DataFrame:
    """``concat(axis=1)`` of columns of one frame."""
    from frames.pandas.frame import DataFrame
    from frames.pandas.series import Series

    first = items[0]._state
    frame = DataFrame._of(first.derive(columns=(), labels=()))
    for item in items:
        if item._state.plan is not first.plan:
            raise not_pushed_down(
                "concat(axis=1) of different frames (aligned by index)", "merge them on the index"
            )
        parts = (
            [item] if isinstance(item, Series) else [item[label] for label in item._state.labels]
        )
        for series in parts:
            frame = frame._with(series.name, series._term)
    return frame


def _aligned_labels(states: list[FrameState], join: str, sort: bool) -> list[Hashable]:
    if join not in ("outer", "inner"):
        raise ValueError("join must be 'outer' or 'inner'")
    labels = list(dict.fromkeys(lab for s in states for lab in s.labels))
    if join == "inner":
        labels = [lab for lab in labels if all(s.has_label(lab) for s in states)]
    return sorted(labels, key=str) if sort else labels


def _output_names(labels: list[Hashable]) -> list[str]:
    names: list[str] = []
    for number, label in enumerate(labels):
        if isinstance(label, str) and not label.startswith("__frames_") and label not in names:
            names.append(label)
        else:
            names.append(f"__frames_c{number}")
    return names


def _common_type(states: list[FrameState], label: Hashable) -> CoreType:
    types = [s.plan.heading[s.name_of(label)].type for s in states if s.has_label(label)]
    categories = {t.category for t in types}
    if len(categories) == 1 and len({t for t in types}) == 1:
        return types[0]
    if categories <= {"integer"}:
        return INT64
    if categories <= set(NUMERIC):
        return FLOAT64
    if categories <= {"string"}:
        return TEXT
    if categories <= {"date", "datetime"}:
        return CoreType("datetime", precision=6)
    raise PandasTypeError(
        f"concat: column {label!r} holds {sorted(categories)} values in different frames, which "
        "pandas would hold as objects; convert them with astype first"
    )


def _cast_to(state: FrameState, source: str | None, kind: CoreType) -> Expr:
    if source is None:
        return Cast(Lit(None), kind)
    attr = state.plan.heading[source]
    if attr.type == kind:
        return Col(source)
    if attr.type.category == "bool":
        from frames.pandas.terms import bool_as_int

        return Cast(bool_as_int(Col(source)), kind)
    return Cast(Col(source), kind)


def _common_index_names(states: list[FrameState]) -> list[Hashable]:
    names = list(states[0].index_names)
    for state in states[1:]:
        names = [a if a == b else None for a, b in zip(names, state.index_names, strict=True)]
    return names
