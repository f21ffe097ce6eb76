"""Driver rows converted directly give what the same rows give through Arrow.

:func:`frames.io.convert.driver_rows_to_dicts` converts the values each driver returns for a
small result (``fetch1``) without Arrow; any value it does not take sends the rows through
:func:`~frames.backends.arrow.rows_to_arrow` and :func:`~frames.io.convert.to_dicts`. Both must
give the same values of the same types.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest

from frames.backends.arrow import rows_to_arrow
from frames.declare.spec import Attribute
from frames.declare.types import parse_type
from frames.errors import FetchError
from frames.io import convert
from frames.plan.heading import Heading

KINDS = {
    "i8": "int8",
    "i64": "int64",
    "f32": "float32",
    "f64": "float64",
    "flag": "bool",
    "money": "decimal(10,3)",
    "code": "char(4)",
    "name": "varchar(40)",
    "kind": "enum('a','b')",
    "day": "date",
    "moment": "datetime(6)",
    "ident": "uuid",
    "doc": "json",
    "blob": "bytes",
}
HEADING = Heading(
    tuple(
        Attribute(name, parse_type(kind), in_key=name == "i8", nullable=name != "i8")
        for name, kind in KINDS.items()
    )
)
IDENT = "12345678-1234-5678-1234-567812345678"
# The values the drivers return: PostgreSQL pads char values, ...
POSTGRES_ROWS = [
    (
        -128,
        2**63 - 1,
        0.1,
        1e-300,
        True,
        Decimal("-1234567.125"),
        "ab  ",
        "x ",
        "a",
        datetime.date(1999, 12, 31),
        datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
        IDENT,
        '{"a": [1, 2.5, null]}',
        b"\x00\xff",
    ),
    (
        127,
        -(2**63),
        3.4e38,
        -0.0,
        False,
        Decimal("0.000"),
        "abcd",
        "",
        "b",
        datetime.date(1, 1, 1),
        datetime.datetime(1970, 1, 1),
        IDENT,
        "[]",
        b"",
    ),
    (0, 0, None, None, None, None, None, None, None, None, None, None, "null", None),
]
FLAG, IDENT_AT = list(KINDS).index("flag"), list(KINDS).index("ident")
# ... MySQL gives 0/1 for booleans, DuckDB UUID objects.
MYSQL_ROWS = [
    row[:FLAG] + ({True: 1, False: 0}.get(row[FLAG]),) + row[FLAG + 1 :] for row in POSTGRES_ROWS
]
DUCKDB_ROWS = [
    row[:IDENT_AT] + (row[IDENT_AT] and uuid.UUID(row[IDENT_AT]),) + row[IDENT_AT + 1 :]
    for row in POSTGRES_ROWS
]


def through_arrow(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The rows converted as the bulk path converts them."""
    return convert.to_dicts(rows_to_arrow(rows, len(HEADING), HEADING.arrow_schema()), HEADING)


def assert_same(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert got == expected
    for got_row, expected_row in zip(got, expected, strict=True):
        for name in KINDS:
            assert type(got_row[name]) is type(expected_row[name]), name
            assert repr(got_row[name]) == repr(expected_row[name]), name


@pytest.mark.parametrize(
    "rows", [POSTGRES_ROWS, MYSQL_ROWS, DUCKDB_ROWS], ids=["postgres", "mysql", "duckdb"]
)
def test_driver_values_convert_as_arrow_converts_them(rows, monkeypatch):
    expected = through_arrow(rows)
    monkeypatch.setattr(convert, "rows_to_arrow", pytest.fail)  # the direct path only
    got = convert.driver_rows_to_dicts(rows, HEADING)
    assert_same(got, expected)
    assert got[0]["code"] == "ab" and got[0]["name"] == "x "
    assert got[0]["f32"] == 0.1 and got[0]["flag"] is True and got[1]["flag"] is False
    assert got[1]["ident"] == uuid.UUID(IDENT) and got[2]["doc"] is None
    assert str(got[1]["money"]) == "0.000"


@pytest.mark.parametrize(
    ("name", "value", "converted"),
    [
        ("money", Decimal("1.23456"), Decimal("1.235")),  # more digits: rounded half up
        ("money", Decimal("-0.0015"), Decimal("-0.002")),
        ("money", Decimal("-0.000"), Decimal("0.000")),  # Arrow has no negative zero
        ("money", Decimal("2"), Decimal("2.000")),  # fewer digits
        ("money", 2.5, Decimal("2.500")),  # a float where a decimal was declared
        ("i64", Decimal("12"), 12),  # MySQL's SUM of integers
        ("f64", Decimal("0.5"), 0.5),
        ("name", b"bytes", "bytes"),
    ],
)
def test_other_values_take_the_arrow_path(name, value, converted):
    row = list(POSTGRES_ROWS[2])
    row[list(KINDS).index(name)] = value
    got = convert.driver_rows_to_dicts([tuple(row)], HEADING)
    assert_same(got, through_arrow([tuple(row)]))
    assert got[0][name] == converted and type(got[0][name]) is type(converted)
    assert str(got[0][name]) == str(converted)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("i8", 128),  # out of the declared range
        ("money", Decimal("12345678.5")),  # too many digits for decimal(10,3)
    ],
)
def test_values_that_do_not_fit_are_errors_as_on_the_bulk_path(name, value):
    row = list(POSTGRES_ROWS[2])
    row[list(KINDS).index(name)] = value
    with pytest.raises(FetchError, match=repr(name)):
        convert.driver_rows_to_dicts([tuple(row)], HEADING)


def test_a_result_of_another_width_is_an_error():
    with pytest.raises(FetchError, match="returned 13 columns but 14"):
        convert.driver_rows_to_dicts([POSTGRES_ROWS[0][:-1]], HEADING)


def test_no_rows():
    assert convert.driver_rows_to_dicts([], HEADING) == []


def test_duckdb_uuid_objects_take_the_arrow_path_with_a_value_that_needs_it():
    row = list(DUCKDB_ROWS[0])
    row[list(KINDS).index("money")] = Decimal("1.23456")
    got = convert.driver_rows_to_dicts([tuple(row)], HEADING)
    assert got[0]["ident"] == uuid.UUID(IDENT) and got[0]["money"] == Decimal("1.235")
