"""A small Graphviz graph model with pydot's interface, rendered by a ``dot`` program.

:meth:`frames.Diagram.make_dot` returns a :class:`Dot`, as DataJoint's returns a ``pydot.Dot``:
nodes, edges and (cluster) subgraphs whose attributes are read and written with pydot's
accessors — ``get(name)``/``set(name, value)`` and ``get_<name>()``/``set_<name>(value)`` for
any Graphviz attribute — plus ``to_string()`` (DOT text) and ``create_svg()``/``create_png()``
(through :func:`frames.api.render.render`, which needs no system Graphviz).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frames.api.render import render

__all__ = ["Cluster", "Dot", "Edge", "Node", "Subgraph"]


class _Attributed:
    """Graphviz attributes with pydot's accessors."""

    def __init__(self, **attrs: Any) -> None:
        self._attrs: dict[str, Any] = dict(attrs)

    def get(self, name: str) -> Any:
        """The attribute ``name`` as set, or ``None``."""
        return self._attrs.get(name)

    def set(self, name: str, value: Any) -> None:
        """Set the attribute ``name``."""
        self._attrs[name] = value

    def get_attributes(self) -> dict[str, Any]:
        """All attributes set (the live mapping)."""
        return self._attrs

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("get_") and len(name) > 4:
            return lambda: self._attrs.get(name[4:])
        if name.startswith("set_") and len(name) > 4:
            return lambda value: self.set(name[4:], value)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _attr_text(self) -> str:
        return ", ".join(
            f"{key}={_value(value)}" for key, value in self._attrs.items() if value is not None
        )


class Node(_Attributed):
    """A node called ``name`` (kept as given: DataJoint's names come wrapped in quotes)."""

    def __init__(self, name: str, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._name = name

    def get_name(self) -> str:
        """The node's name as given."""
        return self._name

    def to_string(self) -> str:
        """The node's DOT statement."""
        attrs = self._attr_text()
        return f"{_id(self._name)} [{attrs}];" if attrs else f"{_id(self._name)};"


class Edge(_Attributed):
    """An edge from the node named ``source`` to the node named ``destination``."""

    def __init__(self, source: str, destination: str, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._source = source
        self._destination = destination

    def get_source(self) -> str:
        """The name of the edge's tail node."""
        return self._source

    def get_destination(self) -> str:
        """The name of the edge's head node."""
        return self._destination

    def to_string(self) -> str:
        """The edge's DOT statement."""
        attrs = self._attr_text()
        text = f"{_id(self._source)} -> {_id(self._destination)}"
        return f"{text} [{attrs}];" if attrs else f"{text};"


class Subgraph(_Attributed):
    """A subgraph: nodes, edges and nested subgraphs with graph attributes."""

    def __init__(self, graph_name: str = "", **attrs: Any) -> None:
        super().__init__(**attrs)
        self._name = graph_name
        self._nodes: list[Node] = []
        self._edges: list[Edge] = []
        self._subgraphs: list[Subgraph] = []

    def get_name(self) -> str:
        """The graph's name."""
        return self._name

    def add_node(self, node: Node) -> None:
        """Add ``node`` (a node may belong to the graph and to one of its subgraphs)."""
        self._nodes.append(node)

    def add_edge(self, edge: Edge) -> None:
        """Add ``edge``."""
        self._edges.append(edge)

    def add_subgraph(self, subgraph: Subgraph) -> None:
        """Nest ``subgraph``."""
        self._subgraphs.append(subgraph)

    def get_nodes(self) -> list[Node]:
        """The nodes added to this graph itself (not those only in its subgraphs)."""
        return list(self._nodes)

    def get_node(self, name: str) -> list[Node]:
        """The nodes of this graph called ``name`` (pydot returns a list)."""
        return [node for node in self._nodes if node.get_name() == name]

    def get_edges(self) -> list[Edge]:
        """The edges added to this graph itself."""
        return list(self._edges)

    def get_subgraphs(self) -> list[Subgraph]:
        """The subgraphs nested directly in this graph."""
        return list(self._subgraphs)

    def _body(self, emitted: set[int], indent: str) -> list[str]:
        """Statements of the subgraphs first (so that a node is drawn in its cluster), then of
        the nodes not yet emitted, then of the edges."""
        lines = [
            f"{indent}{key}={_value(value)};"
            for key, value in self._attrs.items()
            if value is not None
        ]
        for subgraph in self._subgraphs:
            lines.append(f"{indent}subgraph {_id(subgraph.get_name())} {{")
            lines.extend(subgraph._body(emitted, indent + "    "))
            lines.append(f"{indent}}}")
        for node in self._nodes:
            if id(node) not in emitted:
                emitted.add(id(node))
                lines.append(indent + node.to_string())
        lines.extend(indent + edge.to_string() for edge in self._edges)
        return lines

    def to_string(self) -> str:
        """The subgraph as DOT text."""
        body = "\n".join(self._body(set(), "    "))
        return f"subgraph {_id(self._name)} {{\n{body}\n}}\n"


class Cluster(Subgraph):
    """A cluster subgraph (drawn boxed): its name is ``'cluster_' + graph_name``, as in pydot."""

    def __init__(self, graph_name: str = "subG", **attrs: Any) -> None:
        super().__init__(f"cluster_{graph_name}", **attrs)


class Dot(Subgraph):
    """A directed graph that renders itself with a ``dot`` program (DataJoint's ``pydot.Dot``)."""

    def __init__(self, graph_name: str = "G", **attrs: Any) -> None:
        super().__init__(graph_name, **attrs)

    def to_string(self) -> str:
        """The graph as DOT text."""
        body = "\n".join(self._body(set(), "    "))
        return f"digraph {_id(self._name)} {{\n{body}\n}}\n"

    def create(self, format: str = "svg") -> bytes:
        """The graph rendered in ``format`` (``'svg'``, ``'png'``, ...; ``'dot'``: laid out)."""
        return render(self.to_string(), format)

    def create_svg(self) -> bytes:
        """The graph rendered as SVG bytes."""
        return self.create("svg")

    def create_png(self) -> bytes:
        """The graph rendered as PNG bytes."""
        return self.create("png")

    def write(self, path: str | os.PathLike[str], format: str = "raw") -> None:
        """Write the DOT text (``format='raw'``) or a rendering in ``format`` to ``path``."""
        data = self.to_string().encode("utf-8") if format == "raw" else self.create(format)
        Path(path).write_bytes(data)


def _id(name: str) -> str:
    """A DOT identifier for ``name``; one layer of enclosing double quotes is taken as quoting."""
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        name = name[1:-1]
    return _quote(name)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _value(value: Any) -> str:
    """An attribute value: HTML labels (``<...>``) as they are, everything else quoted."""
    if isinstance(value, str) and len(value) >= 2 and value.startswith("<") and value.endswith(">"):
        return value
    if isinstance(value, bool):
        return _quote(str(value).lower())
    return _quote(str(value))
