"""The import graph of frames: no cycles, and the layers below ``api`` do not import it.

Every import counts, also one inside a function (which would hide a cycle rather than remove
it); only imports under ``if TYPE_CHECKING:`` are left out, as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "frames"

# frames.pandas has a cycle of its own, which is being untangled separately.
UNCHECKED = "frames.pandas"

BELOW_API = ("plan", "sql", "io", "backends", "declare", "codecs", "objectstore")


def _module_names() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:``."""
    return {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }


def _imported(node: ast.AST, modules: dict[str, Path]) -> list[str]:
    """The frames modules an import statement loads (``from a import b``: ``a.b`` if it is a
    module, else ``a``)."""
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        submodules = [f"{node.module}.{a.name}" for a in node.names]
        found = [name for name in submodules if name in modules]
        return found if len(found) == len(node.names) else [node.module, *found]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def _import_graph() -> nx.DiGraph:
    modules = _module_names()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            for target in _imported(node, modules):
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_frames_has_no_import_cycle() -> None:
    graph = _import_graph()
    checked = graph.subgraph(n for n in graph if not n.startswith(UNCHECKED))
    cycles = [sorted(c) for c in nx.strongly_connected_components(checked) if len(c) > 1]
    examples = [" -> ".join(next(iter(nx.simple_cycles(checked.subgraph(c))))) for c in cycles]
    assert not cycles, f"import cycles in frames: {'; '.join(examples)}"


def test_layers_below_api_do_not_import_it() -> None:
    graph = _import_graph()
    below = [f"frames.{layer}" for layer in BELOW_API]
    upward = sorted(
        f"{module} -> {target}"
        for module, target in graph.edges
        if module.startswith(tuple(below)) and target.startswith("frames.api")
    )
    assert not upward, f"modules below frames.api import it: {', '.join(upward)}"
