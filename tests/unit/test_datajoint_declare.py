"""DataJoint's ``datajoint.declare`` names: type categories, ``match_type`` and ``declare``."""

from __future__ import annotations

import pytest

from frames.api.datajoint_declare import (
    CORE_TYPE_SQL,
    NATIVE_TYPES,
    SPECIAL_TYPES,
    declare,
    match_type,
)
from frames.errors import DefinitionError
from frames.sql.dialects import MYSQL, POSTGRES


@pytest.mark.parametrize(
    ("spelling", "category"),
    [
        ("float32", "FLOAT32"),
        ("int8", "INT8"),
        ("bool", "BOOL"),
        ("uuid", "UUID"),
        ("jsonb", "JSON"),
        ("datetime(3)", "DATETIME"),
        ("varchar(20)", "VARCHAR"),
        ("enum('a', 'b')", "ENUM"),
        ("decimal(5,2)", "DECIMAL"),
        ("int", "INTEGER"),
        ("int unsigned auto_increment", "INTEGER"),
        ("serial", "INTEGER"),
        ("decimal(5)", "NUMERIC"),
        ("double", "FLOAT"),
        ("year", "TEMPORAL"),
        ("longblob", "NATIVE_BLOB"),
        ("mediumtext", "NATIVE_TEXT"),
        ("<blob@store>", "CODEC"),
    ],
)
def test_match_type_gives_datajoints_category(spelling, category):
    assert match_type(spelling) == category
    assert (category in SPECIAL_TYPES) != (category in NATIVE_TYPES)


@pytest.mark.parametrize("spelling", ["tinyinteger", "int24", "completely_invalid_type_xyz"])
def test_match_type_rejects_what_datajoint_rejects(spelling):
    with pytest.raises(DefinitionError, match=f"Unsupported attribute type {spelling}"):
        match_type(spelling)


def test_core_type_sql_is_datajoints_mysql_spelling():
    assert {k: CORE_TYPE_SQL[k] for k in ("float32", "int32", "bool", "bytes", "json")} == {
        "float32": "float",
        "int32": "int",
        "bool": "tinyint",
        "bytes": "longblob",
        "json": None,
    }


def test_declare_returns_the_create_statement_and_what_surrounds_it():
    sql, stores, key, fk_map, pre, post = declare(
        '"lab"."#rig"', "# rigs\nrig : int16\n---\nkind : enum('a', 'b')", {}, POSTGRES
    )
    assert sql.startswith('CREATE TABLE "lab"."#rig"') and stores == [] and key == ["rig"]
    assert fk_map == {} and pre == ["CREATE TYPE \"lab\".\"#rig:kind\" AS ENUM ('a', 'b')"]
    assert post[0] == """COMMENT ON TABLE "lab"."#rig" IS 'rigs'"""
    assert declare("`lab`.`#rig`", "rig : int16", {}, "mysql")[0].startswith(
        "CREATE TABLE `lab`.`#rig`"
    )


@pytest.mark.parametrize(
    ("name", "definition", "fragment"),
    [
        ("`lab`.`" + "x" * 65 + "`", "a : int32", "exceeds the max length of 64"),
        ("lab.rig", "a : int32", "is not a full table name"),
        ("`lab`.`rig`", "-> Missing", "foreign key to undeclared table 'Missing'"),
    ],
)
def test_declare_errors(name, definition, fragment):
    with pytest.raises(DefinitionError, match=fragment):
        declare(name, definition, {}, MYSQL)


def test_declare_needs_a_backend():
    with pytest.raises(DefinitionError, match="cannot tell the backend"):
        declare("`lab`.`rig`", "a : int32", {}, object())
