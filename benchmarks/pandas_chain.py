"""The pandas-chain benchmark (``--workload pandas``): a chain of ``frames.pandas`` methods as
one statement, against the same SQL written by hand and against pandas itself.

At scale 1 the table holds 1,000,000 events (an ``int32`` key; ``grp``: 1,000 groups; ``x``: a
float with 5% missing values; ``y``: an integer; ``label``: one of five strings), generated from
a fixed seed and inserted by frames. Measures (medians):

* ``chain``: filter → assign → groupby.agg → sort_values → head, fetched into pandas. frames
  runs its one statement (checked: one ``SELECT``); ``raw`` runs the same query written by hand
  (:data:`CHAIN_SQL`) with the driver's fastest path into pandas (``benchmarks/raw.py``);
  ``pandas`` reads the whole table with ``read_sql`` and runs the same chain in pandas (once,
  as the other comparators).
* ``chain_in_memory``: the pandas chain alone, on a frame already fetched (what pandas costs
  once the rows are in memory).
* ``build_chain``: the Python cost of building a 10-method chain (no SQL is compiled or run),
  :data:`PYTHON_CALLS` repetitions.
* ``compile_cached``: compiling a chain of the same shape with a new literal (the shape's
  compiled statement is cached; the literal is a new parameter), :data:`PYTHON_CALLS`
  repetitions.
* ``compile_new``: compiling the chain with the compile cache cleared.

The report also holds the machine's load average (1, 5, 15 minutes) at the start and the end
of the run: the figures are only comparable between runs of similar load.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

import frames as dj
import frames.pandas as fpd
from benchmarks.raw import RawDriver, raw_driver
from benchmarks.runner import READ_SECONDS, Benchmark, timed, versions
from frames.sql.compile import _compile_cached

SCHEMA = "bench_pandas_chain"
SEED = 20240603
ROWS = 1_000_000
GROUPS = 1_000
LABELS = ("alpha", "beta", "gamma", "delta", "epsilon")
#: Repetitions of the Python-only measures (medians of single calls).
PYTHON_CALLS = 2000
#: Repetitions of the uncached compile.
COMPILE_NEW_CALLS = 30
#: The chain's filter: rows with ``x`` above it (about 40% of the rows).
LIMIT = 0.25
HEAD = 10

DEFINITION = """
event_id : int32
---
grp : int16
x = null : float64
y : int32
label : varchar(8)
"""
PANDAS_MEASURES = {
    "chain": ("(a) filter → assign → groupby.agg → sort_values → head → pandas", "s"),
    "chain_in_memory": ("(c) the same chain in pandas on fetched rows (no read)", "s"),
    "build_chain": ("(b) build a 10-method chain (Python only)", "s"),
    "compile_cached": ("(b) compile, cached shape (new literal)", "s"),
    "compile_new": ("(b) compile, new shape", "s"),
}


def generate(scale: float) -> pa.Table:
    """The events at ``scale`` (1.0: a million rows), identical on every call."""
    rows = max(20, round(ROWS * scale))
    rng = np.random.default_rng(SEED)
    x = np.round(rng.standard_normal(rows), 6)
    return pa.table(
        {
            "event_id": np.arange(1, rows + 1, dtype=np.int32),
            "grp": rng.integers(0, GROUPS, rows).astype(np.int16),
            "x": pa.array(x, mask=rng.random(rows) < 0.05),
            "y": rng.integers(-100, 1000, rows).astype(np.int32),
            "label": pa.array(rng.choice(LABELS, rows)),
        }
    )


def declare(connection: dj.Connection) -> Any:
    """The ``Event`` table in :data:`SCHEMA`."""
    schema = dj.Schema(SCHEMA, connection=connection)
    cls = type("Event", (dj.Manual,), {"definition": DEFINITION, "__module__": __name__})
    return schema(cls)


def chain(df: Any, limit: float = LIMIT) -> Any:
    """Measure (a): the same calls on a pandas or a ``frames.pandas`` DataFrame."""
    kept = df[df.x > limit]
    return (
        kept.assign(z=kept.x * 2 + kept.y)
        .groupby("grp")
        .agg(total=("z", "sum"), n=("z", "count"), mean_y=("y", "mean"))
        .sort_values("total", ascending=False)
        .head(HEAD)
    )


def ten_methods(df: Any, limit: float) -> Any:
    """Measure (b): a chain of ten pandas methods (mask, assign, rename, fillna, dropna, drop,
    groupby, agg, sort_values, head)."""
    kept = df[df.x > limit]
    return (
        kept.assign(z=kept.x * 2 + kept.y)
        .rename(columns={"label": "tag"})
        .fillna({"y": 0})
        .dropna(subset=["z"])
        .drop(columns=["tag"])
        .groupby("grp")
        .agg(total=("z", "sum"), n=("z", "count"), mean_y=("y", "mean"))
        .sort_values("total", ascending=False)
        .head(HEAD)
    )


def chain_sql(driver: RawDriver) -> str:
    """Measure (a) written by hand (ties in ``total`` ordered by the group, as pandas' stable
    sort of the grouped result leaves them)."""
    q = driver.quote_char
    z = f"{q}x{q} * 2 + {q}y{q}"
    return (
        f"SELECT {q}grp{q}, SUM({z}) AS {q}total{q}, COUNT({z}) AS {q}n{q}, "
        f"AVG({q}y{q}) AS {q}mean_y{q} FROM {driver.table(SCHEMA, 'event')} "
        f"WHERE {q}x{q} > {LIMIT} GROUP BY {q}grp{q} "
        f"ORDER BY {q}total{q} DESC, {q}grp{q} LIMIT {HEAD}"
    )


class PandasReader:
    """pandas ``read_sql`` of the whole table (through SQLAlchemy; DuckDB's DB-API
    connection, which has no SQLAlchemy dialect installed)."""

    def __init__(self, backend: str, url: str, driver: RawDriver) -> None:
        self._select = driver.select_all(SCHEMA, "event")
        if backend == "duckdb":
            self._engine: Any = driver.connection
        else:
            import sqlalchemy

            scheme = {"postgres": "postgresql+psycopg2", "mysql": "mysql+pymysql"}[backend]
            self._engine = sqlalchemy.create_engine(scheme + url[url.index(":") :])

    def read(self) -> pd.DataFrame:
        """Every event, as pandas reads it."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # DB-API connections other than sqlite
            return pd.read_sql(self._select, self._engine)


class PandasChainBenchmark(Benchmark):
    """One run of the pandas-chain benchmark on one backend."""

    measures = PANDAS_MEASURES

    def run(self) -> dict[str, Any]:
        """Run every measure; return the report (also kept for :meth:`table`)."""
        self.load_average = {"start": list(os.getloadavg())}
        self.log(f"generating the events at scale {self.scale} ...")
        events = generate(self.scale)
        self.connection = dj.connect(self.url)
        self.connection.backend.drop_schema(SCHEMA)
        table = declare(self.connection)
        shared = None
        if self.backend == "duckdb":
            import duckdb

            shared = duckdb.connect(self.url.removeprefix("duckdb:///"))
        self.driver = raw_driver(self.backend, self.url, shared)
        self.driver.connect()
        started = time.perf_counter()
        self.log("inserting (frames)")
        table.insert(events)
        frame = fpd.DataFrame(table)
        sql = chain_sql(self.driver)
        check(chain(frame), self.driver.fetch_pandas(sql))
        self._timed_read("chain", "frames", lambda: chain(frame).to_pandas())
        self._timed_read("chain", "raw", lambda: self.driver.fetch_pandas(sql))
        self._pandas()
        self._python(frame)
        self.versions = versions(self.connection)
        self.driver.close()
        if shared is not None:
            shared.close()
        self.connection.backend.drop_schema(SCHEMA)
        self.connection.close()
        self.elapsed = time.perf_counter() - started
        self.load_average["end"] = list(os.getloadavg())
        return self.report()

    def _timed_read(self, measure: str, tool: str, read: Any) -> None:
        self.log(f"{measure}: {tool}")
        read()  # warm-up: caches, buffer pools
        self._add(measure, tool, timed(read, self.repeat, min_seconds=READ_SECONDS))

    def _pandas(self) -> None:
        """pandas' own: read_sql of the table and the chain (once), and the chain alone."""
        if self.tools is not None and "pandas" not in self.tools:
            return
        self.log("chain: pandas (read_sql + the chain)")
        try:
            reader = PandasReader(self.backend, self.url, self.driver)
            fetched: list[pd.DataFrame] = []
            samples = timed(lambda: fetched.append(chain(reader.read())), 1)
        except Exception as exc:  # a comparator that cannot run is reported, not fatal
            self.skipped["pandas"] = f"{type(exc).__name__}: {exc}"
            return
        self._add("chain", "pandas", samples)
        rows = reader.read()
        self._add("chain_in_memory", "pandas", timed(lambda: chain(rows), self.repeat))

    def _python(self, frame: fpd.DataFrame) -> None:
        """The Python cost of building chains and compiling them."""
        self.log("build and compile (Python)")
        limits = [LIMIT + i * 1e-6 for i in range(PYTHON_CALLS)]
        self._add("build_chain", "frames", _each(lambda v: ten_methods(frame, v), limits))
        built = [ten_methods(frame, v) for v in limits]
        built[0].compile()
        self._add("compile_cached", "frames", _each(lambda c: c.compile(), built[1:]))
        fresh = []
        for value in limits[:COMPILE_NEW_CALLS]:
            candidate = ten_methods(frame, value)
            _compile_cached.cache_clear()
            start = time.perf_counter()
            candidate.compile()
            fresh.append(time.perf_counter() - start)
        self._add("compile_new", "frames", fresh)

    def report(self) -> dict[str, Any]:
        """The report of :class:`Benchmark`, with the load average and pandas / frames."""
        medians = {(r.measure, r.tool): r.median for r in self.results}
        speedup = None
        if ("chain", "pandas") in medians:
            speedup = medians["chain", "pandas"] / medians["chain", "frames"]
        return {
            **super().report(),
            "load_average": self.load_average,
            "pandas_over_frames": speedup,
        }

    def title(self) -> str:
        """The first line of :meth:`table`."""
        rows = max(20, round(ROWS * self.scale))
        load = " ".join(f"{v:.2f}" for v in self.load_average["start"])
        return (
            f"frames pandas-chain benchmark: {self.backend}, {rows:,} rows, medians of at least "
            f"{self.repeat} runs of frames and raw (reads: at least {READ_SECONDS:g} s of runs; "
            f"Python: {PYTHON_CALLS} calls; pandas: one run); load average at the start {load}"
        )


def _each(function: Any, items: list[Any]) -> list[float]:
    """The wall-clock seconds of ``function(item)`` for each item."""
    samples = []
    for item in items:
        start = time.perf_counter()
        function(item)
        samples.append(time.perf_counter() - start)
    return samples


def check(frame: fpd.DataFrame, expected: pd.DataFrame) -> None:
    """Check that the chain compiles to one statement and gives the hand-written SQL's answer.

    Raises
    ------
    AssertionError
        If it does not.
    """
    sql, _ = frame.compile()
    if ";" in sql.strip().rstrip(";"):
        raise AssertionError(f"the chain is not one statement: {sql}")
    got = frame.to_pandas().reset_index()
    if list(got["grp"]) != [int(g) for g in expected["grp"]]:
        raise AssertionError(f"groups {list(got['grp'])} != {list(expected['grp'])}")
    for name in ("total", "n", "mean_y"):  # MariaDB's AVG of integers keeps 4 decimals
        same = np.allclose(got[name].astype(float), expected[name].astype(float), atol=1e-4)
        if not same:
            raise AssertionError(f"{name}: {list(got[name])} != {list(expected[name])}")
