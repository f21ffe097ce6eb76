"""The ``SELECT`` that feeds ``Table.insert(query)``: the query's statement narrowed to the
target's columns, in the target's order, with the casts the target's types need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from frames.sql.dialects import Dialect


def select_for_insert(
    dialect: Dialect, select: str, names: Sequence[str], casts: Mapping[str, str]
) -> str:
    """``SELECT names FROM (select) AS q``; each column named in ``casts`` converted through
    text to the native type given there (PostgreSQL's enums are named types per table, and a
    table declared by DataJoint names its enum types differently from frames).

    >>> from frames.sql.dialects import DIALECTS
    >>> select_for_insert(DIALECTS["postgres"], "SELECT 1 AS a", ["a"], {})
    'SELECT "q"."a" FROM (SELECT 1 AS a) AS "q"'
    """
    q = dialect.quote("q")
    outputs = ", ".join(
        f"CAST(CAST({q}.{dialect.quote(n)} AS TEXT) AS {casts[n]})"
        if n in casts
        else f"{q}.{dialect.quote(n)}"
        for n in names
    )
    return f"SELECT {outputs} FROM ({select}) AS {q}"
