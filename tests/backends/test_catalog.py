"""Schemas, table listings and introspection of table specs on every backend."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from backend_helpers import Col

from frames.declare.spec import (
    NO_DEFAULT,
    Attribute,
    ForeignKeySpec,
    IndexSpec,
    SqlDefault,
    TableRef,
)
from frames.declare.storage import FOREIGN_KEY_CATALOG
from frames.declare.types import CoreType, parse_type


def test_schema_lifecycle(backend, schema_name, make_table):
    assert not backend.schema_exists(schema_name)
    backend.create_schema(schema_name)
    backend.create_schema(schema_name)  # idempotent
    assert backend.schema_exists(schema_name)
    assert backend.list_tables(schema_name) == []
    make_table("#lookup", [Col("a", "int32")], ["a"])
    make_table("_imported", [Col("a", "int32")], ["a"])
    make_table("~~jobs", [Col("a", "int32")], ["a"])
    make_table("~log", [Col("a", "int32")], ["a"])
    if not backend.declares_foreign_keys:
        make_table.record_foreign_key("_imported", 0, "#lookup", "a", "a", True)
        assert backend.table_exists(TableRef(schema_name, FOREIGN_KEY_CATALOG))
    assert sorted(backend.list_tables(schema_name)) == ["#lookup", "_imported"]
    assert backend.table_exists(TableRef(schema_name, "#lookup"))
    assert not backend.table_exists(TableRef(schema_name, "lookup"))
    assert {s.ref.name for s in backend.introspect(schema_name)} == {"#lookup", "_imported"}
    backend.drop_schema(schema_name)
    assert not backend.schema_exists(schema_name)
    backend.drop_schema(schema_name)  # no-op


@pytest.mark.backends("postgres")
def test_dropping_a_postgres_schema_drops_its_enum_types(backend, schema_name, make_table):
    make_table("t", [Col("a", "int32"), Col("e", "enum('x', 'y')")], ["a"])
    count = (
        "SELECT COUNT(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = ? AND t.typtype = 'e'"
    )
    assert backend.fetch_rows(count, [schema_name]) == [(1,)]
    backend.drop_schema(schema_name)
    assert backend.fetch_rows(count, [schema_name]) == [(0,)]


def _declare_university(backend, schema_name, make_table):
    """#subject ← session (FK in key), _recording (renamed nullable FK and unique FK)."""
    declares = backend.declares_foreign_keys
    make_table(
        "#subject",
        [
            Col("subject_id", "int32", comment="subject id"),
            Col("name", "varchar(30)", default="'anon'", comment="it's a name"),
            Col("sex", "enum('M', 'F', 'it''s')", nullable=True),
        ],
        ["subject_id"],
        comment="experimental subjects",
    )
    make_table(
        "session",
        [
            Col("subject_id", "int32"),
            Col("session_idx", "int16"),
            Col("started", "datetime", default="CURRENT_TIMESTAMP"),
            Col("score", "decimal(5,2)", default="1.50"),
            Col("label", "varchar(20)", nullable=True),
            Col("flag", "bool", default="false"),
            Col("day", "date", default="'2020-01-31'"),
            Col("note", "text", nullable=True, comment="colon: inside"),
        ],
        ["subject_id", "session_idx"],
        foreign_keys=[(["subject_id"], "#subject", ["subject_id"])] if declares else [],
        indexes=[(["started"], False), (["label"], True)],
    )
    make_table(
        "_recording",
        [
            Col("rec_id", "int64"),
            Col("sub_id", "int32", nullable=True),
            Col("sub2", "int32"),
            Col("weight", "float64", default="-2.5"),
        ],
        ["rec_id"],
        foreign_keys=[
            (["sub_id"], "#subject", ["subject_id"]),
            (["sub2"], "#subject", ["subject_id"]),
        ]
        if declares
        else [],
        indexes=[(["sub2"], True)],
    )
    if not declares:
        make_table.record_foreign_key("session", 0, "#subject", "subject_id", "subject_id", True)
        make_table.record_foreign_key(
            "_recording", 0, "#subject", "sub_id", "subject_id", False, nullable=True
        )
        make_table.record_foreign_key(
            "_recording", 1, "#subject", "sub2", "subject_id", False, unique=True
        )


def test_introspect_rebuilds_table_specs(backend, schema_name, make_table):
    _declare_university(backend, schema_name, make_table)
    specs = {s.ref.name: s for s in backend.introspect(schema_name)}
    assert list(specs) == ["#subject", "_recording", "session"]
    subject_ref = TableRef(schema_name, "#subject")

    subject = specs["#subject"]
    assert subject.tier == "lookup" and subject.comment == "experimental subjects"
    assert subject.attributes == (
        Attribute("subject_id", CoreType("int32"), comment="subject id", in_key=True),
        Attribute("name", parse_type("varchar(30)"), default="anon", comment="it's a name"),
        Attribute("sex", parse_type("enum('M', 'F', 'it''s')"), nullable=True, default=None),
    )
    assert subject.foreign_keys == () and subject.indexes == ()

    session = specs["session"]
    assert session.tier == "manual" and session.comment == ""
    assert session.primary_key == ("subject_id", "session_idx")
    assert [
        (a.name, str(a.type), a.nullable, a.default, a.comment) for a in session.attributes
    ] == [
        ("subject_id", "int32", False, NO_DEFAULT, ""),
        ("session_idx", "int16", False, NO_DEFAULT, ""),
        ("started", "datetime", False, SqlDefault("CURRENT_TIMESTAMP"), ""),
        ("score", "decimal(5,2)", False, Decimal("1.5"), ""),
        ("label", "varchar(20)", True, None, ""),
        ("flag", "bool", False, False, ""),
        ("day", "date", False, datetime.date(2020, 1, 31), ""),
        ("note", "text", True, None, "colon: inside"),
    ]
    assert session.foreign_keys == (
        ForeignKeySpec(subject_ref, (("subject_id", "subject_id"),), in_key=True),
    )
    assert set(session.indexes) == {IndexSpec(("started",)), IndexSpec(("label",), True)}

    recording = specs["_recording"]
    assert recording.tier == "imported"
    assert recording.attribute("weight").default == -2.5
    assert recording.foreign_keys == (
        ForeignKeySpec(subject_ref, (("sub_id", "subject_id"),), in_key=False, nullable=True),
        ForeignKeySpec(subject_ref, (("sub2", "subject_id"),), in_key=False, unique=True),
    )
    assert recording.indexes == ()  # the unique FK's index is implied by the key


def test_foreign_keys_spans_schemas(backend, schema_name, make_table):
    _declare_university(backend, schema_name, make_table)
    mine = [(ref, fk) for ref, fk in backend.foreign_keys() if ref.schema == schema_name]
    assert [(ref.name, fk.child_attrs, fk.parent.name) for ref, fk in mine] == [
        ("_recording", ("sub_id",), "#subject"),
        ("_recording", ("sub2",), "#subject"),
        ("session", ("subject_id",), "#subject"),
    ]


# Native spellings without a ``:type:`` comment: what each engine's catalog lets frames recover.
_NATIVE = {
    "a": ("int32", {}),
    "b": ("varchar(12)", {"duckdb": "text"}),
    "c": ("float64", {}),
    "d": ("decimal(6,2)", {}),
    "e": ("enum('x', 'y')", {}),
    "f": ("bool", {"mysql": "int8"}),
    "g": ("datetime(3)", {"duckdb": "datetime(6)"}),
    "h": ("bytes", {}),
    "i": ("int64", {}),
    "j": ("date", {}),
}


def test_introspect_maps_native_types(backend, schema_name, make_table):
    make_table(
        "legacy",
        [
            Col(n, t, native=True, comment="plain" if n == "a" else "")
            for n, (t, _) in _NATIVE.items()
        ],
        ["a"],
    )
    (spec,) = backend.introspect(schema_name)
    got = {a.name: str(a.type) for a in spec.attributes}
    assert got == {n: exceptions.get(backend.dialect, t) for n, (t, exceptions) in _NATIVE.items()}
    assert spec.attribute("a").comment == "plain"
