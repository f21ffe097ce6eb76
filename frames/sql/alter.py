"""``ALTER TABLE`` statements that turn a stored table into a new definition of it.

As DataJoint's ``alter()``: only secondary attributes (added, dropped, changed, renamed, moved)
and the table comment can change; the primary key, foreign keys and indexes cannot. A new
attribute whose comment opens with ``{old_name}`` renames ``old_name``.

On MySQL (``Dialect.alter_column_positions``) the changes are one ``ALTER TABLE`` of ``DROP``,
``ADD``, ``MODIFY`` and ``CHANGE`` clauses placed with ``AFTER``, exactly as DataJoint writes
them, so that the table's columns follow the definition's order. Elsewhere each change is its own
statement (``ADD COLUMN``, ``DROP COLUMN``, ``RENAME COLUMN``, ``ALTER COLUMN ... TYPE / SET
DEFAULT / SET NOT NULL``, ``COMMENT ON``); new columns go last.
"""

from __future__ import annotations

import re

from frames.declare.spec import NO_DEFAULT, Attribute, TableRef, TableSpec
from frames.declare.storage import encode_comment
from frames.errors import DefinitionError
from frames.sql.ddl import (
    column_sql,
    default_sql,
    enum_type_name,
    enum_types_sql,
    index_name,
    index_sql,
    qualified_name,
    quote_identifier,
    quote_literal,
)
from frames.sql.dialects import Dialect

_RENAME = re.compile(r"^\{\s*(?P<name>\w+)\s*\}")


def check_alterable(old: TableSpec, new: TableSpec) -> None:
    """Raise ``NotImplementedError`` (DataJoint's error) for a change alter() cannot make."""
    if [(a.name, a.type) for a in old.attributes if a.in_key] != [
        (a.name, a.type) for a in new.attributes if a.in_key
    ]:
        raise NotImplementedError("table.alter cannot alter the primary key (yet).")
    if {(fk.parent, fk.attr_map) for fk in old.foreign_keys} != {
        (fk.parent, fk.attr_map) for fk in new.foreign_keys
    }:
        raise NotImplementedError("table.alter cannot alter foreign keys (yet).")
    if set(old.indexes) != set(new.indexes):
        raise NotImplementedError("table.alter cannot alter indexes (yet)")


def _renames(old: TableSpec, new: TableSpec) -> dict[str, str]:
    """New attribute name -> the old one it renames (``{old}`` opening its comment)."""
    renames: dict[str, str] = {}
    old_names = {a.name for a in old.attributes}
    for attr in new.attributes:
        match = _RENAME.match(attr.comment)
        if not match:
            continue
        source = match["name"]
        if source in renames.values():
            raise DefinitionError(f"Alter attempted to rename attribute {{{source}}} twice.")
        if source not in old_names:
            raise DefinitionError(f"Attribute {source} does not exist in the original definition")
        renames[attr.name] = source
    return renames


def alter_table_sql(old: TableSpec, new: TableSpec, dialect: Dialect) -> list[str]:
    """The statements that change table ``old`` into ``new`` (none if they declare the same).

    Raises
    ------
    NotImplementedError
        If the primary key, the foreign keys or the indexes differ.
    DefinitionError
        For a rename of a missing attribute, or of one attribute twice.
    """
    check_alterable(old, new)
    renames = _renames(old, new)
    if dialect.alter_column_positions:
        clauses = _positioned_clauses(old, new, renames, dialect)
        if old.comment != new.comment:
            clauses.append(f"COMMENT={quote_literal(new.comment, dialect)}")
        if not clauses:
            return []
        return [f"ALTER TABLE {qualified_name(new.ref, dialect)}\n\t" + ",\n\t".join(clauses)]
    statements = _column_statements(old, new, renames, dialect)
    if old.comment != new.comment:
        statements.append(
            f"COMMENT ON TABLE {qualified_name(new.ref, dialect)} IS "
            f"{quote_literal(new.comment, dialect)}"
        )
    if not statements:
        return []
    enum_types = [s for s in enum_types_sql(new, dialect) if s not in enum_types_sql(old, dialect)]
    if not dialect.alter_drops_indexes:
        return enum_types + statements
    drops = [
        f"DROP INDEX {qualified_name(TableRef(old.ref.schema, index_name(old, i)), dialect)}"
        for i in old.indexes
    ]
    return enum_types + drops + statements + index_sql(new, dialect)


def _positioned_clauses(
    old: TableSpec, new: TableSpec, renames: dict[str, str], dialect: Dialect
) -> list[str]:
    """DataJoint's ``DROP``/``ADD``/``MODIFY``/``CHANGE`` clauses with ``AFTER`` positions."""
    old_columns = {column_sql(old, a, dialect) for a in old.attributes}
    new_names = [a.name for a in new.attributes]
    dropped = [
        a.name for a in old.attributes if a.name not in renames.values() and a.name not in new_names
    ]
    clauses = [f"DROP {quote_identifier(name, dialect)}" for name in dropped]
    old_names = [a.name for a in old.attributes if a.name not in dropped]
    previous: tuple[str, str | None] | None = None
    for attr in new.attributes:
        source = renames.get(attr.name)
        if not attr.in_key:
            after = None
            if previous is not None:
                try:
                    index = old_names.index(source or attr.name)
                except ValueError:
                    after = previous[0]
                else:
                    if index >= 1 and old_names[index - 1] != (previous[1] or previous[0]):
                        after = previous[0]
            column = column_sql(new, attr, dialect)
            if column not in old_columns or after:
                if (source or attr.name) not in old_names:
                    command = "ADD"
                elif not source:
                    command = "MODIFY"
                else:
                    command = f"CHANGE {quote_identifier(source, dialect)}"
                position = f" AFTER {quote_identifier(after, dialect)}" if after else ""
                clauses.append(f"{command} {column}{position}")
        previous = attr.name, source
    return clauses


def _column_statements(
    old: TableSpec, new: TableSpec, renames: dict[str, str], dialect: Dialect
) -> list[str]:
    """One statement per change, for backends that cannot place columns."""
    table = qualified_name(new.ref, dialect)
    olds = {a.name: a for a in old.attributes}
    kept = set(renames.values()) | {a.name for a in new.attributes}
    statements = [
        f"ALTER TABLE {table} DROP COLUMN {quote_identifier(a.name, dialect)}"
        for a in old.attributes
        if a.name not in kept
    ]
    for attr in new.attributes:
        if attr.in_key:
            continue
        source = renames.get(attr.name, attr.name)
        if source not in olds:
            statements.append(f"ALTER TABLE {table} ADD COLUMN {column_sql(new, attr, dialect)}")
            statements.append(_comment_sql(new, attr, dialect))
            continue
        if source != attr.name:
            statements.append(
                f"ALTER TABLE {table} RENAME COLUMN "
                f"{quote_identifier(source, dialect)} TO "
                f"{quote_identifier(attr.name, dialect)}"
            )
        statements.extend(_changes(old, olds[source], new, attr, dialect))
    return statements


def _changes(
    old: TableSpec, before: Attribute, new: TableSpec, after: Attribute, dialect: Dialect
) -> list[str]:
    """``ALTER COLUMN`` and ``COMMENT ON COLUMN`` statements for one kept attribute."""
    table = qualified_name(new.ref, dialect)
    column = f"ALTER TABLE {table} ALTER COLUMN {quote_identifier(after.name, dialect)}"
    statements = []
    old_type = dialect.sql_type(before.type, _enum_name(old, before))
    new_type = dialect.sql_type(after.type, _enum_name(new, after))
    if old_type != new_type:
        cast = f"CAST({quote_identifier(after.name, dialect)} AS {dialect.cast_type(after.type)})"
        statements.append(f"{column} TYPE {new_type} USING {cast}")
    if before.default != after.default:
        statements.append(
            f"{column} DROP DEFAULT"
            if after.default is NO_DEFAULT
            else f"{column} SET DEFAULT {default_sql(after.default, dialect)}"
        )
    if before.nullable != after.nullable:
        statements.append(f"{column} {'DROP' if after.nullable else 'SET'} NOT NULL")
    if (before.declared_type, before.comment) != (after.declared_type, after.comment):
        statements.append(_comment_sql(new, after, dialect))
    return statements


def _enum_name(spec: TableSpec, attr: Attribute) -> str | None:
    return enum_type_name(spec, attr.name) if attr.type.kind == "enum" else None


def _comment_sql(spec: TableSpec, attr: Attribute, dialect: Dialect) -> str:
    return (
        f"COMMENT ON COLUMN {qualified_name(spec.ref, dialect)}."
        f"{quote_identifier(attr.name, dialect)} IS "
        f"{quote_literal(encode_comment(attr.declared_type, attr.comment), dialect)}"
    )
