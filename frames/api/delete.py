"""Deleting and dropping: cascades in one transaction, DataJoint's part-integrity rules, prompts.

A delete computes, for the restricted table and every table that depends on it (through
foreign keys, across schemas), the rows to delete — each dependent restricted by a semijoin to
its parents' doomed rows — then deletes them children first inside one transaction and commits
only when confirmed (:func:`frames.utils.user_choice`, asked when ``prompt`` or
``config['safemode']`` says so).

Master-part integrity follows DataJoint 2.3.5 (``part_integrity``): ``"enforce"`` refuses a
delete that removes part rows without their master rows (checked on the rows actually deleted,
then rolled back), ``"ignore"`` allows it, and ``"cascade"`` lifts the restriction of every
affected part up to its master (through chains of parts and renamed foreign keys), fixes the
master's keys before anything is deleted, and cascades down from the master again.

On DuckDB, where frames enforces references itself, ``delete_quick`` refuses to remove rows that
other rows still reference.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from frames.api.catalog import dependency_graph, forget_table, table_spec
from frames.api.coerce import dict_condition
from frames.api.query import QueryExpression
from frames.api.unmatched import refuse_unmatched
from frames.declare.naming import master_of
from frames.declare.spec import TableRef
from frames.declare.storage import LINEAGE_CATALOG
from frames.errors import FramesError, IntegrityError, TransactionError
from frames.plan.heading import Heading
from frames.plan.nodes import (
    BaseTable,
    Cond,
    Exists,
    Node,
    OrCond,
    make_project,
    make_restrict,
    make_table,
)
from frames.plan.values import Col
from frames.settings import config
from frames.sql.ddl import drop_lineage_sql, drop_table_sql
from frames.sql.delete import delete_sql
from frames.sql.dialects import get_dialect
from frames.utils import user_choice

if TYPE_CHECKING:
    from frames.api.connection import Connection
    from frames.api.table import Table

logger = logging.getLogger(__name__)


DELETE_PART_INTEGRITY = ("enforce", "ignore", "cascade")
DROP_PART_INTEGRITY = ("enforce", "ignore")


def confirm(question: str, prompt: bool | None) -> bool:
    """Ask ``question`` unless ``prompt`` is False or (``prompt`` None) safemode is off."""
    if not (config["safemode"] if prompt is None else prompt):
        return True
    return user_choice(question, default="no") == "yes"


def check_delete_part_integrity(part_integrity: str) -> None:
    """Raise ``ValueError`` for a ``part_integrity`` that :meth:`Table.delete` does not know."""
    if part_integrity not in DELETE_PART_INTEGRITY:
        raise ValueError(
            f"part_integrity must be 'enforce', 'ignore', or 'cascade', got {part_integrity!r}"
        )


def is_restricted(table: QueryExpression) -> bool:
    """True if ``table`` is a restriction (or a ``Top``) of its table, not the whole table."""
    return not isinstance(table._plan, BaseTable)


# -- the cascade ----------------------------------------------------------------------------------


def _bare_plan(connection: Connection, ref: TableRef) -> Node:
    spec = table_spec(connection, ref)
    return make_table(ref, Heading(spec.attributes))


@dataclass(frozen=True)
class Cascade:
    """The rows a delete removes: for each affected table (full name, parents first) its plan.

    ``Diagram.cascade(table & restriction).counts()`` previews a delete without running it.
    """

    connection: Connection
    root: str
    names: tuple[str, ...]
    refs: dict[str, TableRef]
    plans: dict[str, Node]

    def __iter__(self) -> Iterator[QueryExpression]:
        """The restricted tables, parents first."""
        return (QueryExpression(self.plans[name], self.connection) for name in self.names)

    def __reversed__(self) -> Iterator[QueryExpression]:
        """The restricted tables, children first (the order rows are deleted in)."""
        return (QueryExpression(self.plans[name], self.connection) for name in reversed(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def counts(self) -> dict[str, int]:
        """The number of rows the delete would remove from each table, by full table name."""
        result = {}
        for name in self.names:
            result[name] = len(QueryExpression(self.plans[name], self.connection))
            logger.info("%s (%d tuples)", name, result[name])
        return result


def cascade(table: Table, part_integrity: str = "enforce") -> Cascade:
    """The :class:`Cascade` of deleting ``table``'s rows (see :meth:`Table.delete`).

    With ``part_integrity="cascade"`` each affected part lifts its restriction to its master
    (once per part and master) until no new master is reached.
    """
    check_delete_part_integrity(part_integrity)
    connection = table._connection
    graph = dependency_graph(connection)
    root = connection.sql_dialect.full_name(table.database, table.table_name)
    if root not in graph:
        graph.add_node(root, ref=table.ref)
    seeds: dict[str, list[Node]] = {root: [table._plan]}
    lifted: set[tuple[str, str]] = set()
    while True:
        plans = _propagate(connection, graph, seeds)
        if part_integrity != "cascade":
            break
        pending = [
            (part, master)
            for part in plans
            if (master := _master_node(connection, graph, part)) is not None
            and (part, master) not in lifted
        ]
        for part, master in pending:
            lifted.add((part, master))
            seeds.setdefault(master, []).append(_lift(connection, graph, plans, part, master))
        if not pending:
            break
    names = tuple(nx.topological_sort(graph.subgraph(plans)))
    refs = {name: graph.nodes[name]["ref"] for name in names}
    return Cascade(connection, root, names, refs, plans)


def _propagate(
    connection: Connection, graph: nx.DiGraph, seeds: dict[str, list[Node]]
) -> dict[str, Node]:
    """Restricted plans of the seeds and all their descendants, parents first.

    A table's rows are those of its seeds and those referencing a restricted parent's rows
    (through any of the foreign keys between them).
    """
    nodes = set(seeds)
    for seed in seeds:
        nodes |= nx.descendants(graph, seed)
    plans: dict[str, Node] = {}
    for node in nx.topological_sort(graph.subgraph(nodes)):
        own = seeds.get(node, [])
        references = [
            Exists(
                make_project(plans[parent], [(c, Col(p)) for c, p in fk.attr_map], {}, "delete"),
                fk.child_attrs,
            )
            for parent in graph.predecessors(node)
            if parent in plans
            for fk in graph.edges[parent, node]["fks"]
        ]
        if len(own) == 1 and not references:
            plans[node] = own[0]
            continue
        bare = _bare_plan(connection, graph.nodes[node]["ref"])
        conditions: list[Cond] = [Exists(seed, bare.primary_key) for seed in own]
        plans[node] = make_restrict(bare, OrCond((*conditions, *references)))
    return plans


def _master_node(connection: Connection, graph: nx.DiGraph, node: str) -> str | None:
    """The full name of the master of the part table ``node``, if it is in the graph."""
    ref: TableRef = graph.nodes[node]["ref"]
    master = master_of(ref.name)
    if master is None:
        return None
    name = connection.sql_dialect.full_name(ref.schema, master)
    return name if name in graph else None


def _lift(
    connection: Connection, graph: nx.DiGraph, plans: dict[str, Node], part: str, master: str
) -> Node:
    """The master rows that the restricted rows of ``part`` belong to, as fixed keys.

    The restriction climbs the foreign keys from the part to its master (through intermediate
    parts, undoing renames); the master's keys are read now, because the part rows they derive
    from are deleted before the master rows.
    """
    try:
        path = nx.shortest_path(graph, master, part)
    except nx.NetworkXNoPath:
        path = [master]
    current = plans[part]
    for parent, child in reversed(list(zip(path[:-1], path[1:], strict=True))):
        referenced = [
            Exists(
                make_project(current, [(p, Col(c)) for c, p in fk.attr_map], {}, "delete"),
                fk.parent_attrs,
            )
            for fk in graph.edges[parent, child]["fks"]
        ]
        current = make_restrict(
            _bare_plan(connection, graph.nodes[parent]["ref"]), OrCond(tuple(referenced))
        )
    bare = _bare_plan(connection, graph.nodes[master]["ref"])
    keys = QueryExpression(current, connection).keys() if len(path) > 1 else []
    where = f"delete: master {master} of part {part}"
    return make_restrict(
        bare, OrCond(tuple(dict_condition(key, bare.heading, where) for key in keys))
    )


# -- deleting -------------------------------------------------------------------------------------


class _Cancelled(Exception):
    """Raised inside the delete transaction to roll it back (declined, or nothing to delete)."""


def cascade_delete(
    table: Table,
    transaction: bool = True,
    prompt: bool | None = None,
    part_integrity: str = "enforce",
) -> int:
    """Delete ``table``'s rows and their dependents; see :meth:`frames.api.table.Table.delete`.

    Returns the number of rows deleted from ``table`` itself (0 when cancelled).
    """
    refuse_unmatched(table, "delete")
    plan = cascade(table, part_integrity)
    connection = table._connection
    prompt = config["safemode"] if prompt is None else prompt
    if prompt:
        plan.counts()  # the preview, logged
    if transaction and connection.in_transaction:
        if prompt:
            raise TransactionError(
                "Delete cannot use a transaction within an ongoing transaction. Set "
                "transaction=False or prompt=False."
            )
        transaction = False
    try:
        with connection.backend.transaction() if transaction else nullcontext():
            counts = _delete_rows(plan)
            if part_integrity == "enforce":
                _check_masters_deleted(plan, counts)
            if not counts[plan.root]:
                if prompt:
                    logger.warning("Nothing to delete.")
                raise _Cancelled
            if transaction and prompt:
                if user_choice("Commit deletes?", default="no") != "yes":
                    logger.warning("Delete cancelled")
                    raise _Cancelled
                logger.info("Delete committed.")
    except _Cancelled:
        return 0
    return counts[plan.root]


def _delete_rows(plan: Cascade) -> dict[str, int]:
    """Run the deletes, children first; the number of rows deleted per table."""
    connection = plan.connection
    counts: dict[str, int] = {}
    for name in reversed(plan.names):
        sql, params = delete_sql(plan.refs[name], plan.plans[name], connection.dialect)
        counts[name] = connection.backend.execute(sql, params)
        logger.info("Deleting %d rows from %s", counts[name], name)
    return counts


def _check_masters_deleted(plan: Cascade, counts: dict[str, int]) -> None:
    """Raise :class:`IntegrityError` if part rows were deleted while none of their master's."""
    dialect = plan.connection.sql_dialect
    deleted = {name for name, count in counts.items() if count}
    for name in plan.names:
        ref = plan.refs[name]
        master_name = master_of(ref.name)
        if name in deleted and master_name is not None:
            master = dialect.full_name(ref.schema, master_name)
            if master not in deleted:
                raise IntegrityError(
                    f"Attempt to delete part table {name} before its master {master}. Delete "
                    "from the master first, or use part_integrity='ignore' or 'cascade'."
                )


def delete_quick(table: Table, get_count: bool = False) -> int | None:
    """Delete ``table``'s rows without cascading; the count if ``get_count``."""
    refuse_unmatched(table, "delete_quick")
    connection = table._connection
    with connection.atomic():
        if not connection.backend.declares_foreign_keys:
            for ref, plan in _dependents(table):
                if len(QueryExpression(plan, connection)):
                    raise IntegrityError(
                        f"{table._name}.delete_quick(): rows are still referenced by "
                        f"{ref}; use delete() to delete them with their dependents"
                    )
        sql, params = delete_sql(table.ref, table._plan, connection.dialect)
        count = connection.backend.execute(sql, params)
    return count if get_count else None


def _dependents(table: Table) -> list[tuple[TableRef, Node]]:
    """The rows of other tables that reference ``table``'s rows (children, and theirs)."""
    plan = cascade(table, "ignore")
    return [(plan.refs[name], plan.plans[name]) for name in plan.names if name != plan.root]


# -- dropping -------------------------------------------------------------------------------------


def drop_tables(
    table: Table, prompt: bool | None = None, part_integrity: str = "enforce", cascade: bool = True
) -> None:
    """Drop ``table`` and (with ``cascade``) its dependent tables, children first.

    Raises
    ------
    ValueError
        For a ``part_integrity`` other than ``"enforce"`` or ``"ignore"``.
    FramesError
        For a restricted table, or (``"enforce"``) a part table whose master is not dropped.
    UnknownAttributeError
        For a table restricted by a dict that names none of its attributes (which a query
        ignores, so that the table looks unrestricted).
    IntegrityError
        Without ``cascade``, if other tables depend on ``table``.
    """
    if part_integrity not in DROP_PART_INTEGRITY:
        raise ValueError(
            "part_integrity must be 'enforce' or 'ignore' for drop ('cascade' "
            f"applies to delete only), got {part_integrity!r}"
        )
    refuse_unmatched(table, "drop")
    if is_restricted(table):
        raise FramesError(
            "A table with an applied restriction cannot be dropped. Call drop() "
            "on the unrestricted Table."
        )
    connection = table._connection
    dialect = connection.sql_dialect
    graph = dependency_graph(connection)
    root = dialect.full_name(table.database, table.table_name)
    if root not in graph:
        graph.add_node(root, ref=table.ref)
    dependents = nx.descendants(graph, root)
    if dependents and not cascade:
        raise IntegrityError(
            f"{table._name}.drop_quick(): tables depend on it: "
            f"{', '.join(sorted(dependents))}; use drop()"
        )
    order = list(nx.topological_sort(graph.subgraph(dependents | {root})))
    if part_integrity == "enforce":
        for name in order:
            ref = graph.nodes[name]["ref"]
            master = master_of(ref.name)
            if master is not None and dialect.full_name(ref.schema, master) not in order:
                raise FramesError(
                    f"Attempt to drop part table {name} before its master "
                    f"{dialect.full_name(ref.schema, master)}. Drop the master first."
                )
    if config["safemode"] if prompt is None else prompt:
        for name in order:
            logger.info(
                "%s (%d tuples)",
                name,
                len(QueryExpression(_bare_plan(connection, graph.nodes[name]["ref"]), connection)),
            )
        if user_choice("Proceed?", default="no") != "yes":
            return
    _drop(connection, [graph.nodes[name]["ref"] for name in reversed(order)])
    type(table)._spec = None
    logger.info("Tables dropped.")


def _drop(connection: Connection, refs: list[TableRef]) -> None:
    """Drop the tables ``refs`` in this order, with their lineage rows, in one transaction."""
    dialect = get_dialect(connection.dialect)
    backend = connection.backend
    with connection.atomic():
        for ref in refs:
            spec = table_spec(connection, ref)
            statements = drop_table_sql(spec, dialect)
            if backend.table_exists(TableRef(ref.schema, LINEAGE_CATALOG)):
                statements += drop_lineage_sql(spec, dialect)
            for statement in statements:
                backend.execute(statement)
    for ref in refs:
        forget_table(connection, ref)
