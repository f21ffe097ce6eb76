"""Schema diagrams: DataJoint's ``Diagram``, a view of a connection's dependency graph.

A :class:`Diagram` is a :class:`networkx.MultiDiGraph` copied from the connection's
:class:`~frames.api.dependencies.Dependencies` plus a selection of tables to show
(``nodes_to_show``), with DataJoint's arithmetic for growing and shrinking the selection,
restriction propagation for selecting data (:meth:`Diagram.cascade` downstream,
:meth:`Diagram.trace` upstream, :meth:`Diagram.restrict`), inspection (:meth:`Diagram.counts`,
:meth:`Diagram.prune`), and renderers: Graphviz (:meth:`Diagram.make_dot` returns a pydot-like
:class:`~frames.api.dot.Dot`; SVG and PNG need no system Graphviz) and Mermaid.

Tables are drawn in DataJoint 2.3's style: per tier a (fill, stroke, text) colour triple of the
theme (``dj.config['display.diagram_theme']``: ``'light'``, ``'dark'`` or ``'auto'``, an SVG that
follows the viewer's colour scheme), Manual and Lookup rounded boxes, Imported and Computed
ellipses, parts in small boxes grouped with their master in an entity cluster, each schema in a
dashed cluster. A line is thick (penwidth 2) when the foreign key is the child's whole primary
key (one-to-one) and thin (0.75) otherwise, solid in the primary key and dashed outside it,
amber when it renames attributes. Tables that add primary-key attributes of their own are
underlined.
"""

from __future__ import annotations

import functools
import inspect
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from frames.api.base_table import FreeTable, Table
from frames.api.bases import SchemaBase
from frames.api.dependencies import dependencies_of, extract_master, topo_sort
from frames.api.dot import Cluster, Dot, Edge, Node, Subgraph
from frames.api.query import QueryExpression
from frames.api.render import find_dot_program
from frames.api.restrictions import parent_rows, referenced_rows, restricted, seed_restriction
from frames.declare.naming import tier_of
from frames.declare.spec import TableRef
from frames.errors import FramesError
from frames.logging import logger
from frames.plan.nodes import AndCond

if TYPE_CHECKING:
    from frames.api.connection import Connection

__all__ = ["Diagram", "SvgImage", "diagram_active", "find_dot_program", "lookup_class_name"]

#: Diagrams can be drawn: frames renders them without a system Graphviz (DataJoint's flag).
diagram_active = True

_SCALE = 1.2
# Structural node attributes per tier; only the colours depend on the theme.
_TIER_STRUCTURE: dict[str | None, dict[str, Any]] = {
    None: dict(shape="circle", fontsize=round(_SCALE * 8), size=0.4 * _SCALE, rounded=False),
    "manual": dict(shape="box", fontsize=round(_SCALE * 10), size=0.4 * _SCALE, rounded=True),
    "lookup": dict(shape="box", fontsize=round(_SCALE * 10), size=0.4 * _SCALE, rounded=True),
    "computed": dict(
        shape="ellipse", fontsize=round(_SCALE * 10), size=0.4 * _SCALE, rounded=False
    ),
    "imported": dict(
        shape="ellipse", fontsize=round(_SCALE * 10), size=0.4 * _SCALE, rounded=False
    ),
    # a part gets a neutral small box (not a tier shape): a clickable target of its own
    "part": dict(shape="box", fontsize=round(_SCALE * 8), size=0.1 * _SCALE, rounded=True),
    "collapsed": dict(shape="box3d", fontsize=round(_SCALE * 10), size=0.5 * _SCALE, rounded=False),
}

# DataJoint's colour themes: per tier (fill, stroke, text). Every light colour maps to exactly
# one dark colour per attribute, so the adaptive ("auto") SVG can restyle by attribute value.
_DIAGRAM_THEMES: dict[str, dict[str, Any]] = {
    "light": dict(
        bg=None,
        palette={
            None: ("#FFFDE7", "#C9BC5B", "#6B6420"),
            "manual": ("#E8F0E9", "#3E7A52", "#28513A"),
            "lookup": ("#F0F0F1", "#808285", "#5A5C5F"),
            "computed": ("#FFEDE5", "#FF5113", "#B23200"),
            "imported": ("#E0F4FC", "#00A0DF", "#00537A"),
            "part": ("#FFFFFF", "#B9BBBE", "#55585C"),
            "collapsed": ("#EDEEF0", "#808890", "#404040"),
        },
        edge="#171C39",
        edge_renamed="#C77D3A",
        edge_alpha="9E",
        schema_cluster=("#171D3A", "#171C39"),
        entity_fill="#F3F5F8",
    ),
    "dark": dict(
        bg="#161A21",
        palette={
            None: ("#3A3620", "#C9BC5B", "#EBE3A0"),
            "manual": ("#16281F", "#6BBF94", "#BCE6CF"),
            "lookup": ("#242832", "#9DA0A4", "#C9CFD9"),
            "computed": ("#331B12", "#FF7A47", "#FFC7AE"),
            "imported": ("#0F2433", "#33B8E8", "#BEE7F9"),
            "part": ("#1E232C", "#8F959D", "#C8CED8"),
            "collapsed": ("#242730", "#8890A0", "#C7CDD6"),
        },
        edge="#AEB6C2",
        edge_renamed="#D68C4A",
        edge_alpha="C0",
        schema_cluster=("#606875", "#8A93A1"),
        entity_fill="#2A313D",
    ),
}

_MERMAID_CLASSES = {
    "manual": "manual",
    "lookup": "lookup",
    "computed": "computed",
    "imported": "imported",
    "part": "part",
    None: "other",
}
_MERMAID_SHAPES = {
    "manual": ("[", "]"),
    "lookup": ("[", "]"),
    "part": ("[", "]"),
    "computed": ("([", "])"),
    "imported": ("([", "])"),
    None: ("((", "))"),
}

_SAVE_FORMATS = {
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}

_PART_INTEGRITY = ("enforce", "ignore", "cascade")


def _adaptive_style_block() -> str:
    """A ``<style>`` block that turns a light-rendered SVG dark under
    ``@media (prefers-color-scheme: dark)`` (selectors by colour; Graphviz writes lowercase)."""
    light, dark = _DIAGRAM_THEMES["light"], _DIAGRAM_THEMES["dark"]
    opacity = round(int(dark["edge_alpha"], 16) / 255, 3)

    def fill(light_hex: str, dark_hex: str) -> str:
        return f'[fill="{light_hex.lower()}"] {{ fill: {dark_hex}; }}'

    def stroke(light_hex: str, dark_hex: str, alpha: float | None = None) -> str:
        extra = f" stroke-opacity: {alpha};" if alpha is not None else ""
        return f'[stroke="{light_hex.lower()}"] {{ stroke: {dark_hex};{extra} }}'

    rules = [
        f"svg {{ background-color: {dark['bg']}; }}",
        f'polygon[fill="white"] {{ fill: {dark["bg"]}; }}',
    ]
    for tier, (lf, ls, lt) in light["palette"].items():
        df, ds, dt = dark["palette"][tier]
        rules += [fill(lf, df), stroke(ls, ds), fill(lt, dt)]
    rules += [
        stroke(light["edge"], dark["edge"], opacity),
        stroke(light["edge_renamed"], dark["edge_renamed"], opacity),
        fill(light["entity_fill"], dark["entity_fill"]),
        stroke(light["entity_fill"], dark["entity_fill"]),
        stroke(light["schema_cluster"][0], dark["schema_cluster"][0]),
        fill(light["schema_cluster"][1], dark["schema_cluster"][1]),
    ]
    body = "\n".join("  " + rule for rule in rules)
    return "<style>\n@media (prefers-color-scheme: dark) {\n" + body + "\n}\n</style>"


class SvgImage:
    """An SVG image that Jupyter displays inline, as IPython's ``SVG``: ``data`` is the
    document from its ``<svg`` element on (without the XML prolog)."""

    def __init__(self, data: str) -> None:
        self.data = (data[data.find("<svg") :] if "<svg" in data else data).strip()

    def _repr_svg_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


class Diagram(nx.MultiDiGraph):
    """A schema diagram: the dependency graph with a selection of tables to show.

    Parameters
    ----------
    source : Schema, table class, table, module with a ``schema``, or Diagram
        A table gives the diagram of that table alone, a schema (or module) all of its tables.
        A ``Diagram`` is copied.
    context : dict, optional
        Namespace in which tables are looked up by class to label them (``Session``,
        ``Session.Trial``); by default the caller's globals and locals. Tables not found are
        labelled by their full table name.

    Notes
    -----
    Diagrams are immutable; the operators return new diagrams:

    - ``d + n`` adds ``n`` generations of children, ``d - n`` of parents;
    - ``d1 + d2`` is the union, ``d1 - d2`` the difference, ``d1 * d2`` the intersection;
    - ``d + 1 - 1`` may differ from ``d - 1 + 1``.

    ``d.collapse()`` draws each schema of ``d`` as one node, unless a table is expanded by a
    union with a diagram that shows it.

    Examples
    --------
    >>> dj.Diagram(schema)                                   # doctest: +SKIP
    >>> dj.Diagram(Session) + 1 - 1                          # doctest: +SKIP
    >>> dj.Diagram.trace(Recording & key)[Subject]           # doctest: +SKIP
    >>> dj.Diagram.cascade(Session & key).counts()           # doctest: +SKIP
    """

    #: ``'trace'`` for a diagram from :meth:`trace` (set before networkx fills the graph,
    #: which reads ``__getitem__``).
    _mode: str | None = None

    def __init__(self, source: Any = None, context: dict[str, Any] | None = None) -> None:
        if isinstance(source, Diagram):
            super().__init__(source)
            self._copy_state(source)
            return
        if source is None:
            raise FramesError("Diagram() needs a schema, a table class, a table or a module")
        if context is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            context = {**caller.f_globals, **caller.f_locals} if caller is not None else {}
            del frame, caller
        connection, table, schema = _source_of(source)
        dependencies = dependencies_of(connection)
        dependencies.load(schema_names=dependencies.known_schemas() | {schema})
        super().__init__(dependencies)
        self._init_state(connection, context)
        if table is not None:
            self.nodes_to_show = {table}
        else:
            self.nodes_to_show = {
                node for node in self.nodes if _split_full_name(node)[0] == schema
            }
        self._expanded_nodes = set(self.nodes_to_show)

    def _init_state(self, connection: Connection, context: dict[str, Any]) -> None:
        self._connection = connection
        self.context = context
        self._cascade_restrictions: dict[str, list[Any]] = {}
        self._restrict_conditions: dict[str, list[Any]] = {}
        self._restriction_attrs: dict[str, set[str]] = {}

    def _copy_state(self, source: Diagram) -> None:
        self._init_state(source._connection, source.context)
        self.nodes_to_show = set(source.nodes_to_show)
        self._expanded_nodes = set(source._expanded_nodes)
        self._cascade_restrictions = {k: list(v) for k, v in source._cascade_restrictions.items()}
        self._restrict_conditions = {k: list(v) for k, v in source._restrict_conditions.items()}
        self._restriction_attrs = {k: set(v) for k, v in source._restriction_attrs.items()}
        self._mode = source._mode

    @classmethod
    def from_sequence(cls, sequence: Iterable[Any]) -> Diagram:
        """The union of the diagrams of several sources: ``Diagram(s1) + Diagram(s2) + ...``."""
        return functools.reduce(lambda x, y: x + y, map(Diagram, sequence))

    def _copy(self) -> Diagram:
        return Diagram(self)

    # ------------------------------------------------------------------ selection algebra

    def add_parts(self) -> Diagram:
        """A copy that also shows the part tables of every master shown."""
        result = self._copy()
        result.nodes_to_show.update(
            node for node in self.nodes if extract_master(node) in self.nodes_to_show
        )
        return result

    def collapse(self) -> Diagram:
        """A copy with every table collapsed: each schema drawn as one node.

        In a union, a table expanded in either operand stays expanded:
        ``dj.Diagram(schema).collapse() + dj.Diagram(Table)`` shows ``Table`` alone expanded.
        """
        result = self._copy()
        result._expanded_nodes = set()
        return result

    def __add__(self, arg: Any) -> Diagram:
        """Union with a diagram or table, or ``arg`` generations of children."""
        result = self._copy()
        if isinstance(arg, Diagram):
            result.add_nodes_from(arg.nodes(data=True))
            result.add_edges_from(arg.edges(keys=True, data=True))
            result.nodes_to_show.update(arg.nodes_to_show)
            result.context = {**result.context, **arg.context}
            result._expanded_nodes = self._expanded_nodes | arg._expanded_nodes
        elif _is_count(arg):
            for _ in range(arg):
                new = nx.node_boundary(result, result.nodes_to_show)
                if not new:
                    break
                result.nodes_to_show.update(new)
            result._expanded_nodes |= result.nodes_to_show
        else:
            name = _full_name_of(arg)
            result.nodes_to_show.add(name)
            result._expanded_nodes.add(name)
        return result

    def __sub__(self, arg: Any) -> Diagram:
        """Difference with a diagram or table, or ``arg`` generations of parents."""
        result = self._copy()
        if isinstance(arg, Diagram):
            result.nodes_to_show.difference_update(arg.nodes_to_show)
        elif _is_count(arg):
            reverse = nx.MultiDiGraph(result).reverse(copy=True)
            for _ in range(arg):
                new = nx.node_boundary(reverse, result.nodes_to_show)
                if not new:
                    break
                result.nodes_to_show.update(new)
        else:
            result.nodes_to_show.discard(_full_name_of(arg))
        return result

    def __mul__(self, arg: Diagram) -> Diagram:
        """Intersection with another diagram."""
        result = self._copy()
        result.nodes_to_show.intersection_update(arg.nodes_to_show)
        return result

    # ------------------------------------------------------------------ restrictions

    @classmethod
    def cascade(cls, table_expr: QueryExpression, part_integrity: str = "enforce") -> Diagram:
        """The rows a delete of ``table_expr`` would reach: the table and its descendants.

        A descendant's row is included if it references an included row through *any* foreign
        key (OR at convergence), across every schema downstream.

        Parameters
        ----------
        table_expr : table, possibly restricted
            E.g. ``Session & 'subject_id=1'``.
        part_integrity : str
            ``'enforce'`` (default), ``'ignore'``, or ``'cascade'``: a part's restricted rows
            also restrict its master (and so the master's other parts).

        Raises
        ------
        ValueError
            If ``part_integrity`` is not one of the three.
        """
        if part_integrity not in _PART_INTEGRITY:
            raise ValueError(
                f"part_integrity must be 'enforce', 'ignore', or 'cascade', got {part_integrity!r}"
            )
        connection = table_expr._connection
        dependencies_of(connection).load_all_downstream()
        node = _full_name_of(table_expr)
        result = cls._seeded(connection, table_expr, nx.descendants)
        result._propagate_down(node, result._cascade_restrictions, part_integrity)
        restricted = set(result._cascade_restrictions)
        shown = set(result.nodes_to_show) | restricted
        for other in restricted - result.nodes_to_show:
            shown.update(nx.descendants(result, other))
        result.remove_nodes_from(set(result.nodes) - restricted)
        result.nodes_to_show = shown & restricted
        result._expanded_nodes = set(result.nodes_to_show)
        return result

    @classmethod
    def trace(cls, table_expr: QueryExpression) -> Diagram:
        """The rows upstream of ``table_expr``: every ancestor restricted to the rows its
        restricted rows reference, through *any* foreign-key path (OR at convergence).

        ``trace[Session]`` is ``Session`` restricted so (a string, the class name or the full
        table name, gives a table of that name); ``trace.counts()`` the rows per ancestor.

        Examples
        --------
        >>> trace = dj.Diagram.trace(Spectrum & {'recording_id': 5})   # doctest: +SKIP
        >>> trace[Session].fetch1('session_date')                       # doctest: +SKIP
        """
        connection = table_expr._connection
        dependencies_of(connection).load_all_upstream()
        node = _full_name_of(table_expr)
        result = cls._seeded(connection, table_expr, nx.ancestors)
        result._mode = "trace"
        result._propagate_up(node)
        keep = set(result._cascade_restrictions)
        result.remove_nodes_from(set(result.nodes) - keep)
        result.nodes_to_show &= keep
        result._expanded_nodes &= keep
        return result

    @classmethod
    def _seeded(cls, connection: Connection, table_expr: QueryExpression, reach: Any) -> Diagram:
        """A diagram of the whole graph showing the seed and what ``reach`` finds from it."""
        result = cls.__new__(cls)
        nx.MultiDiGraph.__init__(result, dependencies_of(connection))
        result._init_state(connection, {})
        node = _full_name_of(table_expr)
        result.nodes_to_show = set(reach(result, node)) | {node}
        result._expanded_nodes = set(result.nodes_to_show)
        conditions, attrs = seed_restriction(table_expr)
        result._cascade_restrictions[node] = [AndCond(tuple(conditions))] if conditions else []
        result._restriction_attrs[node] = attrs
        return result

    def restrict(self, table_expr: QueryExpression) -> Diagram:
        """A copy in which ``table_expr``'s rows restrict its table and, downstream, every row
        that references them (AND at convergence: a row is kept only if all its restricted
        parents keep it). Chainable; not on a diagram from :meth:`cascade`.
        """
        if self._cascade_restrictions:
            raise FramesError(
                "Cannot apply restrict() on a Diagram produced by "
                "Diagram.cascade() or trace(): the modes are mutually exclusive."
            )
        node = _full_name_of(table_expr)
        if node not in self.nodes:
            raise FramesError(f"Table {node} is not in the diagram.")
        result = self._copy()
        conditions, attrs = seed_restriction(table_expr)
        result._restrict_conditions.setdefault(node, []).extend(conditions)
        result._restriction_attrs.setdefault(node, set()).update(attrs)
        result._propagate_down(node, result._restrict_conditions, "enforce")
        return result

    def _propagate_down(
        self, start: str, restrictions: dict[str, list[Any]], part_integrity: str
    ) -> None:
        """Restrict every descendant of ``start`` through each foreign key from a restricted
        parent, repeating while ``part_integrity='cascade'`` pulls masters in."""
        order = topo_sort(self)
        allowed = {start} | nx.descendants(self, start)
        lifted: set[tuple[str, str]] = set()
        done: set[tuple[str, str, Any]] = set()

        def lift(part: str) -> bool:
            master = extract_master(part)
            if (
                part_integrity != "cascade"
                or master is None
                or master not in self.nodes
                or (part, master) in lifted
            ):
                return False
            lifted.add((part, master))
            if not self._lift_part_to_master(part, master, restrictions):
                return False
            allowed.update({master} | nx.descendants(self, master))
            return True

        lift(start)  # a part seed restricts its master before anything else
        any_new = True
        while any_new:
            any_new = False
            for node in order:
                if node not in restrictions or node not in allowed:
                    continue
                parent = self._restricted_table(node)
                for _, child, key, data in self.out_edges(node, keys=True, data=True):
                    if (node, child, key) in done:
                        continue
                    done.add((node, child, key))
                    any_new |= child not in restrictions
                    self._carry(
                        node,
                        child,
                        data["attr_map"],
                        restrictions,
                        functools.partial(parent_rows, parent, data["attr_map"]),
                    )
                    any_new |= lift(child)

    def _propagate_up(self, start: str) -> None:
        """Restrict every ancestor of ``start`` through each foreign key of a restricted child
        (OR at convergence)."""
        order = topo_sort(self)
        allowed = {start} | nx.ancestors(self, start)
        restrictions = self._cascade_restrictions
        done: set[tuple[str, str, Any]] = set()
        any_new = True
        while any_new:
            any_new = False
            for node in reversed(order):
                if node not in restrictions or node not in allowed:
                    continue
                child = self._restricted_table(node)
                for parent, _, key, data in self.in_edges(node, keys=True, data=True):
                    if (parent, node, key) in done or parent not in allowed:
                        continue
                    done.add((parent, node, key))
                    any_new |= parent not in restrictions
                    self._carry(
                        node,
                        parent,
                        data["attr_map"],
                        restrictions,
                        functools.partial(referenced_rows, child, data["attr_map"]),
                    )

    def _lift_part_to_master(
        self, part: str, master: str, restrictions: dict[str, list[Any]]
    ) -> bool:
        """Restrict ``master`` to the rows its restricted ``part`` rows belong to, along one
        foreign-key path, as literal keys (the part's rows are deleted before the master's)."""
        try:
            path = nx.shortest_path(self, master, part)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return False
        saved = {
            node: list(restrictions[node]) if node in restrictions else None for node in path[1:-1]
        }
        saved_attrs = {node: self._restriction_attrs.get(node) for node in path[1:-1]}
        for parent, child in zip(reversed(path[:-1]), reversed(path[1:]), strict=True):
            attr_map = next(iter(self.get_edge_data(parent, child).values()))["attr_map"]
            # existential: the master joins only through rows of its part, never by a copy
            restrictions.setdefault(parent, []).append(
                referenced_rows(self._restricted_table(child), attr_map)
            )
            self._restriction_attrs.setdefault(parent, set()).update(attr_map.values())
        keys = self._restricted_table(master).proj().keys()
        restrictions[master] = [keys] if keys else [False]
        for node, restriction in saved.items():
            if restriction is None:
                restrictions.pop(node, None)
            else:
                restrictions[node] = restriction
            attrs = saved_attrs[node]
            if attrs is None:
                self._restriction_attrs.pop(node, None)
            else:
                self._restriction_attrs[node] = attrs
        return True

    def _carry(
        self,
        source: str,
        target: str,
        attr_map: dict[str, str],
        restrictions: dict[str, list[Any]],
        rows: Callable[[], Any],
    ) -> None:
        """Restrict ``target`` by ``source``'s restriction across one foreign key
        (``attr_map``: child attribute → parent attribute, either direction).

        The conditions are copied when the key renames nothing and they name only its
        attributes, which lie in ``target``'s primary key; else ``target`` is restricted by the
        key values of ``source``'s restricted ``rows()``.
        """
        source_attrs = self._restriction_attrs.get(source, set())
        target_key = self.nodes[target].get("primary_key", set())
        renamed = any(c != p for c, p in attr_map.items())
        if not renamed and source_attrs and source_attrs <= set(attr_map) <= target_key:
            restrictions.setdefault(target, []).extend(restrictions.get(source, []))
            attrs = set(source_attrs)
        else:
            restrictions.setdefault(target, []).append(rows())
            attrs = set(attr_map.values() if self.has_edge(target, source) else attr_map)
        self._restriction_attrs.setdefault(target, set()).update(attrs)

    def _restricted_table(self, node: str) -> QueryExpression:
        """The table ``node`` under this diagram's restrictions: cascade and trace restrictions
        OR-combined, restrict conditions AND-combined."""
        return self._restrict(_free_table(self._connection, node), node)

    def _restrict(self, table: Any, node: str) -> Any:
        any_of = bool(self._cascade_restrictions)
        items = (self._cascade_restrictions if any_of else self._restrict_conditions).get(node)
        return restricted(table, items, any_of=any_of) if items else table

    def __getitem__(self, key: Any) -> Any:
        """On a :meth:`trace` diagram, the table ``key`` (a class, a table, a class name or a
        full table name) restricted to the traced rows; else networkx's adjacency."""
        if self._mode != "trace":
            return super().__getitem__(key)
        if isinstance(key, str):
            name = key if ("`" in key or '"' in key) else self._node_named(key)
        elif hasattr(key, "full_table_name"):
            name = key.full_table_name
        else:
            raise FramesError(
                f"trace[...] expects a table class, a table or a string, not a {type(key).__name__}"
            )
        if name not in self._cascade_restrictions:
            raise FramesError(
                f"Table {name} is not in this trace's subgraph (not an ancestor of the seed)."
            )
        if isinstance(key, str):
            return self._restricted_table(name)
        return self._restrict(key() if isinstance(key, type) else key, name)

    def _node_named(self, class_name: str) -> str:
        candidates = [n for n in self.nodes if n.lower().rstrip('`"').endswith(class_name.lower())]
        if len(candidates) != 1:
            raise FramesError(
                f"Table {class_name!r} is not in this trace's subgraph (not an ancestor of the "
                "seed)."
                if not candidates
                else f"Ambiguous table reference {class_name!r}: "
                f"matches {', '.join(candidates)}. Use a full table name."
            )
        return candidates[0]

    def counts(self) -> dict[str, int]:
        """Rows per restricted table (full table name → count), without changing data.

        Raises
        ------
        FramesError
            If no restriction was applied (use :meth:`cascade`, :meth:`trace` or
            :meth:`restrict` first).
        """
        restrictions = self._cascade_restrictions or self._restrict_conditions
        if not restrictions:
            raise FramesError(
                "No restrictions applied. Use Diagram.cascade(table_expr), "
                "Diagram.trace(table_expr) or diagram.restrict(table_expr) first."
            )
        result = {}
        for node in self._shown_in_order():
            if node in restrictions:
                result[node] = len(self._restricted_table(node))
                logger.info(f"{node} ({result[node]} tuples)")
        return result

    def prune(self) -> Diagram:
        """A copy without the tables that have no (restricted) rows.

        Raises
        ------
        FramesError
            On a :meth:`cascade` diagram, which must keep every table a delete may reach.
        """
        if self._cascade_restrictions:
            raise FramesError(
                "prune() cannot be used on a Diagram produced by "
                "Diagram.cascade(): it must retain all descendant tables for a "
                "safe deletion."
            )
        result = self._copy()
        if result._restrict_conditions:
            for node in list(result._restrict_conditions):
                if len(result._restricted_table(node)) == 0:
                    del result._restrict_conditions[node]
                    result._restriction_attrs.pop(node, None)
                    result.nodes_to_show.discard(node)
        else:
            for node in list(result.nodes_to_show):
                if len(_free_table(self._connection, node)) == 0:
                    result.nodes_to_show.discard(node)
        return result

    def _shown_in_order(self) -> list[str]:
        return [node for node in topo_sort(self) if node in self.nodes_to_show]

    def __iter__(self) -> Iterator[QueryExpression]:
        """The tables shown, parents first, each under this diagram's restrictions."""
        for node in self._shown_in_order():
            yield self._restricted_table(node)

    def __reversed__(self) -> Iterator[QueryExpression]:
        """The tables shown, children first (the order for deleting)."""
        for node in reversed(self._shown_in_order()):
            yield self._restricted_table(node)

    def topo_sort(self) -> list[str]:
        """The full names of the tables shown, parents first, parts right after their master."""
        return self._shown_in_order()

    # ------------------------------------------------------------------ graphs to draw

    def _make_graph(self) -> nx.MultiDiGraph:
        """The tables shown as a graph whose nodes are named by class (or full table name)."""
        valid = self.nodes_to_show & set(self.nodes)
        for name in valid:
            inherited = {
                attr
                for _, _, data in self.in_edges(name, data=True)
                if data["primary"]
                for attr in data["attr_map"]
            }
            key = self.nodes[name].get("primary_key")
            self.nodes[name]["introduces_dimension"] = key is not None and inherited < key
        graph = nx.MultiDiGraph(nx.MultiDiGraph(self).subgraph(valid))
        nx.set_node_attributes(graph, {n: _tier(n) for n in graph}, name="node_type")
        mapping = {node: lookup_class_name(node, self.context) or node for node in graph}
        if len(set(mapping.values())) < len(mapping):
            raise FramesError("Some classes have identical names. The Diagram cannot be plotted.")
        nx.relabel_nodes(graph, mapping, copy=False)
        return graph

    def _apply_collapse(self, graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, int]]:
        """Replace the collapsed tables of each schema by one node (label → table count).

        An edge between two collapsed nodes is a *bundle* of foreign keys and claims none of
        their per-key properties (``primary``, ``multi``, ``aliased``); an edge with one
        expanded end keeps the properties of the foreign key it stands for.
        """
        valid = self.nodes_to_show & set(self.nodes)
        if (self._expanded_nodes & set(self.nodes)) >= valid:
            return graph, {}
        full_to_class = {node: lookup_class_name(node, self.context) or node for node in valid}
        class_to_full = {v: k for k, v in full_to_class.items()}
        expanded = {full_to_class.get(node, node) for node in self._expanded_nodes & valid}
        to_collapse = set(graph.nodes) - expanded
        by_schema: dict[str, list[str]] = {}
        for name in to_collapse:
            schema = _split_full_name(class_to_full.get(name, name))[0]
            if schema:
                by_schema.setdefault(schema, []).append(name)
        if not by_schema:
            return graph, {}
        labels = self._collapsed_labels(graph, by_schema, class_to_full)
        counts = {labels[schema]: len(names) for schema, names in by_schema.items()}
        mapping = {node: node for node in graph}
        for schema, names in by_schema.items():
            mapping.update({name: labels[schema] for name in names})
        result = nx.MultiDiGraph()
        for old, new in mapping.items():
            if new in counts:
                if new not in result:
                    schema = next(s for s, label in labels.items() if label == new)
                    result.add_node(
                        new,
                        node_type=None,
                        collapsed=True,
                        table_count=counts[new],
                        schema_name=schema,
                    )
            else:
                result.add_node(new, **graph.nodes[old])
        for src, dest, key, data in graph.edges(keys=True, data=True):
            new_src, new_dest = mapping[src], mapping[dest]
            if new_src == new_dest:
                continue
            if new_src in counts or new_dest in counts:
                if not result.has_edge(new_src, new_dest):
                    if new_src in counts and new_dest in counts:
                        data = {
                            k: v
                            for k, v in data.items()
                            if k not in ("primary", "multi", "aliased")
                        }
                        data["bundle"] = True
                    result.add_edge(new_src, new_dest, **data)
            else:
                result.add_edge(new_src, new_dest, key=key, **data)
        return result, counts

    def _collapsed_labels(
        self, graph: nx.MultiDiGraph, by_schema: dict[str, list[str]], class_to_full: dict[str, str]
    ) -> dict[str, str]:
        """Each collapsed schema's label: its module's name if that is unambiguous."""
        module_of: dict[str, str] = {}
        for node in graph:
            schema = _split_full_name(class_to_full.get(node, node))[0]
            module = self._module_of(node)
            if schema and module:
                module_of[schema] = module
        shared = {m for m in module_of.values() if list(module_of.values()).count(m) > 1}
        labels = {}
        for schema, names in by_schema.items():
            modules = {self._module_of(name) for name in names} - {None}
            module = next(iter(modules)) if len(modules) == 1 else None
            labels[schema] = module if module and module not in shared else schema
        return labels

    def _resolve_class(self, name: str) -> type | None:
        """The table class called ``name`` (``'Module.Class'`` dotted) in the context."""
        parts = name.split(".")
        obj = self.context.get(parts[0])
        for part in parts[1:]:
            obj = getattr(obj, part, None) if obj is not None else None
        return obj if isinstance(obj, type) and issubclass(obj, Table) else None

    def _module_of(self, name: str) -> str | None:
        cls = self._resolve_class(name)
        return cls.__module__.split(".")[-1] if cls is not None else None

    def _schema_clusters(self) -> tuple[dict[str, str], dict[str, str]]:
        """(node name → schema, schema → cluster label) for the tables shown."""
        schema_of: dict[str, str] = {}
        modules: dict[str, set[str]] = {}
        for full_name in self.nodes_to_show:
            schema = _split_full_name(full_name)[0]
            if schema:
                name = lookup_class_name(full_name, self.context) or full_name
                schema_of[name] = schema
                module = self._module_of(name)
                modules.setdefault(schema, set()).update({module} if module else set())
        labels = {
            schema: next(iter(mods)) if len(mods) == 1 else schema
            for schema, mods in modules.items()
        }
        return schema_of, labels

    # ------------------------------------------------------------------ rendering

    def _setting(self, name: str) -> str:
        """``display.<name>`` of the diagram's connection's configuration."""
        return self._connection._config["display." + name]

    def make_dot(self, theme: str | None = None) -> Dot:
        """The diagram as a Graphviz graph (pydot's interface: ``get_nodes()``, ``get_edges()``,
        ``to_string()``, ``create_svg()``, ...).

        Parameters
        ----------
        theme : str, optional
            ``'light'`` or ``'dark'``; default ``dj.config['display.diagram_theme']``
            (``'auto'`` draws light).
        """
        graph, _ = self._apply_collapse(self._make_graph())
        schema_of, labels = self._schema_clusters()
        counts = {label: 0 for label in labels.values()}
        for label in labels.values():
            counts[label] += 1
        labels = {
            schema: f"{label} ({schema})" if counts[label] > 1 else label
            for schema, label in labels.items()
        }
        for node, data in graph.nodes(data=True):
            if data.get("collapsed"):
                schema_of[node] = data["schema_name"]
        theme_name = theme or self._setting("diagram_theme")
        colours = _DIAGRAM_THEMES.get(theme_name, _DIAGRAM_THEMES["light"])
        dot = Dot("frames_diagram", rankdir=self._setting("diagram_direction"))
        if colours["bg"]:
            dot.set_bgcolor(colours["bg"])
        part_master = _part_masters(graph)
        nodes = {
            name: self._dot_node(name, data, colours, schema_of, labels, part_master)
            for name, data in graph.nodes(data=True)
        }
        for node in nodes.values():
            dot.add_node(node)
        for src, dest, data in graph.edges(data=True):
            dot.add_edge(_dot_edge(nodes[src], nodes[dest], data, colours))
        self._add_clusters(dot, graph, nodes, schema_of, labels, part_master, colours)
        return dot

    def _dot_node(
        self,
        name: str,
        data: dict[str, Any],
        colours: dict[str, Any],
        schema_of: dict[str, str],
        labels: dict[str, str],
        part_master: dict[str, str],
    ) -> Node:
        tier = "collapsed" if data.get("collapsed") else data["node_type"]
        structure = _TIER_STRUCTURE[tier]
        fill, stroke, text = colours["palette"][tier]
        node = Node(
            f'"{name}"',
            shape=structure["shape"],
            fontsize=structure["fontsize"],
            fontcolor=text,
            fontname="Helvetica",
            fixedsize=False,
            width=structure["size"],
            height=structure["size"],
            margin="0.11,0.06",
        )
        if data.get("collapsed"):
            count = data["table_count"]
            node.set_label(f"({count} tables)" if count != 1 else "(1 table)")
            node.set_tooltip(f"Collapsed schema: {count} tables")
        else:
            cls = self._resolve_class(name)
            if cls is not None:
                node.set_tooltip(_tooltip(cls().describe()))
            display = name
            if name in part_master:
                display = name.rsplit(".", 1)[-1]
            else:
                label = labels.get(schema_of.get(name, ""))
                if label and name.startswith(label + "."):
                    display = name[len(label) + 1 :]
            node.set_label(
                f"<<u>{_html(display)}</u>>" if data.get("introduces_dimension") else display
            )
        node.set_fillcolor(fill)
        node.set_color(stroke)
        node.set_style("rounded,filled" if structure["rounded"] else "filled")
        return node

    @staticmethod
    def _add_clusters(
        dot: Dot,
        graph: nx.MultiDiGraph,
        nodes: dict[str, Node],
        schema_of: dict[str, str],
        labels: dict[str, str],
        part_master: dict[str, str],
        colours: dict[str, Any],
    ) -> None:
        """One dashed cluster per schema; in it, a master and its parts in an entity cluster,
        on one rank unless a part depends on a sibling part."""
        on_sibling = {
            part
            for part, master in part_master.items()
            for pred in graph.predecessors(part)
            if part_master.get(pred) == master
        }
        by_schema: dict[str, list[str]] = {}
        for name in nodes:
            if name in schema_of:
                by_schema.setdefault(schema_of[name], []).append(name)
        frame, label_colour = colours["schema_cluster"]
        for schema, names in by_schema.items():
            cluster = Cluster(
                schema,
                label=labels.get(schema, schema),
                labelloc="t",
                labeljust="r",
                style="rounded,dashed",
                color=frame,
                fontcolor=label_colour,
                fontname="Helvetica",
            )
            grouped: set[str] = set()
            masters: dict[str, list[str]] = {}
            for part, master in part_master.items():
                if part in names and master in names:
                    masters.setdefault(master, []).append(part)
            for master, parts in masters.items():
                entity = Cluster(
                    "entity_" + re.sub(r"\W", "_", master),
                    label="",
                    style="rounded,filled",
                    fillcolor=colours["entity_fill"],
                    color=colours["entity_fill"],
                )
                rank = Subgraph("", rank="same")
                for name in (master, *parts):
                    entity.add_node(nodes[name])
                    grouped.add(name)
                    if name not in on_sibling:
                        rank.add_node(Node(nodes[name].get_name()))
                if len(rank.get_nodes()) > 1:
                    entity.add_subgraph(rank)
                cluster.add_subgraph(entity)
            for name in names:
                if name not in grouped:
                    cluster.add_node(nodes[name])
            dot.add_subgraph(cluster)

    def svg_string(self) -> str:
        """The diagram as SVG text in the configured theme (``'auto'``: light colours plus a
        ``prefers-color-scheme`` style block, so one image follows the viewer's mode)."""
        if self._setting("diagram_theme") != "auto":
            return self.make_dot().create_svg().decode("utf-8")
        svg = self.make_dot(theme="light").create_svg().decode("utf-8")
        insert_at = svg.find(">", svg.find("<svg")) + 1
        return svg[:insert_at] + "\n" + _adaptive_style_block() + svg[insert_at:]

    def make_svg(self) -> SvgImage:
        """The diagram as an SVG image (``.data`` is the text; Jupyter shows it inline)."""
        return SvgImage(self.svg_string())

    def make_png(self) -> io.BytesIO:
        """The diagram as PNG bytes."""
        return io.BytesIO(self.make_dot().create_png())

    def make_image(self) -> Any:
        """The diagram as an image array (height × width × channels), read by matplotlib.

        Raises
        ------
        FramesError
            If matplotlib is not installed.
        """
        try:
            from matplotlib import pyplot as plt
        except ImportError:
            raise FramesError(
                "Diagram.make_image() needs matplotlib: pip install matplotlib; "
                "make_svg() and make_png() do not"
            ) from None
        return plt.imread(self.make_png())

    def make_mermaid(self) -> str:
        """The diagram as a Mermaid flowchart, in the light theme's palette.

        Schemas are subgraphs, a master and its parts an inner ``entity_`` subgraph; every edge
        is ``-->``, with a ``linkStyle`` giving its colour (amber for a renamed foreign key)
        and width (2px one-to-one, 1px one-to-many).
        """
        graph, _ = self._apply_collapse(self._make_graph())
        schema_of, labels = self._schema_clusters()
        theme = _DIAGRAM_THEMES["light"]
        lines = [f"flowchart {self._setting('diagram_direction')}", ""]
        for tier, name in _MERMAID_CLASSES.items():
            fill, stroke, text = theme["palette"][tier]
            lines.append(f"    classDef {name} fill:{fill},stroke:{stroke},color:{text}")
        fill, stroke, text = theme["palette"]["collapsed"]
        lines += [f"    classDef collapsed fill:{fill},stroke:{stroke},color:{text}", ""]
        node_data = dict(graph.nodes(data=True))
        part_master = _part_masters(graph)
        parts_of: dict[str, list[str]] = {}
        for part, master in part_master.items():
            parts_of.setdefault(master, []).append(part)

        def node_line(node: str, indent: str, label: str) -> str:
            data = node_data[node]
            if data.get("collapsed"):
                count = data["table_count"]
                text = f"{count} tables" if count != 1 else "1 table"
                return f'{indent}{_safe(node)}[["({text})"]]:::collapsed'
            tier = data.get("node_type")
            left, right = _MERMAID_SHAPES[tier]
            if node in part_master:
                display = node.rsplit(".", 1)[-1]
            elif node.startswith(label + "."):
                display = node[len(label) + 1 :]
            else:
                display = node
            return f"{indent}{_safe(node)}{left}{display}{right}:::{_MERMAID_CLASSES[tier]}"

        by_schema: dict[str, list[str]] = {}
        for node, data in node_data.items():
            schema = data.get("schema_name") if data.get("collapsed") else schema_of.get(node)
            if schema:
                by_schema.setdefault(schema, []).append(node)
        for schema, names in by_schema.items():
            label = labels.get(schema, schema)
            lines.append(f'    subgraph {_safe(schema)}["{label}"]')
            rendered: set[str] = set()
            for node in names:
                if node in parts_of and node not in rendered:
                    lines.append(f'        subgraph entity_{_safe(node)}[" "]')
                    for member in (node, *parts_of[node]):
                        lines.append(node_line(member, "            ", label))
                        rendered.add(member)
                    lines.append("        end")
            lines += [node_line(node, "        ", label) for node in names if node not in rendered]
            lines.append("    end")
        lines.append("")
        styles = []
        for index, (src, dest, data) in enumerate(graph.edges(data=True)):
            lines.append(f"    {_safe(src)} --> {_safe(dest)}")
            if data.get("bundle"):
                colour, width = theme["edge"], "2px"
            else:
                colour = theme["edge_renamed"] if data.get("aliased") else theme["edge"]
                width = "1px" if data.get("multi") else "2px"
            styles.append(f"    linkStyle {index} stroke:{colour},stroke-width:{width}")
        return "\n".join(lines + styles)

    def _repr_svg_(self) -> str:
        return self.make_svg().data

    def draw(self) -> str | None:
        """Show the diagram: inline in IPython/Jupyter, else return its SVG text."""
        svg = self.make_svg()
        try:
            from IPython import get_ipython
            from IPython.display import SVG, display
        except ImportError:
            return svg.data
        if get_ipython() is None:
            return svg.data
        display(SVG(svg.data))
        return None

    def save(self, filename: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the diagram to a file.

        Parameters
        ----------
        filename : str or path
            The format comes from the extension: ``.svg``, ``.png``, ``.dot``/``.gv`` (DOT
            text) or ``.mmd``/``.mermaid``.
        format : str, optional
            ``'svg'``, ``'png'``, ``'dot'`` or ``'mermaid'``, overriding the extension.

        Raises
        ------
        FramesError
            If the format is unknown, or rendering fails.
        """
        path = Path(filename)
        fmt = (format or _SAVE_FORMATS.get(path.suffix.lower(), "")).lower()
        if fmt == "svg":
            path.write_text(self.svg_string(), encoding="utf-8")
        elif fmt == "png":
            path.write_bytes(self.make_png().getvalue())
        elif fmt == "dot":
            path.write_text(self.make_dot().to_string(), encoding="utf-8")
        elif fmt == "mermaid":
            path.write_text(self.make_mermaid(), encoding="utf-8")
        else:
            what = f"format {format!r}" if format else f"extension {path.suffix!r}"
            raise FramesError(
                f"Diagram.save({str(filename)!r}): unknown {what}. Use one of the extensions "
                f"{', '.join(_SAVE_FORMATS)} or format='svg' | 'png' | 'dot' | 'mermaid'."
            )


# ---------------------------------------------------------------------- sources and tables


def _source_of(source: Any) -> tuple[Connection, str | None, str]:
    """(connection, full table name or None, schema) of a diagram's source."""
    if isinstance(source, type) and issubclass(source, Table):
        source = source()
    if isinstance(source, Table):
        return source._connection, source.full_table_name, source.database
    schema = source if isinstance(source, SchemaBase) else getattr(source, "schema", None)
    if isinstance(schema, SchemaBase):
        connection, database = schema._bound
        return connection, None, database
    what = "a query" if isinstance(source, QueryExpression) else f"a {type(source).__name__}"
    raise FramesError(
        f"Cannot plot Diagram for {what} ({source!r}): pass a schema, a table "
        "class, a table or a module with a schema."
    )


def _full_name_of(table: Any) -> str:
    name = getattr(table, "full_table_name", None)
    if not isinstance(name, str):
        raise FramesError(
            f"expected a table (something with a full_table_name), got {type(table).__name__}"
        )
    return name


def _free_table(connection: Connection, node: str) -> FreeTable:
    """The table stored as ``node``, without a class."""
    return FreeTable(connection, node)


def lookup_class_name(name: str, context: dict[str, Any], depth: int = 3) -> str | None:
    """The dotted name in ``context`` of the table class stored as ``name``, else ``None``.

    Classes, their part classes and, ``depth`` levels deep, the members of modules in the
    context are searched breadth first (``'Session'``, ``'Session.Trial'``, ``'lab.Session'``).
    """
    schema, table = _split_full_name(name)
    wanted = TableRef(schema or "", table)
    queue: list[tuple[dict[str, Any], str, int]] = [(context, "", depth)]
    while queue:
        namespace, prefix, level = queue.pop(0)
        for member_name, member in list(namespace.items()):
            if member_name.startswith("_"):
                continue
            if isinstance(member, type) and issubclass(member, Table):
                for path, cls in _with_parts(member_name, member):
                    if _stored_ref(cls) == wanted:
                        return f"{prefix}.{path}".lstrip(".")
            elif (
                level > 0
                and inspect.ismodule(member)
                and member.__name__ not in ("frames", "datajoint")
            ):
                queue.append((vars(member), f"{prefix}.{member_name}", level - 1))
    return None


def _with_parts(member_name: str, cls: type) -> list[tuple[str, type]]:
    found = [(member_name, cls)]
    for attr, part in vars(cls).items():
        if attr[:1].isupper() and isinstance(part, type) and issubclass(part, Table):
            found.append((f"{member_name}.{attr}", part))
    return found


def _stored_ref(cls: type) -> TableRef | None:
    spec = cls.__dict__.get("_spec")
    return spec.ref if spec is not None else None


# ---------------------------------------------------------------------- drawing helpers


def _tier(node: str) -> str | None:
    schema, table = _split_full_name(node)
    return tier_of(table) if schema and table else None


def _part_masters(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Part node → master node, for the parts whose master is drawn too."""
    result = {}
    for name, data in graph.nodes(data=True):
        if data.get("node_type") != "part":
            continue
        for candidate in (
            name.rsplit(".", 1)[0] if "." in name else None,
            name.rsplit("__", 1)[0] + name[-1] if "__" in name else None,
        ):
            if candidate is not None and candidate in graph:
                result[name] = candidate
                break
    return result


def _dot_edge(src: Node, dest: Node, data: dict[str, Any], colours: dict[str, Any]) -> Edge:
    if data.get("bundle"):
        return Edge(
            src.get_name(),
            dest.get_name(),
            color=colours["edge"] + colours["edge_alpha"],
            style="solid",
            penwidth=2,
            weight=3,
            arrowhead="none",
        )
    base = colours["edge_renamed"] if data.get("aliased") else colours["edge"]
    edge = Edge(
        src.get_name(),
        dest.get_name(),
        color=base + colours["edge_alpha"],
        style="solid" if data.get("primary") else "dashed",
        penwidth=0.75 if data.get("multi") else 2,
        weight=1 if data.get("multi") else 3,
        arrowhead="none",
    )
    renames = "; ".join(
        f"{child} ← {parent}"
        for child, parent in data.get("attr_map", {}).items()
        if child != parent
    )
    if data.get("aliased") and renames:
        edge.set_tooltip(renames)
    return edge


def _tooltip(definition: str) -> str:
    lines = []
    for line in filter(None, (line.strip() for line in definition.split("\n"))):
        if line.startswith("#"):
            continue
        if line.startswith("---"):
            lines.append("-" * 30)
        elif "->" in line:
            lines.append(line.replace("->", "&#8594;"))
        else:
            lines.append(line.split(":")[0])
    return "&#13;".join(lines)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe(name: str) -> str:
    return re.sub(r"[^\w]", "_", name)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_QUOTED_PART = re.compile(r'"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([^."`]+)')


def _split_full_name(node: str) -> tuple[str | None, str]:
    """``'"lab"."#grade"'`` or ``'`lab`.`#grade`'`` → ``('lab', '#grade')``."""
    parts = []
    for match in _QUOTED_PART.finditer(node):
        dq, bq, bare = match.groups()
        parts.append(
            dq.replace('""', '"')
            if dq is not None
            else bq.replace("``", "`")
            if bq is not None
            else bare
        )
    if len(parts) < 2:
        return None, parts[0] if parts else node
    return parts[-2], parts[-1]
