"""Peak memory of fetching the recordings, measured in a fresh process.

``python -m benchmarks.memory URL [polars|parquet FOLDER]`` prints JSON: how far the process's
resident size rises above where it stood while ``Recording.to_polars()`` runs (or, with
``parquet``, while ``Recording.to_parquet()`` streams the recordings to a file in ``FOLDER``),
and the Arrow size of the result. Column
pages are read into the database's buffers first (DuckDB runs in this process), and the kernel's
peak-RSS mark is reset before the fetch (Linux), so that only the fetch is counted.

A small fetch into polars runs first: the first fetch of a process also initialises the
libraries (Arrow's CSV reader and compute functions, polars), memory that stays with the
process whatever the size of the result. ``init_bytes`` reports it (the resident size that
small fetch added); it is not counted in ``peak_bytes``.
"""

from __future__ import annotations

import gc
import json
import os
import sys

import pyarrow.parquet as pq

import frames as dj
from benchmarks.contestants import FRAMES_SCHEMA
from benchmarks.workload import declare


def rss(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of this process, in bytes."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (``VmHWM``) to the current resident size."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def main(url: str, fetch: str = "polars", folder: str | None = None) -> None:
    """Measure and print the figures as JSON."""
    connection = dj.connect(url)
    recording = declare(FRAMES_SCHEMA, connection)["recording"]
    warm = recording.proj(n="subject_id + recording_id", d="duration", q="quality")
    dj.U().aggr(warm, a="max(n)", b="max(d)", c="max(q)", e="max(session_date)").to_dicts()
    path = os.path.join(folder or ".", "memory-recordings.parquet")
    gc.collect()
    start = rss("VmRSS")
    small = recording & {"subject_id": 1}
    if fetch == "polars":
        small.to_polars()
    else:
        small.to_parquet(path)
    gc.collect()
    init = rss("VmRSS") - start
    reset_peak()
    before = rss("VmRSS")
    if fetch == "polars":
        frame = recording.to_polars()
        peak = rss("VmHWM")
        table = frame.to_arrow()
    else:
        recording.to_parquet(path)
        peak = rss("VmHWM")
        table = pq.read_table(path)  # for its size, once the peak is read
        os.unlink(path)
    print(
        json.dumps(
            {
                "peak_bytes": peak - before,
                "arrow_bytes": table.nbytes,
                "rows": table.num_rows,
                "init_bytes": init,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
