"""The pydot-like graph model that Diagram.make_dot returns."""

from __future__ import annotations

import pytest

from frames.api.dot import Cluster, Dot, Edge, Node, Subgraph


def test_accessors_as_in_pydot() -> None:
    node = Node('"Session"', shape="box")
    node.set_penwidth(2)
    node.set("label", "S")
    assert node.get_name() == '"Session"' and node.get_shape() == "box"
    assert node.get_penwidth() == 2 and node.get("label") == "S" and node.get_color() is None
    assert node.get_attributes() == {"shape": "box", "penwidth": 2, "label": "S"}
    edge = Edge('"A"', '"B"', style="dashed")
    assert (edge.get_source(), edge.get_destination(), edge.get_style()) == ('"A"', '"B"', "dashed")
    with pytest.raises(AttributeError):
        node.colour  # noqa: B018


def test_to_string_quotes_names_and_keeps_html_labels() -> None:
    dot = Dot("g", rankdir="LR")
    a = Node('"we"ird"', label="<<u>A</u>>", fixedsize=False)
    dot.add_node(a)
    dot.add_node(Node("plain"))
    dot.add_edge(Edge(a.get_name(), "plain", penwidth=0.75))
    text = dot.to_string()
    assert text.startswith('digraph "g" {\n    rankdir="LR";')
    assert '"we\\"ird" [label=<<u>A</u>>, fixedsize="false"];' in text
    assert '"we\\"ird" -> "plain" [penwidth="0.75"];' in text


def test_nodes_are_drawn_inside_their_clusters_once() -> None:
    dot = Dot()
    a, b = Node("a"), Node("b")
    dot.add_node(a)
    dot.add_node(b)
    cluster = Cluster("lab", label="lab")
    cluster.add_node(a)
    rank = Subgraph("", rank="same")
    rank.add_node(Node("a"))
    cluster.add_subgraph(rank)
    dot.add_subgraph(cluster)
    text = dot.to_string()
    assert cluster.get_name() == "cluster_lab" and dot.get_nodes() == [a, b]
    assert text.count('"a";') == 2  # declared in the cluster, mentioned in the rank
    assert text.index('subgraph "cluster_lab"') < text.index('"b";')
    assert text.count('"b";') == 1


def test_create_and_write_render_with_a_dot_program(tmp_path) -> None:
    dot = Dot()
    dot.add_node(Node("a", label="Alpha"))
    assert b"Alpha" in dot.create_svg()
    assert dot.create_png().startswith(b"\x89PNG")
    dot.write(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == dot.to_string()
    dot.write(tmp_path / "g.svg", format="svg")
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()
