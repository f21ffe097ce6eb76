"""The pandas-chain benchmark (``--workload pandas``) at a tiny scale on every backend: it checks
frames' answer against the hand-written SQL, measures and reports every measure."""

from __future__ import annotations

import json

import pytest

from benchmarks import pandas_chain
from frames.backends import open_backend


def test_a_pandas_chain_run_at_a_tiny_scale_reports_every_measure(
    backend_name, backend_url, monkeypatch
):
    monkeypatch.setattr(pandas_chain, "READ_SECONDS", 0.0)
    monkeypatch.setattr(pandas_chain, "PYTHON_CALLS", 20)
    monkeypatch.setattr(pandas_chain, "COMPILE_NEW_CALLS", 2)
    url = None if backend_name == "duckdb" else backend_url
    bench = pandas_chain.PandasChainBenchmark(
        backend_name, 0.0005, 1, url, tools=None, log=lambda _: None
    )
    report = bench.run()  # checks frames' chain against the SQL written by hand on the way
    assert report["skipped"] == {}
    measured = {(r["measure"], r["tool"]) for r in report["results"]}
    assert measured == {
        ("chain", "frames"),
        ("chain", "raw"),
        ("chain", "pandas"),
        ("chain_in_memory", "pandas"),
        ("build_chain", "frames"),
        ("compile_cached", "frames"),
        ("compile_new", "frames"),
    }
    runs = {(r["measure"], r["tool"]): r["runs"] for r in report["results"]}
    assert runs["build_chain", "frames"] == 20 and runs["compile_cached", "frames"] == 19
    assert set(report["ratios"]) == {"chain"} and report["ratios"]["chain"] > 0
    assert report["pandas_over_frames"] > 0
    assert set(report["load_average"]) == {"start", "end"}
    assert all(len(load) == 3 for load in report["load_average"].values())
    json.dumps(report)  # what __main__ writes
    table = bench.table()
    assert all(label in table for label, _ in pandas_chain.PANDAS_MEASURES.values())
    if url is not None:  # the run drops its schema
        left = open_backend(url)
        assert pandas_chain.SCHEMA not in left.list_schemas()
        left.close()


def test_the_chain_means_the_same_in_pandas_as_the_sql_written_by_hand():
    """The pandas chain of the benchmark on generated rows equals the hand-written query's
    meaning computed in pandas (the benchmark's check compares frames with that SQL)."""
    events = pandas_chain.generate(0.0005).to_pandas()
    got = pandas_chain.chain(events).reset_index()
    kept = events[events.x > pandas_chain.LIMIT]
    z = kept.x * 2 + kept.y
    totals = z.groupby(kept.grp).sum()
    expected = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[: pandas_chain.HEAD]
    assert list(got.grp) == [g for g, _ in expected]
    assert got.total.tolist() == pytest.approx([t for _, t in expected])
    assert got.n.tolist() == [int(z[kept.grp == g].count()) for g, _ in expected]
