"""The blob benchmark: arrays in a ``<blob>`` attribute, written and read back whole.

At scale 1 the table holds 1,000 rows of 1 MiB float64 arrays (131,072 values each). The
arrays are random 64-bit patterns (finite values), which zlib cannot shorten: DataJoint's
format stores them uncompressed, so the raw baseline reads exactly the bytes frames stores
and decodes them with ``numpy.frombuffer``, and writes the arrays' own bytes. Compressible
arrays cost zlib's time on top, in frames as in DataJoint (whose format frames writes).

Measures (medians; frames and raw ``repeat`` times, DataJoint once):

* ``blob_encode``: every array into its stored bytes (``frames.blob.pack``, whose attempt to
  compress with zlib, as DataJoint's format requires, is most of it; raw: ``tobytes``), the
  part of ``blob_insert`` that is not the database's;
* ``blob_insert``: every row in one call (frames ``insert``, the driver's bulk path,
  DataJoint ``insert`` in pieces its MySQL connection accepts);
* ``blob_fetch``: every row as dicts of decoded arrays (frames and DataJoint ``to_dicts``; raw:
  the driver's rows and ``numpy.frombuffer`` on each value's array bytes);
* ``blob_memory``: how far the resident size of a fresh process rises while frames fetches
  the rows, divided by the decoded arrays' size (:mod:`benchmarks.blob_memory`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import frames as dj
from benchmarks.contestants import datajoint_module
from benchmarks.raw import RawDriver, raw_driver
from benchmarks.runner import READ_SECONDS, Benchmark, timed, versions
from frames import blob as frames_blob

FRAMES_SCHEMA = "bench_blob_frames"
RAW_SCHEMA = "bench_blob_raw"
DATAJOINT_SCHEMA = "bench_blob_datajoint"
SEED = 20240602
ROWS = 1000
ARRAY_VALUES = 2**17  # 1 MiB of float64
#: Rows per DataJoint ``insert`` call: its statement must fit MariaDB's ``max_allowed_packet``
#: (16 MB here; an escaped 1 MiB array takes about 2 MB of it).
DATAJOINT_INSERT_ROWS = 4

DEFINITION = """
array_id : int32
---
samples : <blob>
"""
RAW_DEFINITION = """
array_id : int32
---
data : bytes
"""
BLOB_MEASURES = {
    "blob_encode": ("encode: pack (frames) / tobytes (raw)", "s"),
    "blob_insert": ("insert, 1 MiB float64 arrays as <blob>", "s"),
    "blob_fetch": ("fetch → dicts of decoded arrays", "s"),
    "blob_memory": ("peak memory of the fetch / decoded size", "x"),
}


def generate(scale: float) -> np.ndarray:
    """The arrays at ``scale`` (1.0: 1,000 rows), one per row of the result, identical on every
    call: random 64-bit patterns, those of infinities and NaNs turned into finite values."""
    rows = max(2, round(ROWS * scale))
    bits = np.random.default_rng(SEED).integers(
        0, 2**64, size=(rows, ARRAY_VALUES), dtype=np.uint64
    )
    exponent = np.uint64(0x7FF << 52)
    bits[(bits & exponent) == exponent] ^= np.uint64(1 << 52)  # exponent 0x7FF → 0x7FE
    return bits.view(np.float64)


def declare(connection: dj.Connection, schema_name: str, definition: str) -> Any:
    """The one table of the benchmark in schema ``schema_name`` (the stored one if it
    exists)."""
    schema = dj.Schema(schema_name, connection=connection)
    cls = type("Arrays", (dj.Manual,), {"definition": definition, "__module__": __name__})
    return schema(cls)


class FramesBlobs:
    """frames: ``insert`` and ``to_dicts`` of the ``<blob>`` table."""

    name = "frames"

    def __init__(self, table: Any) -> None:
        self.table = table

    def reset(self) -> None:
        self.table.delete_quick()

    def insert(self, arrays: np.ndarray) -> None:
        self.table.insert({"array_id": i, "samples": a} for i, a in enumerate(arrays))

    def fetch(self) -> list[dict[str, Any]]:
        return self.table.to_dicts()


class RawBlobs:
    """The driver: the arrays' bytes into a ``bytes`` column; frames' blobs read back with
    ``numpy.frombuffer`` after their header (the same bytes frames reads)."""

    name = "raw"

    def __init__(self, driver: RawDriver, raw_table: Any) -> None:
        self.driver = driver
        self._raw_table = raw_table
        self._target = driver.table(RAW_SCHEMA, raw_table.table_name)
        q = driver.quote_char
        self._select = (
            f"SELECT {q}array_id{q}, {q}samples{q} FROM {driver.table(FRAMES_SCHEMA, 'arrays')}"
        )

    def reset(self) -> None:
        self._raw_table.delete_quick()

    def insert(self, arrays: np.ndarray) -> None:
        self.driver.insert_blobs(self._target, [(i, a.tobytes()) for i, a in enumerate(arrays)])

    def fetch(self) -> list[dict[str, Any]]:
        size = ARRAY_VALUES * 8
        return [
            {"array_id": i, "samples": np.frombuffer(data, np.float64, offset=len(data) - size)}
            for i, data in self.driver.fetch_rows(self._select)
        ]


class DataJointBlobs:
    """DataJoint 2.x: the same table in its own schema."""

    name = "datajoint"

    def __init__(self, backend: str, url: str) -> None:
        datajoint = datajoint_module(backend, url)
        schema = datajoint.Schema(DATAJOINT_SCHEMA)
        schema.drop()
        schema = datajoint.Schema(DATAJOINT_SCHEMA)
        self._schema = schema
        self.table = schema(type("Arrays", (datajoint.Manual,), {"definition": DEFINITION}))

    def reset(self) -> None:
        self.table.delete_quick()

    def insert(self, arrays: np.ndarray) -> None:
        for start in range(0, len(arrays), DATAJOINT_INSERT_ROWS):
            piece = arrays[start : start + DATAJOINT_INSERT_ROWS]
            self.table.insert({"array_id": start + i, "samples": a} for i, a in enumerate(piece))

    def fetch(self) -> list[dict[str, Any]]:
        return self.table().to_dicts()

    def drop(self) -> None:
        self._schema.drop()


class BlobBenchmark(Benchmark):
    """One run of the blob benchmark on one backend."""

    measures = BLOB_MEASURES

    def run(self) -> dict[str, Any]:
        """Run every measure; return the report (also kept for :meth:`table`)."""
        self.log(f"generating the arrays at scale {self.scale} ...")
        arrays = generate(self.scale)
        self.connection = dj.connect(self.url)
        for schema in (FRAMES_SCHEMA, RAW_SCHEMA):
            self.connection.backend.drop_schema(schema)
        table = declare(self.connection, FRAMES_SCHEMA, DEFINITION)
        raw_table = declare(self.connection, RAW_SCHEMA, RAW_DEFINITION)
        self._shared = None
        if self.backend == "duckdb":
            import duckdb

            self._shared = duckdb.connect(self.url.removeprefix("duckdb:///"))
        self.driver = raw_driver(self.backend, self.url, self._shared)
        self.driver.connect()
        contestants: list[Any] = [
            RawBlobs(self.driver, raw_table),
            FramesBlobs(table),
        ]
        datajoint = self._datajoint()
        if datajoint is not None:
            contestants.append(datajoint)
        started = time.perf_counter()
        for name, encode in (("raw", np.ndarray.tobytes), ("frames", frames_blob.pack)):
            self.log(f"blob_encode: {name}")
            self._add(
                "blob_encode", name, timed(lambda e=encode: [e(a) for a in arrays], self.repeat)
            )
        for contestant in list(contestants):  # each leaves its last run's rows for the reads
            done = self._measure(
                "blob_insert",
                contestant,
                lambda c=contestant: c.insert(arrays),
                len(arrays),
                before=contestant.reset,
            )
            if not done:
                contestants.remove(contestant)
        for contestant in contestants:
            self._measure("blob_fetch", contestant, contestant.fetch, len(arrays), warm=True)
            if contestant.name != "datajoint":
                check(contestant.name, contestant.fetch(), arrays)
        self.versions = versions(self.connection)
        if datajoint is not None:
            datajoint.drop()
        self.driver.close()
        if self._shared is not None:
            self._shared.close()
        self.connection.backend.drop_schema(RAW_SCHEMA)
        self.connection.close()  # DuckDB: the measuring process opens the file next
        self._memory()
        _drop(self.url, FRAMES_SCHEMA)
        self.elapsed = time.perf_counter() - started
        return self.report()

    def _datajoint(self) -> DataJointBlobs | None:
        """DataJoint's contestant, or None (reason noted) where it cannot run."""
        if self.tools is not None and "datajoint" not in self.tools:
            return None
        if self.backend == "duckdb":
            self.skipped["datajoint"] = "DataJoint does not run on DuckDB"
            return None
        try:
            return DataJointBlobs(self.backend, self.url)
        except ImportError as exc:
            self.skipped["datajoint"] = f"not installed ({exc})"
        except Exception as exc:  # a comparator that cannot start is reported, not fatal
            self.skipped["datajoint"] = f"{type(exc).__name__}: {exc}"
        return None

    def _memory(self) -> None:
        """Peak memory of frames' fetch, one fresh process per repeat."""
        self.log("blob fetch memory (subprocesses)")
        command = [sys.executable, "-m", "benchmarks.blob_memory", self.url]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        runs = []
        for _ in range(self.repeat):
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if done.returncode:
                self.skipped["blob_memory"] = done.stderr.strip().splitlines()[-1]
                return
            runs.append(json.loads(done.stdout))
        self.memory = runs
        self._add(
            "blob_memory", "frames", [run["peak_bytes"] / run["decoded_bytes"] for run in runs]
        )

    def title(self) -> str:
        """The first line of :meth:`table`."""
        rows = max(2, round(ROWS * self.scale))
        return (
            f"frames blob benchmark: {self.backend}, {rows} rows of 1 MiB float64 arrays, "
            f"medians of at least {self.repeat} runs of frames and raw (reads: at least "
            f"{READ_SECONDS:g} s of runs; DataJoint: one run)"
        )


def check(tool: str, rows: list[dict[str, Any]], arrays: np.ndarray) -> None:
    """Check that ``tool`` fetched every array with its values, dtype and shape.

    Raises
    ------
    AssertionError
        Naming the tool and the first row that differs.
    """
    if len(rows) != len(arrays):
        raise AssertionError(f"{tool} fetched {len(rows)} rows, {len(arrays)} were inserted")
    for row in rows:
        value, expected = row["samples"], arrays[row["array_id"]]
        same = (
            isinstance(value, np.ndarray)
            and value.dtype == expected.dtype
            and value.shape == expected.shape
            and value.tobytes() == expected.tobytes()
        )
        if not same:
            raise AssertionError(f"{tool}: row {row['array_id']} differs from the inserted array")


def _drop(url: str, schema: str) -> None:
    connection = dj.connect(url)
    connection.backend.drop_schema(schema)
    connection.close()
