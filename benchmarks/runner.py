"""Run the measures, collect medians, print the table and write the JSON report."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import frames as dj
from benchmarks.contestants import (
    FRAMES_SCHEMA,
    RAW_SCHEMA,
    DataJoint,
    Frames,
    Pandas,
    Raw,
)
from benchmarks.raw import raw_driver
from benchmarks.workload import RECORDING_KEY, Workload, declare, generate
from frames.sql.compile import _compile_cached, compile_plan

DEFAULT_URLS = {
    "duckdb": "duckdb:///{tmp}/frames-benchmark.duckdb",
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306",
}
FETCH1_CALLS = 200
#: The tools measured ``repeat`` times after a warm-up; comparators (pandas, DataJoint) run once.
_MEASURED = ("frames", "raw")
COMPILE_CALLS = 2000
#: Reads by frames and raw repeat until their samples add up to this many seconds: a median
#: of five reads of a few milliseconds moves with one hiccup of a shared machine.
READ_SECONDS = 1.0
MAX_RUNS = 200
#: measure → (description, unit); the order of the printed table.
MEASURES = {
    "insert": ("(a) bulk insert, four tables", "s"),
    "fetch_pandas": ("(b) recordings → pandas", "s"),
    "fetch_pandas_arrow": ("(b) recordings → pandas, dtype_backend='pyarrow'", "s"),
    "fetch_polars": ("(b) recordings → polars", "s"),
    "fetch_dicts": ("(b) recordings → dicts", "s"),
    "fetch_parallel": ("(b) recordings → Arrow, parallel read vs one connection", "s"),
    "stream_parquet": ("(f) recordings streamed → Parquet", "s"),
    "analytic": ("(c) analytic query → pandas", "s"),
    "fetch1": ("(d) fetch1 by key", "s"),
    "compile_cached": ("(e) compile, cached plan", "s"),
    "compile_new": ("(e) compile, new plan", "s"),
    "polars_memory": ("peak memory of → polars / Arrow size", "x"),
    "stream_memory": ("memory growth of the stream → Parquet", "MB"),
}
#: Reads over every recording (their rows are reported).
_RECORDING_READS = (
    "fetch_pandas",
    "fetch_pandas_arrow",
    "fetch_polars",
    "fetch_dicts",
    "fetch_parallel",
    "stream_parquet",
)
PACKAGES = (
    "frames",
    "duckdb",
    "psycopg2-binary",
    "pymysql",
    "pyarrow",
    "pandas",
    "polars",
    "sqlglot",
    "sqlalchemy",
    "numpy",
    "datajoint",
)


@dataclass
class Result:
    """Median of one measure for one tool (seconds, or a ratio for memory)."""

    measure: str
    tool: str
    median: float
    runs: int
    rows: int | None = None
    samples: list[float] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float | None:
        """Throughput, for measures over a known number of rows."""
        return self.rows / self.median if self.rows and self.median else None


def timed(
    function: Callable[[], Any],
    repeat: int,
    before: Callable[[], Any] | None = None,
    min_seconds: float = 0.0,
) -> list[float]:
    """Wall-clock seconds of calls of ``function`` (``before`` runs untimed): ``repeat`` calls,
    more while the samples add up to less than ``min_seconds`` (at most :data:`MAX_RUNS`)."""
    samples: list[float] = []
    while len(samples) < repeat or (sum(samples) < min_seconds and len(samples) < MAX_RUNS):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


class Benchmark:
    """One run on one backend: set-up, every measure for every available tool, the report."""

    #: measure → (description, unit) of this benchmark's table.
    measures = MEASURES

    def __init__(
        self,
        backend: str,
        scale: float,
        repeat: int,
        url: str | None,
        tools: set[str] | None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.backend = backend
        self.scale = scale
        self.repeat = repeat
        self._tmp = tempfile.TemporaryDirectory(prefix="frames-bench-")
        self.url = url or DEFAULT_URLS[backend].format(tmp=self._tmp.name)
        self.tools = tools
        self.log = log
        self.results: list[Result] = []
        self.skipped: dict[str, str] = {}

    # -- set-up -------------------------------------------------------------------------------
    def _setup(self) -> tuple[Workload, list[Any]]:
        self.log(f"generating the workload at scale {self.scale} ...")
        workload = generate(self.scale)
        self.connection = dj.connect(self.url)
        backend = self.connection.backend
        for schema in (FRAMES_SCHEMA, RAW_SCHEMA):
            backend.drop_schema(schema)
        classes = declare(FRAMES_SCHEMA, self.connection)
        declare(RAW_SCHEMA, self.connection)
        self._shared = None
        if self.backend == "duckdb":
            import duckdb

            self._shared = duckdb.connect(self.url.removeprefix("duckdb:///"))
        driver = raw_driver(self.backend, self.url, self._shared)
        driver.connect()
        self.driver = driver
        folder = self._tmp.name
        contestants: list[Any] = [
            Raw(driver, folder),
            Frames(self.connection, classes, driver, folder),
        ]
        for name, make in (
            ("pandas", lambda: Pandas(self.backend, self.url, driver)),
            ("datajoint", lambda: DataJoint(self.backend, self.url)),
        ):
            if self.tools is not None and name not in self.tools:
                continue
            if name == "datajoint" and self.backend == "duckdb":
                self.skipped[name] = "DataJoint does not run on DuckDB"
                continue
            try:
                contestants.append(make())
            except ImportError as exc:
                self.skipped[name] = f"not installed ({exc})"
            except Exception as exc:  # a comparator that cannot start is reported, not fatal
                self.skipped[name] = f"{type(exc).__name__}: {exc}"
        return workload, contestants

    # -- measures -----------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Run every measure; return the report (also kept for :meth:`table`)."""
        workload, contestants = self._setup()
        started = time.perf_counter()
        # Insert first: the frames run leaves its tables full for the reads.
        for contestant in sorted(contestants, key=lambda c: c.name == "frames"):
            if getattr(contestant, "insert", None) is not None:
                done = self._measure(
                    "insert",
                    contestant,
                    lambda c=contestant: c.insert(workload.tables),
                    workload.total_rows,
                    before=contestant.reset,
                )
                if not done:  # its tables are not filled: its reads would mean nothing
                    contestants.remove(contestant)
        recordings = workload.tables["recording"].num_rows
        for measure in (*_RECORDING_READS, "analytic"):
            for contestant in contestants:
                method = getattr(contestant, measure, None)
                if method is not None:
                    rows = recordings if measure in _RECORDING_READS else None
                    self._measure(measure, contestant, method, rows, warm=True)
        frames = next(c for c in contestants if c.name == "frames")
        raw = next(c for c in contestants if c.name == "raw")
        verify(frames, raw, workload)
        keys = workload.sample_keys(FETCH1_CALLS)
        self._fetch1([c for c in contestants if getattr(c, "fetch1", None) is not None], keys)
        self._compile(frames, keys)
        self.versions = versions(self.connection)
        self.driver.close()
        if self._shared is not None:
            self._shared.close()
        self.connection.close()  # DuckDB: the measuring process opens the file next
        self._memory()
        self.elapsed = time.perf_counter() - started
        return self.report()

    def _measure(
        self,
        measure: str,
        contestant: Any,
        method: Callable[..., Any],
        rows: int | None = None,
        before: Callable[[], Any] | None = None,
        warm: bool = False,
    ) -> bool:
        """Time ``method`` and record the samples; False if it failed.

        frames and raw run ``repeat`` times after an optional warm-up (warmed reads: also until
        :data:`READ_SECONDS` of samples), and their errors are fatal; a comparator runs once,
        and its error is reported in the table instead.
        """
        self.log(f"{measure}: {contestant.name}")
        measured = contestant.name in _MEASURED
        try:
            if warm and measured:
                method()  # caches, buffer pools
            samples = timed(
                method,
                self.repeat if measured else 1,
                before,
                READ_SECONDS if warm and measured else 0.0,
            )
        except Exception as exc:
            self._failed(measure, contestant, exc)
            return False
        self._add(measure, contestant.name, samples, rows)
        return True

    def _fetch1(self, contestants: list[Any], keys: list[dict[str, Any]]) -> None:
        """Time ``fetch1`` of every key, the contestants taking turns key by key.

        Point queries last a fraction of a millisecond, so the load of a shared machine moves
        them by more than the differences measured; taking turns exposes every contestant to
        the same load. Each contestant fetches the first key once untimed.
        """
        self.log(f"fetch1: {', '.join(c.name for c in contestants)}, taking turns")
        samples: dict[str, list[float]] = {}
        for contestant in contestants:
            try:
                contestant.fetch1(keys[0])
            except Exception as exc:
                self._failed("fetch1", contestant, exc)
                continue
            samples[contestant.name] = []
        running = [c for c in contestants if c.name in samples]
        for key in keys:
            for contestant in list(running):
                try:
                    samples[contestant.name] += timed(lambda c=contestant, k=key: c.fetch1(k), 1)
                except Exception as exc:
                    self._failed("fetch1", contestant, exc)
                    running.remove(contestant)
        for contestant in running:
            self._add("fetch1", contestant.name, samples[contestant.name])

    def _failed(self, measure: str, contestant: Any, exc: Exception) -> None:
        """Re-raise an error of frames or raw; note a comparator's error for the table."""
        if contestant.name in _MEASURED:
            raise exc
        self.skipped[f"{contestant.name} {measure}"] = f"{type(exc).__name__}: {exc}"

    def _compile(self, frames: Frames, keys: list[dict[str, Any]]) -> None:
        self.log("compile")
        dialect = self.connection.dialect
        recording = frames.tables["recording"]
        plans = [(recording & key).plan for key in keys]
        compile_plan(plans[0], dialect)
        cached = []
        for i in range(COMPILE_CALLS):
            plan = plans[i % len(plans)]
            start = time.perf_counter()
            compile_plan(plan, dialect)
            cached.append(time.perf_counter() - start)
        self._add("compile_cached", "frames", cached)
        fresh = []
        analytic = frames.analytic_query().plan
        for _ in range(max(self.repeat, 20)):
            _compile_cached.cache_clear()
            start = time.perf_counter()
            compile_plan(analytic, dialect)
            fresh.append(time.perf_counter() - start)
        self._add("compile_new", "frames", fresh)

    def _memory(self) -> None:
        """Peak memory of the fetch into polars and of the stream to Parquet, one fresh process
        per repeat (the allocators' reuse of freed memory varies from process to process)."""
        self.log("memory (subprocesses)")
        polars = self._memory_runs("polars")
        if polars is not None:
            self.memory = polars
            self._add(
                "polars_memory",
                "frames",
                [run["peak_bytes"] / run["arrow_bytes"] for run in polars],
            )
        parquet = self._memory_runs("parquet")
        if parquet is not None:
            self.stream_memory = parquet
            self._add("stream_memory", "frames", [run["peak_bytes"] / 1e6 for run in parquet])

    def _memory_runs(self, fetch: str) -> list[dict[str, Any]] | None:
        """:mod:`benchmarks.memory`'s figures of ``fetch``, one process per repeat (``None``,
        and the reason noted, if it failed)."""
        command = [sys.executable, "-m", "benchmarks.memory", self.url, fetch, self._tmp.name]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        runs = []
        for _ in range(self.repeat):
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if done.returncode:
                self.skipped[f"{fetch} memory"] = done.stderr.strip().splitlines()[-1]
                return None
            runs.append(json.loads(done.stdout))
        return runs

    def _add(self, measure: str, tool: str, samples: list[float], rows: int | None = None) -> None:
        self.results.append(
            Result(measure, tool, statistics.median(samples), len(samples), rows, samples)
        )

    # -- report -------------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        """The JSON-ready report: set-up, versions, machine, every result and the ratios."""
        return {
            "backend": self.backend,
            "scale": self.scale,
            "repeat": self.repeat,
            "url": self.connection.backend.url,  # password hidden
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(self.elapsed, 1),
            "machine": machine(),
            "versions": self.versions,
            "skipped": self.skipped,
            "memory": getattr(self, "memory", None),
            "stream_memory": getattr(self, "stream_memory", None),
            "results": [{**asdict(r), "rows_per_second": r.rows_per_second} for r in self.results],
            "ratios": self.ratios(),
            "datajoint_speedups": self.speedups(),
        }

    def ratios(self) -> dict[str, float]:
        """frames / raw for every measure both ran."""
        medians = {(r.measure, r.tool): r.median for r in self.results}
        return {
            m: medians[m, "frames"] / medians[m, "raw"]
            for m in self.measures
            if (m, "frames") in medians and (m, "raw") in medians
        }

    def speedups(self) -> dict[str, float]:
        """DataJoint / frames (how many times faster frames is) for every measure both ran."""
        medians = {(r.measure, r.tool): r.median for r in self.results}
        return {
            m: medians[m, "datajoint"] / medians[m, "frames"]
            for m in self.measures
            if (m, "frames") in medians and (m, "datajoint") in medians
        }

    def table(self) -> str:
        """The printed table: one row per measure, medians per tool, frames / raw."""
        tools = ["frames", "raw", *sorted({r.tool for r in self.results} - {"frames", "raw"})]
        medians = {(r.measure, r.tool): r for r in self.results}
        ratios = self.ratios()
        header = ["measure", *tools, "frames/raw"]
        lines = [header]
        for measure, (label, unit) in self.measures.items():
            cells = [label]
            for tool in tools:
                result = medians.get((measure, tool))
                cells.append(_format(result, unit))
            ratio = ratios.get(measure)
            cells.append(f"{ratio:.2f}" if ratio is not None else "")
            if any(cells[1:]):
                lines.append(cells)
        widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
        text = [
            " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in lines
        ]
        text.insert(1, "-+-".join("-" * w for w in widths))
        notes = [f"skipped {name}: {why}" for name, why in self.skipped.items()]
        return "\n".join([self.title(), *text, *notes])

    def title(self) -> str:
        """The first line of :meth:`table`."""
        return (
            f"frames benchmark: {self.backend}, scale {self.scale}, medians of at least "
            f"{self.repeat} runs of frames and raw (reads: at least {READ_SECONDS:g} s of "
            f"runs; {FETCH1_CALLS} for fetch1, taking turns; comparators: one run)"
        )


def verify(frames: Frames, raw: Raw, workload: Workload) -> None:
    """Check that the measured reads of frames give the right answers: every recording with
    its values (compared with the generated table) and the analytic query's counts and sums
    (compared with the SQL written by hand).

    Raises
    ------
    AssertionError
        Naming the measure whose result is wrong.
    """
    key = [(k, "ascending") for k in RECORDING_KEY]
    expected = workload.tables["recording"].sort_by(key)
    fetched = {
        "(b) → polars": frames.fetch_polars().to_arrow(),
        "(b) parallel read": frames.fetch_parallel(),
        "(b) → pandas, dtype_backend='pyarrow'": pa.Table.from_pandas(
            frames.fetch_pandas_arrow().reset_index(), preserve_index=False
        ),
        "(f) stream → Parquet": pq.read_table(frames.parquet_path),  # written by the runs
    }
    for measure, table in fetched.items():
        if not table.sort_by(key).cast(expected.schema).equals(expected):
            raise AssertionError(f"{measure}: frames' recordings differ from the generated ones")
    totals = _totals(frames.analytic().reset_index())
    expected_totals = _totals(raw.analytic())
    if totals != expected_totals:
        raise AssertionError(
            f"(c) frames' analytic query gives {totals}, the SQL written by hand {expected_totals}"
        )


def _totals(frame: Any) -> dict[int, tuple[int, float]]:
    """researcher_id → (count, total duration to a tenth) of an analytic query's result."""
    return {
        int(r): (int(n), round(float(t), 1))
        for r, n, t in zip(frame["researcher_id"], frame["n"], frame["total_duration"], strict=True)
    }


def _format(result: Result | None, unit: str) -> str:
    if result is None:
        return ""
    if unit == "x":
        return f"{result.median:.2f}x"
    if unit == "MB":
        return f"{result.median:.0f} MB"
    text = _seconds(result.median)
    if result.measure == "insert" and result.rows_per_second:
        text += f" ({result.rows_per_second / 1000:,.0f}k rows/s)"
    return text


def _seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def machine() -> dict[str, Any]:
    """The machine the figures came from."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def versions(connection: dj.Connection) -> dict[str, str]:
    """Package versions and the server's version."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    server = {
        "duckdb": "SELECT version()",
        "postgres": "SHOW server_version",
        "mysql": "SELECT version()",
    }[connection.dialect]
    found["server"] = str(connection.query(server).fetchone()[0])
    return found
