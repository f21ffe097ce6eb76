"""``Table.insert(query)``: a server-side ``INSERT ... SELECT`` in one statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frames.api.insert_integrity import check_parents
from frames.api.query import QueryExpression
from frames.backends.base import OnDuplicate
from frames.errors import (
    DataError,
    DuplicateError,
    MissingAttributeError,
    UndefinedValueError,
    UnknownAttributeError,
)
from frames.sql.compile import compile_plan
from frames.sql.insert_select import InsertColumn, select_for_insert

if TYPE_CHECKING:
    from frames.api.table import Table


def _enum_casts(table: Table, names: list[str]) -> dict[str, str]:
    """The native types of the target's enum columns among ``names``, where enums are named
    types per table (PostgreSQL); none elsewhere."""
    if not table._connection.sql_dialect.enum_as_named_type:
        return {}
    enums = {a.name for a in table.plan.heading if a.type.kind == "enum"} & set(names)
    if not enums:
        return {}
    native = table._connection.backend.native_types(table.ref)
    return {n: native[n] for n in enums}


def insert_from_query(
    table: Table, query: QueryExpression, on_duplicate: OnDuplicate, ignore_extra_fields: bool
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
    connection = table._connection
    select, params = compile_plan(query._plan, connection.dialect, mode="insert")
    columns = [InsertColumn(n, query.plan.heading[n].type, heading[n].type) for n in names]
    where = f"{table._name}.insert(query)"
    select, checks = select_for_insert(
        connection.sql_dialect, select, columns, _enum_casts(table, names), where
    )
    try:
        with connection.atomic():
            if not connection.backend.declares_foreign_keys:
                check_parents(table, query.to_arrow().select(names))
            return connection.backend.insert_select(
                table.ref, names, select, params, heading.primary_key, on_duplicate
            )
    except DuplicateError as error:
        raise DuplicateError(f"{where}: {error}; nothing was inserted") from None
    except UndefinedValueError as error:
        broken = next((check for check in checks if check in str(error)), None)
        if broken is None:
            raise  # the query's own expression has no value
        raise DataError(
            f"{broken}; nothing was inserted. Restrict the query to the rows that fit, or "
            "change the attribute's type"
        ) from None
