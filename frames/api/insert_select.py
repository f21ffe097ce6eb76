"""``Table.insert(query)``: a server-side ``INSERT ... SELECT`` in one statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frames.api.query import QueryExpression
from frames.errors import DuplicateError, MissingAttributeError, UnknownAttributeError
from frames.sql.compile import compile_plan

if TYPE_CHECKING:
    from frames.api.table import Table

_PREFIX = {
    ("duckdb", "error"): "INSERT INTO", ("duckdb", "skip"): "INSERT OR IGNORE INTO",
    ("duckdb", "replace"): "INSERT OR REPLACE INTO",
    ("postgres", "error"): "INSERT INTO", ("postgres", "skip"): "INSERT INTO",
    ("postgres", "replace"): "INSERT INTO",
    ("mysql", "error"): "INSERT INTO", ("mysql", "skip"): "INSERT IGNORE INTO",
    ("mysql", "replace"): "REPLACE INTO",
}


def _cast_enums(table: Table, names: tuple[str, ...], select: str) -> str:
    """PostgreSQL enums are named types per table: cast the query's enum columns to the target's.

    The target's type names are read from the catalog, since tables declared by DataJoint name
    their enum types differently from frames.
    """
    enums = {a.name for a in table.heading if a.type.kind == "enum"} & set(names)
    if not enums:
        return select
    types = dict(table._connection.backend.fetch_rows(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(?) AND attnum > 0", [table.full_table_name]))
    outputs = ", ".join(
        f'CAST(CAST("q"."{n}" AS TEXT) AS {types[n]})' if n in enums else f'"q"."{n}"'
        for n in names)
    return f'SELECT {outputs} FROM ({select}) AS "q"'


def insert_from_query(table: Table, query: QueryExpression, on_duplicate: str,
                      ignore_extra_fields: bool) -> int:
    """Insert the rows of ``query`` into ``table`` without fetching them."""
    heading = table.heading
    extra = [n for n in query.heading.names if n not in heading]
    if extra and not ignore_extra_fields:
        raise UnknownAttributeError(
            f"{table._name}.insert(query): the query has attributes the table lacks: "
            f"{', '.join(extra)} (project them away or pass ignore_extra_fields=True)")
    missing = [a.name for a in heading if a.name not in query.heading and not a.has_default]
    if missing:
        raise MissingAttributeError(f"{table._name}.insert(query): the query lacks "
                                    f"{', '.join(missing)}")
    names = [n for n in heading.names if n in query.heading]
    source = query.proj(*[n for n in names if n not in query.primary_key])
    dialect = table._connection.dialect
    select, params = compile_plan(source._plan, dialect, mode="insert")
    quote = "`" if dialect == "mysql" else '"'
    target = f"{quote}{table.database}{quote}.{quote}{table.table_name}{quote}"
    columns = ", ".join(f"{quote}{n}{quote}" for n in source.heading.names)
    if dialect == "postgres":
        select = _cast_enums(table, source.heading.names, select)
    sql = f"{_PREFIX[(dialect, on_duplicate)]} {target} ({columns}) {select}"
    if dialect == "postgres" and on_duplicate != "error":
        key = ", ".join(f'"{k}"' for k in heading.primary_key)
        if on_duplicate == "skip":
            sql += f" ON CONFLICT ({key}) DO NOTHING"
        else:
            updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in source.heading.names
                                if n not in heading.primary_key)
            sql += f" ON CONFLICT ({key}) DO " + (f"UPDATE SET {updates}" if updates
                                                   else "NOTHING")
    connection = table._connection
    try:
        with connection.atomic():
            if not connection.backend.declares_foreign_keys:
                from frames.api.insert import check_parents

                check_parents(table, source.to_arrow())
            return connection.backend.execute(sql, params)
    except DuplicateError as error:
        raise DuplicateError(f"{table._name}.insert(query): {error}; nothing was inserted") \
            from None
