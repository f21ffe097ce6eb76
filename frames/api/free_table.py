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
    >>> import frames as dj
    >>> conn = dj.connect("duckdb://")
    >>> @dj.Schema("lab", connection=conn)
    ... class Subject(dj.Manual):
    ...     definition = "subject_id : int32"
    >>> Subject.insert1({"subject_id": 7})
    1
    >>> subjects = dj.FreeTable(conn, "lab.subject")
    >>> subjects.to_dicts()
    [{'subject_id': 7}]
    """
    if full_table_name is None:
        if not isinstance(conn_or_name, str):
            raise TypeError(
                "FreeTable(full_table_name) or FreeTable(connection, "
                "full_table_name): the table's name is missing"
            )
        return FreeTable(conn(), conn_or_name)
    return FreeTable(conn_or_name, full_table_name)  # type: ignore[arg-type]
