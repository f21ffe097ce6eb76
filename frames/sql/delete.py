"""``DELETE`` statements: the rows of a table that a plan (a restriction of it) selects."""

from __future__ import annotations

from sqlglot import exp

from frames.declare.spec import TableRef
from frames.plan.nodes import Node
from frames.sql.compile import collect_params, render
from frames.sql.dialects import get_dialect
from frames.sql.lower import Lowering


def delete_sql(ref: TableRef, plan: Node, dialect_name: str) -> tuple[str, list]:
    """``DELETE FROM table WHERE <the plan's restriction>`` with bound parameters.

    The rows to delete are identified by primary key through a derived table, which every
    backend (MySQL included) accepts even when the condition reads the same table.
    """
    dialect = get_dialect(dialect_name)
    params, sharing = collect_params(plan)
    lowering = Lowering(dialect, {id(p): sharing[i] for i, p in enumerate(params)})
    block = lowering.lower(plan)
    key = plan.heading.primary_key
    keys = lowering.wrap(block, key)
    target = exp.Table(
        this=exp.to_identifier(ref.name, quoted=True), db=exp.to_identifier(ref.schema, quoted=True)
    )
    matches = [
        exp.EQ(
            this=keys.columns[k].copy(),
            expression=exp.column(k, table=ref.name, db=ref.schema, quoted=True),
        )
        for k in key
    ]
    keys.where.extend(matches)
    keys.columns = {}
    exists = exp.Exists(this=lowering.select(keys))
    statement = exp.Delete(this=target, where=exp.Where(this=exists))
    compiled = render(statement, dialect)
    return compiled.sql, compiled.bind(params)
