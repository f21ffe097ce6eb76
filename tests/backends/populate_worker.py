"""A populate worker for the concurrency tests and the soak test, run as its own process:

    python populate_worker.py URL SCHEMA [--log FILE] [--wait-for FILE] [--loops N] ...

It defines the pipeline ``Key`` → ``Square`` (with a part ``Square.Item``) in schema ``SCHEMA``
(declared by the caller, or by the first worker), then calls
``Square.populate(reserve_jobs=True, suppress_errors=True)`` until nothing is left to make, at
most ``--loops`` times. Every ``make`` call appends ``pid key`` to ``--log`` before it inserts
(so the log counts the calls, including those whose transaction never committed); with
``--wait-for``, ``make`` first waits until that file exists (a test kills the worker there).
The last line printed is a JSON summary: ``made``, ``errors``, ``loops``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import frames as dj

#: How many part rows each key gets.
ITEMS = 3


def pipeline(connection: dj.Connection, name: str) -> tuple[Any, Any, Any]:
    """The schema, ``Key`` and ``Square`` (declared if missing) on ``connection``."""
    schema = dj.Schema(name, connection=connection)

    @schema
    class Key(dj.Manual):
        definition = """
        k : int32
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Key
        ---
        sq : int64
        """

        log: Path | None = None
        wait_for: Path | None = None
        delay = 0.0

        class Item(dj.Part):
            definition = """
            -> master
            i : int8
            ---
            v : int64
            """

        def make(self, key: dict[str, Any]) -> None:
            if self.log is not None:
                with open(self.log, "a") as log:
                    log.write(f"{os.getpid()} {key['k']}\n")
            while self.wait_for is not None and not self.wait_for.exists():
                time.sleep(0.05)
            if self.delay:
                time.sleep(self.delay)
            k = key["k"]
            self.insert1({**key, "sq": k * k})
            self.Item.insert([{**key, "i": i, "v": k * i} for i in range(ITEMS)])

    return schema, Key, Square


def expected_rows(keys: range) -> tuple[set[tuple[int, int]], set[tuple[int, int, int]]]:
    """The rows of ``Square`` and ``Square.Item`` once every key of ``keys`` is made."""
    return {(k, k * k) for k in keys}, {(k, i, k * i) for k in keys for i in range(ITEMS)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("schema")
    parser.add_argument("--log", type=Path)
    parser.add_argument("--wait-for", type=Path)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--loops", type=int, default=1)
    parser.add_argument("--stale-timeout", type=int)
    parser.add_argument("--max-calls", type=int)
    args = parser.parse_args(argv)
    if args.stale_timeout is not None:
        dj.config.jobs.stale_timeout = args.stale_timeout
    connection = dj.connect(args.url)
    _, _, Square = pipeline(connection, args.schema)
    Square.log, Square.wait_for, Square.delay = args.log, args.wait_for, args.delay
    made, errors, rounds = 0, [], 0
    while rounds < args.loops:
        rounds += 1
        result = Square.populate(reserve_jobs=True, suppress_errors=True, max_calls=args.max_calls)
        made += result["success_count"]
        errors += [f"{key}: {error}" for key, error in result["error_list"]]
        if Square.progress()[0] == 0:
            break
        if not result["success_count"]:
            time.sleep(0.2)  # the rest is reserved by others (or by a worker that died)
    print(json.dumps({"made": made, "errors": errors, "loops": rounds}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
