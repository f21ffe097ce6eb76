"""Deleting and dropping: cascades in one transaction, with a confirmation prompt.

A delete computes, for the restricted table and every table that depends on it (through
foreign keys, across schemas), the rows to delete — each dependent restricted by a semijoin to
its parents' doomed rows — then deletes them children first inside one transaction, shows the
counts, and commits only when confirmed. On DuckDB, where frames enforces references itself,
``delete_quick`` refuses to remove rows that other rows still reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from sqlglot import exp

from frames.api.query import QueryExpression
from frames.declare.spec import TableRef
from frames.declare.storage import LINEAGE_CATALOG
from frames.errors import IntegrityError
from frames.plan.heading import Heading
from frames.plan.nodes import (
    Exists,
    Node,
    OrCond,
    make_project,
    make_restrict,
    make_table,
)
from frames.plan.values import Col
from frames.settings import config
from frames.sql.compile import collect_params, render
from frames.sql.dialects import get_dialect
from frames.sql.lower import Lowering

if TYPE_CHECKING:
    from frames.api.connection import Connection
    from frames.api.table import Table


def confirm(question: str, prompt: bool | None) -> bool:
    """Ask ``question`` unless ``prompt`` is False or safemode is off."""
    if prompt is False or (prompt is None and not config["safemode"]):
        return True
    answer = input(f"{question} [yes, No]: ")
    return answer.strip().lower() in ("yes", "y")


def _plan_of(connection: Connection, ref: TableRef) -> Node:
    from frames.api.schema import table_spec

    spec = table_spec(connection, ref)
    return make_table(ref, Heading(spec.attributes))


def cascade_plans(table: QueryExpression, ref: TableRef) -> list[tuple[TableRef, Node]]:
    """(table, restricted plan) for ``table`` and all its dependents, parents first."""
    from frames.api.schema import dependency_graph

    connection = table._connection
    graph = dependency_graph(connection)
    root = f'"{ref.schema}"."{ref.name}"'
    nodes = {root} | (nx.descendants(graph, root) if root in graph else set())
    plans: dict[str, Node] = {root: table._plan}
    refs: dict[str, TableRef] = {root: ref}
    for node in nx.topological_sort(graph.subgraph(nodes)):
        if node == root:
            continue
        child_ref: TableRef = graph.nodes[node]["ref"]
        child = _plan_of(connection, child_ref)
        conditions = []
        for parent in graph.predecessors(node):
            if parent not in plans:
                continue
            for fk in graph.edges[parent, node]["fks"]:
                renamed = make_project(plans[parent], [(c, Col(p)) for c, p in fk.attr_map],
                                       {}, "delete")
                conditions.append(Exists(renamed, fk.child_attrs))
        plans[node] = make_restrict(child, OrCond(tuple(conditions)))
        refs[node] = child_ref
    order = list(nx.topological_sort(graph.subgraph(nodes))) if root in graph else [root]
    return [(refs[n], plans[n]) for n in order]


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
    target = exp.Table(this=exp.to_identifier(ref.name, quoted=True),
                       db=exp.to_identifier(ref.schema, quoted=True))
    matches = [exp.EQ(this=keys.columns[k].copy(),
                      expression=exp.column(k, table=ref.name, db=ref.schema, quoted=True))
               for k in key]
    keys.where.extend(matches)
    keys.columns = {}
    exists = exp.Exists(this=lowering.select(keys))
    statement = exp.Delete(this=target, where=exp.Where(this=exists))
    compiled = render(statement, dialect)
    return compiled.sql, compiled.bind(params)


def cascade_delete(table: Table, prompt: bool | None = None) -> dict[str, int]:
    """Delete ``table``'s rows and their dependents atomically; return counts per table."""
    connection = table._connection
    plans = cascade_plans(table, table.ref)
    counts: dict[str, int] = {}
    try:
        with connection.atomic():
            for ref, plan in reversed(plans):
                sql, params = delete_sql(ref, plan, connection.dialect)
                counts[f"{ref}"] = connection.backend.execute(sql, params)
            if not any(counts.values()):
                print("Nothing to delete.")
                return counts
            for name, count in reversed(list(counts.items())):
                if count:
                    print(f"Deleting {count} rows from {name}")
            if not confirm("Commit deletes?", prompt):
                raise _Cancelled
    except _Cancelled:
        print("Delete cancelled: nothing was deleted.")
        return {}
    return counts


class _Cancelled(Exception):
    """Raised inside the delete transaction to roll it back when the user declines."""


def delete_quick(table: Table) -> int:
    """Delete ``table``'s rows without cascading."""
    connection = table._connection
    with connection.atomic():
        if not connection.backend.declares_foreign_keys:
            plans = cascade_plans(table, table.ref)
            for ref, plan in plans[1:]:
                if len(QueryExpression(plan, connection)):
                    raise IntegrityError(
                        f"{table._name}.delete_quick(): rows are still referenced by "
                        f"{ref}; use delete() to delete them with their dependents")
        sql, params = delete_sql(table.ref, table._plan, connection.dialect)
        return connection.backend.execute(sql, params)


def drop_tables(table: Table, prompt: bool | None = None, cascade: bool = True) -> None:
    """Drop ``table`` and (with ``cascade``) its dependent tables, children first."""
    from frames.api.schema import dependency_graph, forget_table, table_spec
    from frames.sql.ddl import drop_lineage_sql, drop_table_sql

    connection = table._connection
    graph = dependency_graph(connection)
    root = f'"{table.database}"."{table.table_name}"'
    dependents = nx.descendants(graph, root) if root in graph else set()
    if dependents and not cascade:
        raise IntegrityError(f"{table._name}.drop_quick(): tables depend on it: "
                             f"{', '.join(sorted(dependents))}; use drop()")
    order = [n for n in nx.topological_sort(graph.subgraph(dependents | {root}))] \
        if root in graph else [root]
    names = ", ".join(order)
    if not confirm(f"Drop {names}?", prompt):
        print("Drop cancelled.")
        return
    dialect = get_dialect(connection.dialect)
    backend = connection.backend
    with connection.atomic():
        for node in reversed(order):
            ref = graph.nodes[node]["ref"] if node in graph else table.ref
            spec = table_spec(connection, ref)
            statements = drop_table_sql(spec, dialect)
            if backend.table_exists(TableRef(ref.schema, LINEAGE_CATALOG)):
                statements += drop_lineage_sql(spec, dialect)
            for statement in statements:
                backend.execute(statement)
    for node in order:
        forget_table(connection, graph.nodes[node]["ref"] if node in graph else table.ref)
    type(table)._spec = None
