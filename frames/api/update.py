"""``Table.update1(row)``: change the secondary attributes of one existing row, as DataJoint does.

The row names its full primary key and the attributes to change; ``None`` sets an attribute to
its default (``NULL`` for ``= null`` attributes, ``CURRENT_TIMESTAMP`` where declared so).
Values are checked as an insert checks them and bound as parameters; on DuckDB, where frames
enforces references itself, changed foreign-key attributes must still reference a parent row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.api.delete import is_restricted
from frames.api.insert import _column, _where, check_parents, check_value
from frames.codecs.attributes import EncodeContext, encode_values
from frames.errors import DataError, FetchError, MissingAttributeError, UnknownAttributeError
from frames.sql.update import DEFAULT, update_sql

if TYPE_CHECKING:
    from frames.api.table import Table
    from frames.declare.spec import Attribute


def update_row(table: Table, row: Mapping[str, Any]) -> None:
    """Update one existing row of ``table``; see :meth:`frames.api.table.Table.update1`.

    Raises
    ------
    DataError
        ``row`` is not a mapping, the table is restricted, or a value does not fit.
    MissingAttributeError
        ``row`` lacks a primary-key attribute.
    UnknownAttributeError
        ``row`` names an attribute the table does not have.
    FetchError
        No row has that primary key.
    """
    name = f"{table._name}.update1()"
    if not isinstance(row, Mapping):
        raise DataError(
            f"{name}: The argument of update1 must be dict-like, not a {type(row).__name__}."
        )
    heading = table.plan.heading
    key_names = heading.primary_key
    missing = [k for k in key_names if k not in row]
    if missing:
        raise MissingAttributeError(
            f"{name}: The argument of update1 must supply all primary "
            f"key values; {', '.join(missing)} missing."
        )
    unknown = [k for k in row if k not in heading]
    if unknown:
        raise UnknownAttributeError(heading.unknown_message(unknown[0], name))
    if is_restricted(table):
        raise DataError(f"{name}: Update cannot be applied to a restricted table.")
    key = {k: row[k] for k in key_names}
    if len(table & key) != 1:
        raise FetchError(
            f"{name}: Update can only be applied to one existing entry; there is no row {key}."
        )
    changes = {k: v for k, v in row.items() if k not in key_names}
    if not changes:
        return
    connection = table._connection
    context = EncodeContext(
        table.ref.schema, table.ref.name, connection._config, lambda i: dict(key)
    )
    values = {
        k: check_value(_encoded(v, heading[k], name, context), heading[k], name, 0)
        for k, v in changes.items()
        if v is not None
    }
    sql, params = update_sql(
        table.ref,
        {k: values.get(k, DEFAULT) for k in changes},
        {k: check_value(key[k], heading[k], name, 0) for k in key_names},
        connection.sql_dialect,
    )
    with connection.atomic():
        if not connection.backend.declares_foreign_keys and values:
            check_parents(
                table,
                pa.table(
                    {
                        k: _column([v], heading[k], name, [0])
                        for k, v in values.items()
                        if not heading[k].codec
                    }
                ),
            )
        connection.backend.execute(sql, params)


def _encoded(value: Any, attr: Attribute, name: str, context: EncodeContext) -> Any:
    """``value`` as stored: encoded by ``attr``'s codec (if any), as :meth:`Table.insert` does."""
    if attr.codec is None:
        return value
    return encode_values([value], attr, lambda i: _where(attr, name, 0), context)[0]
