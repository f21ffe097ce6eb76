"""The foreign-key dependency graph of a connection (DataJoint's ``datajoint.dependencies``).

:class:`Dependencies` is a :class:`networkx.MultiDiGraph` whose nodes are full table names
(as :attr:`Table.full_table_name` gives them: ```lab`.`session``` on MySQL,
``"lab"."session"`` elsewhere) carrying ``primary_key`` (a
set of attribute names), and whose edges run parent → child, one per foreign key, keyed by the
tuple of the child's referencing attributes, with the attributes

- ``attr_map``: child attribute → referenced parent attribute;
- ``primary``: the foreign key lies in the child's primary key;
- ``aliased``: the foreign key renames an attribute (``-> Parent.proj(new='old')``);
- ``multi``: the child's primary key has attributes beyond the foreign key's (one-to-many).

The graph is read from the database (the tables' own metadata), for the schemas the connection
knows — those whose tables were declared or looked up in this process — and, on demand, the
schemas upstream or downstream of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import networkx as nx

from frames.api.catalog import _registry
from frames.declare.spec import TableRef
from frames.errors import DefinitionError
from frames.sql.ddl import qualified_name

if TYPE_CHECKING:
    from frames.api.connection import Connection

__all__ = ["Dependencies", "dependencies_of", "extract_master", "full_table_name", "topo_sort"]

_PART_NAME = re.compile(r'(?P<master>(?P<q>[`"])[\w]+(?P=q)\.(?P=q)#?[\w]+)__[\w]+(?P=q)')


def full_table_name(connection: Connection, ref: TableRef) -> str:
    """The graph's node name of a table, its ``full_table_name`` on ``connection``
    (```lab`.`session``` on MySQL, ``"lab"."session"`` elsewhere)."""
    return qualified_name(ref, connection.sql_dialect)


def extract_master(part_table: str) -> str | None:
    """The full name of a part table's master, else ``None``.

    Examples
    --------
    >>> extract_master('"lab"."session__trial"')
    '"lab"."session"'
    >>> extract_master('`lab`.`#rig`') is None
    True
    """
    match = _PART_NAME.match(part_table)
    return match["master"] + match["q"] if match else None


def topo_sort(graph: nx.DiGraph) -> list[str]:
    """Tables in topological order (parents first), each part right after its master.

    A part's other parents are ordered before its master, so that the master and its parts can
    be handled as one unit (as ``delete`` and ``drop`` do).

    Examples
    --------
    >>> g = nx.DiGraph([('"a"."a"', '"a"."m"'), ('"a"."a"', '"a"."z"'),
    ...                 ('"a"."m"', '"a"."m__part"'), ('"a"."z"', '"a"."m__part"')])
    >>> topo_sort(g)
    ['"a"."a"', '"a"."z"', '"a"."m"', '"a"."m__part"']
    """
    graph = nx.MultiDiGraph(graph)
    for part in list(graph):
        master = extract_master(part)
        if master in graph:
            for parent, _ in list(graph.in_edges(part)):
                if master not in (parent, extract_master(parent)):
                    graph.add_edge(parent, master)
    ordered = list(nx.topological_sort(graph))
    # bring each part up to the position right after its master
    pos = len(ordered) - 1
    placed: set[str] = set()
    while pos > 1:
        part = ordered[pos]
        master = extract_master(part)
        if master not in graph or part in placed:
            pos -= 1
            continue
        placed.add(part)
        insert_at = ordered.index(master) + 1
        if pos > insert_at:
            del ordered[pos]
            ordered.insert(insert_at, part)
    return ordered


class Dependencies(nx.MultiDiGraph):
    """The foreign keys among the tables of the schemas a connection knows.

    Parameters
    ----------
    connection : Connection, optional
        ``None`` only for the empty graphs networkx creates internally.

    Notes
    -----
    ``load()`` reads the graph again from the database (with ``force=False`` only if a table
    was declared, looked up or dropped on the connection since the last load);
    ``load_all_upstream()`` and ``load_all_downstream()`` first follow foreign keys into further
    schemas, and skip the reload when the graph is current and covers every schema they find.
    """

    def __init__(self, connection: Connection | None = None, **attrs: Any) -> None:
        self._conn = connection
        self._loaded = False
        self._loaded_schemas: set[str] = set()
        self._loaded_tables: frozenset[TableRef] = frozenset()
        super().__init__(**attrs)

    def clear(self) -> None:
        """Empty the graph and forget what was loaded."""
        self._loaded = False
        self._loaded_schemas = set()
        super().clear()

    def load(self, force: bool = True, schema_names: Iterable[str] | None = None) -> None:
        """Read the tables and foreign keys of ``schema_names`` (default: the known schemas).

        Parameters
        ----------
        force : bool
            Reload even if loaded already (default).
        schema_names : iterable of str, optional
            The schemas to read; by default those whose tables this connection has declared or
            looked up.

        Raises
        ------
        DefinitionError
            If the foreign keys form a cycle.
        """
        if self._current() and not force:
            return
        self.clear()
        self._loaded_tables = self._known_tables()
        names = set(schema_names) if schema_names is not None else self.known_schemas()
        backend = self._connection.backend
        for schema in sorted(names):
            for spec in backend.introspect(schema):
                self._add_table(spec)
        self._loaded_schemas = names
        if not nx.is_directed_acyclic_graph(self):
            raise DefinitionError(
                f"the foreign keys among the tables of {sorted(names)} form a cycle; frames (like "
                "DataJoint) works with acyclic dependencies only"
            )
        self._loaded = True

    def _add_table(self, spec: Any) -> None:
        node = full_table_name(self._connection, spec.ref)
        primary_key = set(spec.primary_key)
        self.add_node(node, primary_key=primary_key)
        for fk in spec.foreign_keys:
            attr_map = dict(fk.attr_map)
            self.add_edge(
                full_table_name(self._connection, fk.parent),
                node,
                key=tuple(attr_map),
                attr_map=attr_map,
                primary=set(attr_map) <= primary_key,
                aliased=any(child != parent for child, parent in attr_map.items()),
                multi=set(attr_map) != primary_key,
            )

    @property
    def _connection(self) -> Connection:
        if self._conn is None:
            raise DefinitionError("this dependency graph has no connection to load from")
        return self._conn

    def _known_tables(self) -> frozenset[TableRef]:
        return frozenset(_registry(self._connection))

    def _current(self) -> bool:
        """Loaded, and no table declared, looked up or dropped on the connection since."""
        return self._loaded and self._loaded_tables == self._known_tables()

    def known_schemas(self) -> set[str]:
        """The schemas whose tables this connection has declared or looked up."""
        return {ref.schema for ref in self._known_tables()}

    def load_all_downstream(self) -> None:
        """Load the known schemas and every schema that depends on them through foreign keys."""
        self._load_closure(downstream=True)

    def load_all_upstream(self) -> None:
        """Load the known schemas and every schema they depend on through foreign keys."""
        self._load_closure(downstream=False)

    def _load_closure(self, *, downstream: bool) -> None:
        known = self.known_schemas()
        if not known:
            self.load()
            return
        links = {
            (fk.parent.schema, child.schema)
            for child, fk in self._connection.backend.foreign_keys()
        }
        while True:
            found = {
                child if downstream else parent
                for parent, child in links
                if (parent if downstream else child) in known
            } - known
            if not found:
                break
            known |= found
        if self._current() and known <= self._loaded_schemas:
            return
        self.load(force=True, schema_names=known)

    def topo_sort(self) -> list[str]:
        """The tables in topological order, parts right after their masters."""
        return topo_sort(self)

    def parents(self, table_name: str, primary: bool | None = None) -> list[tuple[str, dict]]:
        """``(parent, edge attributes)`` per foreign key of ``table_name``.

        ``primary=True``: only foreign keys in its primary key; ``False``: only the others.
        """
        self.load(force=False)
        return [
            (parent, data)
            for parent, _, data in self.in_edges(table_name, data=True)
            if primary is None or data["primary"] == primary
        ]

    def children(self, table_name: str, primary: bool | None = None) -> list[tuple[str, dict]]:
        """``(child, edge attributes)`` per foreign key referencing ``table_name``."""
        self.load(force=False)
        return [
            (child, data)
            for _, child, data in self.out_edges(table_name, data=True)
            if primary is None or data["primary"] == primary
        ]

    def descendants(self, full_table_name: str) -> list[str]:
        """``full_table_name`` and every table depending on it, in topological order."""
        self.load(force=False)
        below = self.subgraph(nx.descendants(self, full_table_name))
        return [full_table_name, *topo_sort(below)]

    def ancestors(self, full_table_name: str) -> Iterator[str]:
        """Every table ``full_table_name`` depends on, then itself, children first."""
        self.load(force=False)
        above = self.subgraph(nx.ancestors(self, full_table_name))
        return reversed([*topo_sort(above), full_table_name])


def dependencies_of(connection: Connection) -> Dependencies:
    """The connection's dependency graph (one per connection, loaded on demand)."""
    graph = connection.__dict__.get("_dependencies")
    if graph is None:
        graph = Dependencies(connection)
        connection._dependencies = graph  # type: ignore[attr-defined]
    return graph
