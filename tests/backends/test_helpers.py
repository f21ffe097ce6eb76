"""The backends' pure helpers: Arrow conformance, insert preparation, catalog text parsing."""

from __future__ import annotations

import datetime
import doctest
from decimal import Decimal

import pyarrow as pa
import pytest

import frames.backends
import frames.backends.introspect
from frames.backends.arrow import column_to_arrow, conform_array, prepare_insert
from frames.backends.introspect import native_core_type, parse_default
from frames.backends.postgres import arrow_to_csv, csv_to_arrow
from frames.declare.spec import AUTO_INCREMENT, NO_DEFAULT, SqlDefault
from frames.declare.types import CoreType, parse_type
from frames.errors import FetchError


@pytest.mark.parametrize("module", [frames.backends, frames.backends.introspect])
def test_docstring_examples(module):
    assert doctest.testmod(module, raise_on_error=True).failed == 0


# -- Arrow conformance --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, target, expected",
    [
        (
            pa.array([Decimal("12.25"), Decimal("-0.35"), None], pa.decimal128(38, 4)),
            pa.decimal128(5, 1),
            [Decimal("12.3"), Decimal("-0.4"), None],
        ),
        (pa.array([0.15, 2.0]), pa.decimal128(4, 1), [Decimal("0.2"), Decimal("2.0")]),
        (pa.array([Decimal("7")], pa.decimal128(38, 0)), pa.int64(), [7]),
        (pa.array([None, None], pa.null()), pa.date32(), [None, None]),
    ],
)
def test_conform_array(values, target, expected):
    result = conform_array(values, target, "x")
    assert result.type == target and result.to_pylist() == expected


def test_conform_array_keeps_strings_encoded_as_a_dictionary():
    values = pa.array(["b", "a", None]).dictionary_encode()
    assert conform_array(values, pa.string(), "x") is values
    with pytest.raises(FetchError, match="'x'"):
        conform_array(pa.array([1, 300]).dictionary_encode(), pa.int8(), "x")


def test_conform_array_refuses_lossy_integers():
    with pytest.raises(FetchError, match="result column 'x'"):
        conform_array(pa.array([300]), pa.int8(), "x")
    with pytest.raises(FetchError):
        conform_array(pa.array([Decimal("1e30")]), pa.decimal128(5, 1), "x")


@pytest.mark.parametrize(
    "values, target, expected",
    [
        ([1, 0, None], pa.bool_(), [True, False, None]),
        ([Decimal("1.5"), None], pa.float64(), [1.5, None]),
        ([b"abc", None], pa.string(), ["abc", None]),
        ([Decimal("1.25")], pa.decimal128(3, 1), [Decimal("1.3")]),
    ],
)
def test_column_to_arrow(values, target, expected):
    result = column_to_arrow(values, target, "x")
    assert result.type == target and result.to_pylist() == expected


def test_prepare_insert_normalises_and_deduplicates():
    moments = pa.array([datetime.datetime(2020, 1, 1, 12)] * 3, pa.timestamp("us", "UTC"))
    data = pa.table(
        {"k": pa.array([1, 2, 1]), "v": pa.array(["a", "b", "c"]).dictionary_encode(), "t": moments}
    )
    error = prepare_insert(data, ["k"], "error")
    assert error.num_rows == 3 and error.schema.field("v").type == pa.string()
    assert error.schema.field("t").type == pa.timestamp("us")
    assert prepare_insert(data, ["k"], "skip").column("v").to_pylist() == ["a", "b"]
    assert prepare_insert(data, ["k"], "replace").column("v").to_pylist() == ["b", "c"]


# -- PostgreSQL CSV -----------------------------------------------------------------------------


def test_postgres_csv_distinguishes_null_from_empty():
    data = pa.table(
        {
            "s": pa.array(["", None, 'a"b\nc'], pa.string()),
            "b": pa.array([b"", None, b"\x01\xff"], pa.binary()),
        }
    )
    assert arrow_to_csv(data).splitlines()[0] == b'"","\\x"'
    text = b'"",\\x\n,\n"a""b\nc",\\x01ff\n'
    result = csv_to_arrow(text, data.schema)
    assert result.to_pylist() == data.to_pylist()


def test_postgres_csv_quotes_text_only():
    """Numbers and dates go unquoted (faster for the server); every text value is quoted, an
    encoded one too, so that an empty string never reads as NULL."""
    data = pa.table(
        {
            "n": pa.array([1, None], pa.int32()),
            "d": pa.array([Decimal("2.5"), None], pa.decimal128(3, 1)),
            "day": pa.array([datetime.date(2024, 1, 2), None]),
            "e": pa.array(["", None]).dictionary_encode(),
            "s": pa.array(["x", ""]),
        }
    )
    assert arrow_to_csv(data).splitlines() == [b'1,2.5,2024-01-02,"","x"', b',,,,""']


def test_postgres_csv_reads_booleans_and_zoned_timestamps():
    schema = pa.schema([("f", pa.bool_()), ("t", pa.timestamp("us"))])
    result = csv_to_arrow(b"t,2020-01-01 10:00:00.5+00\nf,2020-01-01 10:00:00\n,\n", schema)
    assert result.to_pylist() == [
        {"f": True, "t": datetime.datetime(2020, 1, 1, 10, 0, 0, 500000)},
        {"f": False, "t": datetime.datetime(2020, 1, 1, 10)},
        {"f": None, "t": None},
    ]


# -- catalog text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "native, dialect, expected",
    [
        ("character varying(20)", "postgres", "varchar(20)"),
        ("character(3)", "postgres", "char(3)"),
        ("timestamp(3) without time zone", "postgres", "datetime(3)"),
        ("timestamp with time zone", "postgres", "datetime(6)"),
        ("jsonb", "postgres", "json"),
        ("numeric", "postgres", "text"),
        ("interval", "postgres", "text"),
        ("VARCHAR", "duckdb", "text"),
        ("TIMESTAMP", "duckdb", "datetime(6)"),
        ("HUGEINT", "duckdb", "decimal(38,0)"),
        ("UINTEGER", "duckdb", "int64"),
        ("ENUM('Ab', 'c''d')", "duckdb", "enum('Ab', 'c''d')"),
        ("int(10) unsigned", "mysql", "int64"),
        ("varbinary(16)", "mysql", "bytes"),
        ("time", "mysql", "text"),
    ],
)
def test_native_core_type(native, dialect, expected):
    assert native_core_type(native, dialect) == parse_type(expected)


@pytest.mark.parametrize(
    "text, core, nullable, expected",
    [
        (None, "int32", False, NO_DEFAULT),
        (None, "int32", True, None),
        ("NULL", "int32", True, None),
        ("NULL::character varying", "varchar(3)", True, None),
        ("'-3'::integer", "int32", False, -3),
        ("(-1)", "int64", False, -1),
        ("1.50", "decimal(5,2)", False, Decimal("1.50")),
        ("CAST(1.5 AS DECIMAL(5,1))", "decimal(5,1)", False, Decimal("1.5")),
        ("'q''x'::character varying", "varchar(5)", False, "q'x"),
        ("'a::b'", "varchar(5)", False, "a::b"),
        ("'2020-01-31'::date", "date", False, datetime.date(2020, 1, 31)),
        (
            "'2020-01-31 10:11:12.5'",
            "datetime(1)",
            False,
            datetime.datetime(2020, 1, 31, 10, 11, 12, 500000),
        ),
        ("false", "bool", False, False),
        ("1", "bool", False, True),
        ("-2.5", "float64", False, -2.5),
        ("current_timestamp(6)", "datetime(6)", False, SqlDefault("CURRENT_TIMESTAMP")),
        ("now()", "datetime", False, SqlDefault("CURRENT_TIMESTAMP")),
        ("nextval('s'::regclass)", "int64", False, AUTO_INCREMENT),
        ("'abc'", "int32", False, SqlDefault("'abc'")),
    ],
)
def test_parse_default(text, core, nullable, expected):
    assert parse_default(text, parse_type(core), nullable) == expected


def test_native_enum_members_win():
    assert native_core_type("mood", "postgres", ("a", "b")) == CoreType("enum", values=("a", "b"))
