"""The per-connection catalog of table specs: the tables declared in this process or read from
the database, and the dependency graph of their foreign keys.

The cascade, the diagram, the relatives of a table and ``Schema`` look tables up here; it imports
no table class, so that all of them can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from frames.backends.introspect import introspect_with_parents
from frames.declare.lineage import with_lineage
from frames.declare.naming import class_name_of, master_of, tier_of
from frames.declare.spec import TableRef, TableSpec
from frames.errors import MissingTableError
from frames.sql.dialects import Dialect

if TYPE_CHECKING:
    from frames.api.connection import Connection


def register_spec(connection: Connection, spec: TableSpec) -> None:
    """Remember ``spec`` for the cascade and the diagram of ``connection``."""
    _registry(connection)[spec.ref] = spec


def forget_schema(connection: Connection, schema: str) -> None:
    """Forget every spec of ``schema`` (after it is dropped)."""
    registry = _registry(connection)
    for ref in [r for r in registry if r.schema == schema]:
        del registry[ref]


def forget_table(connection: Connection, ref: TableRef) -> None:
    """Forget the spec of ``ref`` (after it is dropped)."""
    _registry(connection).pop(ref, None)


def _registry(connection: Connection) -> dict[TableRef, TableSpec]:
    registry = getattr(connection, "_specs", None)
    if registry is None:
        registry = {}
        connection._specs = registry  # type: ignore[attr-defined]
    return registry


def stored_specs(connection: Connection, database: str) -> dict[TableRef, TableSpec]:
    """The specs of the tables of schema ``database`` as the database describes them, with
    lineage.

    Foreign keys are followed into upstream schemas (read from the database too) so that
    lineage reaches its origin; the result holds this schema's tables only.
    """
    stored = introspect_with_parents(connection.backend, database)
    known = {r: spec for r, spec in _registry(connection).items() if r not in stored}
    return {
        ref: spec for ref, spec in with_lineage(stored, known).items() if ref.schema == database
    }


def stored_spec(connection: Connection, ref: TableRef) -> TableSpec:
    """The spec of the existing table ``ref`` as the database describes it, with lineage."""
    resolved = stored_specs(connection, ref.schema)
    if ref not in resolved:
        raise MissingTableError(f"table {ref} does not exist")
    return resolved[ref]


def table_spec(connection: Connection, ref: TableRef) -> TableSpec:
    """The spec of ``ref``: declared in this process or read from the database."""
    registry = _registry(connection)
    if ref not in registry:
        for spec in connection.backend.introspect(ref.schema):
            registry.setdefault(spec.ref, spec)
    if ref not in registry:
        raise MissingTableError(f"table {ref} does not exist")
    return registry[ref]


def dependency_graph(connection: Connection) -> nx.DiGraph:
    """Tables as nodes (their full names, quoted as the backend quotes: ``"lab"."subject"``,
    ```lab`.`subject```) and foreign keys as parent → child edges.

    Each edge lists every foreign key between its two tables (``fks``); ``primary`` and
    ``renamed`` say whether any of them is in the child's key or renames attributes.
    """
    graph = nx.DiGraph()
    dialect = connection.sql_dialect
    for spec in list(_registry(connection).values()):
        _add_node(graph, spec.ref, dialect)
    for child, fk in connection.backend.foreign_keys():
        _add_node(graph, child, dialect)
        _add_node(graph, fk.parent, dialect)
        edge = (
            dialect.full_name(fk.parent.schema, fk.parent.name),
            dialect.full_name(child.schema, child.name),
        )
        renamed = any(c != p for c, p in fk.attr_map)
        if graph.has_edge(*edge):  # a second foreign key between the same two tables
            data = graph.edges[edge]
            data["fks"].append(fk)
            data["primary"] = data["primary"] or fk.in_key
            data["renamed"] = data["renamed"] or renamed
        else:
            graph.add_edge(*edge, primary=fk.in_key, renamed=renamed, fks=[fk])
    return graph


def _add_node(graph: nx.DiGraph, ref: TableRef, dialect: Dialect) -> None:
    label = class_name_of(ref.name)
    if tier_of(ref.name) == "part":
        label = f"{class_name_of(master_of(ref.name) or '')}.{label}"
    graph.add_node(
        dialect.full_name(ref.schema, ref.name),
        label=label,
        tier=tier_of(ref.name),
        schema=ref.schema,
        ref=ref,
    )
