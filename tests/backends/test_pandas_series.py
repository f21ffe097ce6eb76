"""The pandas Series API on every backend: operators with pandas' types and missing values,
element-wise methods, ``.str``, ``.dt``, reductions — compared with pandas on the same data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas_lab import df_fixture, lab_fixture, pandas_labs_fixture, pdf_fixture, same  # noqa: F401

import frames.pandas as fpd
from frames.pandas import NotPushedDownError, PandasTypeError


def test_arithmetic_keeps_pandas_types(df, pdf) -> None:
    for make in [
        lambda d: d.x + 1,
        lambda d: d.x * d.f,
        lambda d: 10 - d.x,
        lambda d: d.x / 4,
        lambda d: d.x // 3,
        lambda d: d.x % 3,
        lambda d: -d.x,
        lambda d: d.f**2,
        lambda d: d.x**2,
        lambda d: d.f % 0.75,
        lambda d: d.b * 3,
        lambda d: abs(d.f),
    ]:
        same(make(df), make(pdf))


def test_integer_arithmetic_is_64_bit(df, pdf) -> None:
    """Pinned difference: pandas keeps int32 (and wraps around on overflow)."""
    for make in [lambda d: d["keys"] // -7, lambda d: d["keys"] % -7, lambda d: d["keys"] * 3]:
        result = make(df)
        assert result.dtype == np.dtype("int64")
        same(result, make(pdf).astype("int64"))


def test_strings_concatenate_and_refuse_arithmetic(df, pdf) -> None:
    same(df.s + "-x", pdf.s + "-x")
    same("<" + df.s + ">", "<" + pdf.s + ">")
    same(df.s + df.g, pdf.s + pdf.g)
    with pytest.raises(PandasTypeError):
        df.s - 1
    with pytest.raises(PandasTypeError):
        df.s + 1
    with pytest.raises(PandasTypeError):
        df.x & 2


def test_division_by_zero_is_missing_on_every_backend(df, pdf) -> None:
    """Pinned difference: pandas gives ±inf (MySQL holds no infinity)."""
    result = (df.x / (df.x - 3)).to_pandas()
    expected = (pdf.x / (pdf.x - 3)).replace([np.inf, -np.inf], pd.NA)
    pd.testing.assert_series_equal(result, expected)
    assert pd.isna(result.loc[1])


def test_comparisons_follow_the_dtypes_missing_value_rules(df, pdf) -> None:
    for make in [
        lambda d: d.f != 1.5,  # NaN compares unequal: True
        lambda d: d.f > 1,  # NaN compares false
        lambda d: d.s == "Apple",
        lambda d: d.s < "b",  # code point order: upper case first
        lambda d: d.x > 2,  # Int64: NA stays NA
        lambda d: d.x != 7,
        lambda d: (d.x > 2) | d.b,  # Kleene logic
        lambda d: (d.x > 2) & d.b,
        lambda d: ~(d.x > 2),
        lambda d: d.c ^ d.b,
        lambda d: d.x == d.f,
        lambda d: d.s == 1,  # different types: unequal, as pandas
    ]:
        same(make(df), make(pdf))
    with pytest.raises(PandasTypeError):
        _ = df.s < 1


def test_elementwise_methods(df, pdf) -> None:
    for make in [
        lambda d: d.x.isna(),
        lambda d: d.s.notna(),
        lambda d: d.x.fillna(0),
        lambda d: d.f.fillna(d["keys"]),
        lambda d: d.s.fillna("?"),
        lambda d: d.f.between(0, 2),
        lambda d: d.x.between(1, 7, inclusive="neither"),
        lambda d: d.f.clip(0, 2),
        lambda d: d.x.clip(upper=5),
        lambda d: d.f.abs(),
        lambda d: d.f.round(),
        lambda d: d.f.round(2),
        lambda d: (d.f * 10).round(-1),
        lambda d: d.x.astype("float64"),
        lambda d: d.g.map({"a": 1, "b": 2}),
        lambda d: d.g.replace({"a": "A"}),
        lambda d: d.x.replace(7, 70),
        lambda d: d.x.replace([1, 3], [10, 30]),
        lambda d: d.f.where(d.f > 0, -1.0),
        lambda d: d.s.where(d.b),
        lambda d: d.x.mask(d.x > 2, 0),
        lambda d: d.e.isin(["lo", "nope"]),
    ]:
        same(make(df), make(pdf))


def test_round_is_half_to_even_as_numpy(lab) -> None:
    import frames as dj

    values = fpd.DataFrame(lab.Item.proj(v="f * 2 + 0.5"))  # 3.5, 5.5, NaN, -0.5, 5.5, 0.75
    expected = values.to_pandas().v.round()
    same(values.v.round(), expected)
    assert dj is not None


def test_str_methods(df, pdf) -> None:
    for make in [
        lambda d: d.s.str.lower(),
        lambda d: d.s.str.upper(),
        lambda d: d.s.str.len(),
        lambda d: (" " + d.s + "  x").str.strip(),
        lambda d: d.s.str.contains("an", regex=False),
        lambda d: d.s.str.contains("AN", case=False, regex=False),
        lambda d: d.s.str.contains("p"),
        lambda d: d.s.str.startswith("b"),
        lambda d: d.s.str.startswith(("b", "c")),
        lambda d: d.s.str.endswith("e"),
        lambda d: d.s.str.endswith("🙂"),
        lambda d: d.s.str.replace("a", "4"),
        lambda d: d.s.str.slice(1, 3),
        lambda d: d.s.str.slice(-3),
        lambda d: d.s.str.slice(None, -2),
        lambda d: d.s.str[2:],
        lambda d: d.s.str.contains("an", na=True, regex=False),
    ]:
        same(make(df), make(pdf))
    with pytest.raises(NotPushedDownError, match="regex=False"):
        df.s.str.contains("^a.*")
    with pytest.raises(NotPushedDownError):
        df.s.str.split(" ")
    with pytest.raises(PandasTypeError):
        df.x.str  # noqa: B018


def test_dt_parts(df, pdf) -> None:
    for part in [
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "day_of_week",
        "day_of_year",
        "quarter",
    ]:
        same(getattr(df.t.dt, part), getattr(pdf.t.dt, part), check_dtype=False)
        same(getattr(df.d.dt, part), getattr(pdf.d.dt, part), check_dtype=False)
    same(df.t.dt.normalize(), pdf.t.dt.normalize())
    same(df.t.dt.floor("D"), pdf.t.dt.floor("D"))
    dates = df.t.dt.date.to_pandas()
    assert [v.date() if not pd.isna(v) else None for v in dates] == [
        v if not pd.isna(v) else None for v in pdf.t.dt.date
    ]
    with pytest.raises(NotPushedDownError):
        df.t.dt.floor("h")


def test_reductions_return_python_scalars_by_one_query(df, pdf) -> None:
    for column in ["x", "f", "keys"]:
        for how in ["sum", "mean", "min", "max", "count", "std", "var", "median", "nunique"]:
            actual, expected = getattr(df[column], how)(), getattr(pdf[column], how)()
            assert math.isclose(float(actual), float(expected), rel_tol=1e-12), (column, how)
    assert df.s.min() == pdf.s.min() and df.s.max() == pdf.s.max()
    assert df.b.sum() == pdf.b.sum() and df.b.any() and not df.b.all()
    assert df.d.max() == pdf.d.max() and df.t.min() == pdf.t.min()
    assert df.f.quantile(0.3) == pytest.approx(pdf.f.quantile(0.3))
    assert df[df.x > 100].x.sum() == 0
    assert df[df.x > 100].x.max() is pd.NA
    assert math.isnan(df[df.x > 100].f.max())
    with pytest.raises(NotPushedDownError):
        df.x.prod()


def test_unique_values_and_lists(df, pdf) -> None:
    assert list(df.g.unique()) == list(pdf.g.unique())
    assert df.x.to_list() == pdf.x.to_list()
    same(df.g.value_counts(), pdf.g.value_counts())
    same(df.g.value_counts(dropna=False), pdf.g.value_counts(dropna=False))
    same(df.b.value_counts(normalize=True), pdf.b.value_counts(normalize=True))
    same(df.x.value_counts(ascending=True), pdf.x.value_counts(ascending=True))
    same(df.g.drop_duplicates(keep="last"), pdf.g.drop_duplicates(keep="last"))
    same(df.f.sort_values(na_position="first"), pdf.f.sort_values(na_position="first"))
    same(df.f.nlargest(2), pdf.f.nlargest(2))


def test_python_functions_are_refused_with_the_alternative(df) -> None:
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        df.x.apply(lambda v: v + 1)
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        df.x.map(lambda v: v)
    with pytest.raises(NotPushedDownError, match="to_pandas"):
        iter(df.x)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(df.x > 1)
