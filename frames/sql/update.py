"""``UPDATE`` statements of one table's rows, chosen by equality on columns, values bound."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from frames.declare.spec import TableRef
from frames.sql.compile import driver_value, render
from frames.sql.dialects import Dialect


class _Default:
    """The marker of :data:`DEFAULT`."""

    def __repr__(self) -> str:
        return "DEFAULT"


#: A value of :func:`update_sql` that sets the column to its declared default.
DEFAULT = _Default()


def update_sql(
    ref: TableRef,
    values: dict[str, Any],
    where: dict[str, Any],
    dialect: Dialect,
    not_after: tuple[str, Any] | None = None,
) -> tuple[str, list[Any]]:
    """``UPDATE ref SET values WHERE where [AND column <= value]`` with ``?`` placeholders.

    Parameters
    ----------
    values : dict
        Column name → new value (:data:`DEFAULT`: the column's default; ``None``: NULL).
    where : dict
        Column name → value the row must have (``None`` matches ``IS NULL``).
    not_after : (str, value), optional
        A column that must not exceed a value (e.g. a job's ``scheduled_time``).

    Returns
    -------
    (str, list)
        The SQL text and its parameters, in placeholder order.
    """
    params: list[Any] = []

    def bind(value: Any) -> exp.Expr:
        if value is None:
            return exp.Null()
        if value is DEFAULT:
            return exp.var("DEFAULT")
        params.append(driver_value(value, dialect))
        return exp.Placeholder(this=f"p{len(params) - 1}")

    def column(name: str) -> exp.Column:
        return exp.column(name, quoted=True)

    assignments = [
        exp.EQ(this=column(name), expression=bind(value)) for name, value in values.items()
    ]
    conditions: list[exp.Expr] = [
        exp.Is(this=column(name), expression=exp.Null())
        if value is None
        else exp.EQ(this=column(name), expression=bind(value))
        for name, value in where.items()
    ]
    if not_after is not None:
        conditions.append(exp.LTE(this=column(not_after[0]), expression=bind(not_after[1])))
    target = exp.Table(
        this=exp.to_identifier(ref.name, quoted=True), db=exp.to_identifier(ref.schema, quoted=True)
    )
    statement = exp.Update(
        this=target,
        expressions=assignments,
        where=exp.Where(this=exp.and_(*conditions)) if conditions else None,
    )
    compiled = render(statement, dialect)
    return compiled.sql, [params[i] for i in compiled.positions]
