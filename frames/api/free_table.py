"""``dj.FreeTable``: a stored table without a class, in DataJoint's two call forms."""

from __future__ import annotations

from frames.api.connection import Connection, conn
from frames.api.table import FreeTable


def free_table(conn_or_name: Connection | str, full_table_name: str | None = None) -> FreeTable:
    """The table named ``full_table_name`` (``'schema.table'``, quoted or not) as a query.

    ``FreeTable(connection, "lab.subject")`` uses ``connection``; ``FreeTable("lab.subject")``
    uses the default connection (:func:`frames.conn`).

    Examples
    --------
    >>> subjects = dj.FreeTable(dj.conn(), "lab.subject")   # doctest: +SKIP
    >>> subjects.to_dicts()                                 # doctest: +SKIP
    """
    if full_table_name is None:
        if not isinstance(conn_or_name, str):
            raise TypeError(
                "FreeTable(full_table_name) or FreeTable(connection, "
                "full_table_name): the table's name is missing"
            )
        return FreeTable(conn(), conn_or_name)
    return FreeTable(conn_or_name, full_table_name)  # type: ignore[arg-type]
