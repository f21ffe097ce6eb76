"""Schema diagrams: DataJoint's ``Diagram`` over a dependency graph.

A :class:`Diagram` is an immutable selection of tables (nodes) from a dependency graph, with
DataJoint's arithmetic for growing and shrinking the selection, and renderers for Graphviz DOT,
SVG/PNG (through a ``dot`` program) and Mermaid.

The graph comes from the schema layer: any object with a ``_dependency_graph()`` method returning
a :class:`networkx.DiGraph` whose nodes are stored full table names (opaque strings) carrying the
attributes ``label`` (class name, ``'Session.Trial'`` for a part), ``tier`` (``'manual'``,
``'lookup'``, ``'imported'``, ``'computed'`` or ``'part'``) and ``schema``, and whose edges run
parent → child with the attributes ``primary`` (the foreign key is in the child's primary key)
and ``renamed`` (the foreign key renames attributes). An optional boolean edge attribute ``multi``
(the child has key attributes beyond the foreign key's, i.e. one-to-many) thins the line as in
DataJoint.

SVG and PNG need a ``dot`` program: Graphviz's ``dot`` on ``PATH`` if there is one, else the
``graphviz-pure`` executable (a self-contained port of ``dot``, installed with frames).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from frames.declare.naming import class_name_of, master_of, tier_of
from frames.errors import FramesError

__all__ = ["Diagram", "find_dot_program"]

#: Seconds a ``dot`` program may run before rendering is abandoned.
RENDER_TIMEOUT = 60.0

_FONT = "Helvetica"

# DataJoint's classic look (scaled by its 1.2 factor): per tier, Graphviz node attributes.
_NODE_STYLE: dict[str | None, dict[str, str]] = {
    "manual": {
        "shape": "box",
        "style": "filled",
        "color": "#00FF0030",
        "fillcolor": "#00FF0030",
        "fontcolor": "darkgreen",
        "fontsize": "12",
    },
    "lookup": {
        "shape": "plaintext",
        "style": "filled",
        "color": "#00000020",
        "fillcolor": "#00000020",
        "fontcolor": "black",
        "fontsize": "10",
    },
    "imported": {
        "shape": "ellipse",
        "style": "filled",
        "color": "#00007F40",
        "fillcolor": "#00007F40",
        "fontcolor": "#00007FA0",
        "fontsize": "12",
    },
    "computed": {
        "shape": "ellipse",
        "style": "filled",
        "color": "#FF000020",
        "fillcolor": "#FF000020",
        "fontcolor": "#7F0000A0",
        "fontsize": "12",
    },
    "part": {
        "shape": "plaintext",
        "style": "solid",
        "color": "#00000000",
        "fontcolor": "black",
        "fontsize": "10",
        "height": "0.12",
    },
    None: {  # a table whose tier is unknown
        "shape": "circle",
        "style": "filled",
        "color": "#FFFF0040",
        "fillcolor": "#FFFF0040",
        "fontcolor": "#7F7F00",
        "fontsize": "10",
    },
}

_EDGE_COLOR = "#00000040"
_RENAMED_EDGE_COLOR = "#FF8800"

_MERMAID_CLASSES = {
    "manual": "fill:#90EE90,stroke:#006400",
    "lookup": "fill:#D3D3D3,stroke:#696969",
    "imported": "fill:#ADD8E6,stroke:#00008B",
    "computed": "fill:#FFB6C1,stroke:#8B0000",
    "part": "fill:#FFFFFF,stroke:#000000",
}
_MERMAID_SHAPES = {"imported": ("([", "])"), "computed": ("([", "])")}  # others: box
_MERMAID_PLAIN_TEXT = re.compile(r"^[A-Za-z0-9_. ]+$")

_SAVE_FORMATS = {
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}


class Diagram:
    """A schema diagram: a selection of tables and the dependencies among them.

    Parameters
    ----------
    source : Schema, table class, table, Diagram or networkx.DiGraph
        Anything with a ``_dependency_graph()`` method. A table (one with a ``full_table_name``
        in the graph) gives the diagram of that table alone; a schema (one with a ``database``
        or ``schema_name``) gives all of its tables; any other source gives every table in its
        graph. A ``Diagram`` is copied; a bare ``networkx.DiGraph`` is shown whole.

    Notes
    -----
    Diagrams are immutable; the operators return new diagrams:

    - ``d + n`` adds ``n`` generations of children (downstream), ``d - n`` of parents.
    - ``d1 + d2`` is the union, ``d1 - d2`` the difference, ``d1 * d2`` the intersection.
    - ``d + 1 - 1`` may differ from ``d - 1 + 1``.

    Tables are drawn in DataJoint's style: Manual green boxes, Lookup gray plain boxes,
    Imported blue ellipses, Computed red ellipses, Part plain text; solid lines for
    dependencies in the child's primary key, dashed for secondary ones, orange for foreign keys
    that rename attributes. Tables of another schema than the diagram's main one are labelled
    ``schema.Class``.

    Examples
    --------
    >>> dj.Diagram(schema)                      # doctest: +SKIP
    >>> dj.Diagram(Session) + 1 - 1             # doctest: +SKIP
    >>> print(dj.Diagram(schema).make_mermaid())  # doctest: +SKIP
    flowchart TD
        ...
        Researcher -.-> Session
        Subject --> Session
    """

    def __init__(self, source: Any) -> None:
        if isinstance(source, Diagram):
            self._graph: nx.DiGraph = source._graph
            self._shown: frozenset[str] = source._shown
            self._main_schema: str | None = source._main_schema
            return
        graph = _graph_of(source)
        self._graph = nx.DiGraph(graph)  # a snapshot: later declarations don't leak in
        shown, main_schema = _selection_of(source, self._graph)
        self._shown = frozenset(shown)
        self._main_schema = main_schema if main_schema is not None else self._common_schema()

    @classmethod
    def from_sequence(cls, sources: Iterable[Any]) -> Diagram:
        """The union of the diagrams of several sources.

        Parameters
        ----------
        sources : iterable
            Schemas, tables or diagrams; at least one.

        Returns
        -------
        Diagram
            ``Diagram(s1) + Diagram(s2) + ...``.
        """
        diagrams = [cls(source) for source in sources]
        if not diagrams:
            raise FramesError("Diagram.from_sequence(): needs at least one schema or table")
        result = diagrams[0]
        for diagram in diagrams[1:]:
            result = result + diagram
        return result

    # ------------------------------------------------------------------ selection

    @property
    def nodes(self) -> list[str]:
        """The stored full names of the tables shown, parents before children."""
        return self._ordered()

    @property
    def edges(self) -> list[tuple[str, str]]:
        """The dependencies among the tables shown, as ``(parent, child)`` pairs."""
        order = {node: i for i, node in enumerate(self._ordered())}
        pairs = [(u, v) for u, v in self._graph.edges if u in self._shown and v in self._shown]
        return sorted(pairs, key=lambda pair: (order[pair[1]], order[pair[0]]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._ordered())

    def __len__(self) -> int:
        return len(self._shown)

    def __contains__(self, item: object) -> bool:
        name = getattr(item, "full_table_name", item)
        return isinstance(name, str) and name in self._shown

    def __repr__(self) -> str:
        labels = ", ".join(self._display_names()[node] for node in self._ordered())
        return f"Diagram({len(self)} tables: {labels})" if labels else "Diagram(empty)"

    def add_parts(self) -> Diagram:
        """Add the part tables of every master shown.

        Returns
        -------
        Diagram
            A new diagram with the parts included.
        """
        parts = set()
        for master in self._shown:
            prefix = f"{self._label(master)}."
            for child in self._graph.successors(master):
                if self._tier(child) == "part" and self._label(child).startswith(prefix):
                    parts.add(child)
        return self._with(self._shown | parts)

    def __add__(self, other: Any) -> Diagram:
        """Union with another diagram or table, or ``n`` generations of children."""
        if _is_count(other):
            return self._expand(other, downstream=True) if other >= 0 else self - (-other)
        diagram = _as_diagram(other)
        if diagram is None:
            return NotImplemented
        graph = nx.compose(self._graph, diagram._graph)
        return self._with(self._shown | diagram._shown, graph=graph)

    def __sub__(self, other: Any) -> Diagram:
        """Difference with another diagram or table, or ``n`` generations of parents."""
        if _is_count(other):
            return self._expand(other, downstream=False) if other >= 0 else self + (-other)
        diagram = _as_diagram(other)
        if diagram is None:
            return NotImplemented
        return self._with(self._shown - diagram._shown)

    def __mul__(self, other: Any) -> Diagram:
        """Intersection with another diagram or table."""
        diagram = _as_diagram(other)
        if diagram is None:
            return NotImplemented
        return self._with(self._shown & diagram._shown)

    # ------------------------------------------------------------------ rendering

    def make_dot(self) -> str:
        """The diagram as Graphviz DOT source.

        Returns
        -------
        str
            A ``digraph`` laid out top to bottom, styled as DataJoint draws schemas.
        """
        names = self._display_names()
        lines = [
            "digraph frames_diagram {",
            "    graph [rankdir=TB, nodesep=0.3, ranksep=0.4];",
            f'    node [fontname={_quote(_FONT)}, margin="0.11,0.06"];',
            f"    edge [arrowhead=none, color={_quote(_EDGE_COLOR)}];",
        ]
        for node in self._ordered():
            attrs = dict(_NODE_STYLE.get(self._tier(node), _NODE_STYLE[None]))
            attrs["label"] = names[node]
            attrs["tooltip"] = node
            lines.append(f"    {_quote(names[node])} [{_attr_list(attrs)}];")
        for parent, child in self.edges:
            data = self._graph.edges[parent, child]
            attrs = {"style": "solid" if data.get("primary") else "dashed"}
            if data.get("renamed"):
                attrs["color"] = _RENAMED_EDGE_COLOR
            if "multi" in data:
                attrs["penwidth"] = "0.75" if data["multi"] else "2"
            if self._tier(child) == "part" and self._label(child).startswith(
                f"{self._label(parent)}."
            ):
                attrs["weight"] = "3"  # keep a part close under its master
            lines.append(
                f"    {_quote(names[parent])} -> {_quote(names[child])} [{_attr_list(attrs)}];"
            )
        lines.append("}")
        return "\n".join(lines) + "\n"

    def make_svg(self) -> str:
        """The diagram rendered as SVG.

        Returns
        -------
        str
            The SVG document.

        Raises
        ------
        FramesError
            If no ``dot`` program is found, or it fails or times out.
        """
        return _render(self.make_dot(), "svg").decode("utf-8")

    def make_png(self) -> bytes:
        """The diagram rendered as PNG bytes (if the ``dot`` program supports PNG)."""
        return _render(self.make_dot(), "png")

    def make_mermaid(self) -> str:
        """The diagram as a Mermaid flowchart.

        Returns
        -------
        str
            ``flowchart TD`` text: node declarations with tier classes, then ``Parent --> Child``
            for primary dependencies and ``Parent -.-> Child`` for secondary ones; renamed
            foreign keys are coloured orange with ``linkStyle``.
        """
        names = self._display_names()
        ids = _mermaid_ids([names[node] for node in self._ordered()])
        node_id = dict(zip(self._ordered(), ids, strict=True))
        lines = ["flowchart TD"]
        for node in self._ordered():
            tier = self._tier(node)
            left, right = _MERMAID_SHAPES.get(tier or "", ("[", "]"))
            text = names[node]
            if not _MERMAID_PLAIN_TEXT.match(text):
                text = '"' + text.replace('"', "#quot;") + '"'
            suffix = f":::{tier}" if tier in _MERMAID_CLASSES else ""
            lines.append(f"    {node_id[node]}{left}{text}{right}{suffix}")
        link_styles = []
        for index, (parent, child) in enumerate(self.edges):
            data = self._graph.edges[parent, child]
            arrow = "-->" if data.get("primary") else "-.->"
            lines.append(f"    {node_id[parent]} {arrow} {node_id[child]}")
            if data.get("renamed"):
                link_styles.append(f"    linkStyle {index} stroke:{_RENAMED_EDGE_COLOR}")
        lines.extend(link_styles)
        lines.extend(f"    classDef {tier} {style}" for tier, style in _MERMAID_CLASSES.items())
        return "\n".join(lines) + "\n"

    def _repr_svg_(self) -> str:
        return self.make_svg()

    def draw(self) -> str | None:
        """Show the diagram: displayed inline in IPython/Jupyter, else returned as SVG.

        Returns
        -------
        str or None
            The SVG text outside IPython; ``None`` after displaying it inside.
        """
        svg = self.make_svg()
        try:
            from IPython import get_ipython
            from IPython.display import SVG, display
        except ImportError:
            return svg
        if get_ipython() is None:
            return svg
        display(SVG(svg))
        return None

    def save(self, filename: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the diagram to a file.

        Parameters
        ----------
        filename : str or path
            Where to write. The format comes from the extension: ``.svg``, ``.png`` (if the
            ``dot`` program supports it), ``.dot``/``.gv`` (DOT source) or ``.mmd``/``.mermaid``.
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
            path.write_text(self.make_svg(), encoding="utf-8")
        elif fmt == "png":
            path.write_bytes(self.make_png())
        elif fmt == "dot":
            path.write_text(self.make_dot(), encoding="utf-8")
        elif fmt == "mermaid":
            path.write_text(self.make_mermaid(), encoding="utf-8")
        else:
            what = f"format {format!r}" if format else f"extension {path.suffix!r}"
            raise FramesError(
                f"Diagram.save({str(filename)!r}): unknown {what}. Use one of the extensions "
                f"{', '.join(_SAVE_FORMATS)} or format='svg' | 'png' | 'dot' | 'mermaid'."
            )

    # ------------------------------------------------------------------ internals

    def _with(self, shown: Iterable[str], graph: nx.DiGraph | None = None) -> Diagram:
        result = Diagram(self)
        if graph is not None:
            result._graph = graph
        result._shown = frozenset(shown)
        return result

    def _expand(self, generations: int, *, downstream: bool) -> Diagram:
        shown = set(self._shown)
        neighbours = self._graph.successors if downstream else self._graph.predecessors
        for _ in range(generations):
            new = {n for node in shown for n in neighbours(node)} - shown
            if not new:
                break
            shown |= new
        return self._with(shown)

    def _ordered(self) -> list[str]:
        sub = self._graph.subgraph(self._shown)
        try:
            return list(nx.lexicographical_topological_sort(sub, key=self._sort_key))
        except nx.NetworkXUnfeasible:  # a cycle: cannot happen with foreign keys, but be safe
            return sorted(self._shown, key=self._sort_key)

    def _sort_key(self, node: str) -> str:
        return f"{self._schema(node) or ''}\x00{self._label(node)}\x00{node}"

    def _label(self, node: str) -> str:
        label = self._graph.nodes[node].get("label")
        if label:
            return str(label)
        bare = _split_full_name(node)[1]
        master = master_of(bare)
        own = class_name_of(bare)
        return f"{class_name_of(master)}.{own}" if master else own

    def _tier(self, node: str) -> str | None:
        tier = self._graph.nodes[node].get("tier")
        if tier:
            return str(tier).lower()
        bare = _split_full_name(node)[1]
        return tier_of(bare) if bare else None

    def _schema(self, node: str) -> str | None:
        schema = self._graph.nodes[node].get("schema")
        return str(schema) if schema else _split_full_name(node)[0]

    def _common_schema(self) -> str | None:
        counts = Counter(self._schema(node) for node in self._shown)
        counts.pop(None, None)
        if not counts:
            return None
        return min(counts, key=lambda schema: (-counts[schema], schema))

    def _display_names(self) -> dict[str, str]:
        names = {}
        for node in self._shown:
            schema = self._schema(node)
            label = self._label(node)
            foreign = schema and self._main_schema and schema != self._main_schema
            names[node] = f"{schema}.{label}" if foreign else label
        clashes = {name for name, n in Counter(names.values()).items() if n > 1}
        return {node: node if name in clashes else name for node, name in names.items()}


# ---------------------------------------------------------------------- sources


def _graph_of(source: Any) -> nx.DiGraph:
    if isinstance(source, nx.DiGraph):
        return source
    method = getattr(source, "_dependency_graph", None)
    if method is None:
        raise FramesError(
            f"Diagram({source!r}): cannot draw a {type(source).__name__}; pass a Schema, a "
            "table class, a table or a Diagram."
        )
    graph = method()
    if not isinstance(graph, nx.DiGraph):
        raise FramesError(
            f"Diagram({source!r}): _dependency_graph() returned a {type(graph).__name__}, "
            "not a networkx.DiGraph."
        )
    return graph


def _selection_of(source: Any, graph: nx.DiGraph) -> tuple[set[str], str | None]:
    """The tables a source stands for, and its schema."""
    if isinstance(source, nx.DiGraph):
        return set(graph.nodes), None
    table = getattr(source, "full_table_name", None)
    if isinstance(table, str):
        if table not in graph:
            raise FramesError(
                f"Diagram({source!r}): table {table} is not in its dependency graph; is it "
                "declared in its schema?"
            )
        schema = graph.nodes[table].get("schema") or _split_full_name(table)[0]
        return {table}, schema
    for attribute in ("database", "schema_name"):
        schema = getattr(source, attribute, None)
        if isinstance(schema, str):
            shown = {
                node
                for node, data in graph.nodes(data=True)
                if (data.get("schema") or _split_full_name(node)[0]) == schema
            }
            return shown, schema
    return set(graph.nodes), None


def _as_diagram(other: Any) -> Diagram | None:
    if isinstance(other, Diagram):
        return other
    if isinstance(other, nx.DiGraph) or hasattr(other, "_dependency_graph"):
        return Diagram(other)
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_QUOTED_PART = re.compile(r'"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([^."`]+)')


def _split_full_name(node: str) -> tuple[str | None, str]:
    """``'"lab"."#grade"'`` or ``'`lab`.`#grade`'`` → ``('lab', '#grade')`` (best effort)."""
    parts = []
    for match in _QUOTED_PART.finditer(node):
        dq, bq, bare = match.groups()
        if dq is not None:
            parts.append(dq.replace('""', '"'))
        elif bq is not None:
            parts.append(bq.replace("``", "`"))
        else:
            parts.append(bare)
    if not parts:
        return None, node
    if len(parts) == 1:
        return None, parts[0]
    return parts[-2], parts[-1]


# ---------------------------------------------------------------------- DOT and Mermaid text


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attr_list(attrs: dict[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in attrs.items())


def _mermaid_ids(names: list[str]) -> list[str]:
    ids: list[str] = []
    used: set[str] = set()
    for name in names:
        base = re.sub(r"\W", "_", name) or "table"
        if base[0].isdigit() or base.lower() == "end":
            base = f"t_{base}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids.append(candidate)
    return ids


# ---------------------------------------------------------------------- rendering with dot


def _script_dirs() -> list[Path]:
    """Directories where pip puts the ``graphviz-pure`` executable for this interpreter."""
    dirs = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts:
        dirs.append(Path(scripts))
    return dirs


def find_dot_program() -> str:
    """The ``dot`` program used to render diagrams.

    Graphviz's ``dot`` on ``PATH`` if present, else ``graphviz-pure`` next to the running Python
    (where ``pip install graphviz-pure`` puts it) or on ``PATH``.

    Returns
    -------
    str
        The path of the executable.

    Raises
    ------
    FramesError
        If neither program is found, saying how to install one.
    """
    system_dot = shutil.which("dot")
    if system_dot:
        return system_dot
    executable = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for directory in _script_dirs():
        candidate = directory / executable
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which("graphviz-pure")
    if on_path:
        return on_path
    raise FramesError(
        "Diagram rendering needs a Graphviz 'dot' program and none was found: no 'dot' on PATH "
        f"and no 'graphviz-pure' next to {sys.executable} or on PATH. Install one with "
        "'pip install graphviz-pure' (a self-contained port of dot, no system libraries), or "
        "install Graphviz ('apt install graphviz', 'brew install graphviz', 'conda install "
        "graphviz'). make_dot() and make_mermaid() need neither."
    )


def _render(dot_source: str, fmt: str) -> bytes:
    program = find_dot_program()
    command = [program, f"-T{fmt}"]
    try:
        completed = subprocess.run(
            command,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise FramesError(
            f"Diagram rendering: '{' '.join(command)}' did not finish within "
            f"{RENDER_TIMEOUT:g} s; try a smaller diagram, or save(... '.dot') and render it "
            "yourself."
        ) from exc
    except OSError as exc:
        raise FramesError(f"Diagram rendering: could not run {program}: {exc}") from exc
    if completed.returncode != 0 or not completed.stdout:
        stderr = completed.stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise FramesError(
            f"Diagram rendering: '{' '.join(command)}' failed with exit code "
            f"{completed.returncode} producing {fmt}: {stderr}"
        )
    return completed.stdout
