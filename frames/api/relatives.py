"""A table's relatives in the dependency graph: parents, children, ancestors, descendants, parts.

Tables are named by their full names (DataJoint's ``full_table_name``) or, with
``as_objects=True``, given as :class:`~frames.api.free_table.FreeTable` objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from frames.api.catalog import table_spec
from frames.declare.naming import master_of

if TYPE_CHECKING:
    from frames.api.base_table import Table


def _graph_and_node(table: Table) -> tuple[nx.DiGraph, str]:
    graph = table._dependency_graph()
    node = table.full_table_name
    if node not in graph:
        graph.add_node(node, ref=table.ref)
    return graph, node


def foreign_key_info(fk: Any, child_key: set[str]) -> dict[str, Any]:
    """DataJoint's properties of one foreign key (``attr_map``: child → parent attribute)."""
    attr_map = dict(fk.attr_map)
    return {
        "primary": set(attr_map) <= child_key,
        "attr_map": attr_map,
        "aliased": any(c != p for c, p in attr_map.items()),
        "multi": set(attr_map) != child_key,
    }


def neighbours(
    table: Table,
    side: Literal["parents", "children"],
    primary: bool | None,
    as_objects: bool,
    with_info: bool,
) -> list[Any]:
    """One entry per foreign key from (``parents``) or to (``children``) ``table``."""
    graph, node = _graph_and_node(table)
    edges = (
        graph.in_edges(node, data=True) if side == "parents" else graph.out_edges(node, data=True)
    )
    found = []
    for parent, child, data in sorted(edges):
        child_ref = graph.nodes[child]["ref"]
        child_key = set(_key_of(table, child_ref))
        for fk in data["fks"]:
            info = foreign_key_info(fk, child_key)
            if primary is None or info["primary"] == primary:
                name = parent if side == "parents" else child
                found.append((table._relative(name) if as_objects else name, info))
    return found if with_info else [name for name, _ in found]


def _key_of(table: Table, ref: Any) -> tuple[str, ...]:
    return table_spec(table.connection, ref).primary_key


def related(
    table: Table, direction: Literal["ancestors", "descendants"], as_objects: bool
) -> list[Any]:
    """``table`` and its descendants in topological order, or ``table`` and its ancestors in
    reverse topological order (DataJoint's orders)."""
    graph, node = _graph_and_node(table)
    if direction == "descendants":
        names = [node, *nx.topological_sort(graph.subgraph(nx.descendants(graph, node)))]
    else:
        names = [*nx.topological_sort(graph.subgraph(nx.ancestors(graph, node))), node][::-1]
    return [table._relative(name) for name in names] if as_objects else names


def parts(table: Table, as_objects: bool) -> list[Any]:
    """The part tables of ``table``, in topological order."""
    graph, _ = _graph_and_node(table)
    names = [
        name
        for name in nx.topological_sort(graph)
        if graph.nodes[name]["ref"].schema == table.database
        and master_of(graph.nodes[name]["ref"].name) == table.table_name
    ]
    return [table._relative(name) for name in names] if as_objects else names
