"""Soak: 8 worker processes share 2,000 keys on PostgreSQL and MariaDB while workers are killed
with SIGKILL at random and replaced (issue #16).

Run with ``FRAMES_SOAK=1 FRAMES_REQUIRE_BACKENDS=all pytest tests/soak -s`` (minutes per server).
The workers are ``tests/backends/populate_worker.py`` with ``jobs.stale_timeout = 2``: each
calls ``populate(reserve_jobs=True)`` until nothing is left, so the reservations of the killed
ones are taken over. At the end every key is made, the rows are exactly the expected ones, and
no job is left (reserved, pending or failed). The figures are printed; nothing is timed.
"""

from __future__ import annotations

import importlib.util
import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import frames as dj

WORKER = Path(__file__).parents[1] / "backends" / "populate_worker.py"
KEYS = range(2000)
WORKERS = 8
KILLS = 24
_spec = importlib.util.spec_from_file_location("populate_worker", WORKER)
assert _spec is not None and _spec.loader is not None
populate_worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(populate_worker)


def _start(url: str, schema: str, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            url,
            schema,
            "--log",
            str(log),
            "--loops",
            "100000",
            "--stale-timeout",
            "2",
            "--delay",
            "0.02",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(log: Path) -> list[str]:
    """The complete lines of the workers' log (``pid key``)."""
    if not log.exists():
        return []
    return [line for line in log.read_text().splitlines() if len(line.split()) == 2]


@pytest.mark.backends("postgres", "mysql")
def test_workers_killed_at_random_leave_every_key_made_once(
    backend_name: str, backend_url: str, schema_name: str, tmp_path: Path
) -> None:
    connection = dj.connect(backend_url)
    schema, Key, Square = populate_worker.pipeline(connection, schema_name)
    Key.insert([{"k": k} for k in KEYS])
    log = tmp_path / "calls.log"
    rng = random.Random(16)
    started = time.monotonic()
    try:
        workers = [_start(backend_url, schema_name, log) for _ in range(WORKERS)]
        kills = restarts = 0
        while kills < KILLS and Square.progress()[0] > 0:
            time.sleep(rng.uniform(0.2, 1.0))
            # kill only workers that are making keys (started up, found work): in their make()
            # most of the time, or in between
            making = {int(line.split()[0]) for line in _lines(log)}
            working = [w for w in workers if w.poll() is None and w.pid in making]
            if not working:
                continue
            victim = rng.choice(working)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            kills += 1
            workers.remove(victim)
            workers.append(_start(backend_url, schema_name, log))
            restarts += 1
        summaries: list[dict[str, Any]] = []
        for worker in workers:
            out, err = worker.communicate(timeout=3600)
            assert worker.returncode == 0, err
            summaries.append(json.loads(out.strip().splitlines()[-1]))
        elapsed = time.monotonic() - started
        calls = Counter(int(line.split()[1]) for line in _lines(log))
        rows, items = populate_worker.expected_rows(KEYS)
        assert {(r["k"], r["sq"]) for r in Square.to_dicts()} == rows
        assert {(r["k"], r["i"], r["v"]) for r in Square.Item.to_dicts()} == items
        assert set(calls) == set(KEYS)
        assert [s["errors"] for s in summaries] == [[]] * len(summaries)
        progress = Square.jobs.progress()
        assert progress["total"] == 0, progress
        print(
            f"\nsoak {backend_name}: {len(KEYS)} keys, {WORKERS} workers, {kills} killed with "
            f"SIGKILL and {restarts} restarted; make() called {sum(calls.values())} times "
            f"({sum(1 for n in calls.values() if n > 1)} keys more than once: made by a killed "
            f"worker or run again after a conflict); rows {len(Square)} + "
            f"{len(Square.Item)} parts as expected; jobs left {progress['total']}; "
            f"{elapsed:.0f} s"
        )
    finally:
        schema.drop(prompt=False)
        connection.close()
