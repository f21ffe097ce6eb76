"""Diagram: selection arithmetic, DOT/Mermaid text and rendering with a dot program."""

from __future__ import annotations

import re
import shutil
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from frames.api import diagram as diagram_module
from frames.api.diagram import Diagram, find_dot_program
from frames.errors import FramesError

RESEARCHER = '"lab"."researcher"'
SUBJECT = '"lab"."subject"'
SESSION = '"lab"."session"'
RECORDING = '"lab"."recording"'
TRIAL = '"lab"."session__trial"'
QUALITY = '"lab"."#quality"'
ACTIVITY = '"lab"."__activity"'
SCAN = '"imaging"."_scan"'


def _add(graph: nx.DiGraph, node: str, label: str, tier: str, schema: str = "lab") -> None:
    graph.add_node(node, label=label, tier=tier, schema=schema)


def tutorial_graph() -> nx.DiGraph:
    """The tutorial's schema: Researcher ⇢ Session ← Subject, Session → Recording."""
    graph = nx.DiGraph()
    _add(graph, RESEARCHER, "Researcher", "manual")
    _add(graph, SUBJECT, "Subject", "manual")
    _add(graph, SESSION, "Session", "manual")
    _add(graph, RECORDING, "Recording", "manual")
    graph.add_edge(RESEARCHER, SESSION, primary=False, renamed=False)
    graph.add_edge(SUBJECT, SESSION, primary=True, renamed=False)
    graph.add_edge(SESSION, RECORDING, primary=True, renamed=False)
    return graph


def full_graph() -> nx.DiGraph:
    """The tutorial's graph plus a lookup, a computed, a part and another schema's table."""
    graph = tutorial_graph()
    _add(graph, QUALITY, "Quality", "lookup")
    _add(graph, ACTIVITY, "Activity", "computed")
    _add(graph, TRIAL, "Session.Trial", "part")
    _add(graph, SCAN, "Scan", "imported", schema="imaging")
    graph.add_edge(QUALITY, RECORDING, primary=False, renamed=True)
    graph.add_edge(RECORDING, ACTIVITY, primary=True, renamed=False)
    graph.add_edge(SESSION, TRIAL, primary=True, renamed=False)
    graph.add_edge(SESSION, SCAN, primary=True, renamed=False)
    return graph


class FakeSchema:
    """What the schema layer provides: a graph, and the schema's name."""

    def __init__(self, graph: nx.DiGraph, database: str = "lab") -> None:
        self.database = database
        self._graph = graph

    def _dependency_graph(self) -> nx.DiGraph:
        return self._graph


class FakeTable:
    """A table class/object: a graph and its own full table name."""

    def __init__(self, graph: nx.DiGraph, full_table_name: str) -> None:
        self.full_table_name = full_table_name
        self._graph = graph

    def _dependency_graph(self) -> nx.DiGraph:
        return self._graph


def node_line(dot: str, label: str) -> str:
    (line,) = [ln for ln in dot.splitlines() if ln.strip().startswith(f'"{label}" [')]
    return line


def edge_line(dot: str, parent: str, child: str) -> str:
    (line,) = [ln for ln in dot.splitlines() if f'"{parent}" -> "{child}"' in ln]
    return line


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]


# ---------------------------------------------------------------------- sources and selection


def test_schema_source_shows_its_own_tables_only() -> None:
    diagram = Diagram(FakeSchema(full_graph()))
    assert set(diagram.nodes) == {RESEARCHER, SUBJECT, SESSION, RECORDING, QUALITY, ACTIVITY, TRIAL}
    assert SCAN not in diagram


def test_nodes_and_iteration_are_topological() -> None:
    diagram = Diagram(FakeSchema(tutorial_graph()))
    order = list(diagram)
    assert order == diagram.nodes
    assert len(diagram) == 4
    for parent, child in tutorial_graph().edges:
        assert order.index(parent) < order.index(child)
    assert diagram.edges == [(RESEARCHER, SESSION), (SUBJECT, SESSION), (SESSION, RECORDING)]


def test_table_source_is_that_table_alone() -> None:
    session = FakeTable(full_graph(), SESSION)
    diagram = Diagram(session)
    assert diagram.nodes == [SESSION]
    assert session in diagram
    assert diagram.edges == []


def test_plus_and_minus_generations() -> None:
    session = FakeTable(full_graph(), SESSION)
    down = Diagram(session) + 1
    assert set(down) == {SESSION, RECORDING, TRIAL, SCAN}
    up = Diagram(session) - 1
    assert set(up) == {SESSION, RESEARCHER, SUBJECT}
    both = Diagram(session) + 1 - 1
    # upstream of the children too: Quality is Recording's parent
    assert set(both) == {SESSION, RECORDING, TRIAL, SCAN, RESEARCHER, SUBJECT, QUALITY}
    assert set(Diagram(session) + 2) == {SESSION, RECORDING, TRIAL, SCAN, ACTIVITY}
    assert set(Diagram(session) + 0) == {SESSION}
    assert set(Diagram(session) + -1) == set(up)
    assert set(Diagram(session) + 100) == set(Diagram(session) + 2)


def test_union_difference_intersection() -> None:
    graph = full_graph()
    schema = Diagram(FakeSchema(graph))
    session = Diagram(FakeTable(graph, SESSION))
    recording = Diagram(FakeTable(graph, RECORDING))
    assert set(session + recording) == {SESSION, RECORDING}
    assert set(schema - session) == set(schema) - {SESSION}
    assert set(schema - FakeTable(graph, SESSION)) == set(schema) - {SESSION}
    assert set(schema * (session + 1)) == {SESSION, RECORDING, TRIAL}
    assert set(session + FakeTable(graph, SUBJECT)) == {SESSION, SUBJECT}
    assert set(Diagram.from_sequence([FakeTable(graph, SESSION), FakeTable(graph, SCAN)])) == {
        SESSION,
        SCAN,
    }


def test_operations_leave_operands_unchanged() -> None:
    session = Diagram(FakeTable(full_graph(), SESSION))
    _ = session + 1
    _ = session - 1
    _ = session + Diagram(FakeTable(full_graph(), SUBJECT))
    assert session.nodes == [SESSION]


def test_union_of_diagrams_from_different_graphs() -> None:
    lab = Diagram(FakeSchema(tutorial_graph()))
    other = nx.DiGraph()
    _add(other, SCAN, "Scan", "imported", schema="imaging")
    imaging = Diagram(FakeSchema(other, database="imaging"))
    union = lab + imaging
    assert set(union) == set(lab) | {SCAN}
    assert '"imaging.Scan"' in union.make_dot()  # main schema stays the left one's


def test_add_parts() -> None:
    session = Diagram(FakeTable(full_graph(), SESSION))
    assert set(session.add_parts()) == {SESSION, TRIAL}


def test_bad_sources_and_operands() -> None:
    with pytest.raises(FramesError, match="pass a Schema, a table class"):
        Diagram(42)
    with pytest.raises(FramesError, match="not in its dependency graph"):
        Diagram(FakeTable(tutorial_graph(), '"lab"."nope"'))
    with pytest.raises(TypeError):
        Diagram(FakeSchema(tutorial_graph())) + "Session"  # noqa: B018
    with pytest.raises(TypeError):
        Diagram(FakeSchema(tutorial_graph())) + True  # noqa: B018


def test_missing_attributes_fall_back_to_stored_names() -> None:
    graph = nx.DiGraph()
    graph.add_edge('"lab"."#grade"', '"lab"."__score"')
    graph.add_edge('"lab"."__score"', '"lab"."__score__item"', primary=True)
    dot = Diagram(graph).make_dot()
    assert 'shape="plaintext"' in node_line(dot, "Grade")
    assert 'shape="ellipse"' in node_line(dot, "Score")
    assert 'fontsize="10"' in node_line(dot, "Score.Item")


# ---------------------------------------------------------------------- DOT


def test_dot_styles_tiers_as_datajoint() -> None:
    dot = Diagram(FakeSchema(full_graph())).make_dot()
    assert dot.startswith("digraph ")
    assert "rankdir=TB" in dot
    manual = node_line(dot, "Session")
    assert 'shape="box"' in manual and "#00FF0030" in manual and 'style="filled"' in manual
    lookup = node_line(dot, "Quality")
    assert 'shape="plaintext"' in lookup and "#00000020" in lookup
    computed = node_line(dot, "Activity")
    assert 'shape="ellipse"' in computed and "#FF000020" in computed
    part = node_line(dot, "Session.Trial")
    assert 'shape="plaintext"' in part and 'fontsize="10"' in part
    assert f'tooltip="{SESSION.replace(chr(34), chr(92) + chr(34))}"' in manual


def test_dot_imported_and_other_schema_label() -> None:
    assert "Scan" not in Diagram(FakeSchema(full_graph())).make_dot()
    dot = (Diagram(FakeSchema(full_graph())) + 1).make_dot()
    imported = node_line(dot, "imaging.Scan")
    assert 'shape="ellipse"' in imported and "#00007F40" in imported
    assert 'label="imaging.Scan"' in imported


def test_dot_edge_styles() -> None:
    dot = Diagram(FakeSchema(full_graph())).make_dot()
    assert 'style="dashed"' in edge_line(dot, "Researcher", "Session")
    assert 'style="solid"' in edge_line(dot, "Subject", "Session")
    assert 'style="solid"' in edge_line(dot, "Session", "Recording")
    renamed = edge_line(dot, "Quality", "Recording")
    assert "#FF8800" in renamed and 'style="dashed"' in renamed
    assert "#FF8800" not in edge_line(dot, "Session", "Recording")
    assert "arrowhead=none" in dot


def test_dot_only_draws_edges_among_shown_tables() -> None:
    dot = Diagram(FakeTable(tutorial_graph(), SESSION)).make_dot()
    assert "->" not in dot
    assert '"Session" [' in dot


def test_dot_quotes_awkward_names() -> None:
    graph = nx.DiGraph()
    _add(graph, '"lab"."odd"', 'Odd"Name\\', "manual")
    dot = Diagram(graph).make_dot()
    assert '"Odd\\"Name\\\\" [' in dot


# ---------------------------------------------------------------------- Mermaid


def test_mermaid_matches_the_tutorial() -> None:
    text = Diagram(FakeSchema(tutorial_graph())).make_mermaid()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart TD"
    assert "Researcher -.-> Session" in lines
    assert "Subject --> Session" in lines
    assert "Session --> Recording" in lines
    assert "Session[Session]:::manual" in lines
    assert any(line.startswith("classDef manual ") for line in lines)


def test_mermaid_tiers_parts_and_renamed_links() -> None:
    text = (Diagram(FakeSchema(full_graph())) + 1).make_mermaid()
    lines = [line.strip() for line in text.splitlines()]
    assert "Activity([Activity]):::computed" in lines
    assert "imaging_Scan([imaging.Scan]):::imported" in lines
    assert "Session_Trial[Session.Trial]:::part" in lines
    assert "Quality[Quality]:::lookup" in lines
    assert "Session --> Session_Trial" in lines
    edges = [line for line in lines if " --> " in line or " -.-> " in line]
    renamed_index = edges.index("Quality -.-> Recording")
    assert f"linkStyle {renamed_index} stroke:#FF8800" in lines
    for tier in ("manual", "lookup", "imported", "computed", "part"):
        assert any(line.startswith(f"classDef {tier} ") for line in lines)


# ---------------------------------------------------------------------- rendering


def test_make_svg_renders_every_label() -> None:
    diagram = Diagram(FakeSchema(full_graph())) + 1
    svg = diagram.make_svg()
    assert "<svg" in svg
    texts = svg_texts(svg)
    for label in ("Researcher", "Subject", "Session", "Recording", "Quality", "Activity"):
        assert label in texts
    assert "Session.Trial" in texts and "imaging.Scan" in texts
    assert diagram._repr_svg_() == svg


def test_draw_returns_svg_outside_ipython() -> None:
    svg = Diagram(FakeSchema(tutorial_graph())).draw()
    assert svg is not None and "Researcher" in svg_texts(svg)


def test_save_svg_mermaid_and_dot(tmp_path: Path) -> None:
    diagram = Diagram(FakeSchema(tutorial_graph()))
    diagram.save(tmp_path / "lab.svg")
    assert "Session" in svg_texts((tmp_path / "lab.svg").read_text(encoding="utf-8"))
    diagram.save(str(tmp_path / "lab.mmd"))
    assert (tmp_path / "lab.mmd").read_text(encoding="utf-8") == diagram.make_mermaid()
    diagram.save(tmp_path / "lab.dot")
    assert (tmp_path / "lab.dot").read_text(encoding="utf-8") == diagram.make_dot()
    diagram.save(tmp_path / "lab.txt", format="mermaid")
    assert (tmp_path / "lab.txt").read_text(encoding="utf-8").startswith("flowchart TD")


def test_save_png(tmp_path: Path) -> None:
    diagram = Diagram(FakeSchema(tutorial_graph()))
    try:
        diagram.save(tmp_path / "lab.png")
    except FramesError as exc:  # a system dot built without PNG support
        pytest.skip(f"the dot program cannot write PNG: {exc}")
    assert (tmp_path / "lab.png").read_bytes().startswith(b"\x89PNG")


def test_save_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(FramesError, match=r"unknown extension '\.pdf'"):
        Diagram(FakeSchema(tutorial_graph())).save(tmp_path / "lab.pdf")


def test_graphviz_pure_is_found_without_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        diagram_module.shutil,
        "which",
        lambda name, *a, **k: None if name == "dot" else real_which(name),
    )
    program = find_dot_program()
    assert Path(program).name.startswith("graphviz-pure")
    assert "<svg" in Diagram(FakeSchema(tutorial_graph())).make_svg()


def test_no_dot_program_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(diagram_module.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(diagram_module, "_script_dirs", lambda: [tmp_path])
    diagram = Diagram(FakeSchema(tutorial_graph()))
    with pytest.raises(FramesError, match="pip install graphviz-pure"):
        diagram.make_svg()
    with pytest.raises(FramesError, match="no 'dot' on PATH"):
        diagram.save(tmp_path / "lab.svg")
    assert diagram.make_dot() and diagram.make_mermaid()  # text output needs no program


def test_failing_dot_program_reports_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error near line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(diagram_module, "find_dot_program", lambda: str(fake))
    with pytest.raises(FramesError, match=r"exit code 3.*syntax error near line 1"):
        Diagram(FakeSchema(tutorial_graph())).make_svg()


def test_hanging_dot_program_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(diagram_module, "find_dot_program", lambda: str(fake))
    monkeypatch.setattr(diagram_module, "RENDER_TIMEOUT", 0.5)
    with pytest.raises(FramesError, match="did not finish"):
        Diagram(FakeSchema(tutorial_graph())).make_svg()


def test_repr_lists_tables() -> None:
    text = repr(Diagram(FakeSchema(tutorial_graph())))
    assert re.fullmatch(r"Diagram\(4 tables: .*\)", text)
    assert "Researcher" in text


def test_system_dot_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        diagram_module.shutil,
        "which",
        lambda name, *a, **k: "/opt/gv/dot" if name == "dot" else None,
    )
    assert find_dot_program() == "/opt/gv/dot"


def test_draw_displays_inside_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[object] = []

    class FakeSVG:
        def __init__(self, data: str) -> None:
            self.data = data

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: object()  # type: ignore[attr-defined]
    display = types.ModuleType("IPython.display")
    display.SVG = FakeSVG  # type: ignore[attr-defined]
    display.display = shown.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    assert Diagram(FakeSchema(tutorial_graph())).draw() is None
    (svg,) = shown
    assert isinstance(svg, FakeSVG) and "Session" in svg_texts(svg.data)
