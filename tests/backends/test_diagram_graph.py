"""Diagram and Dependencies on every backend: the graph read from the database, selection
algebra, trace / cascade / restrict propagation, and the drawing's styles."""

from __future__ import annotations

import re
import sys

import pytest

import frames as dj
from frames.api.dependencies import dependencies_of
from frames.errors import FramesError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def schema(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)
        connection.close()


@pytest.fixture
def lab(schema) -> dict:
    """Subject ← Session (+ part Note) ← Scan (1:1) ← Analysis → Param, and Analysis ⇢ Subject
    through a renamed secondary foreign key."""

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(20)
        """

    @schema
    class Param(dj.Lookup):
        definition = """
        param_id : int32
        """
        contents = [(1,), (2,)]

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_id : int32
        """

        class Note(dj.Part):
            definition = """
            -> master
            note_id : int32
            """

    @schema
    class Scan(dj.Manual):
        definition = """
        -> Session
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Scan
        -> Param
        ---
        -> [nullable] Subject.proj(reviewer='subject_id')
        """

    Subject.insert([(1, "ann"), (2, "bob"), (3, "cy")])
    Session.insert([(1, 1), (1, 2), (2, 1)])
    Session.Note.insert([(1, 1, 7)])
    Scan.insert([(1, 1), (1, 2), (2, 1)])
    Analysis.insert([(1, 1, 1, 3), (2, 1, 2, None)], allow_direct_insert=True)
    return dict(
        schema=schema, Subject=Subject, Param=Param, Session=Session, Scan=Scan, Analysis=Analysis
    )


def test_dependencies_are_read_from_the_database(lab) -> None:
    Session, Scan, Analysis, Subject = lab["Session"], lab["Scan"], lab["Analysis"], lab["Subject"]
    deps = dependencies_of(lab["schema"].connection)
    deps.load()
    assert deps is dependencies_of(lab["schema"].connection)
    assert deps.nodes[Session.full_table_name]["primary_key"] == {"subject_id", "session_id"}
    edges = deps.get_edge_data(Subject.full_table_name, Analysis.full_table_name)
    assert list(edges) == [("reviewer",)]
    assert edges[("reviewer",)] == dict(
        attr_map={"reviewer": "subject_id"}, primary=False, aliased=True, multi=True
    )
    one_to_one = deps.get_edge_data(Session.full_table_name, Scan.full_table_name)
    assert one_to_one[("subject_id", "session_id")]["multi"] is False
    assert [p for p, _ in deps.parents(Analysis.full_table_name, primary=False)] == [
        Subject.full_table_name
    ]
    assert deps.descendants(Scan.full_table_name) == [
        Scan.full_table_name,
        Analysis.full_table_name,
    ]
    order = deps.topo_sort()
    assert order.index(Session.full_table_name) + 1 == order.index(Session.Note.full_table_name)
    assert list(deps.ancestors(Scan.full_table_name))[0] == Scan.full_table_name


def test_load_all_short_circuits_when_covered(lab, monkeypatch: pytest.MonkeyPatch) -> None:
    deps = dependencies_of(lab["schema"].connection)
    deps.load_all_downstream()
    assert deps._loaded and lab["schema"].database in deps._loaded_schemas
    calls = []
    monkeypatch.setattr(type(deps), "load", lambda self, *a, **k: calls.append(a))
    deps.load_all_downstream()
    deps.load_all_upstream()
    assert calls == []


def test_selection_algebra(lab) -> None:
    Subject, Session, Scan, Analysis, Param = (
        lab[k] for k in ("Subject", "Session", "Scan", "Analysis", "Param")
    )

    def names(diagram: dj.Diagram) -> set[str]:
        return diagram.nodes_to_show

    def full(*tables) -> set[str]:
        return {t.full_table_name for t in tables}

    assert names(dj.Diagram(lab["schema"])) == full(
        Subject, Session, Session.Note, Scan, Analysis, Param
    )
    assert names(dj.Diagram(Scan)) == full(Scan)
    assert names(dj.Diagram(Scan) + 1) == full(Scan, Analysis)
    assert names(dj.Diagram(Scan) - 2) == full(Scan, Session, Subject)
    assert names(dj.Diagram(Session).add_parts()) == full(Session, Session.Note)
    both = dj.Diagram(Scan) + dj.Diagram(Param)
    assert names(both) == full(Scan, Param)
    assert names(both - dj.Diagram(Param)) == full(Scan)
    assert names(both * (dj.Diagram(Analysis) - 1)) == full(Scan, Param)
    assert names(dj.Diagram.from_sequence([Scan, Param])) == names(both)
    assert names(dj.Diagram(Scan) + Param - Scan) == full(Param)
    assert names(dj.Diagram(Scan)) == full(Scan)  # operands unchanged
    assert dj.Diagram(Scan).topo_sort() == [Scan.full_table_name]
    with pytest.raises(FramesError, match="Cannot plot Diagram"):
        dj.Diagram(Scan * Param)


def test_graph_is_labelled_by_class_from_the_context(lab) -> None:
    graph = dj.Diagram(lab["schema"], context=lab)._make_graph()
    assert set(graph.nodes) == {"Subject", "Param", "Session", "Session.Note", "Scan", "Analysis"}
    assert graph.nodes["Session.Note"]["node_type"] == "part"
    raw = dj.Diagram(lab["schema"], context={})._make_graph()
    assert lab["Scan"].full_table_name in raw.nodes


def test_make_dot_styles_as_datajoint(lab) -> None:
    Subject = lab["Subject"]
    dot = dj.Diagram(lab["schema"], context=lab).make_dot(theme="light")
    edges = {
        (e.get_source().strip('"'), e.get_destination().strip('"')): e for e in dot.get_edges()
    }
    assert edges["Session", "Scan"].get_penwidth() == 2  # the key is the parent's: 1:1
    assert edges["Subject", "Session"].get_penwidth() == 0.75  # one-to-many
    assert edges["Session", "Session.Note"].get_penwidth() == 0.75  # a part adds its key
    renamed = edges["Subject", "Analysis"]
    assert renamed.get_style() == "dashed" and renamed.get_color().startswith("#C77D3A")
    assert renamed.get_tooltip() == "reviewer ← subject_id"
    nodes = {n.get_name().strip('"'): n for n in dot.get_nodes()}
    assert nodes["Session.Note"].get_label() == "<<u>Note</u>>"  # adds note_id: underlined
    assert nodes["Scan"].get_label() == "Scan"  # adds nothing to Session's key
    assert nodes["Subject"].get_fillcolor() == "#E8F0E9"
    assert nodes["Analysis"].get_shape() == "ellipse"
    text = dot.to_string()
    assert f'subgraph "cluster_{lab["schema"].database}"' in text
    assert 'subgraph "cluster_entity_Session"' in text and 'rank="same"' in text
    assert Subject.full_table_name not in {n.get_name() for n in dot.get_nodes()}
    assert dj.Diagram(lab["schema"], context=lab).make_dot(theme="dark").get_bgcolor() == "#161A21"


def test_svg_renders_without_system_graphviz(lab) -> None:
    diagram = dj.Diagram(lab["schema"], context=lab)
    light = diagram.make_dot(theme="light").create_svg().decode().lower()
    assert "#e8f0e9" in light and 'stroke-width="2"' in light and "cluster_entity_" in light
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", light)
    assert "note" in texts and "session.note" not in texts
    assert "@media (prefers-color-scheme: dark)" in diagram.svg_string()  # theme 'auto'
    with dj.config.override(display__diagram_theme="dark", display__diagram_direction="TB"):
        dark = diagram.svg_string().lower()
        assert diagram.make_mermaid().startswith("flowchart TB")
    assert "#161a21" in dark and "@media" not in dark
    assert diagram._repr_svg_().startswith("<svg")
    assert diagram.make_png().getvalue().startswith(b"\x89PNG")


def test_mermaid_notation(lab) -> None:
    mermaid = dj.Diagram(lab["schema"], context=lab).make_mermaid()
    assert "classDef manual fill:#E8F0E9,stroke:#3E7A52" in mermaid
    assert "subgraph entity_Session" in mermaid and "Session_Note[Note]:::part" in mermaid
    assert "-.->" not in mermaid and "stroke:#C77D3A" in mermaid
    assert "stroke-width:2px" in mermaid and "stroke-width:1px" in mermaid


def test_collapse_bundles_edges(backend_url: str, schema_name: str) -> None:
    connection = dj.connect(backend_url)
    up = dj.Schema(schema_name, connection=connection)
    down = dj.Schema(schema_name + "_down", connection=connection)
    try:

        @up
        class Root(dj.Manual):
            definition = "root_id : int32"

        @up
        class Tag(dj.Manual):
            definition = "tag_id : int32"

        @down
        class Mixed(dj.Manual):
            definition = "-> Root\n---\n-> [nullable] Tag"

        @down
        class Multi(dj.Manual):
            definition = "-> Root\nsub_id : int32"

        collapsed = (dj.Diagram(up) + dj.Diagram(down)).collapse()
        dot = collapsed.make_dot()
        assert {(e.get_penwidth(), e.get_style()) for e in dot.get_edges()} == {(2, "solid")}
        labels = sorted(n.get_label() for n in dot.get_nodes())
        assert labels == ["(2 tables)", "(2 tables)"]
        partly = collapsed + dj.Diagram(Multi)
        into = [
            e for e in partly.make_dot().get_edges() if e.get_destination().strip('"') == "Multi"
        ]
        assert [e.get_penwidth() for e in into] == [0.75]  # one expanded end: its own style
    finally:
        down.drop(prompt=False)
        up.drop(prompt=False)
        connection.close()


def test_trace_walks_up_through_renames_with_or(lab) -> None:
    Subject, Session, Scan, Analysis = (lab[k] for k in ("Subject", "Session", "Scan", "Analysis"))
    trace = dj.Diagram.trace(Analysis & {"param_id": 1})
    # Subject is reached through Scan (subject 1) and, renamed, through reviewer (subject 3)
    assert sorted(trace[Subject].to_dicts(), key=lambda r: r["subject_id"]) == [
        {"subject_id": 1, "name": "ann"},
        {"subject_id": 3, "name": "cy"},
    ]
    assert trace.counts() == {
        Subject.full_table_name: 2,
        lab["Param"].full_table_name: 1,
        Session.full_table_name: 1,
        Scan.full_table_name: 1,
        Analysis.full_table_name: 1,
    }
    assert len(trace["Session"]) == 1 and len(trace[Session.full_table_name]) == 1
    with pytest.raises(FramesError, match="not in this trace"):
        trace[Session.Note]


def test_cascade_and_restrict(lab) -> None:
    Subject, Session, Scan, Analysis = (lab[k] for k in ("Subject", "Session", "Scan", "Analysis"))
    cascade = dj.Diagram.cascade(Subject & {"subject_id": 1})
    assert cascade.counts() == {
        Subject.full_table_name: 1,
        Session.full_table_name: 2,
        Session.Note.full_table_name: 1,
        Scan.full_table_name: 2,
        Analysis.full_table_name: 1,
    }
    with pytest.raises(ValueError, match="part_integrity must be"):
        dj.Diagram.cascade(Subject, part_integrity="casade")
    with pytest.raises(FramesError, match="prune.*cannot be used.*cascade"):
        cascade.prune()
    up = dj.Diagram.cascade(Session.Note & {"note_id": 7}, part_integrity="cascade")
    assert up.counts()[Session.full_table_name] == 1  # the master joins its part's delete
    restricted = dj.Diagram(lab["schema"]).restrict(Subject & {"subject_id": 2})
    counts = restricted.counts()
    assert counts[Session.full_table_name] == 1 and counts[Analysis.full_table_name] == 0
    pruned = restricted.prune()
    assert Analysis.full_table_name not in pruned.nodes_to_show
    assert all(n > 0 for n in pruned.counts().values())
    narrower = pruned.restrict(Subject & {"subject_id": 1})  # AND with subject 2: nothing
    assert narrower.counts()[Subject.full_table_name] == 0
    assert [len(t) for t in reversed(dj.Diagram(Scan))] == [3]
    with pytest.raises(FramesError, match="No restrictions"):
        dj.Diagram(lab["schema"]).counts()


def test_save_draw_and_image(lab, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    diagram = dj.Diagram(lab["Scan"]) - 1
    diagram.save(tmp_path / "d.svg")
    diagram.save(tmp_path / "d.png")
    diagram.save(tmp_path / "d.gv")
    diagram.save(tmp_path / "d.txt", format="mermaid")
    assert "<svg" in (tmp_path / "d.svg").read_text()
    assert (tmp_path / "d.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "d.gv").read_text().startswith("digraph")
    assert (tmp_path / "d.txt").read_text().startswith("flowchart")
    with pytest.raises(FramesError, match="unknown extension '.pdf'"):
        diagram.save(tmp_path / "d.pdf")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(FramesError, match="needs matplotlib"):
        diagram.make_image()
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert diagram.draw().startswith("<svg")


def test_diagram_of_a_module_with_a_schema(lab, backend_url: str) -> None:
    module = dj.virtual_schema(lab["schema"].database, connection=lab["schema"].connection)
    diagram = dj.Diagram(module)
    assert diagram.nodes_to_show == dj.Diagram(lab["schema"]).nodes_to_show
    # classes are found through the module in the caller's namespace
    assert {"module.Subject", "module.Session.Note"} <= set(diagram._make_graph().nodes)


def test_trace_by_full_name_gives_a_free_table(lab) -> None:
    from frames.api.table import FreeTable

    Session, Scan = lab["Session"], lab["Scan"]
    trace = dj.Diagram.trace(Scan & {"subject_id": 2})
    by_name = trace[Session.full_table_name]
    assert isinstance(by_name, FreeTable) and by_name.to_dicts() == [
        {"subject_id": 2, "session_id": 1}
    ]
    assert all(isinstance(t, FreeTable) for t in trace)


def test_trace_copies_a_key_restriction_before_its_rows_exist(lab) -> None:
    """As for ``self.upstream`` inside ``make()``: the seed's row is not inserted yet."""
    Subject, Session, Scan = lab["Subject"], lab["Session"], lab["Scan"]
    Session.insert1((3, 1))
    trace = dj.Diagram.trace(Scan & {"subject_id": 3, "session_id": 1})
    assert len(trace[Scan]) == 0
    assert trace[Session].to_dicts() == [{"subject_id": 3, "session_id": 1}]  # copied
    assert trace[Subject].fetch1("name") == "cy"  # through Session's rows
    deeper = dj.Diagram.trace(Scan & {"subject_id": 3, "session_id": 2})
    assert len(deeper[Session]) == 0 and len(deeper[Subject]) == 0


def test_a_top_seed_stands_for_the_keys_it_selects(lab) -> None:
    Subject, Scan = lab["Subject"], lab["Scan"]
    top = Scan & dj.Top(limit=1, order_by="subject_id DESC")
    trace = dj.Diagram.trace(top)
    assert trace[Scan].to_dicts() == [{"subject_id": 2, "session_id": 1}]
    assert trace[Subject].fetch1("name") == "bob"
    restricted = dj.Diagram(lab["schema"]).restrict(Subject & "name = 'bob'")
    assert restricted.counts()[Scan.full_table_name] == 1


def test_a_declaration_makes_the_loaded_graph_stale(lab, monkeypatch: pytest.MonkeyPatch) -> None:
    schema, Scan = lab["schema"], lab["Scan"]
    deps = dependencies_of(schema.connection)
    deps.load()

    @schema
    class Review(dj.Manual):
        definition = "-> Scan\nreview_id : int32"

    deps.load(force=False)  # reloads: a table was declared since
    assert deps.has_edge(Scan.full_table_name, Review.full_table_name)
    deps.load_all_upstream()
    monkeypatch.setattr(deps, "clear", lambda: pytest.fail("reloaded a current graph"))
    deps.load(force=False)  # nothing changed since: kept
    deps.load_all_downstream()
