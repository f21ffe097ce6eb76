"""Streamed results never hold the whole result in memory, on every backend (not timed).

Each fetch runs in a fresh process (``streaming_memory_probe.py``), which reports how far its
resident size rose while the fetch ran. The result, the cross join of two small tables, is about
170 MB as Arrow, some 400 times a batch of 2,000 rows. Iterating ``to_arrow_batches`` and writing
``to_parquet`` must stay under half of it — a process that held the result, or most of it,
could not; ``to_arrow``, which does hold it, is the control that shows the measure sees that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import frames as dj

PROBE = Path(__file__).with_name("streaming_memory_probe.py")
A_ROWS, B_ROWS, BATCH_ROWS = 1_000, 800, 2_000
TEXT = 200

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux's peak-RSS reset"
)


@pytest.fixture
def result_url(backend_name, backend_url, schema_name, tmp_path) -> str:
    """The URL of a database with tables ``a`` and ``b`` in ``schema_name`` (DuckDB: a file,
    which the probe's process opens once this one has closed it)."""
    url = f"duckdb:///{tmp_path / 'memory.duckdb'}" if backend_name == "duckdb" else backend_url
    connection = dj.connect(url)
    schema = dj.Schema(schema_name, connection=connection)

    class A(dj.Manual):
        definition = f"""
        a : int32
        ---
        t : varchar({TEXT + 10})
        """

    class B(dj.Manual):
        definition = """
        b : int32
        """

    schema(A, context={})
    schema(B, context={})
    A.insert(
        pa.table(
            {
                "a": pa.array(range(A_ROWS), pa.int32()),
                "t": [f"{i:06d}" + "x" * (TEXT - 6) for i in range(A_ROWS)],
            }
        )
    )
    B.insert(pa.table({"b": pa.array(range(B_ROWS), pa.int32())}))
    connection.close()
    return url


def _probe(url: str, schema_name: str, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(PROBE), url, schema_name, mode, str(BATCH_ROWS)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_streamed_fetches_never_hold_the_whole_result(result_url, schema_name):
    rows = A_ROWS * B_ROWS
    # the result's Arrow size: two int32 columns and the text with its 32-bit offsets
    size = rows * (4 + 4 + TEXT + 4)
    whole = _probe(result_url, schema_name, "whole")
    assert whole["rows"] == rows
    assert whole["growth"] > 0.8 * size  # the control: the measure sees a result held
    for mode in ("batches", "parquet"):
        streamed = _probe(result_url, schema_name, mode)
        assert streamed["rows"] == rows, mode
        assert streamed["growth"] < size / 2, (mode, streamed["growth"], size)
