"""DataJoint's ``datajoint.declare`` names, with frames' parser and DDL underneath.

Code written for DataJoint imports a few names from its declaration module: the type
categories (:data:`TYPE_PATTERN`, :func:`match_type`, :data:`CORE_TYPE_SQL`,
:data:`SPECIAL_TYPES`) and :func:`declare`, which turns a definition into the statements that
create its table. The categories are DataJoint's own (its spellings of native types and its
MySQL names for the core types); :func:`declare` reads the definition with
:func:`frames.declare.parser.parse_definition` and writes the DDL with
:func:`frames.sql.ddl.create_table_sql`.
"""

from __future__ import annotations

import re
from typing import Any

from frames.api.base_table import Table
from frames.declare.naming import MAX_TABLE_NAME_LENGTH, tier_of
from frames.declare.parser import parse_definition
from frames.declare.spec import TableRef, TableSpec
from frames.errors import DefinitionError
from frames.sql.ddl import create_table_sql, qualified_name
from frames.sql.dialects import Dialect, get_dialect

#: DataJoint's core types: the pattern of each and its MySQL spelling (``None``: as written).
CORE_TYPES: dict[str, tuple[str, str | None]] = {
    "float32": (r"float32$", "float"),
    "float64": (r"float64$", "double"),
    "int64": (r"int64$", "bigint"),
    "int32": (r"int32$", "int"),
    "int16": (r"int16$", "smallint"),
    "int8": (r"int8$", "tinyint"),
    "bool": (r"bool$", "tinyint"),
    "uuid": (r"uuid$", "binary(16)"),
    "json": (r"jsonb?$", None),
    "bytes": (r"bytes$", "longblob"),
    "date": (r"date$", None),
    "datetime": (r"datetime(\s*\(\d+\))?$", None),
    "char": (r"char\s*\(\d+\)$", None),
    "varchar": (r"varchar\s*\(\d+\)$", None),
    "enum": (r"enum\s*\(.+\)$", None),
    "decimal": (r"decimal\s*\(\d+\s*,\s*\d+\)$", None),
}

#: Core type → its MySQL spelling in DataJoint (``None``: the type is spelled as written).
CORE_TYPE_SQL: dict[str, str | None] = {name: sql for name, (_, sql) in CORE_TYPES.items()}

#: Category (upper case) → pattern of the type spellings DataJoint accepts, core types first.
TYPE_PATTERN: dict[str, re.Pattern[str]] = {
    category: re.compile(pattern, re.I)
    for category, pattern in {
        **{name.upper(): pattern for name, (pattern, _) in CORE_TYPES.items()},
        "INTEGER": r"(((tiny|small|medium|big|)int|integer)(\s*\(.+\))?(\s+unsigned)?"
        r"(\s+auto_increment)?|serial)$",
        "NUMERIC": r"(decimal|numeric|dec|fixed)(\s*\(.+\))?(\s+unsigned)?(\s+zerofill)?$",
        "FLOAT": r"(double|float|real)(\s*\(.+\))?(\s+unsigned)?$",
        "STRING": r"(var)?char\s*\(.+\)$",
        "TEMPORAL": r"(time|timestamp|year)(\s*\(.+\))?$",
        "NATIVE_BLOB": r"(tiny|small|medium|long)?blob$",
        "NATIVE_TEXT": r"(tiny|small|medium|long)?text$",
        "CODEC": r"<.+>$",
    }.items()
}

#: Categories of the core types.
CORE_TYPE_NAMES = {name.upper() for name in CORE_TYPES}

#: Categories whose declared type is recorded in the column comment (core types and codecs).
SPECIAL_TYPES = CORE_TYPE_NAMES | {"CODEC"}

#: Categories of native SQL types, passed to the database as written.
NATIVE_TYPES = set(TYPE_PATTERN) - SPECIAL_TYPES


def match_type(attribute_type: str) -> str:
    """The category of a type spelling (``'float32'`` → ``'FLOAT32'``, ``'int'`` →
    ``'INTEGER'``).

    Raises
    ------
    DefinitionError
        If DataJoint accepts no such type.
    """
    for category, pattern in TYPE_PATTERN.items():
        if pattern.fullmatch(attribute_type):
            return category
    raise DefinitionError(f"Unsupported attribute type {attribute_type}")


def declare(
    full_table_name: str,
    definition: str,
    context: dict[str, Any],
    adapter: Any,
    *,
    config: Any = None,
) -> tuple[str, list[str], list[str], dict[str, tuple[str, str]], list[str], list[str]]:
    """The SQL that creates table ``full_table_name`` from ``definition``, as DataJoint's
    ``declare`` returns it.

    Parameters
    ----------
    full_table_name : str
        ```schema`.`table``` or ``"schema"."table"``; the stored name gives the tier.
    definition : str
        The definition string.
    context : dict
        Names that ``->`` lines refer to (declared table classes).
    adapter : Dialect, str or object
        The target backend: a :class:`~frames.sql.dialects.Dialect`, its name, or an object
        (a connection or its adapter) whose ``sql_dialect``, ``dialect`` or ``backend``
        attribute is one.
    config : object, optional
        Accepted for DataJoint's signature; frames reads no settings here.

    Returns
    -------
    tuple
        ``(create_table_sql, external_stores, primary_key, fk_attribute_map, pre_ddl,
        post_ddl)``: the statements before the ``CREATE TABLE`` (PostgreSQL enum types, DuckDB
        sequences) and after it (comments, indexes); ``fk_attribute_map`` maps each inherited
        attribute to (parent's full name, parent attribute).

    Raises
    ------
    DefinitionError
        For a malformed definition, an unknown parent or a table name longer than 64.
    """
    dialect = _dialect(adapter)
    schema, name = _split_full_name(full_table_name)
    if len(name) > MAX_TABLE_NAME_LENGTH:
        raise DefinitionError(
            f"Table name `{name}` exceeds the max length of {MAX_TABLE_NAME_LENGTH}"
        )
    spec = parse_definition(
        definition,
        ref=TableRef(schema, name),
        tier=tier_of(name),
        class_name=name,
        resolve=lambda text: resolve_reference(text, context),
    )
    statements = create_table_sql(spec, dialect)
    position = next(i for i, s in enumerate(statements) if s.startswith("CREATE TABLE"))
    fk_map = {
        child: (qualified_name(fk.parent, dialect), parent)
        for fk in spec.foreign_keys
        for child, parent in fk.attr_map
    }
    return (
        statements[position],
        [],
        list(spec.primary_key),
        fk_map,
        statements[:position],
        statements[position + 1 :],
    )


def resolve_reference(text: str, context: dict[str, Any]) -> TableSpec:
    """The spec of the declared table that ``text`` (``'Subject'``, ``'lab.Subject'``,
    ``'master.Part'``) names in ``context``.

    Raises
    ------
    LookupError
        If ``text`` names no declared table.
    """
    head, *rest = text.split(".")
    target: Any = context.get(head)
    for part in rest:
        target = getattr(target, part, None)
    if isinstance(target, Table):
        target = type(target)
    if isinstance(target, type) and issubclass(target, Table):
        spec = type.__getattribute__(target, "_spec")
        if spec is not None:
            return spec
    raise LookupError(text)


_FULL_NAME = re.compile(
    r'^([`"])(?P<schema>(?:(?!\1).|\1\1)+)\1\.\1(?P<table>(?:(?!\1).|\1\1)+)\1$'
)


def _split_full_name(full_table_name: str) -> tuple[str, str]:
    match = _FULL_NAME.match(full_table_name.strip())
    if match is None:
        raise DefinitionError(
            f"{full_table_name!r} is not a full table name; expected "
            '`schema`.`table` or "schema"."table"'
        )
    quote = match.group(1)
    return (
        match.group("schema").replace(quote * 2, quote),
        match.group("table").replace(quote * 2, quote),
    )


def _dialect(adapter: Any) -> Dialect:
    if isinstance(adapter, Dialect):
        return adapter
    if isinstance(adapter, str):
        return get_dialect(adapter)
    for attribute in ("sql_dialect", "dialect", "backend"):
        value = getattr(adapter, attribute, None)
        if isinstance(value, (Dialect, str)):
            return _dialect(value)
    raise DefinitionError(
        f"declare(): cannot tell the backend of {adapter!r}; pass a "
        "connection's adapter, a frames Dialect or a dialect name"
    )
