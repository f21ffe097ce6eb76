"""Peak memory of fetching the recordings into polars, measured in a fresh process.

``python -m benchmarks.memory URL`` prints JSON: how far the process's resident size rises above
where it stood while ``Recording.to_polars()`` runs, and the Arrow size of the result. Column
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
import sys

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


def main(url: str) -> None:
    """Measure and print the figures as JSON."""
    connection = dj.connect(url)
    recording = declare(FRAMES_SCHEMA, connection)["recording"]
    warm = recording.proj(n="subject_id + recording_id", d="duration", q="quality")
    dj.U().aggr(warm, a="max(n)", b="max(d)", c="max(q)", e="max(session_date)").to_dicts()
    gc.collect()
    start = rss("VmRSS")
    (recording & {"subject_id": 1}).to_polars()
    gc.collect()
    init = rss("VmRSS") - start
    reset_peak()
    before = rss("VmRSS")
    frame = recording.to_polars()
    peak = rss("VmHWM")
    print(
        json.dumps(
            {
                "peak_bytes": peak - before,
                "arrow_bytes": frame.to_arrow().nbytes,
                "rows": frame.height,
                "init_bytes": init,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
