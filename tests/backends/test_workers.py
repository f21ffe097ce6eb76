"""Workers that share a job queue never collide (issue #16): the jobs table declared by
whichever worker comes first, every key made once, no reservation left behind, conflicts run
again, and the reservation of a worker killed mid-make taken over after ``jobs.stale_timeout``.

Workers on PostgreSQL and MariaDB are processes (``populate_worker.py``); a DuckDB database
file can be opened by one process only, so there they are threads of this process, each with a
connection of its own.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from populate_worker import expected_rows, pipeline

import frames as dj

WORKER = Path(__file__).with_name("populate_worker.py")
KEYS = range(300)


def _start(url: str, schema: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, schema, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _summary(worker: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = worker.communicate(timeout=600)
    assert worker.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _calls(log: Path) -> Counter[int]:
    """How many times ``make`` was called for each key (from the workers' log)."""
    return Counter(int(line.split()[1]) for line in log.read_text().splitlines())


def _assert_whole(Square: Any, keys: range) -> None:
    rows, items = expected_rows(keys)
    assert {(r["k"], r["sq"]) for r in Square.to_dicts()} == rows
    assert {(r["k"], r["i"], r["v"]) for r in Square.Item.to_dicts()} == items
    assert Square.jobs.progress()["reserved"] == 0


@pytest.fixture
def lab(backend_url: str, schema_name: str):
    """The pipeline of ``populate_worker.py`` with :data:`KEYS` (its jobs table not declared)."""
    connection = dj.connect(backend_url)
    schema, Key, Square = pipeline(connection, schema_name)
    Key.insert([{"k": k} for k in KEYS])
    try:
        yield connection, Square
    finally:
        schema.drop(prompt=False)
        connection.close()


@pytest.mark.backends("postgres", "mysql")
def test_four_worker_processes_make_every_key_once(lab, backend_url, schema_name, tmp_path):
    _, Square = lab
    log = tmp_path / "calls.log"
    workers = [_start(backend_url, schema_name, "--log", str(log)) for _ in range(4)]
    summaries = [_summary(worker) for worker in workers]
    assert [s["errors"] for s in summaries] == [[]] * 4
    assert sum(s["made"] for s in summaries) == len(KEYS)
    assert _calls(log) == Counter(dict.fromkeys(KEYS, 1))
    _assert_whole(Square, KEYS)
    assert Square.jobs.progress()["total"] == 0


@pytest.mark.backends("duckdb")
def test_four_worker_threads_on_one_duckdb_file_make_every_key_once(tmp_path, schema_name):
    url = f"duckdb:///{tmp_path / 'lab.duckdb'}"
    connection = dj.connect(url)
    schema, Key, Square = pipeline(connection, schema_name)
    Key.insert([{"k": k} for k in KEYS])
    results: dict[int, Any] = {}
    calls: Counter[int] = Counter()
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            _, _, Mine = pipeline(dj.connect(url), schema_name)
            make = Mine.make

            def counted(self: Any, key: dict[str, Any]) -> None:
                with lock:
                    calls[key["k"]] += 1
                make(self, key)

            Mine.make = counted
            results[n] = Mine.populate(reserve_jobs=True, suppress_errors=True)
        except BaseException as error:  # reported below
            results[n] = error

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, dict) and not r["error_list"] for r in results.values()), results
    assert sum(r["success_count"] for r in results.values()) == len(KEYS)
    assert calls == Counter(dict.fromkeys(KEYS, 1))
    _assert_whole(Square, KEYS)
    schema.drop(prompt=False)
    connection.close()


def _wait_until(condition: Any, what: str) -> None:
    """Wait (at most a minute) until ``condition()`` holds."""
    for _ in range(600):
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting until {what}")


def _kill_mid_make(url: str, schema: str, log: Path, tmp_path: Path) -> int:
    """Start a worker, wait until its first ``make`` has begun, kill it with SIGKILL; the key
    it was making."""
    victim = _start(url, schema, "--log", str(log), "--wait-for", str(tmp_path / "never"))
    _wait_until(lambda: log.exists() and log.read_text(), "the worker is inside make()")
    (key,) = _calls(log)
    return victim, key


@pytest.mark.backends("postgres", "mysql")
def test_a_worker_killed_mid_make_is_taken_over_after_the_stale_timeout(
    lab, backend_url, schema_name, tmp_path
):
    _, Square = lab
    log = tmp_path / "calls.log"
    victim, key = _kill_mid_make(backend_url, schema_name, log, tmp_path)
    jobs = Square.jobs
    assert jobs.reserved.keys() == [{"k": key}]
    time.sleep(1.1)  # the reservation is older than a stale_timeout of 1 s, its holder alive
    assert jobs.refresh(stale_timeout=1)["orphaned"] == 0
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    # dead, but younger than the configured stale_timeout (an hour): left alone
    assert jobs.refresh()["orphaned"] == 0
    assert jobs.reserved.keys() == [{"k": key}]
    # the server ends the killed worker's session when it notices the closed socket
    _wait_until(lambda: jobs.refresh(stale_timeout=1)["orphaned"] == 1, "taken over")
    assert not jobs.reserved and {"k": key} in jobs.pending.keys()
    assert not Square & {"k": key}  # the killed make's rows were rolled back
    assert Square.populate(reserve_jobs=True)["success_count"] == len(KEYS)
    _assert_whole(Square, KEYS)
    assert _calls(log) == {key: 1}  # made here once more, as the test process does not log


@pytest.mark.backends("duckdb")
def test_a_duckdb_worker_killed_mid_make_is_taken_over_after_the_stale_timeout(
    tmp_path, schema_name
):
    url = f"duckdb:///{tmp_path / 'lab.duckdb'}"
    connection = dj.connect(url)
    _, Key, _ = pipeline(connection, schema_name)
    Key.insert([{"k": k} for k in KEYS])
    connection.close()  # one process at a time opens a DuckDB file
    log = tmp_path / "calls.log"
    victim, key = _kill_mid_make(url, schema_name, log, tmp_path)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    connection = dj.connect(url)
    schema, _, Square = pipeline(connection, schema_name)
    jobs = Square.jobs
    assert jobs.reserved.keys() == [{"k": key}]
    assert jobs.refresh()["orphaned"] == 0  # younger than the configured stale_timeout
    time.sleep(1.1)
    assert jobs.refresh(stale_timeout=1)["orphaned"] == 1  # its process is gone
    assert Square.populate(reserve_jobs=True)["success_count"] == len(KEYS)
    _assert_whole(Square, KEYS)
    schema.drop(prompt=False)
    connection.close()
