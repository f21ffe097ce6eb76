"""The benchmark runner (``python -m benchmarks``): its timing loop, and a whole run at a tiny
scale on every backend, which must measure and report every measure for frames and raw."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks import blobs, runner
from benchmarks.contestants import FRAMES_SCHEMA, RAW_SCHEMA
from frames.backends import open_backend


def test_timed_makes_the_runs_asked_for_without_a_time_budget():
    calls = []
    samples = runner.timed(lambda: calls.append("run"), 3, before=lambda: calls.append("set-up"))
    assert len(samples) == 3
    assert calls == ["set-up", "run"] * 3


class FakeClock:
    """``time.perf_counter`` for the runner, advanced only by the calls it times: the test does
    not depend on how fast the machine runs (a loaded machine made a sleep-based one flaky)."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def run(self) -> None:
        self.now += 0.03


def test_timed_repeats_until_the_samples_add_up_to_the_budget(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(runner, "time", clock)
    samples = runner.timed(clock.run, 2, min_seconds=0.1)
    assert samples == pytest.approx([0.03] * 4)  # stopped as soon as the budget was met


def test_timed_stops_at_the_most_runs(monkeypatch):
    monkeypatch.setattr(runner, "MAX_RUNS", 4)
    assert len(runner.timed(lambda: None, 2, min_seconds=3600)) == 4
    assert len(runner.timed(lambda: None, 6, min_seconds=3600)) == 6  # repeat comes first


@pytest.fixture
def tiny_run(monkeypatch):
    """Runs shortened for a test: no time budget, a few fetch1 calls."""
    monkeypatch.setattr(runner, "READ_SECONDS", 0.0)
    monkeypatch.setattr(runner, "FETCH1_CALLS", 5)


def test_a_run_at_a_tiny_scale_reports_every_measure(backend_name, backend_url, tiny_run, tmp_path):
    # DuckDB: the runner's own database file (the memory measure opens it in a new process)
    url = None if backend_name == "duckdb" else backend_url
    bench = runner.Benchmark(backend_name, 0.001, 1, url, tools=set(), log=lambda _: None)
    try:
        report = bench.run()  # checks frames' answers against the generated rows on the way
    finally:
        if url is not None:
            cleanup = open_backend(url)
            for schema in (FRAMES_SCHEMA, RAW_SCHEMA):
                cleanup.drop_schema(schema)
            cleanup.close()
    assert report["skipped"] == {}
    measured = {(r["measure"], r["tool"]) for r in report["results"]}
    timed_by_both = {
        "insert",
        "fetch_pandas",
        "fetch_pandas_arrow",
        "fetch_polars",
        "fetch_dicts",
        "fetch_parallel",
        "stream_parquet",
        "analytic",
        "fetch1",
    }
    assert {(m, t) for m in timed_by_both for t in ("frames", "raw")} <= measured
    assert {
        ("compile_cached", "frames"),
        ("compile_new", "frames"),
        ("polars_memory", "frames"),
        ("stream_memory", "frames"),
    } <= measured
    assert set(report["ratios"]) == timed_by_both
    assert all(ratio > 0 for ratio in report["ratios"].values())
    for measure in ("fetch_pandas", "fetch_parallel", "stream_parquet"):
        recordings = next(r for r in report["results"] if r["measure"] == measure)
        assert recordings["rows"] == 1000
    assert [run["rows"] for run in report["stream_memory"]] == [1000]
    assert report["versions"]["frames"] and report["versions"]["server"]
    json.dumps(report)  # what __main__ writes
    table = bench.table()
    assert all(label in table for label, _ in runner.MEASURES.values())


def test_a_blob_run_at_a_tiny_scale_reports_every_measure(
    backend_name, backend_url, tiny_run, monkeypatch
):
    monkeypatch.setattr(blobs, "ARRAY_VALUES", 1024)  # 8 KiB arrays
    url = None if backend_name == "duckdb" else backend_url
    bench = blobs.BlobBenchmark(backend_name, 0.003, 1, url, tools=set(), log=lambda _: None)
    report = bench.run()  # checks the arrays frames and raw fetch on the way
    assert report["skipped"] == {}
    measured = {(r["measure"], r["tool"]) for r in report["results"]}
    both = {"blob_encode", "blob_insert", "blob_fetch"}
    assert {(m, t) for m in both for t in ("frames", "raw")} | {("blob_memory", "frames")} == (
        measured
    )
    assert set(report["ratios"]) == both and all(r > 0 for r in report["ratios"].values())
    fetched = next(r for r in report["results"] if r["measure"] == "blob_fetch")
    assert fetched["rows"] == 3
    assert [run["rows"] for run in report["memory"]] == [3]
    assert report["memory"][0]["decoded_bytes"] == 3 * 1024 * 8
    if url is not None:  # the run drops its schemas
        left = open_backend(url)
        assert not {blobs.FRAMES_SCHEMA, blobs.RAW_SCHEMA} & set(left.list_schemas())
        left.close()
    table = bench.table()
    assert all(label in table for label, _ in blobs.BLOB_MEASURES.values())


def test_a_blob_run_stops_if_frames_fetches_wrong_arrays():
    arrays = blobs.generate(0.002)
    right = [{"array_id": i, "samples": a} for i, a in enumerate(arrays)]
    blobs.check("frames", right, arrays)
    wrong = [dict(row) for row in right]
    wrong[1]["samples"] = arrays[1].astype(np.float32)
    with pytest.raises(AssertionError, match="frames: row 1 differs"):
        blobs.check("frames", wrong, arrays)
    with pytest.raises(AssertionError, match="fetched 1 rows, 2 were inserted"):
        blobs.check("frames", right[:1], arrays)
