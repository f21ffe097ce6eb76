"""Statements, Arrow fetches, bulk inserts, error mapping and transactions on every backend."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal

import pyarrow as pa
import pytest
from backend_helpers import Col

from frames.backends import open_backend
from frames.declare.spec import TableRef
from frames.declare.types import arrow_type, parse_type
from frames.errors import (
    DataError,
    DuplicateError,
    FetchError,
    IntegrityError,
    MissingTableError,
    TransactionError,
)

# Every core type, nullable, after an int32 key.
ALL_TYPES = {
    "i8": "int8",
    "i16": "int16",
    "i32": "int32",
    "i64": "int64",
    "f32": "float32",
    "f64": "float64",
    "flag": "bool",
    "amount": "decimal(12,3)",
    "code": "char(4)",
    "label": "varchar(40)",
    "body": "text",
    "colour": "enum('red', 'gr''een', 'blue')",
    "day": "date",
    "moment": "datetime(6)",
    "ident": "uuid",
    "doc": "json",
    "blob": "bytes",
}
UID = str(uuid.UUID("12345678-1234-5678-1234-567812345678"))
ROWS = [
    {
        "id": 1,
        "i8": -128,
        "i16": 32767,
        "i32": -(2**31),
        "i64": -(2**63),
        "f32": 0.5,
        "f64": 0.1,
        "flag": True,
        "amount": Decimal("123456789.125"),
        "code": "ab",
        "label": 'O\'Reilly "quoted", ½ ünïcødé 🎉',
        "body": 'line1\nline2\r\n,"x"\\',
        "colour": "gr'een",
        "day": datetime.date(1999, 12, 31),
        "moment": datetime.datetime(2020, 2, 29, 23, 59, 59, 123456),
        "ident": UID,
        "doc": '{"a": [1, 2], "b": "é"}',
        "blob": b"\x00\xff\x10\\x",
    },
    {"id": 2, **dict.fromkeys(ALL_TYPES)},
    {
        "id": 3,
        "i8": 127,
        "i16": -32768,
        "i32": 2**31 - 1,
        "i64": 2**63 - 1,
        "f32": -1.25,
        "f64": -2.5e300,
        "flag": False,
        "amount": Decimal("-0.001"),
        "code": "",
        "label": "",
        "body": "",
        "colour": "red",
        "day": datetime.date(1970, 1, 1),
        "moment": datetime.datetime(1970, 1, 1, 0, 0, 0, 1),
        "ident": str(uuid.UUID(int=0)),
        "doc": "[]",
        "blob": b"",
    },
]


def _schema(types: dict[str, str]) -> pa.Schema:
    return pa.schema([(name, arrow_type(parse_type(t))) for name, t in types.items()])


LONG_TEXT = 'é,"\n' * 17_500  # 70,000 characters: longer than a read block or packet


def varied_table(make_table, backend, schema_name, copies: int) -> TableRef:
    """Table ``varied``: ``copies`` rows cycling through ROWS (every core type, NULLs, quotes,
    newlines, unicode), row 6 with :data:`LONG_TEXT` as its body."""
    make_table(
        "varied",
        [Col("id", "int32")] + [Col(n, t, nullable=True) for n, t in ALL_TYPES.items()],
        ["id"],
    )
    ref = TableRef(schema_name, "varied")
    rows = [{**ROWS[i % len(ROWS)], "id": i + 1} for i in range(copies)]
    rows[5]["body"] = LONG_TEXT
    backend.insert_arrow(
        ref, pa.Table.from_pylist(rows, schema=_schema({"id": "int32", **ALL_TYPES})), ["id"]
    )
    return ref


def _all_types_table(make_table, backend, schema_name) -> TableRef:
    make_table(
        "all_types",
        [Col("id", "int32")] + [Col(n, t, nullable=True) for n, t in ALL_TYPES.items()],
        ["id"],
    )
    ref = TableRef(schema_name, "all_types")
    data = pa.Table.from_pylist(ROWS, schema=_schema({"id": "int32", **ALL_TYPES}))
    assert backend.insert_arrow(ref, data, ["id"]) == 3
    return ref


def _normalise(row: dict) -> dict:
    """Values as every backend must return them, up to CHAR padding and JSON spacing."""
    out = dict(row)
    if out.get("code") is not None:
        out["code"] = out["code"].rstrip(" ")
    if out.get("doc") is not None:
        out["doc"] = json.loads(out["doc"])
    return out


@pytest.fixture
def people(make_table, backend, schema_name) -> TableRef:
    make_table(
        "person",
        [
            Col("id", "int32"),
            Col("name", "varchar(20)"),
            Col("size", "int16", nullable=True),
            Col("mood", "enum('happy', 'sad')", nullable=True),
        ],
        ["id"],
    )
    ref = TableRef(schema_name, "person")
    backend.insert_arrow(ref, _people([(1, "ann", 10), (2, "bob", 20)]), ["id"])
    return ref


def _people(rows: list[tuple]) -> pa.Table:
    return pa.table(
        {
            "id": pa.array([r[0] for r in rows], pa.int32()),
            "name": pa.array([r[1] for r in rows], pa.string()),
            "size": pa.array([r[2] for r in rows], pa.int16()),
        }
    )


def _contents(backend, ref: TableRef) -> list[tuple]:
    q = "`" if backend.dialect == "mysql" else '"'
    return backend.fetch_rows(
        f"SELECT id, name, size FROM {q}{ref.schema}{q}.{q}{ref.name}{q} ORDER BY id"
    )


# -- statements -------------------------------------------------------------------------------


def test_fetch_rows_binds_parameters_and_keeps_percent(backend):
    assert backend.fetch_rows("SELECT 7 % 3, ?, ?", ["a'b?%s", None]) == [(1, "a'b?%s", None)]


def test_execute_returns_affected_rows(backend, people):
    sql = f"UPDATE {backend.qualified(people)} SET size = ? WHERE id >= ?"
    assert backend.execute(sql, [5, 1]) == 2
    assert [r[2] for r in _contents(backend, people)] == [5, 5]


def test_missing_table_raises_missing_table_error(backend, schema_name):
    backend.create_schema(schema_name)
    with pytest.raises(MissingTableError):
        backend.fetch_rows(f"SELECT * FROM {backend.quote(schema_name)}.{backend.quote('nope')}")


# -- fetch_arrow --------------------------------------------------------------------------------


def test_fetch_arrow_conforms_every_core_type(backend, make_table, schema_name):
    ref = _all_types_table(make_table, backend, schema_name)
    names = ["id", *ALL_TYPES]
    schema = _schema({"id": "int32", **ALL_TYPES})
    result = backend.fetch_arrow(
        f"SELECT {backend.column_list(names)} FROM {backend.qualified(ref)} ORDER BY id", [], schema
    )
    # enums may stay dictionary-encoded strings (DuckDB's); every other column has its type
    encoded = {field.name for field in result.schema if pa.types.is_dictionary(field.type)}
    assert encoded <= {"colour"}
    assert all(result.schema.field(name).type.value_type == pa.string() for name in encoded)
    assert (
        pa.schema(
            [
                field.with_type(pa.string()) if field.name in encoded else field
                for field in result.schema
            ]
        )
        == schema
    )
    assert [_normalise(r) for r in result.to_pylist()] == [_normalise(r) for r in ROWS]


def test_fetch_arrow_conforms_aggregates_and_expressions(backend, make_table, schema_name):
    make_table("nums", [Col("id", "int32"), Col("x", "decimal(6,3)"), Col("n", "int32")], ["id"])
    ref = TableRef(schema_name, "nums")
    backend.insert_arrow(
        ref,
        pa.table(
            {
                "id": pa.array([1, 2, 3], pa.int32()),
                "x": pa.array(
                    [Decimal("1.000"), Decimal("2.000"), Decimal("2.001")], pa.decimal128(6, 3)
                ),
                "n": pa.array([2**31 - 1, 2**31 - 1, 5], pa.int32()),
            }
        ),
        ["id"],
    )
    schema = pa.schema(
        [
            ("count", pa.int64()),
            ("total", pa.int64()),
            ("sum_x", pa.decimal128(38, 3)),
            ("avg_x", pa.decimal128(6, 3)),
            ("is_one", pa.bool_()),
            ("nothing", pa.int32()),
            ("ratio", pa.float64()),
        ]
    )
    t = backend.qualified(ref)
    result = backend.fetch_arrow(
        f"SELECT COUNT(*), SUM(n), SUM(x), AVG(x), MIN(id) = ?, NULL, AVG(n) FROM {t}", [1], schema
    )
    assert result.schema == schema
    assert result.to_pylist() == [
        {
            "count": 3,
            "total": 2 * (2**31 - 1) + 5,
            "sum_x": Decimal("5.001"),
            "avg_x": Decimal("1.667"),
            "is_one": True,
            "nothing": None,
            "ratio": pytest.approx((2 * (2**31 - 1) + 5) / 3),
        }
    ]


def test_fetch_arrow_of_no_rows_has_the_schema(backend, people):
    schema = pa.schema([("id", pa.int32()), ("name", pa.string())])
    result = backend.fetch_arrow(
        f"SELECT id, name FROM {backend.qualified(people)} WHERE id < ?", [0], schema
    )
    assert result.schema == schema and result.num_rows == 0


def test_fetch_arrow_with_wrong_width_raises(backend):
    with pytest.raises(FetchError, match=r"2 .*were expected \(a, b\)"):
        backend.fetch_arrow("SELECT 1", [], pa.schema([("a", pa.int64()), ("b", pa.int64())]))


def test_fetch_arrow_rejects_a_value_that_does_not_fit(backend):
    with pytest.raises(FetchError, match="'small'"):
        backend.fetch_arrow("SELECT 100000 AS small", [], pa.schema([("small", pa.int8())]))


def test_large_values_travel_both_ways(backend, make_table, schema_name):
    make_table("big", [Col("id", "int32"), Col("body", "text"), Col("blob", "bytes")], ["id"])
    ref = TableRef(schema_name, "big")
    text = 'x\n",' * 750_000
    blob = bytes(range(256)) * 12_000
    backend.insert_arrow(
        ref,
        pa.table(
            {"id": pa.array([1], pa.int32()), "body": [text], "blob": pa.array([blob], pa.binary())}
        ),
        ["id"],
    )
    columns = backend.column_list(["body", "blob"])
    result = backend.fetch_arrow(
        f"SELECT {columns} FROM {backend.qualified(ref)}",
        [],
        pa.schema([("body", pa.string()), ("blob", pa.binary())]),
    )
    assert result.to_pylist() == [{"body": text, "blob": blob}]


# -- insert_arrow -------------------------------------------------------------------------------


def test_insert_error_mode_raises_duplicate_and_leaves_table_unchanged(backend, people):
    before = _contents(backend, people)
    with pytest.raises(DuplicateError, match=rf"insert into {people.schema}\.person"):
        backend.insert_arrow(people, _people([(3, "cy", 1), (1, "dup", 1)]), ["id"])
    assert _contents(backend, people) == before
    assert not backend.in_transaction


def test_insert_skip_keeps_existing_rows(backend, people):
    written = backend.insert_arrow(
        people, _people([(2, "new bob", 0), (3, "cy", 30), (3, "cy again", 31)]), ["id"], "skip"
    )
    assert written == 1
    assert _contents(backend, people) == [(1, "ann", 10), (2, "bob", 20), (3, "cy", 30)]


def test_insert_replace_overwrites_given_columns(backend, people):
    data = pa.table({"id": pa.array([2, 3, 3], pa.int32()), "name": ["new bob", "cy", "cy last"]})
    assert backend.insert_arrow(people, data, ["id"], "replace") == 2
    assert _contents(backend, people) == [(1, "ann", 10), (2, "new bob", 20), (3, "cy last", None)]


def test_insert_replace_of_key_only_table(backend, make_table, schema_name):
    make_table("keys", [Col("a", "int32"), Col("b", "int32")], ["a", "b"])
    ref = TableRef(schema_name, "keys")
    data = pa.table({"a": pa.array([1, 1], pa.int32()), "b": pa.array([1, 2], pa.int32())})
    backend.insert_arrow(ref, data, ["a", "b"])
    assert backend.insert_arrow(ref, data, ["a", "b"], "replace") == 2
    assert backend.fetch_rows(f"SELECT COUNT(*) FROM {backend.qualified(ref)}") == [(2,)]


def test_insert_skip_does_not_hide_bad_values(backend, people):
    data = _people([(5, "eve", 1)]).set_column(1, "name", pa.array([None], pa.string()))
    with pytest.raises(DataError):
        backend.insert_arrow(people, data, ["id"], "skip")


def test_insert_of_no_rows_writes_nothing(backend, people):
    assert backend.insert_arrow(people, _people([]), ["id"]) == 0


def test_insert_decodes_dictionary_and_subset_columns(backend, people):
    data = pa.table(
        {
            "id": pa.array([7, 8], pa.int32()),
            "name": pa.array(["g", "h"]).dictionary_encode(),
            "mood": pa.array(["sad", None]).dictionary_encode(),
        }
    )
    assert backend.insert_arrow(people, data, ["id"]) == 2
    rows = backend.fetch_rows(
        f"SELECT id, name, mood FROM {backend.qualified(people)} WHERE id > ? ORDER BY id", [6]
    )
    assert rows == [(7, "g", "sad"), (8, "h", None)]


@pytest.mark.parametrize(
    "column, good, bad, arrow",
    [
        ("name", "ok", None, pa.string()),  # NOT NULL
        ("size", 1, 100_000, pa.int32()),  # out of range for int16
        ("mood", "sad", "angry", pa.string()),  # not an enum member
    ],
    ids=["not-null", "out-of-range", "enum"],
)
def test_bad_values_raise_data_error_and_change_nothing(backend, people, column, good, bad, arrow):
    before = _contents(backend, people)
    data = pa.table({"id": pa.array([5, 6], pa.int32()), "name": ["ok", "ok"]})
    data = data.drop_columns([c for c in [column] if c in data.column_names])
    data = data.append_column(column, pa.array([good, bad], arrow))
    with pytest.raises(DataError, match="insert into"):
        backend.insert_arrow(people, data, ["id"])
    assert _contents(backend, people) == before


def test_malformed_uuid_and_json_raise_data_error(backend, make_table, schema_name):
    make_table(
        "docs",
        [Col("id", "int32"), Col("u", "uuid", nullable=True), Col("j", "json", nullable=True)],
        ["id"],
    )
    ref = TableRef(schema_name, "docs")
    with pytest.raises(DataError):
        backend.insert_arrow(
            ref, pa.table({"id": pa.array([1], pa.int32()), "u": ["not-a-uuid"]}), ["id"]
        )
    with pytest.raises(DataError):
        backend.insert_arrow(
            ref, pa.table({"id": pa.array([1], pa.int32()), "j": ["{bad"]}), ["id"]
        )


def test_missing_parent_raises_integrity_error(backend, make_table, schema_name):
    make_table("parent", [Col("pid", "int32")], ["pid"])
    make_table(
        "child",
        [Col("pid", "int32"), Col("cid", "int32")],
        ["pid", "cid"],
        foreign_keys=[(["pid"], "parent", ["pid"])],
    )
    parent, child = TableRef(schema_name, "parent"), TableRef(schema_name, "child")
    backend.insert_arrow(parent, pa.table({"pid": pa.array([1], pa.int32())}), ["pid"])
    rows = pa.table({"pid": pa.array([1, 2], pa.int32()), "cid": pa.array([1, 1], pa.int32())})
    with pytest.raises(IntegrityError):
        backend.insert_arrow(child, rows, ["pid", "cid"])
    assert backend.fetch_rows(f"SELECT COUNT(*) FROM {backend.qualified(child)}") == [(0,)]
    backend.insert_arrow(child, rows.slice(0, 1), ["pid", "cid"])
    with pytest.raises(IntegrityError):
        backend.execute(f"DELETE FROM {backend.qualified(parent)}")


@pytest.mark.backends("mysql")
def test_mysql_batches_are_atomic(backend, people, monkeypatch):
    monkeypatch.setattr(backend, "_max_packet", 8192)
    many = _people([(i, f"name {i}", i % 100) for i in range(10, 3010)])
    assert backend.insert_arrow(people, many, ["id"]) == 3000
    assert len(_contents(backend, people)) == 3002
    failing = _people([(i, "x", 1) for i in range(5000, 7000)] + [(1, "dup", 1)])
    with pytest.raises(DuplicateError):
        backend.insert_arrow(people, failing, ["id"])
    assert len(_contents(backend, people)) == 3002


@pytest.mark.backends("mysql")
def test_mysql_rejects_nan(backend, make_table, schema_name):
    make_table("floats", [Col("id", "int32"), Col("x", "float64")], ["id"])
    data = pa.table({"id": pa.array([1], pa.int32()), "x": [float("nan")]})
    with pytest.raises(DataError, match="NaN"):
        backend.insert_arrow(TableRef(schema_name, "floats"), data, ["id"])


@pytest.mark.never(
    ["mysql"], raises=DataError, reason="MySQL's floating-point columns cannot hold NaN or infinity"
)
def test_non_finite_floats_round_trip(backend, make_table, schema_name):
    make_table("floats", [Col("id", "int32"), Col("x", "float64")], ["id"])
    ref = TableRef(schema_name, "floats")
    values = [float("inf"), float("-inf"), -0.0]
    backend.insert_arrow(
        ref, pa.table({"id": pa.array([1, 2, 3], pa.int32()), "x": values}), ["id"]
    )
    result = backend.fetch_arrow(
        f"SELECT x FROM {backend.qualified(ref)} ORDER BY id", [], pa.schema([("x", pa.float64())])
    )
    assert result.column("x").to_pylist() == values


# -- transactions -------------------------------------------------------------------------------


def test_commit_and_rollback(backend, people):
    backend.begin()
    assert backend.in_transaction
    backend.insert_arrow(people, _people([(3, "cy", 3)]), ["id"])
    backend.rollback()
    assert not backend.in_transaction
    assert len(_contents(backend, people)) == 2
    with backend.transaction():
        backend.insert_arrow(people, _people([(4, "di", 4)]), ["id"])
    assert [r[0] for r in _contents(backend, people)] == [1, 2, 4]


def test_transaction_block_rolls_back_on_error(backend, people):
    with pytest.raises(RuntimeError), backend.transaction():
        backend.insert_arrow(people, _people([(3, "cy", 3)]), ["id"])
        raise RuntimeError("boom")
    assert not backend.in_transaction
    assert len(_contents(backend, people)) == 2


def test_failed_insert_inside_transaction_is_the_callers_to_roll_back(backend, people):
    with pytest.raises(DuplicateError), backend.transaction():
        backend.insert_arrow(people, _people([(3, "cy", 3)]), ["id"])
        backend.insert_arrow(people, _people([(1, "dup", 3)]), ["id"])
    assert len(_contents(backend, people)) == 2


def test_nesting_and_stray_commit_raise_transaction_error(backend):
    with backend.transaction():
        with pytest.raises(TransactionError, match="already open"):
            backend.begin()
        with pytest.raises(TransactionError, match="does not nest"), backend.transaction():
            pass
        assert backend.in_transaction
    with pytest.raises(TransactionError, match="without an open transaction"):
        backend.commit()
    backend.rollback()  # no transaction: nothing to do


def test_a_failed_insert_aborts_the_transaction_on_every_backend(backend, people, monkeypatch):
    """One rule everywhere (MySQL alone would carry on): after a statement fails inside a
    transaction, nothing more runs in it, and committing it rolls it back and raises."""
    monkeypatch.setattr(backend, "_max_packet", 8192, raising=False)  # MySQL: many statements
    with pytest.raises(TransactionError, match="(?i)rolled back, not committed.*duplicate"):
        with backend.transaction():
            backend.insert_arrow(people, _people([(3, "cy", 3)]), ["id"])
            failing = _people([(i, "x", 1) for i in range(100, 2100)] + [(1, "dup", 1)])
            with pytest.raises(DuplicateError):
                backend.insert_arrow(people, failing, ["id"])
            assert backend.in_transaction
            with pytest.raises(TransactionError, match="aborted by an earlier error"):
                backend.insert_arrow(people, _people([(4, "di", 4)]), ["id"])
            with pytest.raises(TransactionError, match="aborted by an earlier error"):
                backend.fetch_rows("SELECT 1")
    assert not backend.in_transaction
    assert [r[0] for r in _contents(backend, people)] == [1, 2]
    backend.insert_arrow(people, _people([(4, "di", 4)]), ["id"])  # the connection is fine
    assert [r[0] for r in _contents(backend, people)] == [1, 2, 4]


@pytest.mark.backends("postgres", "mysql")
def test_autocommit_outside_transactions_and_isolation_inside(backend, backend_url, people):
    other = open_backend(backend_url)
    try:
        backend.insert_arrow(people, _people([(3, "cy", 3)]), ["id"])
        assert len(_contents(other, people)) == 3
        with backend.transaction():
            backend.insert_arrow(people, _people([(4, "di", 4)]), ["id"])
            assert len(_contents(other, people)) == 3
        assert len(_contents(other, people)) == 4
    finally:
        other.close()
