"""Insert validation: the vectorised column checks agree with the value-by-value checks.

Arrow, pandas and polars input is checked with Arrow compute; lists of dicts are grouped and
checked the same way. Either way, a bad value is reported with its row number, the attribute
and what is wrong, exactly as the value-by-value path reports it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from frames.api.insert import _batches, check_value
from frames.declare.spec import Attribute
from frames.declare.types import parse_type
from frames.errors import DataError, MissingAttributeError, UnknownAttributeError
from frames.plan.heading import Heading

HEADING = Heading(
    (
        Attribute("id", parse_type("int16"), in_key=True),
        Attribute("day", parse_type("date"), in_key=True),
        Attribute("duration", parse_type("decimal(5,1)")),
        Attribute("quality", parse_type("enum('good', 'fair', 'poor')")),
        Attribute("note", parse_type("varchar(8)"), nullable=True),
        Attribute("weight", parse_type("float64"), nullable=True),
        Attribute("stamp", parse_type("datetime"), nullable=True),
        Attribute("count", parse_type("int32"), default=7),
    )
)

ROWS = [
    {
        "id": i,
        "day": datetime.date(2024, 6, 1 + i),
        "duration": Decimal(f"{i}.25"),
        "quality": ["good", "fair", "poor"][i % 3],
        "note": None if i % 2 else f"n{i}",
        "weight": float(i) / 3,
        "stamp": datetime.datetime(2024, 6, 1, i),
    }
    for i in range(6)
]


def per_row(rows: list[dict]) -> pa.Table:
    """The expected batch, from check_value on every value (the reference behaviour)."""
    columns = {}
    for attr in HEADING:
        values = [row.get(attr.name, 7 if attr.name == "count" else None) for row in rows]
        columns[attr.name] = pa.array(
            [check_value(v, attr, "T", n) for n, v in enumerate(values)], type=parse_arrow(attr)
        )
    return pa.table(columns)


def parse_arrow(attr: Attribute) -> pa.DataType:
    from frames.declare.types import arrow_type

    return arrow_type(attr.type)


def arrow_input() -> pa.Table:
    return pa.Table.from_pylist(ROWS)


INPUTS = {
    "dicts": lambda: ROWS,
    "tuples": lambda: [tuple(row.values()) + (7,) for row in ROWS],
    "arrow": arrow_input,
    "pandas": lambda: arrow_input().to_pandas(),
    "polars": lambda: pl.from_arrow(arrow_input()),
}


@pytest.mark.parametrize("kind", list(INPUTS))
def test_every_input_gives_the_per_row_result(kind):
    batches = _batches(INPUTS[kind](), HEADING, "T", ignore_extra_fields=False)
    assert len(batches) == 1
    expected = per_row(ROWS)
    assert batches[0].select(expected.column_names).equals(expected)


def test_decimals_round_half_to_even_like_python():
    rows = pa.table(
        {
            "id": pa.array([1, 2], pa.int16()),
            "day": pa.array([datetime.date(2024, 1, 1)] * 2),
            "duration": pa.array([Decimal("2.25"), Decimal("2.35")], pa.decimal128(6, 2)),
            "quality": ["good", "good"],
        }
    )
    batch = _batches(rows, HEADING, "T", ignore_extra_fields=False)[0]
    assert batch.column("duration").to_pylist() == [Decimal("2.2"), Decimal("2.4")]


def test_categorical_and_nan_columns_from_pandas():
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "day": [datetime.date(2024, 1, 1)] * 2,
            "duration": [Decimal("1.5"), Decimal("2.5")],
            "quality": pd.Categorical(["good", "poor"]),
            "weight": [float("nan"), 1.5],
        }
    )
    batch = _batches(frame, HEADING, "T", ignore_extra_fields=False)[0]
    assert batch.column("quality").to_pylist() == ["good", "poor"]
    assert batch.column("weight").to_pylist() == [None, 1.5]
    assert batch.column("count").to_pylist() == [7, 7]


BAD = {
    "integer out of range": ("id", 70_000, "id", r"out of range"),
    "enum member": ("quality", "bad", "quality", r"not one of"),
    "string too long": ("note", "much too long", "note", r"exceed the length 8"),
    "decimal too large": ("duration", Decimal("12345.5"), "duration", r"does not fit"),
    "null in a key": ("id", None, "id", r"NULL is not allowed"),
    "not a date": ("day", "June 1st", "day", r"invalid value"),
    "fraction in an integer": ("id", 2.5, "id", r"invalid value 2.5: expected an integer"),
}


def _rows_with(case: str) -> list[dict]:
    """ROWS with the bad value of ``case`` in row 4."""
    column, value, _, _ = BAD[case]
    rows = [dict(row) for row in ROWS]
    rows[4][column] = value
    return rows


def _arrow_holds(case: str) -> bool:
    try:
        pa.Table.from_pylist(_rows_with(case))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return True


#: Every bad value as dicts, and as Arrow, pandas and polars data where Arrow can hold it.
CASES = [
    (case, kind)
    for case in BAD
    for kind in ("dicts", "arrow", "pandas", "polars")
    if kind == "dicts" or _arrow_holds(case)
]


@pytest.mark.parametrize(("case", "kind"), CASES)
def test_bad_value_names_row_attribute_and_problem(kind, case):
    _, _, attribute, problem = BAD[case]
    rows = _rows_with(case)
    data = rows
    if kind != "dicts":
        table = pa.Table.from_pylist(rows)
        data = {"arrow": table, "pandas": table.to_pandas(), "polars": pl.from_arrow(table)}[kind]
    with pytest.raises(DataError) as error:
        _batches(data, HEADING, "T", ignore_extra_fields=False)
    message = str(error.value)
    assert f"row 4, attribute '{attribute}'" in message, message
    assert re.search(problem, message), message


@pytest.mark.parametrize("kind", ["dicts", "arrow"])
def test_missing_and_unknown_attributes(kind):
    lacking = [{k: v for k, v in row.items() if k != "quality"} for row in ROWS]
    data = lacking if kind == "dicts" else pa.Table.from_pylist(lacking)
    with pytest.raises(MissingAttributeError, match="lacks attribute 'quality'"):
        _batches(data, HEADING, "T", ignore_extra_fields=False)
    extra = [{**row, "colour": "red"} for row in ROWS]
    data = extra if kind == "dicts" else pa.Table.from_pylist(extra)
    with pytest.raises(UnknownAttributeError, match="unknown attribute 'colour'"):
        _batches(data, HEADING, "T", ignore_extra_fields=False)
    batch = _batches(data, HEADING, "T", ignore_extra_fields=True)[0]
    assert "colour" not in batch.column_names


def test_rows_supplying_different_attributes_make_separate_batches():
    rows = [ROWS[0], {**ROWS[1], "count": 3}, ROWS[2]]
    batches = _batches(rows, HEADING, "T", ignore_extra_fields=False)
    assert [b.num_rows for b in batches] == [3]  # count defaults to a value: one layout
    assert batches[0].column("count").to_pylist() == [7, 3, 7]


def test_strings_in_numeric_columns_are_parsed_as_before():
    rows = [{**ROWS[0], "id": "12", "duration": "3.25", "day": "2024-06-01"}]
    batch = _batches(rows, HEADING, "T", ignore_extra_fields=False)[0]
    assert batch.column("id").to_pylist() == [12]
    assert batch.column("duration").to_pylist() == [Decimal("3.2")]
    assert batch.column("day").to_pylist() == [datetime.date(2024, 6, 1)]
