"""DataJoint's ``~lineage`` table: reading, writing and rebuilding a schema's lineage records.

DataJoint 2.x keeps, in each schema, one row per attribute that has a lineage (see
:mod:`frames.declare.lineage`) and matches namesakes by them. frames writes the rows when it
declares a table (:func:`frames.sql.ddl.lineage_catalog_sql`) on the backends DataJoint opens
(PostgreSQL, MySQL); these functions, with DataJoint's names and signatures, read and repair
them. On DuckDB there is no such table: frames derives lineage from the foreign keys alone.
Values are bound parameters; names are quoted for the connection's dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frames.backends.introspect import introspect_with_parents
from frames.declare.lineage import with_lineage
from frames.declare.spec import TableRef, TableSpec
from frames.declare.storage import LINEAGE_CATALOG, LINEAGE_CATALOG_DIALECTS
from frames.sql.ddl import lineage_catalog_sql
from frames.sql.lineage import delete_lineages_sql, insert_lineage_sql, select_lineages_sql

if TYPE_CHECKING:
    from frames.api.connection import Connection


def lineage_table_exists(connection: Connection, database: str) -> bool:
    """True if schema ``database`` has the ``~lineage`` table."""
    return connection.backend.table_exists(TableRef(database, LINEAGE_CATALOG))


def get_lineage(
    connection: Connection, database: str, table_name: str, attribute_name: str
) -> str | None:
    """The recorded lineage of ``table_name.attribute_name`` (``None`` if there is none)."""
    return get_table_lineages(connection, database, table_name).get(attribute_name)


def get_table_lineages(connection: Connection, database: str, table_name: str) -> dict[str, str]:
    """Attribute name → recorded lineage, for the attributes of ``table_name`` that have one."""
    if not lineage_table_exists(connection, database):
        return {}
    rows = connection.backend.fetch_rows(
        *select_lineages_sql(database, connection.sql_dialect, table_name)
    )
    return {attr: lineage for _, attr, lineage in rows}


def get_schema_lineages(connection: Connection, database: str) -> dict[str, str]:
    """``'schema.table.attribute'`` → recorded lineage, for the whole schema."""
    if not lineage_table_exists(connection, database):
        return {}
    rows = connection.backend.fetch_rows(*select_lineages_sql(database, connection.sql_dialect))
    return {f"{database}.{table}.{attr}": lineage for table, attr, lineage in rows}


def delete_table_lineages(connection: Connection, database: str, table_name: str) -> None:
    """Remove the records of ``table_name``."""
    if lineage_table_exists(connection, database):
        connection.backend.execute(
            *delete_lineages_sql(database, connection.sql_dialect, table_name)
        )


def insert_lineages(
    connection: Connection, database: str, entries: list[tuple[str, str, str]]
) -> None:
    """Record ``(table_name, attribute_name, lineage)`` entries, replacing existing ones."""
    if not entries or not lineage_table_exists(connection, database):
        return
    dialect = connection.sql_dialect
    with connection.atomic():
        for table, attr, lineage in entries:
            connection.backend.execute(*delete_lineages_sql(database, dialect, table, attr))
            connection.backend.execute(
                insert_lineage_sql(database, dialect), [table, attr, lineage]
            )


def rebuild_schema_lineage(connection: Connection, database: str) -> None:
    """Rewrite every record of schema ``database`` from its foreign keys.

    Upstream schemas are read from the database, so their own records need not be rebuilt
    first. No-op on backends without the ``~lineage`` table (DuckDB).
    """
    dialect = connection.sql_dialect
    if dialect.name not in LINEAGE_CATALOG_DIALECTS:
        return
    specs = with_lineage(introspect_with_parents(connection.backend, database))
    with connection.atomic():
        if lineage_table_exists(connection, database):
            connection.backend.execute(*delete_lineages_sql(database, dialect))
        for ref, spec in sorted(specs.items(), key=lambda item: item[0].name):
            if ref.schema == database:
                for statement in lineage_catalog_sql(spec, dialect):
                    connection.backend.execute(statement)


def heal_table_lineage(connection: Connection, spec: TableSpec) -> None:
    """Rewrite the records of the existing table ``spec`` if a key attribute has none.

    Run when a class is decorated for a table that exists: records lost (or never written, by
    an older DataJoint) are restored; a complete set, even a stale one, is left alone (that is
    :func:`rebuild_schema_lineage`'s job), and a healthy table costs one read.
    """
    dialect = connection.sql_dialect
    if dialect.name not in LINEAGE_CATALOG_DIALECTS:
        return
    recorded = get_table_lineages(connection, spec.ref.schema, spec.ref.name)
    if all(attr.name in recorded for attr in spec.attributes if attr.in_key):
        return
    with connection.atomic():
        for statement in lineage_catalog_sql(spec, dialect):
            connection.backend.execute(statement)
