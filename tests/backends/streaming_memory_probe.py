"""Memory of one fetch in a fresh process, for ``test_streaming_memory.py``.

``python streaming_memory_probe.py URL SCHEMA MODE BATCH_ROWS`` reads the cross join of the
tables ``a`` and ``b`` of ``SCHEMA`` and prints JSON: how far the resident size of the process
rose above where it stood before the fetch (its peak, ``VmHWM``, reset just before: Linux), and
the rows read. ``MODE`` is ``batches`` (iterate ``to_arrow_batches``, keeping
nothing), ``parquet`` (``to_parquet``) or ``whole`` (``to_arrow``, the control: a fetch that holds
the result). A small fetch of the same kind runs first: the first fetch of a process also
initialises libraries (Arrow's CSV reader and compute functions, thread pools), memory that
stays with the process whatever the result's size.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile

import pyarrow.parquet as pq

import frames as dj


def rss(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of this process, in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (``VmHWM``) to the current resident size."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def fetch(query: dj.QueryExpression, mode: str, batch_rows: int, folder: str) -> int:
    """Run the fetch of ``mode``; the rows of its result."""
    if mode == "whole":
        return query.to_arrow().num_rows
    if mode == "parquet":
        path = os.path.join(folder, "result.parquet")
        query.to_parquet(path, batch_rows=batch_rows)
        return pq.ParquetFile(path).metadata.num_rows
    return sum(batch.num_rows for batch in query.to_arrow_batches(batch_rows=batch_rows))


def main(url: str, schema_name: str, mode: str, batch_rows: int) -> None:
    connection = dj.connect(url)
    tables = {name: dj.FreeTable(connection, f"{schema_name}.{name}") for name in ("a", "b")}
    query = tables["a"] * tables["b"]
    with tempfile.TemporaryDirectory() as folder:
        fetch(tables["a"] * (tables["b"] & "b < 2"), mode, batch_rows, folder)  # warm-up
        gc.collect()
        reset_peak()
        before = rss("VmRSS")
        rows = fetch(query, mode, batch_rows, folder)
        peak = rss("VmHWM")
    print(json.dumps({"growth": peak - before, "rows": rows}))
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
