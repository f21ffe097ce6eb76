"""Arrow → Python conversion: every core type, NULLs, padded CHAR values, empty results."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from frames.declare.spec import Attribute
from frames.declare.types import parse_type
from frames.errors import UnknownAttributeError
from frames.io.convert import (
    python_value,
    to_arrays,
    to_arrow,
    to_dicts,
    to_pandas,
    to_polars,
    to_tuples,
)
from frames.plan.heading import Heading

UID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def attr(name: str, type_: str, key: bool = False) -> Attribute:
    return Attribute(name, parse_type(type_), in_key=key)


def table(heading: Heading, *columns: list) -> pa.Table:
    """A result as a backend delivers it: the heading's Arrow schema, values given by column."""
    return pa.table(list(columns), schema=heading.arrow_schema())


# One attribute of every core type, a key and two rows: values, then all NULLs.
ALL = Heading(
    (
        attr("id", "int32", key=True),
        attr("i8", "int8"),
        attr("i16", "int16"),
        attr("i64", "int64"),
        attr("f32", "float32"),
        attr("f64", "float64"),
        attr("dec", "decimal(5,1)"),
        attr("flag", "bool"),
        attr("code", "char(4)"),
        attr("name", "varchar(16)"),
        attr("notes", "text"),
        attr("sex", "enum('M','F')"),
        attr("born", "date"),
        attr("seen", "datetime(6)"),
        attr("params", "json"),
        attr("uid", "uuid"),
        attr("raw", "bytes"),
    )
)
ALL_TABLE = table(
    ALL,
    [1, 2],
    [-128, None],
    [32767, None],
    [2**63 - 1, None],
    [0.1, None],
    [0.1 + 0.2, None],
    [Decimal("450.0"), None],
    [False, None],
    ["ab  ", None],  # PostgreSQL pads CHAR values to their length
    ["ab  ", None],  # varchar keeps its trailing spaces
    ["long text", None],
    ["F", None],
    [datetime.date(2024, 1, 15), None],
    [datetime.datetime(2024, 6, 1, 10, 30, 5, 123456), None],
    ['{"a": [1, 2], "b": null}', None],
    [str(UID), None],
    [b"\x00\xff", None],
)
ALL_VALUES = {
    "id": 1,
    "i8": -128,
    "i16": 32767,
    "i64": 2**63 - 1,
    "f32": 0.1,
    "f64": 0.1 + 0.2,
    "dec": Decimal("450.0"),
    "flag": False,
    "code": "ab",
    "name": "ab  ",
    "notes": "long text",
    "sex": "F",
    "born": datetime.date(2024, 1, 15),
    "seen": datetime.datetime(2024, 6, 1, 10, 30, 5, 123456),
    "params": {"a": [1, 2], "b": None},
    "uid": UID,
    "raw": b"\x00\xff",
}


# -- to_dicts / to_tuples / python_value ------------------------------------------------------


def test_to_dicts_gives_python_types_for_every_core_type():
    first, second = to_dicts(ALL_TABLE, ALL)
    assert first == ALL_VALUES
    for name, value in ALL_VALUES.items():
        assert type(first[name]) is type(value), name
    assert str(first["dec"]) == "450.0"  # the declared scale survives
    assert first["flag"] is False  # a bool, never 0
    assert second == {name: (2 if name == "id" else None) for name in ALL.names}


def test_to_dicts_keeps_heading_order():
    assert list(to_dicts(ALL_TABLE, ALL)[0]) == list(ALL.names)


def test_to_tuples_follow_heading_order():
    first, second = to_tuples(ALL_TABLE, ALL)
    assert first == tuple(ALL_VALUES.values())
    assert second == (2,) + (None,) * (len(ALL) - 1)


def test_tutorial_subject_to_dicts():
    heading = Heading(
        (
            attr("subject_id", "int32", key=True),
            attr("species", "varchar(32)"),
            attr("date_of_birth", "date"),
            attr("sex", "enum('M','F','unknown')"),
        )
    )
    result = table(
        heading,
        [1, 2, 3],
        ["mouse"] * 3,
        [datetime.date(2024, 1, 15), datetime.date(2024, 1, 20), datetime.date(2024, 2, 1)],
        ["M", "F", "M"],
    )
    assert to_dicts(result, heading) == [
        {
            "subject_id": 1,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 1, 15),
            "sex": "M",
        },
        {
            "subject_id": 2,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 1, 20),
            "sex": "F",
        },
        {
            "subject_id": 3,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 2, 1),
            "sex": "M",
        },
    ]


def test_decimals_are_exact_without_a_float_round_trip():
    heading = Heading((attr("x", "decimal(38,10)", key=True),))
    exact = Decimal("1234567890123456789012345678.0123456789")
    result = table(heading, [exact, Decimal("0.1000000000")])
    values = [row["x"] for row in to_dicts(result, heading)]
    assert values == [exact, Decimal("0.1")]
    assert str(values[1]) == "0.1000000000"
    assert to_arrays(result, heading, "x")[0] == exact
    assert to_pandas(result, heading, index=False)["x"][0] == exact


def test_json_values_of_every_shape_are_parsed():
    heading = Heading((attr("id", "int32", key=True), attr("doc", "json")))
    result = table(heading, [1, 2, 3, 4], ["[1, 2]", '"text"', "3.5", None])
    assert [row["doc"] for row in to_dicts(result, heading)] == [[1, 2], "text", 3.5, None]


def test_char_keeps_inner_and_leading_spaces():
    heading = Heading((attr("code", "char(6)", key=True),))
    result = table(heading, [" a b  ", "      "])
    assert [row["code"] for row in to_dicts(result, heading)] == [" a b", ""]


def test_float32_nulls_and_nan_in_one_column():
    heading = Heading((attr("id", "int32", key=True), attr("x", "float32")))
    result = table(heading, [1, 2, 3], [1.5, None, float("nan")])
    values = [row["x"] for row in to_dicts(result, heading)]
    assert values[:2] == [1.5, None]
    assert np.isnan(values[2])


def test_results_in_several_chunks_convert_like_one():
    heading = Heading((attr("id", "int32", key=True), attr("code", "char(3)")))
    parts = [table(heading, [1], ["a  "]), table(heading, [2], [None])]
    result = pa.concat_tables(parts)
    assert result.column("code").num_chunks == 2
    assert to_dicts(result, heading) == [{"id": 1, "code": "a"}, {"id": 2, "code": None}]
    assert to_polars(result, heading)["code"].to_list() == ["a", None]


def test_python_value_converts_arrow_scalars_and_plain_values():
    code = attr("code", "char(4)")
    assert python_value("ab  ", code) == "ab"
    assert python_value(pa.scalar("ab  "), code) == "ab"
    assert python_value(None, code) is None
    assert python_value(pa.scalar(None, pa.string()), code) is None
    assert python_value(str(UID), attr("u", "uuid")) == UID
    assert python_value('{"k": 1}', attr("j", "json")) == {"k": 1}
    assert python_value(pa.scalar(0.1, pa.float32()), attr("f", "float32")) == 0.1
    decimal_scalar = pa.scalar(Decimal("450.0"), pa.decimal128(5, 1))
    assert str(python_value(decimal_scalar, attr("d", "decimal(5,1)"))) == "450.0"
    assert python_value(7, attr("n", "int64")) == 7


def test_columns_that_do_not_match_the_heading_are_refused():
    heading = Heading((attr("a", "int32", key=True), attr("b", "int32")))
    swapped = pa.table({"b": pa.array([1], pa.int32()), "a": pa.array([2], pa.int32())})
    with pytest.raises(ValueError, match=r"do not match the heading \['a', 'b'\]"):
        to_dicts(swapped, heading)


def test_heading_without_attributes_gives_empty_rows():
    result = pa.table({"x": [1, 2]}).drop_columns(["x"])
    assert to_dicts(result, Heading(())) == [{}, {}]
    assert to_tuples(result, Heading(())) == [(), ()]


# -- empty results ----------------------------------------------------------------------------

EMPTY = ALL_TABLE.slice(0, 0)


def test_empty_result_for_every_function():
    assert to_dicts(EMPTY, ALL) == []
    assert to_tuples(EMPTY, ALL) == []
    frame = to_pandas(EMPTY, ALL)
    assert frame.shape == (0, len(ALL) - 1)
    assert frame.index.name == "id"
    assert list(frame.columns) == list(ALL.secondary)
    polars_frame = to_polars(EMPTY, ALL)
    assert polars_frame.shape == (0, len(ALL))
    assert polars_frame.columns == list(ALL.names)
    arrow = to_arrow(EMPTY, ALL)
    assert arrow.num_rows == 0 and arrow.schema.equals(ALL.arrow_schema())
    record = to_arrays(EMPTY, ALL)
    assert record.shape == (0,) and record.dtype.names == ALL.names
    assert to_arrays(EMPTY, ALL, "dec").shape == (0,)
    keys, decimals = to_arrays(EMPTY, ALL, "dec", include_key=True)
    assert keys == [] and decimals.shape == (0,)


# -- pandas -----------------------------------------------------------------------------------


def test_pandas_type_mapping():
    frame = to_pandas(ALL_TABLE, ALL, index=False)
    assert frame["id"].dtype == np.int32
    assert frame["i8"].dtype == object  # an integer column with NULLs keeps exact ints
    assert frame["i64"].tolist() == [2**63 - 1, None]
    assert frame["f32"].dtype == np.float32
    assert frame["f64"].dtype == np.float64 and np.isnan(frame["f64"][1])
    assert frame["dec"].tolist() == [Decimal("450.0"), None]
    assert frame["flag"].tolist() == [False, None]
    assert frame["code"][0] == "ab" and frame["name"][0] == "ab  "
    assert frame["born"].dtype == object
    assert frame["born"].tolist() == [datetime.date(2024, 1, 15), None]
    assert frame["seen"].dtype == "datetime64[us]" and pd.isna(frame["seen"][1])
    assert frame["params"].tolist() == [{"a": [1, 2], "b": None}, None]
    assert frame["uid"].tolist() == [UID, None]
    assert frame["raw"].tolist() == [b"\x00\xff", None]


def test_pandas_native_dtypes_without_nulls():
    heading = Heading((attr("id", "int16", key=True), attr("ok", "bool")))
    frame = to_pandas(table(heading, [1, 2], [True, False]), heading, index=False)
    assert frame["id"].dtype == np.int16
    assert frame["ok"].dtype == np.bool_


def test_pandas_index_is_the_primary_key():
    heading = Heading(
        (
            attr("subject_id", "int32", key=True),
            attr("session_date", "date", key=True),
            attr("notes", "varchar(255)"),
        )
    )
    result = table(
        heading,
        [1, 2],
        [datetime.date(2024, 6, 1), datetime.date(2024, 6, 10)],
        ["First", "Second"],
    )
    frame = to_pandas(result, heading)
    assert isinstance(frame.index, pd.MultiIndex)
    assert list(frame.index.names) == ["subject_id", "session_date"]
    assert frame.loc[(2, datetime.date(2024, 6, 10)), "notes"] == "Second"
    assert list(frame.columns) == ["notes"]

    flat = to_pandas(result, heading, index=False)
    assert isinstance(flat.index, pd.RangeIndex)
    assert list(flat.columns) == ["subject_id", "session_date", "notes"]


def test_pandas_without_a_primary_key_keeps_a_range_index():
    heading = Heading((attr("avg_duration", "decimal(20,4)"),))
    frame = to_pandas(table(heading, [Decimal("425.1250")]), heading)
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["avg_duration"][0] == Decimal("425.1250")


# -- polars and arrow -------------------------------------------------------------------------


def test_polars_strips_char_and_keeps_json_and_uuid_as_text():
    frame = to_polars(ALL_TABLE, ALL)
    assert frame["code"].to_list() == ["ab", None]
    assert frame["name"].to_list() == ["ab  ", None]
    assert frame["params"].to_list() == ['{"a": [1, 2], "b": null}', None]
    assert frame["uid"].to_list() == [str(UID), None]
    assert frame["dec"].dtype == pl.Decimal(5, 1)
    assert frame["dec"].to_list() == [Decimal("450.0"), None]
    assert frame["born"].dtype == pl.Date
    assert frame["id"].dtype == pl.Int32


def test_arrow_keeps_the_heading_schema_and_strips_char():
    arrow = to_arrow(ALL_TABLE, ALL)
    assert arrow.schema.equals(ALL.arrow_schema())
    assert arrow.column("code").to_pylist() == ["ab", None]
    assert arrow.column("params").to_pylist() == ['{"a": [1, 2], "b": null}', None]


# -- numpy ------------------------------------------------------------------------------------


def test_structured_array_fields_and_dtypes():
    record = to_arrays(ALL_TABLE, ALL)
    assert record.dtype.names == ALL.names
    dtypes = {name: record.dtype[name] for name in ALL.names}
    assert dtypes["id"] == np.int32
    assert dtypes["f32"] == np.float64 and dtypes["f64"] == np.float64  # as DataJoint
    natives = {"id", "f32", "f64"}
    assert all(dtypes[name] == np.dtype(object) for name in ALL.names if name not in natives)
    assert record[0]["dec"] == Decimal("450.0")
    assert record[0]["code"] == "ab"
    assert record[0]["params"] == {"a": [1, 2], "b": None}
    assert record[1]["i8"] is None and np.isnan(record[1]["f64"])


def test_structured_array_native_dtypes_without_nulls():
    heading = Heading((attr("id", "int64", key=True), attr("ok", "bool"), attr("x", "float32")))
    record = to_arrays(table(heading, [1, 2], [True, False], [0.5, 1.5]), heading)
    assert record.dtype == np.dtype([("id", np.int64), ("ok", np.bool_), ("x", np.float64)])
    assert record["ok"].tolist() == [True, False]
    record["id"][0] = 5  # arrays are the caller's to change


def test_float32_arrays_are_float64_of_the_shortest_spelling():
    heading = Heading((attr("id", "int64", key=True), attr("x", "float32")))
    values = to_arrays(table(heading, [1, 2, 3], [20.33, None, 1.9]), heading, "x")
    assert values.dtype == np.float64
    assert values[0] == 20.33 and np.isnan(values[1]) and values[2] == 1.9


def test_to_arrays_by_name():
    heading = Heading(
        (
            attr("recording_id", "int16", key=True),
            attr("duration", "decimal(5,1)"),
            attr("quality", "enum('good','fair','poor')"),
        )
    )
    result = table(
        heading,
        [1, 2, 3],
        [Decimal("300.5"), Decimal("450.0"), Decimal("350.0")],
        ["good", "good", "good"],
    )
    durations = to_arrays(result, heading, "duration")
    assert str(durations) == "[Decimal('300.5') Decimal('450.0') Decimal('350.0')]"
    quality, ids = to_arrays(result, heading, "quality", "recording_id")
    assert quality.tolist() == ["good"] * 3
    assert ids.dtype == np.int16 and ids.tolist() == [1, 2, 3]
    keys, durations = to_arrays(result, heading, "duration", include_key=True)
    assert keys == [{"recording_id": 1}, {"recording_id": 2}, {"recording_id": 3}]
    assert durations.dtype == object


def test_to_arrays_keeps_json_lists_as_single_elements():
    heading = Heading((attr("id", "int32", key=True), attr("doc", "json")))
    docs = to_arrays(table(heading, [1, 2], ["[1, 2]", "[3, 4]"]), heading, "doc")
    assert docs.shape == (2,) and docs[0] == [1, 2]


def test_to_arrays_names_an_unknown_attribute():
    with pytest.raises(UnknownAttributeError, match="to_arrays: no attribute 'nope'"):
        to_arrays(ALL_TABLE, ALL, "nope")


def test_docstring_examples():
    import doctest

    import frames.io.convert

    assert doctest.testmod(frames.io.convert).failed == 0
