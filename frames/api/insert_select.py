"""``Table.insert(query)``: a server-side ``INSERT ... SELECT`` in one statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frames.api.query import QueryExpression
from frames.errors import DuplicateError, MissingAttributeError, UnknownAttributeError
from frames.sql.compile import compile_plan

if TYPE_CHECKING:
    from frames.api.table import Table

_PREFIX = {
    ("duckdb", "error"): "INSERT INTO",
    ("duckdb", "skip"): "INSERT OR IGNORE INTO",
    ("duckdb", "replace"): "INSERT OR REPLACE INTO",
    ("postgres", "error"): "INSERT INTO",
    ("postgres", "skip"): "INSERT INTO",
    ("postgres", "replace"): "INSERT INTO",
    ("mysql", "error"): "INSERT INTO",
    ("mysql", "skip"): "INSERT IGNORE INTO",
    ("mysql", "replace"): "REPLACE INTO",
}


def _select_columns(table: Table, names: list[str], select: str) -> str:
    """``select`` narrowed to the columns ``names`` (the query's key may be an extra attribute).

    Where enums are named types per table (PostgreSQL), the query's enum columns are cast to the
    target's types, whose names are read from the catalog (tables declared by DataJoint name
    their enum types differently from frames).
    """
    dialect = table._connection.sql_dialect
    enums = (
        {a.name for a in table.plan.heading if a.type.kind == "enum"} & set(names)
        if dialect.enum_as_named_type
        else set()
    )
    types: dict[str, str] = {}
    if enums:
        types = dict(
            table._connection.backend.fetch_rows(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(?) AND attnum > 0",
                [table.full_table_name],
            )
        )
    q = dialect.quote("q")
    outputs = ", ".join(
        f"CAST(CAST({q}.{dialect.quote(n)} AS TEXT) AS {types[n]})"
        if n in enums
        else f"{q}.{dialect.quote(n)}"
        for n in names
    )
    return f"SELECT {outputs} FROM ({select}) AS {q}"


def insert_from_query(
    table: Table, query: QueryExpression, on_duplicate: str, ignore_extra_fields: bool
) -> int:
    """Insert the rows of ``query`` into ``table`` without fetching them."""
    heading = table.plan.heading
    extra = [n for n in query.plan.heading.names if n not in heading]
    if extra and not ignore_extra_fields:
        raise UnknownAttributeError(
            f"{table._name}.insert(query): the query has attributes the table lacks: "
            f"{', '.join(extra)} (project them away or pass ignore_extra_fields=True)"
        )
    missing = [a.name for a in heading if a.name not in query.plan.heading and not a.has_default]
    if missing:
        raise MissingAttributeError(
            f"{table._name}.insert(query): the query lacks {', '.join(missing)}"
        )
    names = [n for n in heading.names if n in query.plan.heading]
    dialect = table._connection.dialect
    select, params = compile_plan(query._plan, dialect, mode="insert")
    columns = ", ".join(table._connection.sql_dialect.quote(n) for n in names)
    sql = (
        f"{_PREFIX[(dialect, on_duplicate)]} {table.full_table_name} ({columns}) "
        f"{_select_columns(table, names, select)}"
    )
    if dialect == "postgres" and on_duplicate != "error":
        key = ", ".join(f'"{k}"' for k in heading.primary_key)
        if on_duplicate == "skip":
            sql += f" ON CONFLICT ({key}) DO NOTHING"
        else:
            updates = ", ".join(
                f'"{n}" = EXCLUDED."{n}"' for n in names if n not in heading.primary_key
            )
            sql += f" ON CONFLICT ({key}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
    connection = table._connection
    try:
        with connection.atomic():
            if not connection.backend.declares_foreign_keys:
                from frames.api.insert import check_parents

                check_parents(table, query.to_arrow().select(names))
            return connection.backend.execute(sql, params)
    except DuplicateError as error:
        raise DuplicateError(
            f"{table._name}.insert(query): {error}; nothing was inserted"
        ) from None
