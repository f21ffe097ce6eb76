"""``pivot_table``: one row per ``index`` value, one column per ``columns`` value.

The distinct values of ``columns`` become column labels, so they are read first (one query);
the table itself is one grouped statement of conditional aggregates. A cell whose combination
has no rows is missing (``fill_value`` fills it), as pandas' unstacking leaves it; as pandas,
rows and columns whose cells are all missing are left out.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from frames.pandas import terms
from frames.pandas.errors import not_pushed_down
from frames.pandas.groupby import DataFrameGroupBy, reduction_name
from frames.pandas.series import Series
from frames.plan.values import Col, Expr, Lit, Op

if TYPE_CHECKING:
    from frames.pandas.frame import DataFrame


def _labels(value: Any) -> list[Hashable]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def pivot_table(
    frame: DataFrame,
    values: Any = None,
    index: Any = None,
    columns: Any = None,
    aggfunc: Any = "mean",
    fill_value: Any = None,
    dropna: bool = True,
    sort: bool = True,
) -> DataFrame:
    """pandas' ``pivot_table`` with one ``columns`` key and one reduction."""
    keys = _labels(index)
    pivots = _labels(columns)
    if not keys or len(pivots) != 1:
        raise not_pushed_down(
            "pivot_table without index or with several columns keys",
            "give index=... and one columns=... key",
        )
    if not dropna:
        raise not_pushed_down("pivot_table(dropna=False)", "keep dropna=True")
    how = reduction_name(aggfunc)
    pivot = pivots[0]
    state = frame._state
    value_labels = (
        sorted(_labels(values), key=str)  # pandas orders the values' columns
        if values is not None
        else [
            lab
            for name, lab in zip(state.columns, state.labels, strict=True)
            if lab not in keys
            and lab != pivot
            and Series.of_column(state, name, lab)._term.category in terms.NUMERIC
        ]
    )
    cells = _present_cells(frame, keys, pivot, value_labels, how)
    flat = values is not None and not isinstance(values, (list, tuple))
    key = Series.of_column(state, state.name_of(pivot), pivot)._term
    specs = []
    for value_label, item in cells:
        label = item if flat else (value_label, item)
        match = terms.compare("==", key, item).expr
        specs.append((label, value_label, how, {"where": match}))
    grouped = DataFrameGroupBy(frame, keys, sort=sort, dropna=True, selection=[])
    result = grouped._aggregate(specs)
    # pandas drops the rows whose cells are all missing (all rows, without cells)
    condition: Expr = Lit(False)
    for name in result.columns:
        present = Op("not", (Op("is_null", (Col(name),)),))
        condition = present if isinstance(condition, Lit) else Op("or", (condition, present))
    result = result.restricted(condition)
    wrapped = frame._derive(result.derive(column_names=(pivot,) if flat else (None, pivot)))
    if fill_value is not None:
        wrapped = wrapped.fillna(fill_value)
    return wrapped


def _present_cells(
    frame: DataFrame, keys: list[Hashable], pivot: Hashable, values: list[Hashable], how: str
) -> list[tuple[Hashable, Any]]:
    """The (value column, pivot value) cells some row has a value for, in pandas' column
    order (one query): pandas drops the columns whose cells are all missing. A sum or count
    of no values is 0, not missing, so any row of the pivot value keeps its column."""
    rows = frame.dropna(subset=[*keys, pivot])
    counted = rows.groupby(pivot).agg(
        **{f"__frames_n{i}": (value, "count") for i, value in enumerate(values)},
        **{"__frames_rows": (pivot, "size")},
    )
    table = counted.to_pandas()
    found = []
    for number, value in enumerate(values):
        column = table["__frames_rows" if how in _ZERO_WHEN_EMPTY else f"__frames_n{number}"]
        found += [(value, item) for item, count in column.items() if count > 0]
    return found


#: Reductions of no values that pandas gives as a value, not as missing.
_ZERO_WHEN_EMPTY = ("sum", "count", "size", "nunique")
