"""Order-dependent methods as window functions on every backend, over the frame's order,
compared with pandas: rank, cumulative values, shift/diff/pct_change, rolling windows,
positions of a RangeIndex."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas_lab import df_fixture, lab_fixture, pandas_labs_fixture, pdf_fixture, same  # noqa: F401

from frames.pandas import NotPushedDownError


def test_rank_methods(df, pdf) -> None:
    for method in ["average", "min", "max", "first", "dense"]:
        for ascending in (True, False):
            same(
                df.f.rank(method=method, ascending=ascending),
                pdf.f.rank(method=method, ascending=ascending),
            )
            # pinned: pandas ranks a masked Int64 column as UInt64, frames as Int64
            same(
                df.x.rank(method=method, ascending=ascending),
                pdf.x.rank(method=method, ascending=ascending),
                check_dtype=method == "average",
            )
    same(df.s.rank(), pdf.s.rank())
    same(df.f.rank(pct=True), pdf.f.rank(pct=True))
    same(df[["x", "f"]].rank(), pdf[["x", "f"]].rank())
    with pytest.raises(NotPushedDownError):
        df.f.rank(na_option="top")


def test_cumulative_shift_diff_follow_the_frames_order(df, pdf) -> None:
    for make in [
        lambda d: d.x.cumsum(),
        lambda d: d.f.cumsum(),
        lambda d: d.f.cummax(),
        lambda d: d.s.cummin(),
        lambda d: d.x.shift(),
        lambda d: d.f.shift(-2),
        lambda d: d.x.diff(),
        lambda d: d.f.diff(2),
        lambda d: d.f.pct_change(),
        lambda d: d.sort_values("f").x.cumsum(),
        lambda d: d.sort_values(["g", "f"], ascending=[False, True]).f.shift(),
        lambda d: d[["x", "f"]].cumsum(),
        lambda d: d[["x", "f"]].diff(),
    ]:
        same(make(df), make(pdf))


def test_rolling_windows(df, pdf) -> None:
    for size in (1, 2, 3):
        for how in ["mean", "sum", "min", "max", "std", "var"]:
            same(getattr(df.f.rolling(size), how)(), getattr(pdf.f.rolling(size), how)())
    same(df.x.rolling(3, min_periods=1).mean(), pdf.x.rolling(3, min_periods=1).mean())
    same(df.sort_values("f").f.rolling(2).sum(), pdf.sort_values("f").f.rolling(2).sum())


def test_range_index_positions(df, pdf) -> None:
    same(
        df.sort_values("f").reset_index(drop=True).reset_index(),
        pdf.sort_values("f").reset_index(drop=True).reset_index(),
    )
    same(df.reset_index(), pdf.reset_index())
    same(df.set_index("g"), pdf.set_index("g"))
    same(df.set_index(["g", "b"]), pdf.set_index(["g", "b"]))
    same(df.set_index("g", drop=False), pdf.set_index("g", drop=False))
    same(df.set_index("g", append=True), pdf.set_index("g", append=True))
    same(df.set_index("g").sort_index(), pdf.set_index("g").sort_index())
    with pytest.raises(ValueError, match="already exists"):
        df.assign(id=1).reset_index()


def test_drop_duplicates_and_unique_keep_the_first_seen(df, pdf) -> None:
    same(
        df.sort_values("f", ascending=False).drop_duplicates("g"),
        pdf.sort_values("f", ascending=False).drop_duplicates("g"),
    )
    assert list(df.sort_values("f").g.unique()) == list(pdf.sort_values("f").g.unique())
    same(df.sort_values("x").value_counts("b"), pdf.sort_values("x").value_counts("b"))
    assert pd.isna(df.sort_values("x").x.to_list()[-1])


def test_windows_keyed_by_a_computed_column(df, pdf) -> None:
    """A division is guarded by a volatile ERROR() on DuckDB, which refuses it in PARTITION BY
    and ORDER BY: such a key is computed in a derived table before the window."""
    for make in [
        lambda d: d.assign(r=d.f / 2).drop_duplicates(subset=["r"]),
        lambda d: d.assign(r=d.x / 2).sort_values("r", kind="stable").assign(c=lambda e: 0),
    ]:
        same(make(df), make(pdf))
    frame, expected = df.assign(r=df.f / 2).sort_values("r"), pdf.assign(r=pdf.f / 2)
    expected = expected.sort_values("r")
    same(frame.r.cumsum(), expected.r.cumsum())
