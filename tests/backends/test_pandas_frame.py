"""The pandas DataFrame API on every backend: entry points, selection, columns, missing
values, order and paging, ``query`` — each result compared with pandas on the same data."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from pandas_lab import df_fixture, lab_fixture, pandas_labs_fixture, pdf_fixture, same  # noqa: F401

import frames.pandas as fpd
from frames.errors import UnknownAttributeError
from frames.pandas import AlignmentError, NotPushedDownError

# -- entry points and description ----------------------------------------------------------------


def test_a_table_is_a_frame_indexed_by_its_key_as_pandas_holds_it(df, pdf) -> None:
    same(df, pdf)
    assert list(df.columns) == list(pdf.columns)
    assert dict(df.dtypes) == dict(pdf.dtypes)
    assert df.shape == pdf.shape and len(df) == 6 and not df.empty


def test_read_sql_table_and_query_frames(lab, pdf) -> None:
    table = fpd.read_sql_table(lab.Item.table_name, lab.connection, schema=lab.Item().database)
    same(table, pdf.reset_index())
    query = fpd.DataFrame(lab.Item & "x > 2", index_col=None)
    same(query, pdf[pdf.x > 2].reset_index(drop=False).reset_index(drop=True))
    assert fpd.DataFrame(lab.Item, index_col="sql").to_pandas().index.name == "sql"


def test_frames_go_back_to_datajoint_polars_and_arrow(df, pdf) -> None:
    query = df[df.x > 2][["g", "x"]].to_query()
    assert list(query.heading.names) == ["id", "g", "x"]
    assert [r["id"] for r in query.to_dicts(order_by="id")] == [1, 3, 5]
    polars = df[["g"]].to_polars()
    assert polars.columns == ["id", "g"] and polars["id"].to_list() == [1, 2, 3, 4, 5, 6]
    arrow = df[["f"]].to_arrow()
    assert arrow.column_names == ["id", "f"] and arrow.column("f").to_pylist()[:2] == [1.5, 2.5]


def test_columns_named_like_methods_are_reachable_by_label(df, pdf) -> None:
    same(df["keys"], pdf["keys"])
    same(df["sql"], pdf["sql"])
    assert list(df.keys()) == list(pdf.keys())  # keys() means what it means in pandas
    with pytest.raises(KeyError):
        df["nope"]
    with pytest.raises(AttributeError):
        df.nope  # noqa: B018


def test_empty_results(df, pdf) -> None:
    empty = df[df.x > 100]
    assert empty.empty and len(empty) == 0 and empty.shape == (0, 11)
    same(empty, pdf[pdf.x > 100], check_index_type=False)


# -- selection ----------------------------------------------------------------------------------


def test_columns_lists_masks_and_loc(df, pdf) -> None:
    same(df[["s", "x"]], pdf[["s", "x"]])
    same(df[(df.x > 2) & ~df.b], pdf[(pdf.x > 2) & ~pdf.b])
    same(df.loc[df.f >= 1.5, ["g", "f"]], pdf.loc[pdf.f >= 1.5, ["g", "f"]])
    same(df.loc[df.g == "a", "x"], pdf.loc[pdf.g == "a", "x"])
    same(df.loc[:, ["b", "c"]], pdf.loc[:, ["b", "c"]])
    same(df.loc[lambda d: d.x < 5], pdf.loc[lambda d: d.x < 5])


def test_a_mask_of_the_unfiltered_frame_aligns_as_in_pandas(df, pdf) -> None:
    kept = df[df.x > 2]
    same(kept.assign(y=df.x * 10), pdf[pdf.x > 2].assign(y=pdf.x * 10))
    with pytest.raises(AlignmentError):
        df.assign(y=kept.x)  # more rows than the Series has: pandas would insert NaN


def test_boolean_lists_and_arrays_are_refused(df) -> None:
    with pytest.raises(NotPushedDownError, match="boolean Series"):
        df[[True, False, True, False, True, False]]
    with pytest.raises(NotPushedDownError, match="boolean Series"):  # was a ValueError
        df[np.array([True, False, True, False, True, False])]


def test_numpy_and_pandas_scalars_are_bound_like_python_values(df, pdf) -> None:
    same(df[df.x == np.int64(7)], pdf[pdf.x == np.int64(7)])
    same(df[df.f < np.float32(2.0)], pdf[pdf.f < np.float32(2.0)])
    same(df[df.d > np.datetime64("2020-01-31")], pdf[pdf.d > np.datetime64("2020-01-31")])
    same(
        df[df.t <= pd.Timestamp("2020-01-05 10:30:15")],
        pdf[pdf.t <= pd.Timestamp("2020-01-05 10:30:15")],
    )
    same(df[df.d == "2020-01-05"], pdf[pdf.d == "2020-01-05"])
    same(df[df.b == np.bool_(True)], pdf[pdf.b == np.bool_(True)])


def test_isin_with_empty_and_missing_values(df, pdf) -> None:
    same(df[df.x.isin([])], pdf[pdf.x.isin([])], check_index_type=False)
    same(df[~df.x.isin([])], pdf[~pdf.x.isin([])])
    same(df[df.g.isin(["a", None])], pdf[pdf.g.isin(["a", None])])
    same(df[df.x.isin([7, pd.NA])], pdf[pdf.x.isin([7, pd.NA])])
    same(df.isin({"g": ["b"], "x": [1, 3]}), pdf.isin({"g": ["b"], "x": [1, 3]}))


# -- columns ------------------------------------------------------------------------------------


def test_assign_setitem_insert_and_del(df, pdf) -> None:
    same(
        df.assign(y=df.x + 1, z=lambda d: d.y * 2, w=5),
        pdf.assign(y=pdf.x + 1, z=lambda d: d.y * 2, w=5),
    )
    lazy, eager = fpd.DataFrame(df), pdf.copy()
    lazy["x"] = lazy.x * 3
    eager["x"] = eager.x * 3
    lazy["new"] = "const"
    eager["new"] = "const"
    lazy.insert(0, "first", lazy.f.abs())
    eager.insert(0, "first", eager.f.abs())
    del lazy["s"]
    del eager["s"]
    same(lazy, eager)


def test_rename_and_drop(df, pdf) -> None:
    same(df.rename(columns={"x": "ex", "keys": "k"}), pdf.rename(columns={"x": "ex", "keys": "k"}))
    same(df.rename(columns=str.upper), pdf.rename(columns=str.upper))
    same(df.drop(columns=["s", "t"]), pdf.drop(columns=["s", "t"]))
    same(df.drop("e", axis=1), pdf.drop("e", axis=1))
    same(df.drop(index=[2, 4]), pdf.drop(index=[2, 4]))
    same(df.add_prefix("p_"), pdf.add_prefix("p_"))
    with pytest.raises(KeyError):
        df.drop(columns=["nope"])


def test_astype(df, pdf) -> None:
    same(df[["x", "f"]].astype("float64"), pdf[["x", "f"]].astype("float64"))
    same(df.b.astype("int64"), pdf.b.astype("int64"))
    same(df["keys"].astype(str), pdf["keys"].astype(str))
    same(df.f.fillna(0).astype("int64"), pdf.f.fillna(0).astype("int64"))
    same(df.astype({"x": "float64"}), pdf.astype({"x": "float64"}))
    same(df.x.astype("Float64"), pdf.x.astype("Float64"))
    with pytest.raises(NotPushedDownError):
        df.f.astype(str)  # each database spells floats its own way
    with pytest.raises(NotPushedDownError):
        df.g.astype("category")


def test_where_and_mask(df, pdf) -> None:
    same(df[["x", "f"]].where(df.b, 0), pdf[["x", "f"]].where(pdf.b, 0))
    same(df.f.mask(df.f > 2), pdf.f.mask(pdf.f > 2))
    same(df[["x", "f"]].where(df[["x", "f"]] > 1), pdf[["x", "f"]].where(pdf[["x", "f"]] > 1))


# -- missing values -------------------------------------------------------------------------------


def test_dropna_fillna_isna(df, pdf) -> None:
    same(df.dropna(), pdf.dropna(), check_index_type=False)
    same(df.dropna(subset=["x", "f"]), pdf.dropna(subset=["x", "f"]))
    same(df.dropna(subset=["x", "f"], how="all"), pdf.dropna(subset=["x", "f"], how="all"))
    same(df.dropna(thresh=11), pdf.dropna(thresh=11))
    same(df[["x", "f"]].fillna(0), pdf[["x", "f"]].fillna(0))
    same(df.fillna({"s": "?", "f": -1.0}), pdf.fillna({"s": "?", "f": -1.0}))
    same(df.isna(), pdf.isna())
    same(df.notna(), pdf.notna())


def test_drop_duplicates_keeps_pandas_rows(df, pdf) -> None:
    for keep in ("first", "last", False):
        same(
            df.drop_duplicates(subset=["g"], keep=keep),
            pdf.drop_duplicates(subset=["g"], keep=keep),
        )
        same(
            df.duplicated(subset=["d", "t"], keep=keep),
            pdf.duplicated(subset=["d", "t"], keep=keep),
        )
    same(df[["b"]].drop_duplicates(), pdf[["b"]].drop_duplicates())
    same(
        df[["g"]].drop_duplicates(ignore_index=True), pdf[["g"]].drop_duplicates(ignore_index=True)
    )


# -- order and paging ---------------------------------------------------------------------------


def test_sort_values_is_stable_and_places_missing_values_as_pandas(df, pdf) -> None:
    for na in ("first", "last"):
        for ascending in (True, False):
            same(
                df.sort_values("f", ascending=ascending, na_position=na),
                pdf.sort_values("f", ascending=ascending, na_position=na, kind="stable"),
            )
    same(
        df.sort_values(["g", "x"], ascending=[True, False]),
        pdf.sort_values(["g", "x"], ascending=[True, False]),
    )
    same(df.sort_values("s"), pdf.sort_values("s"))  # code point order, as Python's
    same(df.sort_values("e"), pdf.sort_values("e"))  # enums as strings
    same(df.sort_values("f").sort_values("g"), pdf.sort_values("f").sort_values("g", kind="stable"))
    same(
        df.sort_values("x").sort_index(ascending=False),
        pdf.sort_values("x").sort_index(ascending=False),
    )
    same(df.sort_values("x", ignore_index=True), pdf.sort_values("x", ignore_index=True))


def test_sorting_by_a_column_then_replacing_it_keeps_the_order(df, pdf) -> None:
    same(df.sort_values("f").assign(f=0.0), pdf.sort_values("f").assign(f=0.0))
    same(df.sort_values("f")[["g"]], pdf.sort_values("f")[["g"]])


def test_head_tail_nlargest_nsmallest_slices(df, pdf) -> None:
    same(df.head(2), pdf.head(2))
    same(df.tail(2), pdf.tail(2))
    same(df.sort_values("f").head(3), pdf.sort_values("f").head(3))
    same(df.sort_values("f").tail(3), pdf.sort_values("f").tail(3))
    same(df.nlargest(3, "x"), pdf.nlargest(3, "x"))
    same(df.nsmallest(4, "f"), pdf.nsmallest(4, "f"))
    same(df[1:4], pdf[1:4])
    same(df.iloc[2:], pdf.iloc[2:])
    same(df.head(3)[df.x > 2], pdf.head(3)[pdf.head(3).x > 2])


def test_positions_need_an_order(lab) -> None:
    import frames as dj

    total = fpd.DataFrame(dj.U().aggr(lab.Item, n="count(*)"))  # no key: no order
    unordered = total.merge(fpd.DataFrame(lab.Item), how="cross")
    for method in (
        lambda d: d.head(2),
        lambda d: d.tail(2),
        lambda d: d[1:],
        lambda d: d.x.cumsum(),
    ):
        with pytest.raises(NotPushedDownError, match="sort_values"):
            method(unordered)
    assert unordered.sort_values("s").head(2).to_pandas()["s"].tolist() == ["", "Apple"]


# -- query and eval -----------------------------------------------------------------------------


def test_query_strings_read_as_pandas_reads_them(df, pdf) -> None:
    limit = 2  # noqa: F841 (read by the query strings as @limit)
    for text in [
        "x > @limit",
        "x > 2 & b",
        "x > 2 and not b",
        "1 <= x < 7",
        "g in ['a', 'ü'] | f.isna()",
        "g not in ('a',)",
        "s.str.startswith('b') or s.str.contains('pie', regex=False)",
        "`keys` >= 30 and sql != 'q5'",
        "x * 2 + 1 > f",
        "-x < -2",
        "id > 3",
    ]:
        same(df.query(text), pdf.query(text))
    same(df.eval("x + f"), pdf.eval("x + f"), check_names=False)


def test_query_binds_values_and_rejects_code(df) -> None:
    injection = "a'; DROP TABLE x; --"
    assert len(df.query("s == @injection")) == 0
    sql, params = df.query("s == @injection").compile()
    assert injection in params and injection not in sql
    from frames.errors import QuerySyntaxError

    for text in ["__import__('os')", "x.__class__", "lambda: 1", "[c for c in x]", "x > "]:
        with pytest.raises((QuerySyntaxError, UnknownAttributeError)):
            df.query(text)


def test_a_chain_is_one_statement(df, pdf) -> None:
    chain = (
        df[df.f > 0]
        .assign(y=df.x * 2)
        .groupby("g")
        .agg(total=("y", "sum"), n=("y", "count"))
        .sort_values("total", ascending=False)
        .head(2)
    )
    sql, _ = chain.compile()
    assert ";" not in sql and sql.count("SELECT") >= 1
    text = chain.explain()
    assert "== sql ==" in text and text.rstrip().endswith(sql.rstrip())
    expected = (
        pdf[pdf.f > 0]
        .assign(y=pdf.x * 2)
        .groupby("g")
        .agg(total=("y", "sum"), n=("y", "count"))
        .sort_values("total", ascending=False)
        .head(2)
    )
    same(chain, expected)


def test_date_values_compare_and_sort_as_timestamps(df, pdf) -> None:
    same(df[df.d < datetime.date(2020, 2, 1)], pdf[pdf.d < pd.Timestamp(2020, 2, 1)])
    same(df.sort_values("d", na_position="first"), pdf.sort_values("d", na_position="first"))
