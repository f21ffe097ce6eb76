"""DDL for a :class:`TableSpec`: the statements that create and drop its table, per dialect.

Identifiers and literals are quoted by sqlglot for the target dialect (double quotes or
backticks; quotes doubled, MySQL backslashes escaped), so stored names with ``#`` and ``_``
prefixes and attributes named like reserved words (``order``, ``key``) are safe. Every column
comment records the declared core type (:func:`frames.declare.storage.encode_comment`).

What differs per backend comes from :class:`~frames.sql.dialects.Dialect` flags:
``enum_as_named_type`` (PostgreSQL ``CREATE TYPE``), ``declares_foreign_keys`` (DuckDB records
foreign keys in :data:`~frames.declare.storage.FOREIGN_KEY_CATALOG` instead),
``inline_comments`` (MySQL ``COMMENT '...'``), plus the table options in :data:`TABLE_OPTIONS`.

Examples
--------
>>> from frames.declare.spec import Attribute, TableRef, TableSpec
>>> from frames.declare.types import CoreType
>>> from frames.sql.dialects import DUCKDB
>>> spec = TableSpec(TableRef("lab", "#rig"), (Attribute("rig", CoreType("int16"), in_key=True),))
>>> print(create_table_sql(spec, DUCKDB)[0])
CREATE TABLE "lab"."#rig" (
  "rig" SMALLINT NOT NULL,
  PRIMARY KEY ("rig")
)
"""

from __future__ import annotations

import decimal
import hashlib
import uuid

from sqlglot import exp

from frames.declare.spec import (
    NO_DEFAULT,
    Attribute,
    IndexSpec,
    SqlDefault,
    TableRef,
    TableSpec,
)
from frames.declare.storage import (
    FOREIGN_KEY_CATALOG,
    FOREIGN_KEY_CATALOG_COLUMNS,
    LINEAGE_CATALOG,
    LINEAGE_CATALOG_COLUMNS,
    LINEAGE_CATALOG_DIALECTS,
    encode_comment,
)
from frames.declare.types import CoreType
from frames.sql.dialects import POSTGRES, Dialect

#: Table options appended to CREATE TABLE, by dialect name. MySQL: InnoDB (transactions and
#: foreign keys) and a binary collation, so that string comparison is case-sensitive as elsewhere.
TABLE_OPTIONS = {"mysql": "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={collation}"}

#: Longest identifier every backend keeps whole (PostgreSQL truncates at 63 bytes).
MAX_IDENTIFIER_BYTES = 63

_CATALOG_TYPES = {"text": CoreType("text"), "int": CoreType("int32"), "bool": CoreType("bool")}
_CATALOG_KEY = ("child", "ordinal")


# ---------------------------------------------------------------------------------------------
# Quoting and names


def quote_identifier(name: str, dialect: Dialect) -> str:
    """``name`` as a quoted identifier of ``dialect`` (``"a""b"`` or ```a``b```)."""
    return dialect.quote(name)


def quote_literal(text: str, dialect: Dialect) -> str:
    """``text`` as a string literal of ``dialect`` (quotes doubled; MySQL backslashes too)."""
    return exp.Literal.string(text).sql(dialect=dialect.sqlglot)


def qualified_name(ref: TableRef, dialect: Dialect) -> str:
    """``"schema"."table"`` for ``ref``, quoted for ``dialect``."""
    return dialect.full_name(ref.schema, ref.name)


def _fit_identifier(name: str) -> str:
    """``name``, or its start plus a hash of the whole if it is longer than any backend keeps."""
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}~{digest}"


def _enum_origin(spec: TableSpec, attribute: str) -> tuple[TableRef, str]:
    """The table and attribute where ``attribute``'s values originate (its lineage)."""
    lineage = spec.attribute(attribute).lineage
    if lineage is None:
        return spec.ref, attribute
    schema, table, name = lineage.rsplit(".", 2)
    return TableRef(schema, table), name


def enum_type_name(spec: TableSpec, attribute: str) -> str:
    """The quoted PostgreSQL enum type of ``attribute``: ``"schema"."table:attr"``.

    The type belongs to the table where the attribute originates (its lineage), so that an
    attribute inherited through a foreign key has the very type of the key it references.
    The ``:`` keeps the name apart from table names (PostgreSQL types and tables share a
    namespace).

    Examples
    --------
    >>> from frames.declare.spec import Attribute, TableRef, TableSpec
    >>> from frames.declare.types import CoreType
    >>> sex = Attribute("sex", CoreType("enum", values=("M", "F")))
    >>> enum_type_name(TableSpec(TableRef("lab", "subject"), (sex,)), "sex")
    '"lab"."subject:sex"'
    """
    origin, name = _enum_origin(spec, attribute)
    type_name = _fit_identifier(f"{origin.name}:{name}")
    return qualified_name(TableRef(origin.schema, type_name), POSTGRES)


def index_name(spec: TableSpec, index: IndexSpec) -> str:
    """The stored name of ``index``: ``idx_<table>_<a>_<b>`` as DataJoint names indexes (the
    attribute part cut at 30 characters), ``uq_`` instead of ``idx_`` for a unique index so that
    both kinds can cover the same attributes."""
    prefix = "uq" if index.unique else "idx"
    return _fit_identifier(f"{prefix}_{spec.ref.name}_{'_'.join(index.attrs)[:30]}")


def foreign_key_indexes(spec: TableSpec, dialect: Dialect) -> list[IndexSpec]:
    """The indexes a foreign key of ``spec`` needs beyond its declared ones, on engines that do
    not index foreign keys themselves (PostgreSQL).

    A foreign key's columns need none when they lead the primary key, a declared index or a
    longer foreign key's index (longer keys are served first), as DataJoint decides.
    """
    if dialect.indexes_foreign_keys:
        return []
    served = [spec.primary_key, *(index.attrs for index in spec.indexes)]
    extra: list[IndexSpec] = []
    for attrs in sorted(
        (fk.child_attrs for fk in spec.foreign_keys if not fk.unique), key=len, reverse=True
    ):
        if not any(prefix[: len(attrs)] == attrs for prefix in served):
            extra.append(IndexSpec(attrs))
            served.append(attrs)
    return extra


def _owned_enums(spec: TableSpec) -> list[Attribute]:
    """Enum attributes whose named type this table declares (not inherited ones)."""
    return [
        a
        for a in spec.attributes
        if a.type.kind == "enum" and _enum_origin(spec, a.name)[0] == spec.ref
    ]


# ---------------------------------------------------------------------------------------------
# Columns


def default_sql(value: object, dialect: Dialect) -> str:
    """The SQL of a column default: a literal, ``NULL`` or a keyword (``CURRENT_TIMESTAMP``)."""
    if value is None:
        return "NULL"
    if isinstance(value, SqlDefault):
        return value.keyword
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, uuid.UUID) and dialect.uuid_bytes:
        return f"X'{value.hex}'"  # the 16 stored bytes; 32 hex digits by construction
    return quote_literal(str(value), dialect)  # text, dates, datetimes, uuids, json


def sequence_name(spec: TableSpec, attribute: str) -> TableRef:
    """The sequence that numbers an ``auto_increment`` attribute where the dialect has no
    clause for it (DuckDB): ``"schema"."table:attr:seq"``."""
    return TableRef(spec.ref.schema, _fit_identifier(f"{spec.ref.name}:{attribute}:seq"))


def _auto_increment_sql(spec: TableSpec, attr: Attribute, dialect: Dialect) -> str:
    if dialect.auto_increment_clause is not None:
        return dialect.auto_increment_clause
    sequence = qualified_name(sequence_name(spec, attr.name), dialect)
    return f"DEFAULT nextval({quote_literal(sequence, dialect)})"


def _sequences(spec: TableSpec, dialect: Dialect) -> list[str]:
    """Qualified names of the sequences ``spec``'s table owns (see :func:`sequence_name`)."""
    if dialect.auto_increment_clause is not None:
        return []
    return [
        qualified_name(sequence_name(spec, a.name), dialect)
        for a in spec.attributes
        if a.auto_increment
    ]


def column_sql(spec: TableSpec, attr: Attribute, dialect: Dialect) -> str:
    """The definition of ``attr``'s column in ``spec``'s ``CREATE TABLE`` (and ``ALTER TABLE``)."""
    enum_name = enum_type_name(spec, attr.name) if attr.type.kind == "enum" else None
    parts = [quote_identifier(attr.name, dialect), dialect.sql_type(attr.type, enum_name)]
    if not attr.nullable:
        parts.append("NOT NULL")
    if attr.auto_increment:
        parts.append(_auto_increment_sql(spec, attr, dialect))
    elif attr.default is not NO_DEFAULT:
        parts.append(f"DEFAULT {default_sql(attr.default, dialect)}")
    if dialect.inline_comments:
        parts.append(
            f"COMMENT {quote_literal(encode_comment(attr.declared_type, attr.comment), dialect)}"
        )
    return " ".join(parts)


def _column_list(names: tuple[str, ...], dialect: Dialect) -> str:
    return ", ".join(quote_identifier(name, dialect) for name in names)


def _foreign_key_lines(spec: TableSpec, dialect: Dialect) -> list[str]:
    if not dialect.declares_foreign_keys:
        return []
    return [
        f"FOREIGN KEY ({_column_list(fk.child_attrs, dialect)}) REFERENCES "
        f"{qualified_name(fk.parent, dialect)} ({_column_list(fk.parent_attrs, dialect)}) "
        "ON UPDATE CASCADE ON DELETE RESTRICT"
        for fk in spec.foreign_keys
    ]


def _table_options(spec: TableSpec, dialect: Dialect) -> str:
    options = TABLE_OPTIONS.get(dialect.name, "").format(collation=dialect.string_collation)
    if dialect.inline_comments and spec.comment:
        options = f"{options} COMMENT={quote_literal(spec.comment, dialect)}".strip()
    return f" {options}" if options else ""


# ---------------------------------------------------------------------------------------------
# Statements


def create_table_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """The statements that create ``spec``'s table, in execution order.

    PostgreSQL: ``CREATE TYPE`` for each enum declared here, the table, then ``COMMENT ON`` for
    the table and every column; DuckDB likewise without types (enums inline) and without foreign
    key constraints (see :func:`foreign_key_catalog_rows`), with a ``CREATE SEQUENCE`` before
    the table for each ``auto_increment`` attribute; MySQL: one ``CREATE TABLE`` with
    inline comments and table options. ``CREATE [UNIQUE] INDEX`` statements come last, with
    the indexes PostgreSQL needs for foreign keys (:func:`foreign_key_indexes`).
    """
    table = qualified_name(spec.ref, dialect)
    statements = enum_types_sql(spec, dialect)
    statements.extend(f"CREATE SEQUENCE {sequence}" for sequence in _sequences(spec, dialect))
    body = [column_sql(spec, attr, dialect) for attr in spec.attributes]
    body.append(f"PRIMARY KEY ({_column_list(spec.primary_key, dialect)})")
    body.extend(_foreign_key_lines(spec, dialect))
    statements.append(
        f"CREATE TABLE {table} (\n  " + ",\n  ".join(body) + f"\n){_table_options(spec, dialect)}"
    )
    if not dialect.inline_comments:
        statements.extend(_comment_statements(spec, dialect))
    statements.extend(index_sql(spec, dialect))
    return statements


def index_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """The ``CREATE [UNIQUE] INDEX`` statements of ``spec``'s secondary indexes, with those
    PostgreSQL needs for foreign keys (:func:`foreign_key_indexes`)."""
    table = qualified_name(spec.ref, dialect)
    return [
        f"CREATE {'UNIQUE ' if index.unique else ''}INDEX "
        f"{quote_identifier(index_name(spec, index), dialect)} ON {table} "
        f"({_column_list(index.attrs, dialect)})"
        for index in (*spec.indexes, *foreign_key_indexes(spec, dialect))
    ]


def enum_types_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """``CREATE TYPE`` for each enum whose named type ``spec``'s table declares (PostgreSQL)."""
    if not dialect.enum_as_named_type:
        return []
    return [
        f"CREATE TYPE {enum_type_name(spec, attr.name)} AS ENUM ("
        + ", ".join(quote_literal(value, dialect) for value in attr.type.values)
        + ")"
        for attr in _owned_enums(spec)
    ]


def _comment_statements(spec: TableSpec, dialect: Dialect) -> list[str]:
    table = qualified_name(spec.ref, dialect)
    statements = []
    if spec.comment:
        statements.append(f"COMMENT ON TABLE {table} IS {quote_literal(spec.comment, dialect)}")
    statements.extend(
        f"COMMENT ON COLUMN {table}.{quote_identifier(attr.name, dialect)} IS "
        f"{quote_literal(encode_comment(attr.declared_type, attr.comment), dialect)}"
        for attr in spec.attributes
    )
    return statements


def drop_table_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """The statements that drop ``spec``'s table (its indexes go with it).

    PostgreSQL also drops the enum types the table declared; DuckDB also drops its sequences
    and deletes the table's rows from the foreign-key catalog. Tables that reference this one
    must be dropped first.
    """
    statements = [f"DROP TABLE {qualified_name(spec.ref, dialect)}"]
    statements.extend(
        f"DROP SEQUENCE IF EXISTS {sequence}" for sequence in _sequences(spec, dialect)
    )
    if dialect.enum_as_named_type:
        statements.extend(
            f"DROP TYPE IF EXISTS {enum_type_name(spec, attr.name)}" for attr in _owned_enums(spec)
        )
    if not dialect.declares_foreign_keys and spec.foreign_keys:
        catalog = qualified_name(TableRef(spec.ref.schema, FOREIGN_KEY_CATALOG), dialect)
        statements.append(
            f"DELETE FROM {catalog} WHERE {quote_identifier('child', dialect)} = "
            f"{quote_literal(spec.ref.name, dialect)}"
        )
    return statements


def any_row_sql(ref: TableRef, dialect: Dialect) -> str:
    """A query returning one row if the table ``ref`` has any (none if it is empty)."""
    return f"SELECT 1 FROM {qualified_name(ref, dialect)} LIMIT 1"


def drop_catalog_sql(ref: TableRef, dialect: Dialect) -> str:
    """``DROP TABLE`` of a hidden catalog table (``~lineage``, ``~foreign_keys``) of a schema."""
    return f"DROP TABLE {qualified_name(ref, dialect)}"


def create_foreign_key_catalog_sql(schema: str, dialect: Dialect) -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` for ``schema``'s foreign-key catalog.

    Only engines that do not declare foreign keys (DuckDB) keep the catalog; for the others
    this returns no statements.
    """
    if dialect.declares_foreign_keys:
        return []
    columns = [
        f"{quote_identifier(name, dialect)} {dialect.sql_type(_CATALOG_TYPES[kind])} NOT NULL"
        for name, kind in FOREIGN_KEY_CATALOG_COLUMNS
    ]
    columns.append(f"PRIMARY KEY ({_column_list(_CATALOG_KEY, dialect)})")
    table = qualified_name(TableRef(schema, FOREIGN_KEY_CATALOG), dialect)
    return [f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(columns) + "\n)"]


def foreign_key_catalog_rows(spec: TableSpec) -> list[tuple]:
    """One row per foreign key of ``spec`` for the catalog, in catalog column order.

    ``ordinal`` numbers the keys from 1 in declaration order; attribute lists are joined with
    commas. The caller binds the rows as parameters of an INSERT.

    Examples
    --------
    >>> from frames.declare.spec import ForeignKeySpec, TableRef, TableSpec
    >>> fk = ForeignKeySpec(TableRef("lab", "subject"), (("subject_id", "subject_id"),), True)
    >>> foreign_key_catalog_rows(TableSpec(TableRef("lab", "session"), (), foreign_keys=(fk,)))
    [('session', 1, 'lab', 'subject', 'subject_id', 'subject_id', True, False, False)]
    """
    return [
        (
            spec.ref.name,
            ordinal,
            fk.parent.schema,
            fk.parent.name,
            ",".join(fk.child_attrs),
            ",".join(fk.parent_attrs),
            fk.in_key,
            fk.nullable,
            fk.unique,
        )
        for ordinal, fk in enumerate(spec.foreign_keys, start=1)
    ]


def foreign_key_catalog_inserts(spec: TableSpec, dialect: Dialect) -> list[tuple[str, tuple]]:
    """The statements (with their bound values) that record ``spec``'s foreign keys in its
    schema's catalog, on engines that do not declare foreign keys (none elsewhere).

    Examples
    --------
    >>> from frames.declare.spec import ForeignKeySpec, TableRef, TableSpec
    >>> from frames.sql.dialects import DIALECTS
    >>> fk = ForeignKeySpec(TableRef("lab", "subject"), (("subject_id", "subject_id"),), True)
    >>> spec = TableSpec(TableRef("lab", "session"), (), foreign_keys=(fk,))
    >>> [(sql, row) for sql, row in foreign_key_catalog_inserts(spec, DIALECTS["duckdb"])][0][1]
    ('session', 1, 'lab', 'subject', 'subject_id', 'subject_id', True, False, False)
    """
    if dialect.declares_foreign_keys:
        return []
    table = qualified_name(TableRef(spec.ref.schema, FOREIGN_KEY_CATALOG), dialect)
    names = _column_list(tuple(name for name, _ in FOREIGN_KEY_CATALOG_COLUMNS), dialect)
    marks = ", ".join("?" for _ in FOREIGN_KEY_CATALOG_COLUMNS)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    return [(sql, row) for row in foreign_key_catalog_rows(spec)]


def lineage_catalog_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """The statements that record ``spec``'s lineage in DataJoint's ``~lineage`` table.

    DataJoint 2.x matches namesakes in joins and restrictions by the lineage it finds in each
    schema's :data:`~frames.declare.storage.LINEAGE_CATALOG`; without it, DataJoint warns and
    turns semantic matching off. Run after :func:`create_table_sql` on PostgreSQL and MySQL
    (other dialects get no statements): create the table if needed (as DataJoint does), replace
    the table's rows, one per attribute with a lineage (inherited through a foreign key, or a
    primary-key attribute of its own).

    Examples
    --------
    >>> from frames.declare.spec import Attribute, TableRef, TableSpec
    >>> from frames.declare.types import CoreType
    >>> from frames.sql.dialects import POSTGRES
    >>> rig = Attribute("rig", CoreType("int16"), in_key=True, lineage="lab.#rig.rig")
    >>> statements = lineage_catalog_sql(TableSpec(TableRef("lab", "#rig"), (rig,)), POSTGRES)
    >>> print(statements[-1].split(" VALUES ")[1])
    ('#rig', 'rig', 'lab.#rig.rig')
    """
    if dialect.name not in LINEAGE_CATALOG_DIALECTS:
        return []
    catalog = qualified_name(TableRef(spec.ref.schema, LINEAGE_CATALOG), dialect)
    inline = dialect.inline_comments
    columns = [
        f"{quote_identifier(name, dialect)} {sql_type} NOT NULL"
        + (f" COMMENT {quote_literal(comment, dialect)}" if inline else "")
        for name, sql_type, comment in LINEAGE_CATALOG_COLUMNS
    ]
    names = tuple(name for name, _, _ in LINEAGE_CATALOG_COLUMNS)
    columns.append(f"PRIMARY KEY ({_column_list(names[:2], dialect)})")
    options = " ENGINE=InnoDB" if dialect.name == "mysql" else ""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {catalog} (\n  " + ",\n  ".join(columns) + f"\n){options}",
        *drop_lineage_sql(spec, dialect),
    ]
    rows = [
        "(" + ", ".join(quote_literal(v, dialect) for v in (spec.ref.name, a.name, a.lineage)) + ")"
        for a in spec.attributes
        if a.lineage is not None
    ]
    if rows:
        statements.append(
            f"INSERT INTO {catalog} ({_column_list(names, dialect)}) VALUES " + ", ".join(rows)
        )
    return statements


def drop_lineage_sql(spec: TableSpec, dialect: Dialect) -> list[str]:
    """``DELETE`` of ``spec``'s rows from DataJoint's ``~lineage`` table.

    For dropping the table, where that schema has the lineage table (on PostgreSQL and MySQL);
    other dialects get no statements.
    """
    if dialect.name not in LINEAGE_CATALOG_DIALECTS:
        return []
    catalog = qualified_name(TableRef(spec.ref.schema, LINEAGE_CATALOG), dialect)
    return [
        f"DELETE FROM {catalog} WHERE {quote_identifier('table_name', dialect)} = "
        f"{quote_literal(spec.ref.name, dialect)}"
    ]
