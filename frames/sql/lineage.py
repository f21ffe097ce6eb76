"""Statements that read and write DataJoint's ``~lineage`` table of one schema.

The table itself is created and filled at declaration by :func:`frames.sql.ddl.lineage_catalog_sql`;
these are the statements of :mod:`frames.api.lineage_catalog` (DataJoint's ``lineage`` module).
Names are quoted for the dialect; values are ``?`` placeholders, returned with their values.
"""

from __future__ import annotations

from frames.declare.storage import LINEAGE_CATALOG
from frames.sql.dialects import Dialect


def _catalog(database: str, dialect: Dialect) -> str:
    return dialect.full_name(database, LINEAGE_CATALOG)


def _where(
    dialect: Dialect, table_name: str | None, attribute_name: str | None
) -> tuple[str, list[str]]:
    conditions = [
        (name, value)
        for name, value in (("table_name", table_name), ("attribute_name", attribute_name))
        if value is not None
    ]
    if not conditions:
        return "", []
    text = " AND ".join(f"{dialect.quote(name)} = ?" for name, _ in conditions)
    return f" WHERE {text}", [value for _, value in conditions]


def select_lineages_sql(
    database: str, dialect: Dialect, table_name: str | None = None
) -> tuple[str, list[str]]:
    """``SELECT table_name, attribute_name, lineage`` of the schema's records (of one table's).

    >>> from frames.sql.dialects import POSTGRES
    >>> sql, params = select_lineages_sql("lab", POSTGRES, "session")
    >>> print(sql.split(" FROM ")[1], params)
    "lab"."~lineage" WHERE "table_name" = ? ['session']
    """
    where, params = _where(dialect, table_name, None)
    columns = ", ".join(dialect.quote(c) for c in ("table_name", "attribute_name", "lineage"))
    return f"SELECT {columns} FROM {_catalog(database, dialect)}{where}", params


def delete_lineages_sql(
    database: str,
    dialect: Dialect,
    table_name: str | None = None,
    attribute_name: str | None = None,
) -> tuple[str, list[str]]:
    """``DELETE`` of the schema's records (of one table's, of one attribute's)."""
    where, params = _where(dialect, table_name, attribute_name)
    return f"DELETE FROM {_catalog(database, dialect)}{where}", params


def insert_lineage_sql(database: str, dialect: Dialect) -> str:
    """``INSERT`` of one record: ``(table_name, attribute_name, lineage)`` bound in that order."""
    columns = ", ".join(dialect.quote(c) for c in ("table_name", "attribute_name", "lineage"))
    return f"INSERT INTO {_catalog(database, dialect)} ({columns}) VALUES (?, ?, ?)"
