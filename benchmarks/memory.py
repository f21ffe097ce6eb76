"""Peak memory of fetching the recordings into polars, measured in a fresh process.

``python -m benchmarks.memory URL`` prints JSON: the rise of the process's peak resident size
while ``Recording.to_polars()`` runs, and the Arrow size of the result. Column pages are read into
the database's buffers first (DuckDB runs in this process), so that only the fetch is counted.
"""

from __future__ import annotations

import json
import resource
import sys

import frames as dj
from benchmarks.contestants import FRAMES_SCHEMA
from benchmarks.workload import declare


def peak_rss() -> int:
    """The process's peak resident set size in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(url: str) -> None:
    """Measure and print the figures as JSON."""
    connection = dj.connect(url)
    recording = declare(FRAMES_SCHEMA, connection)["recording"]
    warm = recording.proj(n="subject_id + recording_id", d="duration", q="quality")
    dj.U().aggr(warm, a="max(n)", b="max(d)", c="max(q)", e="max(session_date)").to_dicts()
    before = peak_rss()
    frame = recording.to_polars()
    after = peak_rss()
    print(json.dumps({"peak_bytes": after - before, "arrow_bytes": frame.to_arrow().nbytes,
                      "rows": frame.height}))


if __name__ == "__main__":
    main(sys.argv[1])
