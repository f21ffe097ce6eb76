"""merge, join and concat on every backend, compared with pandas on the same data (pandas'
row order included: a merge keeps the left frame's order, an outer merge the keys')."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas_lab import codes_frame, df_fixture, lab_fixture, pandas_labs_fixture, pdf_fixture, same  # noqa: F401

import frames.pandas as fpd
from frames.pandas import MergeError, NotPushedDownError, PandasTypeError


@pytest.fixture
def codes(lab) -> fpd.DataFrame:
    return fpd.DataFrame(lab.Code)


def test_merge_kinds_on_a_shared_column(df, pdf, codes) -> None:
    pcodes = codes_frame()
    for how in ["inner", "left", "right", "outer"]:
        same(
            df[["g", "x"]].merge(codes, on="g", how=how),
            pdf[["g", "x"]].merge(pcodes, on="g", how=how),
        )
        same(
            df.merge(codes, on="g", how=how, indicator=True)[["g", "x", "w", "_merge"]],
            pdf.merge(pcodes, on="g", how=how, indicator=True)[["g", "x", "w", "_merge"]].astype(
                {"_merge": "str"}
            ),
        )


def test_merge_with_left_on_right_on_suffixes_and_cross(df, pdf, codes) -> None:
    pcodes = codes_frame()
    left = df[["g", "f"]].rename(columns={"g": "k"})
    pleft = pdf[["g", "f"]].rename(columns={"g": "k"})
    same(
        left.merge(codes, left_on="k", right_on="g"), pleft.merge(pcodes, left_on="k", right_on="g")
    )
    same(
        df[["g", "f"]].merge(df[["g", "f"]], on="g", suffixes=("_l", "_r")),
        pdf[["g", "f"]].merge(pdf[["g", "f"]], on="g", suffixes=("_l", "_r")),
    )
    same(df[["x"]].merge(codes, how="cross"), pdf[["x"]].merge(pcodes, how="cross"))
    same(df[["g", "x"]].merge(codes), pdf[["g", "x"]].merge(pcodes))  # on the shared columns
    same(
        df[["g", "x"]].merge(codes, on="g", how="left", sort=True),
        pdf[["g", "x"]].merge(pcodes, on="g", how="left", sort=True),
    )
    with pytest.raises(MergeError):
        df.merge(codes, left_on="x", right_on="g")


def test_missing_keys_match_each_other_as_in_pandas(df, pdf, codes) -> None:
    pcodes = codes_frame()
    matched = df[["g"]].merge(codes, on="g").to_pandas()
    assert matched["w"].tolist() == pdf[["g"]].merge(pcodes, on="g")["w"].tolist()
    assert 40.0 in matched["w"].tolist()  # the NULL g of Item meets the NULL g of Code


def test_join_on_the_index(df, pdf, codes) -> None:
    pcodes = codes_frame()
    right = codes.set_index("g")
    pright = pcodes.set_index("g")
    same(df[["g", "x"]].join(right, on="g"), pdf[["g", "x"]].join(pright, on="g"))
    same(df[["x"]].join(df[["f"]]), pdf[["x"]].join(pdf[["f"]]))
    same(
        df[["x"]].join(df[["x"]], suffixes=("_a", "_b")),
        pdf[["x"]].join(pdf[["x"]], suffixes=("_a", "_b")),
    )
    with pytest.raises(ValueError, match="overlap"):
        df[["x"]].join(df[["x"]])


def test_concat(df, pdf, codes) -> None:
    pcodes = codes_frame()
    same(
        fpd.concat([df[["g", "x"]], df[["g", "f"]]]), pd.concat([pdf[["g", "x"]], pdf[["g", "f"]]])
    )
    same(
        fpd.concat([df[["g", "x"]], codes], ignore_index=True),
        pd.concat([pdf[["g", "x"]], pcodes], ignore_index=True),
    )
    same(
        fpd.concat([df[["g", "x"]], df[["g", "f"]]], join="inner"),
        pd.concat([pdf[["g", "x"]], pdf[["g", "f"]]], join="inner"),
    )
    same(fpd.concat([df.x, df.f]), pd.concat([pdf.x, pdf.f]), check_dtype=False)
    same(
        fpd.concat([df.sort_values("f").head(2), df.tail(1)]),
        pd.concat([pdf.sort_values("f").head(2), pdf.tail(1)]),
    )
    same(fpd.concat([df.x, df.s], axis=1), pd.concat([pdf.x, pdf.s], axis=1))
    with pytest.raises(NotPushedDownError):
        fpd.concat([df.x, codes.w], axis=1)
    with pytest.raises(PandasTypeError):
        fpd.concat([df[["x"]], df[["s"]].rename(columns={"s": "x"})])


def test_a_merge_chain_is_one_statement(df, pdf, codes) -> None:
    pcodes = codes_frame()
    chain = df[df.b].merge(codes, on="g", how="left").groupby("g").agg(total=("w", "sum"))
    sql, _ = chain.compile()
    assert ";" not in sql
    same(chain, pdf[pdf.b].merge(pcodes, on="g", how="left").groupby("g").agg(total=("w", "sum")))


def test_merge_on_a_computed_boolean_key(df, pdf) -> None:
    """The keys' comparisons stay operands of the join's equality (``(a <> 0) = (b > 1)``,
    not a chained comparison)."""

    def make(d):
        left = d.assign(b=d.x != 0)[["b", "f"]]
        right = d.assign(c=d.x > 1)[["c", "s"]].rename(columns={"c": "b"})
        return left.merge(right, on="b").sort_values(["f", "s"]).reset_index(drop=True)

    same(make(df), make(pdf))
