"""Rebuilding :class:`~frames.declare.spec.TableSpec` objects from catalog rows.

Each backend reads its own catalog (``pg_catalog``, MySQL's ``information_schema``, DuckDB's
``duckdb_*()`` functions and ``~foreign_keys`` tables) into a :class:`Catalog` of plain rows; the
functions here turn those rows into table specs the same way for every backend: the declared
core type from the column comment (falling back to the native type), defaults as Python values,
the primary key, foreign keys with their flags, and secondary indexes.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from frames.codecs.attributes import storage_type
from frames.declare.naming import tier_of
from frames.declare.spec import (
    AUTO_INCREMENT,
    NO_DEFAULT,
    Attribute,
    ForeignKeySpec,
    IndexSpec,
    SqlDefault,
    TableRef,
    TableSpec,
)
from frames.declare.storage import comment_codec, decode_comment
from frames.declare.types import INTEGER_KINDS, CoreType, parse_type

if TYPE_CHECKING:
    from frames.backends.base import Backend


@dataclass(frozen=True)
class ColumnRow:
    """One column as the catalog describes it.

    Attributes
    ----------
    ref : TableRef
    name : str
    native_type : str
        The engine's spelling of the column type (``'character varying(20)'``, ``'int(11)'``).
    nullable : bool
    default : str or None
        The default as SQL expression text (``"'abc'::text"``), or ``None`` when there is none.
    comment : str or None
        The column comment (``':int32:duration'``).
    enum_values : tuple of str or None
        Members of a PostgreSQL named enum type (other engines spell them in ``native_type``).
    """

    ref: TableRef
    name: str
    native_type: str
    nullable: bool
    default: str | None
    comment: str | None = None
    enum_values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class IndexRow:
    """A secondary index (never the primary key)."""

    ref: TableRef
    attrs: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class ForeignKeyRow:
    """A foreign key: child table and attributes, parent table and referenced attributes.

    ``unique`` is the recorded ``-> [unique]`` flag where the engine keeps one (DuckDB's
    ``~foreign_keys``); ``None`` derives it from a unique index on the child attributes.
    """

    ref: TableRef
    parent: TableRef
    child_attrs: tuple[str, ...]
    parent_attrs: tuple[str, ...]
    unique: bool | None = None


@dataclass
class Catalog:
    """The catalog rows of some tables, in the engine's column and constraint order.

    ``tables`` maps every table to describe to its comment; rows of other tables are ignored.
    """

    dialect: str
    tables: dict[TableRef, str]
    columns: list[ColumnRow] = field(default_factory=list)
    primary_keys: dict[TableRef, tuple[str, ...]] = field(default_factory=dict)
    indexes: list[IndexRow] = field(default_factory=list)
    foreign_keys: list[ForeignKeyRow] = field(default_factory=list)


def build_specs(catalog: Catalog) -> list[TableSpec]:
    """The :class:`TableSpec` of every table in ``catalog``, sorted by stored name."""
    columns = _group(catalog.columns)
    foreign_keys = _foreign_keys_by_table(catalog)
    indexes = _group(catalog.indexes)
    specs = []
    for ref in sorted(catalog.tables, key=lambda r: (r.schema, r.name)):
        key = catalog.primary_keys.get(ref, ())
        attributes = tuple(
            _attribute(row, row.name in key, catalog.dialect) for row in columns[ref]
        )
        fks = foreign_keys[ref]
        implied = {frozenset(fk.child_attrs) for fk in fks if fk.unique}
        serving = {fk.child_attrs for fk in fks}
        index_specs = tuple(
            IndexSpec(index.attrs, index.unique)
            for index in indexes[ref]
            if not (index.unique and frozenset(index.attrs) in implied)
            and not (not index.unique and index.attrs in serving)  # a foreign key's own
        )
        specs.append(
            TableSpec(
                ref=ref,
                attributes=attributes,
                comment=catalog.tables[ref] or "",
                foreign_keys=tuple(fks),
                indexes=index_specs,
                tier=tier_of(ref.name),
            )
        )
    return specs


def build_foreign_keys(catalog: Catalog) -> list[tuple[TableRef, ForeignKeySpec]]:
    """Every foreign key of ``catalog`` as (child table, key), tables in name order."""
    by_table = _foreign_keys_by_table(catalog)
    return [
        (ref, fk)
        for ref in sorted(by_table, key=lambda r: (r.schema, r.name))
        for fk in by_table[ref]
    ]


def introspect_with_parents(backend: Backend, schema: str) -> dict[TableRef, TableSpec]:
    """The specs of ``schema``'s tables and of every table in other schemas they depend on.

    Foreign keys are followed across schemas, transitively, so that lineage can be traced to
    its origin even when a parent schema (a DataJoint pipeline's upstream schema, say) has not
    been opened in this process. Each schema is read once.
    """
    specs: dict[TableRef, TableSpec] = {}
    pending, seen = [schema], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for spec in backend.introspect(name):
            specs[spec.ref] = spec
            pending.extend(fk.parent.schema for fk in spec.foreign_keys)
    return specs


def _group(rows: list) -> defaultdict[TableRef, list]:
    grouped: defaultdict[TableRef, list] = defaultdict(list)
    for row in rows:
        grouped[row.ref].append(row)
    return grouped


def _foreign_keys_by_table(catalog: Catalog) -> defaultdict[TableRef, list[ForeignKeySpec]]:
    nullable = {(c.ref, c.name) for c in catalog.columns if c.nullable}
    unique = {(i.ref, frozenset(i.attrs)) for i in catalog.indexes if i.unique}
    result: defaultdict[TableRef, list[ForeignKeySpec]] = defaultdict(list)
    for row in catalog.foreign_keys:
        key = set(catalog.primary_keys.get(row.ref, ()))
        result[row.ref].append(
            ForeignKeySpec(
                parent=row.parent,
                attr_map=tuple(zip(row.child_attrs, row.parent_attrs, strict=True)),
                in_key=set(row.child_attrs) <= key,
                nullable=any((row.ref, a) in nullable for a in row.child_attrs),
                unique=(
                    row.unique
                    if row.unique is not None
                    else (row.ref, frozenset(row.child_attrs)) in unique
                ),
            )
        )
    return result


def _attribute(row: ColumnRow, in_key: bool, dialect: str) -> Attribute:
    declared, comment = decode_comment(row.comment)
    codec = comment_codec(row.comment)
    core = (
        declared
        or storage_type(codec)
        or native_core_type(row.native_type, dialect, row.enum_values)
    )
    return Attribute(
        name=row.name,
        type=core,
        nullable=row.nullable,
        default=parse_default(row.default, core, row.nullable),
        comment=comment,
        in_key=in_key,
        codec=codec,
    )


# ---------------------------------------------------------------------------------------------
# Native types

_NATIVE_REWRITES: dict[str, tuple[tuple[str, str], ...]] = {
    "postgres": (
        (r"character varying\((\d+)\)", r"varchar(\1)"),
        (r"character varying", "text"),
        (r"(?:character|bpchar)\((\d+)\)", r"char(\1)"),
        (r"timestamp\((\d)\) with(?:out)? time zone", r"datetime(\1)"),
        (r"timestamp with(?:out)? time zone", "datetime(6)"),
        (r"jsonb", "json"),
        (r"numeric", "text"),  # unconstrained: any digits, which no decimal(p,s) holds
    ),
    "duckdb": (
        (r"varchar", "text"),
        (r"timestamp(?: with time zone|tz|_ns|_us)?", "datetime(6)"),
        (r"timestamp_ms", "datetime(3)"),
        (r"timestamp_s", "datetime"),
        (r"utinyint", "int16"),
        (r"usmallint", "int32"),
        (r"uinteger", "int64"),
        (r"u?bigint unsigned|ubigint|u?hugeint", "decimal(38,0)"),
    ),
    "mysql": ((r"(?:var)?binary\(\d+\)", "bytes"),),
}


def native_core_type(
    native: str, dialect: str, enum_values: tuple[str, ...] | None = None
) -> CoreType:
    """The core type for a column declared outside frames, from the engine's type spelling.

    Native spellings map to the core type that holds every value; a type frames has no core
    type for (``time``, ``interval``, arrays, unconstrained ``numeric``, ...) becomes ``text``,
    so its values travel losslessly in their text form.

    Examples
    --------
    >>> str(native_core_type("character varying(20)", "postgres"))
    'varchar(20)'
    >>> str(native_core_type("int(10) unsigned", "mysql"))
    'int64'
    """
    if enum_values:
        return CoreType("enum", values=enum_values)
    spelling = " ".join(native.strip().split())
    if spelling[:5].lower() == "enum(":
        spelling = "enum" + spelling[4:]
    else:
        spelling = spelling.lower()
        for pattern, replacement in _NATIVE_REWRITES.get(dialect, ()):
            rewritten, count = re.subn(rf"^{pattern}$", replacement, spelling)
            if count:
                spelling = rewritten
                break
    try:
        return parse_type(spelling)
    except ValueError:
        return CoreType("text")


# ---------------------------------------------------------------------------------------------
# Defaults

#: A type name in a cast: plain words or quoted identifiers (a PostgreSQL enum type such as
#: ``lab."subject:sex"``), dot-separated.
_TYPE_NAME = r'(?:"(?:[^"]|"")*"|[A-Za-z_][\w ]*)(?:\.(?:"(?:[^"]|"")*"|[A-Za-z_][\w ]*))*'
_CAST_SUFFIX = re.compile(rf"^(.*?)(?:::{_TYPE_NAME}(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?)+$", re.S)
_CAST_CALL = re.compile(r"^CAST\s*\((.*)\s+AS\s+[\w .\"(),]+\)$", re.S | re.I)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
#: A default drawn from a sequence: DuckDB's and PostgreSQL's (``serial``) auto-increment.
_NEXTVAL = re.compile(r"^nextval\s*\(", re.I)
_NOW = re.compile(r"^(?:current_timestamp|now|localtimestamp)\s*(?:\(\s*\d*\s*\))?$", re.I)
#: A uuid default as MySQL 8 shows a ``BINARY(16)`` default (``0x...``) or as DDL writes it.
_HEX_UUID = re.compile(r"^(?:0x([0-9a-f]{32})|x'([0-9a-f]{32})')$", re.I)
_TRUE = {"true", "t", "1", "yes", "on"}
_FALSE = {"false", "f", "0", "no", "off"}


def parse_default(text: str | None, core: CoreType, nullable: bool) -> object:
    """The Python default of an attribute from the catalog's default expression text.

    ``None`` text means no default clause: ``None`` for a nullable attribute (``= null``),
    else ``NO_DEFAULT``. Literals (``'abc'::text``, ``CAST('2020-01-01' AS DATE)``, ``-1.5``)
    become values of the attribute's type (``int``, ``float``, ``Decimal``, ``bool``, ``date``,
    ``datetime``, ``uuid.UUID``, ``str``); anything else is kept as :class:`SqlDefault`, with
    the spellings of the current time normalised to ``CURRENT_TIMESTAMP``. A uuid stored as
    ``BINARY(16)`` is read from its hex form (MySQL 8); MariaDB shows such a default as its
    bytes, with those above 0x7f replaced by ``?``, so there it stays a :class:`SqlDefault`
    (an insert that omits the attribute still gets the stored default from the database).

    Examples
    --------
    >>> parse_default("'-1.5'::numeric", CoreType("decimal", 5, 2), False)
    Decimal('-1.5')
    >>> parse_default("'M'::lab.\\"subject:sex\\"", CoreType("enum", values=("M", "F")), False)
    'M'
    >>> parse_default("now()", CoreType("datetime"), False)
    SqlDefault(keyword='CURRENT_TIMESTAMP')
    >>> parse_default("0x6ba7b8109dad11d180b400c04fd430c8", CoreType("uuid"), False)
    UUID('6ba7b810-9dad-11d1-80b4-00c04fd430c8')
    """
    if text is None:
        return None if nullable else NO_DEFAULT
    hex_uuid = _HEX_UUID.match(text.strip()) if core.kind == "uuid" else None
    if hex_uuid:
        return uuid.UUID(hex=hex_uuid.group(1) or hex_uuid.group(2))
    literal = _literal(text.strip())
    if literal is None:
        return None
    if isinstance(literal, SqlDefault):
        return literal
    try:
        return _typed(literal, core)
    except (ValueError, InvalidOperation):
        return SqlDefault(text.strip())


def _literal(expr: str) -> str | SqlDefault | None:
    """Unwrap casts and parentheses; a literal's text, ``None`` for NULL, else SqlDefault."""
    while True:
        inner = expr
        if inner.startswith("(") and inner.endswith(")"):
            inner = inner[1:-1].strip()
        match = _CAST_CALL.match(inner) or _CAST_SUFFIX.match(inner)
        if match:
            inner = match.group(1).strip()
        if inner == expr:
            break
        expr = inner
    if expr.upper() == "NULL":
        return None
    if len(expr) >= 2 and expr[0] == expr[-1] == "'":
        return expr[1:-1].replace("''", "'")
    if _NUMBER.match(expr) or expr.lower() in ("true", "false"):
        return expr
    if _NOW.match(expr):
        return SqlDefault("CURRENT_TIMESTAMP")
    if _NEXTVAL.match(expr) or expr.upper() == AUTO_INCREMENT.keyword:
        return AUTO_INCREMENT
    return SqlDefault(expr)


def _typed(literal: str, core: CoreType) -> object:
    kind = core.kind
    if kind in INTEGER_KINDS:
        value = Decimal(literal)
        if value != value.to_integral_value():
            raise ValueError(literal)
        return int(value)
    if kind in ("float32", "float64"):
        return float(literal)
    if kind == "decimal":
        return Decimal(literal)
    if kind == "bool":
        lowered = literal.lower()
        if lowered not in _TRUE | _FALSE:
            raise ValueError(literal)
        return lowered in _TRUE
    if kind == "date":
        return datetime.date.fromisoformat(literal)
    if kind == "datetime":
        return datetime.datetime.fromisoformat(literal)
    if kind == "uuid":
        return uuid.UUID(literal)
    if kind == "bytes":
        raise ValueError(literal)
    return literal
