"""A fetched frame as pandas, polars or Arrow, with the dtypes of :mod:`frames.pandas.dtypes`,
its index and its column labels."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.io import convert
from frames.pandas.dtypes import MASKED_NAMES
from frames.pandas.state import FrameState
from frames.plan.heading import Heading

if TYPE_CHECKING:
    import pandas
    import polars


def to_pandas(table: pa.Table, state: FrameState) -> pandas.DataFrame:
    """The fetched ``table`` (index attributes, then columns) as pandas."""
    import pandas

    heading = _heading(state, table)
    frame = convert.to_pandas(table, heading, index=False)
    for attr in heading:
        frame[attr.name] = _dtype_fixed(frame[attr.name], attr.type.kind, attr.name in state.masked)
    if state.index:  # built from the columns, which keep their dtypes (set_index widens)
        levels = [frame[name] for name in state.index]
        frame = frame.drop(columns=list(state.index))
        names = list(state.index_names)
        frame.index = (
            pandas.Index(levels[0], name=names[0])
            if len(levels) == 1
            else pandas.MultiIndex.from_arrays(levels, names=names)
        )
    frame.columns = column_index(state.labels, state.column_names)
    return frame


def _heading(state: FrameState, table: pa.Table) -> Heading:
    """The heading of the fetched columns, in their order, without a key."""
    plan = state.plan.heading
    return Heading(tuple(replace(plan[name], in_key=False) for name in table.column_names))


def _dtype_fixed(column: pandas.Series, kind: str, masked: bool) -> pandas.Series:
    """``column`` in the dtype frames.pandas pins for ``kind``."""
    if masked and kind in MASKED_NAMES:
        return column.astype(MASKED_NAMES[kind])
    if kind in ("date",):
        return column.astype("datetime64[us]")
    if column.dtype == object and kind.startswith("int"):
        return column.astype("float64")  # pandas' integers with missing values
    return column


def column_index(labels: Sequence[Hashable], names: Sequence[Hashable] = ()) -> Any:
    """pandas column labels: a ``MultiIndex`` when they are tuples; ``names`` name the
    levels."""
    import pandas

    if labels and all(isinstance(label, tuple) for label in labels):
        index = pandas.MultiIndex.from_tuples(list(labels))
    else:
        index = pandas.Index(list(labels), dtype=object if not labels else None)
    if len(names) == index.nlevels:
        index.names = list(names)
    return index


def _flat_names(state: FrameState, table: pa.Table) -> list[str]:
    """Arrow/polars column names: index names, then labels (tuples joined by ``_``)."""
    index = [
        str(n) if n is not None else name
        for n, name in zip(state.index_names, state.index, strict=True)
    ]
    labels = [
        "_".join(map(str, lab)) if isinstance(lab, tuple) else str(lab) for lab in state.labels
    ]
    return index + labels


def to_arrow(table: pa.Table, state: FrameState) -> pa.Table:
    """The fetched ``table`` as Arrow, index levels as leading columns."""
    result = convert.to_arrow(table, _heading(state, table))
    return result.rename_columns(_flat_names(state, table))


def to_polars(table: pa.Table, state: FrameState) -> polars.DataFrame:
    """The fetched ``table`` as polars, index levels as leading columns."""
    return convert.to_polars(table, _heading(state, table)).rename(
        dict(zip(table.column_names, _flat_names(state, table), strict=True))
    )
