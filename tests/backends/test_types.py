"""Every core type comes back with the same Python type and value on every backend."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pyarrow as pa
import pytest
from backend_helpers import Col

import frames as dj
from frames.declare.spec import SqlDefault, TableRef

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
    "id": 1,
    "i8": -128,
    "i16": 32767,
    "i64": -(2**63),
    "f32": 0.5,
    "f64": 1e-300,
    "flag": True,
    "money": Decimal("-1234567.125"),
    "code": "ab",
    "name": 'Zoë\'s "quote" \\',
    "kind": "d'e",
    "day": datetime.date(1999, 12, 31),
    "moment": datetime.datetime(2024, 2, 29, 23, 59, 58),
    "precise": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
    "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "doc": {"a": [1, 2.5, None, "x"], "b": {"c": True}},
    "blob": b"\x00\xffbytes",
}
TYPES = {
    "id": int,
    "i8": int,
    "i16": int,
    "i64": int,
    "f32": float,
    "f64": float,
    "flag": bool,
    "money": Decimal,
    "code": str,
    "name": str,
    "kind": str,
    "day": datetime.date,
    "moment": datetime.datetime,
    "precise": datetime.datetime,
    "ident": uuid.UUID,
    "doc": dict,
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


# -- uuid: stored natively (DuckDB, PostgreSQL) or as BINARY(16) (MySQL), alike everywhere ------

# In the order of their text, which is the order of their bytes: a zero byte first, high bytes.
IDS = [
    uuid.UUID(text)
    for text in (
        "00000000-0000-4000-8000-000000000001",
        "0f0e0d0c-0b0a-4908-8706-050403020100",
        "7fffffff-ffff-4fff-bfff-ffffffffffff",
        "80000000-0000-4000-8000-000000000000",
        "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f",
    )
]
SPARE = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
DEVICE = f"""
device_id : uuid
---
label : varchar(20)
spare = null : uuid
kind = '{SPARE}' : uuid
"""
READING = """
-> Device
reading : int16
---
parent = null : uuid
"""


@pytest.fixture
def devices(backend_url: str, schema_name: str):
    """A schema with devices keyed by uuid (inserted as UUIDs and as text) and their readings."""
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    device = schema(type("Device", (dj.Manual,), {"definition": DEVICE}))
    reading = schema(
        type("Reading", (dj.Manual,), {"definition": READING}), context={"Device": device}
    )
    device.insert(
        [
            {"device_id": IDS[4], "label": "e", "spare": IDS[0]},
            {"device_id": str(IDS[0]), "label": "a", "spare": None},
            {"device_id": str(IDS[2]).upper(), "label": "c", "spare": str(IDS[4])},
            {"device_id": IDS[1], "label": "b", "kind": IDS[3]},
            {"device_id": IDS[3].hex, "label": "d"},
        ]
    )
    reading.insert([(IDS[0], 1, None), (str(IDS[0]), 2, IDS[4]), (IDS[3], 1, IDS[0])])
    try:
        yield schema, device, reading
    finally:
        schema.drop(prompt=False)
        connection.close()


def _ids(rows: list[dict], name: str = "device_id") -> list:
    return [row[name] for row in rows]


def test_uuids_round_trip_in_the_same_order(devices) -> None:
    _, device, reading = devices
    rows = device.to_dicts(order_by="device_id")
    assert _ids(rows) == IDS
    assert _ids(rows, "spare") == [None, None, IDS[4], None, IDS[0]]
    assert _ids(rows, "kind") == [SPARE, IDS[3], SPARE, SPARE, SPARE]
    assert all(type(row[name]) is uuid.UUID for row in rows for name in ("device_id", "kind"))
    assert _ids(device.to_dicts(order_by="device_id desc", limit=2)) == [IDS[4], IDS[3]]
    assert _ids(device.to_dicts(order_by=["spare", "device_id"])) == [  # NULLs first
        IDS[0],
        IDS[1],
        IDS[3],
        IDS[4],
        IDS[2],
    ]
    assert (device & {"device_id": IDS[2]}).fetch1("spare") == IDS[4]
    frame = device.to_pandas()
    assert sorted(frame.index, key=str) == IDS and frame.loc[IDS[2], "spare"] == IDS[4]
    assert sorted(device.to_polars()["device_id"].to_list()) == [str(u) for u in IDS]
    assert device.to_arrow().schema.field("spare").type == pa.string()
    assert {(row["device_id"], row["reading"]): row["parent"] for row in reading.to_dicts()} == {
        (IDS[0], 1): None,
        (IDS[0], 2): IDS[4],
        (IDS[3], 1): IDS[0],
    }


def test_restricting_by_uuids(devices) -> None:
    _, device, reading = devices
    for value in (IDS[3], str(IDS[3]), str(IDS[3]).upper(), IDS[3].hex, f"{{{IDS[3]}}}"):
        assert _ids((device & {"device_id": value}).to_dicts()) == [IDS[3]], value
    assert set(_ids((device & [{"device_id": IDS[1]}, {"spare": str(IDS[0])}]).to_dicts())) == {
        IDS[1],
        IDS[4],
    }
    assert len(device & {"spare": None}) == 3
    assert len(device - {"device_id": IDS[0]}) == 4
    assert _ids((device & f"spare = '{IDS[4]}'").to_dicts()) == [IDS[2]]
    assert len(device & f"device_id IN ('{IDS[0]}', '{IDS[4]}', '{SPARE}')") == 2
    assert set(_ids((device & f"device_id > '{IDS[2]}'").to_dicts())) == {IDS[3], IDS[4]}
    assert set(_ids((device & reading).to_dicts())) == {IDS[0], IDS[3]}
    assert set(_ids((device - reading).to_dicts())) == {IDS[1], IDS[2], IDS[4]}
    assert _ids((reading & (device & {"label": "d"})).to_dicts()) == [IDS[3]]


def test_joining_on_uuid_foreign_keys(devices) -> None:
    _, device, reading = devices
    rows = (device * reading).proj("label", "parent").to_dicts(order_by=["device_id", "reading"])
    assert [(row["device_id"], row["reading"], row["label"], row["parent"]) for row in rows] == [
        (IDS[0], 1, "a", None),
        (IDS[0], 2, "a", IDS[4]),
        (IDS[3], 1, "d", IDS[0]),
    ]
    outer = reading.join((device & {"label": "d"}).proj("kind"), left=True)
    assert {(row["device_id"], row["reading"]): row["kind"] for row in outer.to_dicts()} == {
        (IDS[0], 1): None,
        (IDS[0], 2): None,
        (IDS[3], 1): SPARE,
    }
    counts = device.aggr(reading, n="count(*)")
    assert {row["device_id"]: row["n"] for row in counts.to_dicts()} == {
        IDS[0]: 2,
        IDS[1]: 0,
        IDS[2]: 0,
        IDS[3]: 1,
        IDS[4]: 0,
    }
    assert set(_ids((dj.U("spare") & device).to_dicts(), "spare")) == {None, IDS[0], IDS[4]}
    renamed = device.proj(replacement="spare") & "replacement IS NOT NULL"
    assert set(_ids(renamed.to_dicts(), "replacement")) == {IDS[0], IDS[4]}
    union = (device & {"label": "a"}).proj("spare") + (device & {"label": "c"}).proj("label")
    assert {row["device_id"]: (row["spare"], row["label"]) for row in union.to_dicts()} == {
        IDS[0]: (None, None),
        IDS[2]: (None, "c"),
    }


def test_min_and_max_of_uuids(devices) -> None:
    """PostgreSQL has no min(uuid): frames aggregates the canonical text everywhere."""
    _, device, reading = devices
    assert dj.U().aggr(device, low="min(device_id)", high="max(spare)").fetch1() == {
        "low": IDS[0],
        "high": IDS[4],
    }
    latest = device.aggr(reading, ..., last="max(parent)", exclude_nonmatching=True)
    assert {row["device_id"]: row["last"] for row in latest.to_dicts()} == {
        IDS[0]: IDS[4],
        IDS[3]: IDS[0],
    }


def test_uuids_as_text_in_expressions(devices) -> None:
    """A uuid read as text is its canonical text on every backend, and text casts to uuid."""
    _, device, _ = devices
    texts = device.proj(t="CAST(device_id AS varchar(36))", tagged="concat(label, device_id)")
    rows = {row["device_id"]: row for row in texts.to_dicts()}
    assert rows[IDS[2]]["t"] == str(IDS[2])
    assert rows[IDS[2]]["tagged"] == "c" + str(IDS[2])
    prefix = str(IDS[3])[:8]
    assert _ids((device & f"device_id LIKE '{prefix}%'").to_dicts()) == [IDS[3]]
    parsed = device.proj(back=f"CAST('{IDS[1]}' AS uuid)") & {"device_id": IDS[0]}
    assert parsed.fetch1("back") == IDS[1]


def test_writing_uuids_through_queries_and_deletes(devices) -> None:
    schema, device, reading = devices
    copy = schema(type("Copy", (dj.Manual,), {"definition": DEVICE}))
    assert copy.insert(device & f"device_id < '{IDS[2]}'") == 2  # INSERT ... SELECT
    assert set(_ids(copy.to_dicts())) == set(IDS[:2])
    assert (copy & {"device_id": IDS[1]}).fetch1("kind") == IDS[3]
    (reading & {"parent": IDS[4]}).delete(prompt=False)
    assert {(row["device_id"], row["reading"]) for row in reading.to_dicts()} == {
        (IDS[0], 1),
        (IDS[3], 1),
    }
    with pytest.raises(dj.errors.DuplicateError, match=str(IDS[0])):
        device.insert1({"device_id": str(IDS[0]), "label": "again"})
    with pytest.raises(dj.errors.IntegrityError, match=str(SPARE)):
        reading.insert1({"device_id": SPARE, "reading": 1})
    with pytest.raises(dj.errors.DataError, match="not-a-uuid"):
        device.insert1({"device_id": "not-a-uuid", "label": "x"})


def test_uuid_columns_and_defaults_are_read_back(devices, backend_name) -> None:
    schema, device, _ = devices
    lab = dj.virtual_schema(schema.database, connection=schema.connection)
    heading = lab.Device.plan.heading
    assert [str(heading[name].type) for name in ("device_id", "spare", "kind")] == ["uuid"] * 3
    assert heading["spare"].nullable and heading["spare"].default is None
    if backend_name == "mysql":  # MariaDB shows a BINARY default's bytes above 0x7f as '?'
        assert isinstance(heading["kind"].default, SqlDefault)
    else:
        assert heading["kind"].default == SPARE
    lab.Device.insert1({"device_id": SPARE, "label": "defaults"})
    assert (device & {"device_id": SPARE}).fetch1("kind") == SPARE
    assert lab.Device.to_dicts(order_by="device_id") == device.to_dicts(order_by="device_id")


def test_the_backend_carries_uuids_as_text(backend, make_table, schema_name) -> None:
    make_table("ids", [Col("n", "int32"), Col("u", "uuid", nullable=True)], ["n"])
    ref = TableRef(schema_name, "ids")
    data = pa.table({"n": pa.array([1, 2, 3], pa.int32()), "u": [str(IDS[4]), None, str(IDS[0])]})
    assert backend.insert_arrow(ref, data, ["n"]) == 3
    columns = f"SELECT n, u FROM {backend.qualified(ref)}"
    for sql in (columns, columns + " ORDER BY n"):  # MySQL: as CSV lines, as plain rows
        assert backend.fetch_arrow(sql, [], data.schema).sort_by("n") == data, sql
    with pytest.raises(dj.errors.DataError):
        backend.insert_arrow(
            ref, pa.table({"n": pa.array([4], pa.int32()), "u": ["not-a-uuid"]}), ["n"]
        )
