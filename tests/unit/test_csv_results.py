"""Results in CSV text form (PostgreSQL's COPY, MySQL's CONCAT_WS lines) parsed into Arrow."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pyarrow as pa
import pytest

from frames.backends.arrow import csv_to_arrow
from frames.errors import FetchError

SCHEMA = pa.schema(
    [
        ("f", pa.float64()),
        ("i", pa.int16()),
        ("b", pa.bool_()),
        ("d", pa.date32()),
        ("s", pa.string()),
        ("x", pa.decimal128(5, 1)),
        ("t", pa.timestamp("us")),
    ]
)


def test_typed_and_text_fields_with_nulls_and_empty_strings():
    text = (
        b'1.5,1,t,2024-01-01,"",450.0,2024-01-01 12:00:00\n'
        b",,,,,,\n"
        b'Infinity,-3,f,2024-02-29,"a,""b""\nc",-0.5,2024-01-01 12:00:00.5+00\n'
    )
    rows = csv_to_arrow(text, SCHEMA).to_pylist()
    assert rows[0] == {
        "f": 1.5,
        "i": 1,
        "b": True,
        "d": datetime.date(2024, 1, 1),
        "s": "",
        "x": Decimal("450.0"),
        "t": datetime.datetime(2024, 1, 1, 12),
    }
    assert rows[1] == dict.fromkeys(SCHEMA.names)
    assert math.isinf(rows[2]["f"]) and rows[2]["s"] == 'a,"b"\nc'
    assert rows[2]["t"] == datetime.datetime(2024, 1, 1, 12, 0, 0, 500000)


def test_values_out_of_range_and_wrong_widths_are_fetch_errors():
    with pytest.raises(FetchError, match="'i'"):
        csv_to_arrow(b"1,70000,t,2024-01-01,,,\n", SCHEMA)
    with pytest.raises(FetchError, match="columns"):
        csv_to_arrow(b"1,2\n", SCHEMA)


def test_empty_result_has_the_schema():
    assert csv_to_arrow(b"", SCHEMA).schema == SCHEMA
