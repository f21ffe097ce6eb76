"""``python -m benchmarks --backend duckdb|postgres|mysql --scale S``: run and report.

Prints a table of medians with the ratio frames / raw driver for each measure and writes the
JSON report (``benchmarks/results/<backend>.json``, ``<backend>-blobs.json`` for
``--workload blobs``, unless ``--output`` says otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.blobs import BlobBenchmark
from benchmarks.pandas_chain import PandasChainBenchmark
from benchmarks.runner import DEFAULT_URLS, Benchmark

WORKLOADS = {"tutorial": Benchmark, "blobs": BlobBenchmark, "pandas": PandasChainBenchmark}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--backend", choices=sorted(DEFAULT_URLS), default="duckdb")
    parser.add_argument(
        "--workload",
        choices=sorted(WORKLOADS),
        default="tutorial",
        help="the tutorial's four tables (default), 1 MiB arrays in a <blob> attribute, or "
        "a chain of frames.pandas methods",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=0.1,
        help="1.0 = 1,000,000 recordings, 1,000 arrays, or 1,000,000 events (default 0.1)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--url", help="database URL (default: the local test server)")
    parser.add_argument(
        "--tools",
        help="comma-separated comparators to try: pandas,datajoint "
        "(default: all that are installed)",
    )
    parser.add_argument("--output", type=Path, help="JSON report path")
    args = parser.parse_args(argv)
    tools = set(args.tools.split(",")) if args.tools is not None else None
    bench = WORKLOADS[args.workload](
        args.backend,
        args.scale,
        args.repeat,
        args.url,
        tools,
        log=lambda text: print(f"  {text}", file=sys.stderr, flush=True),
    )
    report = bench.run()
    print(bench.table())
    suffix = "" if args.workload == "tutorial" else f"-{args.workload}"
    output = args.output or Path(__file__).parent / "results" / f"{args.backend}{suffix}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"report written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
