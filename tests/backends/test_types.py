"""Every core type comes back with the same Python type and value on every backend."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

import frames as dj

DEFINITION = """
id : int32
---
i8 = null : int8
i16 = null : int16
i64 = null : int64
f32 = null : float32
f64 = null : float64
flag = null : bool
money = null : decimal(10,3)
code = null : char(4)
name = null : varchar(40)
kind = null : enum('a', 'b c', 'd''e')
day = null : date
moment = null : datetime
precise = null : datetime(6)
ident = null : uuid
doc = null : json
blob = null : bytes
"""

ROW = {
    "id": 1, "i8": -128, "i16": 32767, "i64": -(2**63), "f32": 0.5, "f64": 1e-300,
    "flag": True, "money": Decimal("-1234567.125"), "code": "ab", "name": "Zoë's \"quote\" \\",
    "kind": "d'e", "day": datetime.date(1999, 12, 31),
    "moment": datetime.datetime(2024, 2, 29, 23, 59, 58),
    "precise": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
    "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "doc": {"a": [1, 2.5, None, "x"], "b": {"c": True}}, "blob": b"\x00\xffbytes",
}
TYPES = {
    "id": int, "i8": int, "i16": int, "i64": int, "f32": float, "f64": float, "flag": bool,
    "money": Decimal, "code": str, "name": str, "kind": str, "day": datetime.date,
    "moment": datetime.datetime, "precise": datetime.datetime, "ident": uuid.UUID, "doc": dict,
    "blob": bytes,
}


@pytest.fixture
def table(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    cls = schema(type("Everything", (dj.Manual,), {"definition": DEFINITION}))
    try:
        yield cls
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_values_and_types_round_trip(table) -> None:
    table.insert1(ROW)
    table.insert1({"id": 2})
    got = (table & {"id": 1}).fetch1()
    for name, value in ROW.items():
        assert type(got[name]) is TYPES[name], name
        assert got[name] == value, name
    assert str(got["money"]) == "-1234567.125"
    empty = (table & {"id": 2}).fetch1()
    assert all(empty[name] is None for name in ROW if name != "id")


def test_restricting_by_every_type_finds_the_row(table) -> None:
    table.insert1(ROW)
    for name, value in ROW.items():
        if name in ("doc", "f32", "f64", "blob"):
            continue
        assert len(table & {name: value}) == 1, name


def test_pandas_and_polars_types(table) -> None:
    table.insert1(ROW)
    frame = table.to_pandas()
    assert frame.loc[1, "money"] == Decimal("-1234567.125")
    assert frame.loc[1, "day"] == datetime.date(1999, 12, 31)
    polars_frame = table.to_polars()
    assert polars_frame["i64"][0] == -(2**63)
    assert polars_frame["code"][0] == "ab"
