"""Ordering tables (parts right after their masters) and reading part names."""

from __future__ import annotations

import networkx as nx
import pytest

from frames.api.dependencies import Dependencies, extract_master, topo_sort
from frames.errors import DefinitionError


def test_extract_master_in_both_quotings() -> None:
    assert extract_master('"lab"."session__trial"') == '"lab"."session"'
    assert extract_master("`lab`.`#rig__slot`") == "`lab`.`#rig`"
    assert extract_master('"lab"."__activity"') is None
    assert extract_master('"lab"."session"') is None


def test_topo_sort_puts_parts_right_after_their_master() -> None:
    graph = nx.DiGraph(
        [
            ("`a`.`a`", "`a`.`m`"),
            ("`a`.`a`", "`a`.`z`"),
            ("`a`.`m`", "`a`.`m__part`"),
            ("`a`.`z`", "`a`.`m__part`"),
        ]
    )
    assert topo_sort(graph) == ["`a`.`a`", "`a`.`z`", "`a`.`m`", "`a`.`m__part`"]


def test_topo_sort_moves_a_parts_other_parents_before_its_master() -> None:
    graph = nx.MultiDiGraph(
        [
            ('"s"."m"', '"s"."m__p"'),
            ('"s"."m__p"', '"s"."m__q"'),
            ('"s"."y"', '"s"."m__q"'),
            ('"s"."m"', '"s"."z"'),
        ]
    )
    order = topo_sort(graph)
    assert order.index('"s"."y"') < order.index('"s"."m"')
    assert order[order.index('"s"."m"') :][:3] == ['"s"."m"', '"s"."m__p"', '"s"."m__q"']


def test_an_empty_graph_needs_no_connection_until_it_loads() -> None:
    deps = Dependencies()
    assert len(deps) == 0 and deps.topo_sort() == []
    with pytest.raises(DefinitionError, match="no connection"):
        deps.load()
