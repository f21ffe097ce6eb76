"""groupby, value_counts, describe, nunique and pivot_table on every backend, compared with
pandas on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas_lab import df_fixture, lab_fixture, pandas_labs_fixture, pdf_fixture, same  # noqa: F401

from frames.pandas import NotPushedDownError

REDUCTIONS = [
    "sum",
    "mean",
    "min",
    "max",
    "count",
    "std",
    "var",
    "median",
    "nunique",
    "first",
    "last",
]


def test_every_reduction_per_group(df, pdf) -> None:
    for how in REDUCTIONS:
        same(
            getattr(df.groupby("g")[["x", "f"]], how)(),
            getattr(pdf.groupby("g")[["x", "f"]], how)(),
        )
        same(getattr(df.groupby("g")["x"], how)(), getattr(pdf.groupby("g")["x"], how)())
    for how in ["min", "max", "count", "nunique", "first", "last"]:
        same(getattr(df.groupby("b")["s"], how)(), getattr(pdf.groupby("b")["s"], how)())
    same(df.groupby("g").size(), pdf.groupby("g").size())
    same(df.groupby("g")["c"].any(), pdf.groupby("g")["c"].any())
    same(df.groupby("g")["b"].sum(), pdf.groupby("g")["b"].sum())
    same(df.groupby("g")["f"].quantile(0.25), pdf.groupby("g")["f"].quantile(0.25))


def test_agg_takes_names_lists_dicts_and_named_aggregations(df, pdf) -> None:
    same(df.groupby("g")[["x", "f"]].agg("sum"), pdf.groupby("g")[["x", "f"]].agg("sum"))
    same(
        df.groupby("g")[["x", "f"]].agg(["sum", "max"]),
        pdf.groupby("g")[["x", "f"]].agg(["sum", "max"]),
    )
    same(
        df.groupby("g").agg({"x": "sum", "f": "mean"}),
        pdf.groupby("g").agg({"x": "sum", "f": "mean"}),
    )
    same(
        df.groupby("g").agg({"x": ["min", "max"], "f": "mean"}),
        pdf.groupby("g").agg({"x": ["min", "max"], "f": "mean"}),
    )
    same(
        df.groupby("g").agg(total=("x", "sum"), n=("s", "count"), top=("f", np.max)),
        pdf.groupby("g").agg(total=("x", "sum"), n=("s", "count"), top=("f", "max")),
    )
    same(df.groupby("g")["x"].agg(["sum", "count"]), pdf.groupby("g")["x"].agg(["sum", "count"]))
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        df.groupby("g").agg(lambda v: v.sum())


def test_group_keys_missing_values_sort_and_as_index(df, pdf) -> None:
    same(df.groupby("g", dropna=False)["x"].sum(), pdf.groupby("g", dropna=False)["x"].sum())
    same(df.groupby("g", sort=False)["x"].sum(), pdf.groupby("g", sort=False)["x"].sum())
    same(df.groupby(["g", "b"])["f"].mean(), pdf.groupby(["g", "b"])["f"].mean())
    same(
        df.groupby("g", as_index=False).agg(n=("x", "count")),
        pdf.groupby("g", as_index=False).agg(n=("x", "count")),
    )
    same(df.groupby("e")["x"].sum(), pdf.groupby("e")["x"].sum())
    same(
        df.groupby("g", dropna=False, sort=False).size(),
        pdf.groupby("g", dropna=False, sort=False).size(),
    )
    grouped = df.groupby("g").agg(total=("x", "sum"))
    same(grouped[grouped.total > 5], pdf.groupby("g").agg(total=("x", "sum")).query("total > 5"))


def test_transform_filter_head_and_per_group_windows(df, pdf) -> None:
    for how in ["sum", "mean", "max", "count", "size"]:
        same(df.groupby("g")["x"].transform(how), pdf.groupby("g")["x"].transform(how))
    same(df.groupby("g")[["x", "f"]].cumsum(), pdf.groupby("g")[["x", "f"]].cumsum())
    same(df.groupby("g")["f"].rank(), pdf.groupby("g")["f"].rank())
    same(df.groupby("g")["x"].shift(), pdf.groupby("g")["x"].shift())
    same(df.groupby("g")["f"].diff(), pdf.groupby("g")["f"].diff())
    same(df.groupby("g").cumcount(), pdf.groupby("g").cumcount())
    same(df.groupby("g").head(1), pdf.groupby("g").head(1))
    same(df.groupby("g").tail(1), pdf.groupby("g").tail(1))
    same(
        df.groupby("g").filter(lambda g: g["x"].sum() > 5),
        pdf.groupby("g").filter(lambda g: g["x"].sum() > 5),
    )
    same(
        df.groupby("g")["x"].filter(lambda g: g.max() > 5),
        pdf.groupby("g")["x"].filter(lambda g: g.max() > 5),
    )
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        df.groupby("g").filter(lambda g: len(g) > 1)
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        df.groupby("g").apply(lambda g: g)


def test_value_counts_describe_nunique(df, pdf) -> None:
    same(df.value_counts(["g", "b"]), pdf.value_counts(["g", "b"]))
    same(df.x.value_counts(dropna=False), pdf.x.value_counts(dropna=False))
    same(
        df.groupby("g")["b"].value_counts(),
        pdf.groupby("g")["b"].value_counts(),
        check_index_type=False,
    )
    numbers = ["x", "f", "keys"]  # frames describes numeric columns (pandas also datetimes)
    pd.testing.assert_frame_equal(df.describe(), pdf[numbers].describe())
    pd.testing.assert_frame_equal(
        df.describe(percentiles=[0.1, 0.9]), pdf[numbers].describe(percentiles=[0.1, 0.9])
    )
    pd.testing.assert_series_equal(df.nunique(), pdf.nunique())
    pd.testing.assert_series_equal(df.count(), pdf.count())
    pd.testing.assert_series_equal(df[["x", "f"]].sum(), pdf[["x", "f"]].sum(), check_dtype=False)
    pd.testing.assert_series_equal(
        df.mean(numeric_only=True), pdf.mean(numeric_only=True), check_dtype=False
    )


def test_pivot_table(df, pdf) -> None:
    for how in ["sum", "mean", "count", "max"]:
        same(
            df.pivot_table(values="f", index="g", columns="b", aggfunc=how),
            pdf.pivot_table(values="f", index="g", columns="b", aggfunc=how),
            check_dtype=False,
            check_column_type=False,
        )
    same(
        df.pivot_table(values=["x", "f"], index="b", columns="e", aggfunc="sum", fill_value=0),
        pdf.pivot_table(values=["x", "f"], index="b", columns="e", aggfunc="sum", fill_value=0),
        check_dtype=False,
        check_column_type=False,
    )
