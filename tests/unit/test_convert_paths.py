"""The fast conversion paths give what Arrow's straightforward conversions give.

Decimals are converted once per distinct value and the pandas key index is built from Arrow's
dictionary encoding; both must be indistinguishable from ``to_pylist`` and ``set_index``.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from frames.declare.spec import Attribute
from frames.declare.types import arrow_type, parse_type
from frames.io import convert
from frames.plan.heading import Heading


def heading(*specs: tuple[str, str, bool]) -> Heading:
    return Heading(
        tuple(
            Attribute(name, parse_type(kind), in_key=key, nullable=not key)
            for name, kind, key in specs
        )
    )


RESULT_HEADING = heading(
    ("subject", "int32", True),
    ("day", "date", True),
    ("n", "int16", True),
    ("duration", "decimal(5,1)", False),
    ("big", "decimal(38,10)", False),
    ("quality", "enum('a','b')", False),
    ("code", "uuid", False),
)
DURATIONS = [Decimal("450.0"), Decimal("-0.5"), Decimal("0.0"), None, Decimal("1234.5")]
BIG = [
    Decimal("1E-10"),
    Decimal("123456789012345678.1234567890"),
    None,
    Decimal("-3.5"),
    Decimal("1E-10"),
]


def result() -> pa.Table:
    rows = {
        "subject": [3, 1, 2, 1, 3],
        "day": [datetime.date(2024, 1, d) for d in (5, 2, 9, 1, 5)],
        "n": [1, 1, 2, 2, 2],
        "duration": DURATIONS,
        "big": BIG,
        "quality": ["a", "b", None, "a", "b"],
        "code": [str(uuid.UUID(int=i)) for i in range(5)],
    }
    schema = RESULT_HEADING.arrow_schema()
    return pa.table([pa.array(rows[f.name], f.type) for f in schema], schema=schema)


def test_dicts_hold_the_exact_decimals():
    rows = convert.to_dicts(result(), RESULT_HEADING)
    assert [r["duration"] for r in rows] == DURATIONS
    assert [str(r["duration"]) for r in rows if r["duration"] is not None] == [
        "450.0",
        "-0.5",
        "0.0",
        "1234.5",
    ]
    assert [r["big"] for r in rows] == BIG
    assert rows[0]["code"] == uuid.UUID(int=0)


def test_pandas_frame_equals_the_set_index_frame():
    table = result()
    frame = convert.to_pandas(table, RESULT_HEADING)
    expected = table.to_pandas(integer_object_nulls=True, date_as_object=True)
    expected["code"] = [uuid.UUID(v) for v in expected["code"]]
    expected = expected.set_index(["subject", "day", "n"])
    pd.testing.assert_frame_equal(frame, expected)
    assert list(frame.index.levels[0]) == [1, 2, 3]  # sorted levels, as set_index makes
    assert frame["duration"].tolist()[:3] == DURATIONS[:3]
    assert frame.loc[(1, datetime.date(2024, 1, 2), 1), "duration"] == Decimal("-0.5")


@pytest.mark.parametrize("kind", ["decimal(5,1)", "uuid", "int32"])
def test_single_key_of_any_kind(kind):
    head = heading(("k", kind, True), ("v", "int8", False))
    values = {
        "decimal(5,1)": [Decimal("1.5"), Decimal("0.5")],
        "uuid": [str(uuid.UUID(int=1)), str(uuid.UUID(int=2))],
        "int32": [2, 1],
    }[kind]
    table = pa.table(
        {"k": pa.array(values, arrow_type(head["k"].type)), "v": pa.array([1, 2], pa.int8())}
    )
    frame = convert.to_pandas(table, head)
    assert list(frame.index) == [convert.python_value(v, head["k"]) for v in values]
    assert frame.index.name == "k"


def test_frames_without_index_keep_heading_order():
    frame = convert.to_pandas(result(), RESULT_HEADING, index=False)
    assert list(frame.columns) == list(RESULT_HEADING.names)
    assert frame["duration"].dtype == object


def large_result(rows: int = 600) -> tuple[pa.Table, Heading]:
    """Enough rows for the encoded paths, in several chunks, with NULLs and extreme values."""
    head = heading(
        ("small", "int16", True),
        ("wide", "int64", True),
        ("day", "date", True),
        ("narrow", "decimal(5,1)", False),
        ("spread", "decimal(18,2)", False),
        ("big", "decimal(38,10)", False),
        ("doc", "json", False),
    )
    small = [(-(2**15), 2**15 - 1, 0)[i % 3] for i in range(rows)]
    wide = [(i % 7) * 2**40 - 2**62 for i in range(rows)]
    day = [datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 11) for i in range(rows)]
    narrow = [None if i % 5 == 0 else Decimal(i % 37 - 18).scaleb(-1) for i in range(rows)]
    spread = [None if i % 4 == 1 else Decimal((i % 9) * 10**15 - i).scaleb(-2) for i in range(rows)]
    big = [Decimal(i % 13).scaleb(-10) for i in range(rows)]
    doc = ['"text"' for _ in range(rows)]
    columns = [small, wide, day, narrow, spread, big, doc]
    schema = head.arrow_schema()
    table = pa.table(
        [pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )
    return pa.Table.from_batches(table.to_batches(max_chunksize=rows // 3 + 1)), head


def test_encoded_columns_equal_the_straightforward_conversion():
    table, head = large_result()
    frame = convert.to_pandas(table, head)
    expected = pd.DataFrame(
        {
            name: pd.Series(table.column(name).to_pylist(), dtype=object)
            for name in ("narrow", "spread", "big")
        }
    )
    expected["doc"] = pd.Series(["text"] * table.num_rows, dtype=object)
    keys = table.select(["small", "wide", "day"]).to_pandas(date_as_object=True)
    expected.index = keys.set_index(["small", "wide", "day"]).index
    pd.testing.assert_frame_equal(frame, expected)
    for name in ("narrow", "spread", "big"):
        assert [str(v) for v in frame[name]] == [str(v) for v in table.column(name).to_pylist()]
    assert [list(level) for level in frame.index.levels] == [
        sorted(set(keys[name])) for name in ("small", "wide", "day")
    ]
    assert frame.index.levels[0].dtype == "int16" and frame.index.levels[1].dtype == "int64"


def test_json_text_values_stay_python_objects_in_pandas():
    table, head = large_result()
    frame = convert.to_pandas(table, head)
    assert frame["doc"].dtype == object and frame["doc"].iloc[0] == "text"


def test_polars_frame_equals_arrows_own_conversion():
    import polars as pl

    head = heading(("k", "int32", True), ("code", "char(4)", False), ("name", "varchar(40)", False))
    table = pa.Table.from_batches(
        pa.table(
            {
                "k": pa.array(range(6), pa.int32()),
                "code": ["ab  ", None, "abcd", "a", "", "x  "],
                "name": ["a string longer than twelve bytes", "", None, "é", "short", "  pad  "],
            },
            schema=head.arrow_schema(),
        ).to_batches(max_chunksize=4)
    )
    frame = convert.to_polars(table, head)
    assert frame.schema == pl.Schema({"k": pl.Int32, "code": pl.String, "name": pl.String})
    assert frame.equals(pl.from_arrow(convert.to_arrow(table, head)))
    assert frame["code"].to_list() == ["ab", None, "abcd", "a", "", "x"]


ENUM_VALUES = [
    "a value longer than twelve bytes",
    "b",
    None,
    "é",
    "",
    "b",
    None,
    "a value longer than twelve bytes",
]


def encoded_result() -> tuple[pa.Table, pa.Table, Heading]:
    """An enum column dictionary-encoded in uneven chunks (one sliced, one without NULLs, one
    empty), as DuckDB returns enums, and the same result with plain strings."""
    head = heading(
        ("k", "int32", True), ("e", "enum('a value longer than twelve bytes','b','é','')", False)
    )
    plain = pa.table(
        {"k": pa.array(range(len(ENUM_VALUES)), pa.int32()), "e": pa.array(ENUM_VALUES)},
        schema=head.arrow_schema(),
    )
    dictionary = pa.array(["", "b", "é", "a value longer than twelve bytes", "unused"])
    chunks = []
    for start, stop in ((0, 3), (3, 6), (6, 6), (6, 8)):
        values = ENUM_VALUES[start:stop]
        indices = pa.array(
            [None if v is None else dictionary.to_pylist().index(v) for v in ["b", *values]],
            pa.int8(),
        ).slice(1)  # an offset
        chunks.append(pa.DictionaryArray.from_arrays(indices, dictionary))
    encoded = pa.table({"k": plain.column("k"), "e": pa.chunked_array(chunks, chunks[0].type)})
    return encoded, plain, head


def test_enums_encoded_as_a_dictionary_convert_as_plain_strings():
    import polars as pl

    encoded, plain, head = encoded_result()
    frame = convert.to_polars(encoded, head)
    assert frame.schema == pl.Schema({"k": pl.Int32, "e": pl.String})
    assert frame["e"].to_list() == ENUM_VALUES
    assert frame.equals(convert.to_polars(plain, head))
    assert convert.to_arrow(encoded, head).equals(plain)
    assert convert.to_dicts(encoded, head) == convert.to_dicts(plain, head)
    pd.testing.assert_frame_equal(convert.to_pandas(encoded, head), convert.to_pandas(plain, head))


def test_an_encoded_column_of_nulls_only_becomes_nulls():
    import polars as pl

    head = heading(("k", "int32", True), ("e", "enum('x')", False))
    nulls = pa.DictionaryArray.from_arrays(pa.array([None, None], pa.int8()), pa.array(["x"]))
    empty = pa.DictionaryArray.from_arrays(pa.array([None], pa.int8()), pa.array([], pa.string()))
    table = pa.table({"k": pa.array([1, 2, 3], pa.int32()), "e": pa.chunked_array([nulls, empty])})
    assert convert.to_polars(table, head)["e"].to_list() == [None, None, None]
    assert convert.to_polars(table, head).schema["e"] == pl.String


def test_a_null_whose_index_is_out_of_range_stays_null():
    """Arrow leaves a NULL's index undefined: a producer may leave any byte there."""
    head = heading(("k", "int32", True), ("e", "enum('x','y')", False))
    indices = pa.Array.from_buffers(
        pa.int8(),
        3,
        [
            pa.array([True, False, True]).buffers()[1],
            pa.py_buffer(np.array([1, 117, 0], np.int8).tobytes()),
        ],
        null_count=1,
    )
    encoded = pa.DictionaryArray.from_arrays(indices, pa.array(["x", "y"]))
    table = pa.table({"k": pa.array([1, 2, 3], pa.int32()), "e": encoded})
    assert convert.to_polars(table, head)["e"].to_list() == ["y", None, "x"]
    assert convert.to_arrow(table, head).column("e").to_pylist() == ["y", None, "x"]
