"""Peak memory of fetching the blob benchmark's arrays, measured in a fresh process.

``python -m benchmarks.blob_memory URL`` prints JSON: how far the process's resident size rises
above where it stood while ``to_dicts()`` of every row runs (:mod:`benchmarks.blobs`), and the
decoded arrays' size. One row is fetched first, so that the libraries' own start-up memory
(``init_bytes``) is not counted; on DuckDB, which runs in this process, the table's pages are
read into the database's buffers first (as :mod:`benchmarks.memory` does), so that the fetch
alone is counted.
"""

from __future__ import annotations

import gc
import json
import sys

import frames as dj
from benchmarks.blobs import DEFINITION, FRAMES_SCHEMA, declare
from benchmarks.memory import reset_peak, rss


def main(url: str) -> None:
    """Measure and print the figures as JSON."""
    connection = dj.connect(url)
    table = declare(connection, FRAMES_SCHEMA, DEFINITION)
    if connection.dialect == "duckdb":
        connection.query(f"SELECT sum(octet_length(samples)) FROM {table.full_table_name}")
    gc.collect()
    start = rss("VmRSS")
    (table & {"array_id": 0}).to_dicts()
    gc.collect()
    init = rss("VmRSS") - start
    reset_peak()
    before = rss("VmRSS")
    rows = table.to_dicts()
    peak = rss("VmHWM")
    print(
        json.dumps(
            {
                "peak_bytes": peak - before,
                "decoded_bytes": sum(row["samples"].nbytes for row in rows),
                "rows": len(rows),
                "init_bytes": init,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
