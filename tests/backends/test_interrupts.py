"""Ctrl-C (issue #16): it stops a statement that waits for the server on every backend — a
PostgreSQL ``COPY``, a MariaDB ``LOAD DATA`` or ``INSERT``, a long DuckDB query — propagates as
``KeyboardInterrupt`` (also out of ``populate(suppress_errors=True)``), leaves nothing of the
interrupted write, and the connection works on.

The tests send SIGINT to their own process once the statement is seen waiting (for a lock a
second session holds, or on a connection stalled by the fault proxy). The lock is released
only after the statement gave up: an interrupt that waited for the statement would wait
forever, until the safety net (a minute) lets the statement through and the test fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fault_proxy import Fault, FaultProxy
from sessions import WAITING

import frames as dj
from frames.backends import open_backend

_BULK = 2000  # rows: COPY on PostgreSQL, LOAD DATA on MariaDB


@contextlib.contextmanager
def interrupt_when(condition: Callable[[], bool]) -> Iterator[threading.Event]:
    """Send SIGINT to this process once ``condition()`` holds (polled every 0.2 s: InnoDB
    refreshes its lock tables only when they were not read for 0.1 s); the event tells
    whether it was sent."""
    sent, done = threading.Event(), threading.Event()

    def watch() -> None:
        while not done.is_set():
            if condition():
                sent.set()
                os.kill(os.getpid(), signal.SIGINT)
                return
            done.wait(0.2)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield sent
    finally:
        done.set()
        thread.join()


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {"k": k, "label": f"MARKER-{k}" if k == count // 2 else f"row {k}"} for k in range(count)
    ]


def _item(connection: Any, schema_name: str) -> tuple[Any, Any]:
    """The schema and its table ``Item`` on ``connection``."""
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Item(dj.Manual):
        definition = """
        k : int32
        ---
        label : varchar(32)
        """

    return schema, Item


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    schema, Item = _item(connection, schema_name)
    try:
        yield connection, Item
    finally:
        schema.drop(prompt=False)
        connection.close()


@pytest.mark.backends("postgres", "mysql")
@pytest.mark.parametrize("count", [10, _BULK], ids=["row insert", "bulk insert"])
@pytest.mark.parametrize("in_transaction", [False, True], ids=["own", "in a transaction"])
def test_ctrl_c_stops_an_insert_waiting_for_a_lock(
    lab, backend_name, backend_url, count, in_transaction
) -> None:
    connection, Item = lab
    session = connection.connection_id
    blocker = open_backend(backend_url)
    watcher = open_backend(backend_url)
    blocker.begin()
    blocker.execute(f"INSERT INTO {Item().full_table_name} VALUES (?, ?)", [count // 2, "lock"])
    try:
        waiting = lambda: watcher.fetch_rows(WAITING[backend_name], [session]) != [(0,)]  # noqa: E731
        with interrupt_when(waiting) as sent, pytest.raises(KeyboardInterrupt):
            with connection.transaction if in_transaction else contextlib.nullcontext():
                Item.insert(_rows(count))
        assert sent.is_set()
        assert blocker.in_transaction  # the lock is still held: the insert gave up first
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
    assert not connection.in_transaction
    assert len(Item) == 0
    Item.insert(_rows(count))  # the connection works on
    assert len(Item) == count


@pytest.mark.backends("duckdb")
def test_ctrl_c_stops_a_long_duckdb_query(lab) -> None:
    connection, Item = lab
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        # (a trillion rows: it would not end in the time of the test run)
        with pytest.raises(KeyboardInterrupt):
            connection.query(
                "SELECT count(*) FROM range(1000000000000) AS t(a) WHERE a %% %s = 1", [7]
            )
        timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):  # without parameters DuckDB stops by itself
            connection.query("SELECT count(*) FROM range(1000000000000) AS t(a) WHERE a % 7 = 1")
    finally:
        timer.cancel()
    Item.insert(_rows(10))
    assert len(Item) == 10


@pytest.fixture
def proxied(backend_url: str, schema_name: str) -> Iterator[Any]:
    """``lab`` on a connection through a :class:`FaultProxy`."""
    proxy = FaultProxy(backend_url)
    connection = dj.connect(proxy.url)
    schema, Item = _item(connection, schema_name)
    try:
        yield proxy, connection, Item
    finally:
        proxy.disarm()
        schema.drop(prompt=False)
        connection.close()
        proxy.close()


@pytest.mark.backends("postgres", "mysql")
def test_ctrl_c_stops_a_bulk_insert_on_a_stalled_connection(proxied, backend_url) -> None:
    """The connection stops half-way through the data of ``COPY`` / ``LOAD DATA``: the server
    waits for the rest, the client for the server's answer, and Ctrl-C ends the wait."""
    proxy, connection, Item = proxied
    fault = proxy.arm(Fault("stall", pattern=b"MARKER"))
    with interrupt_when(fault.fired.is_set) as sent, pytest.raises(KeyboardInterrupt):
        Item.insert(_rows(_BULK))
    assert sent.is_set()
    proxy.release(cut=True)
    proxy.disarm()
    direct = open_backend(backend_url)
    try:
        assert direct.fetch_rows(f"SELECT COUNT(*) FROM {Item().full_table_name}") == [(0,)]
    finally:
        direct.close()
    Item.insert(_rows(_BULK))
    assert len(Item) == _BULK


def test_populate_stops_at_ctrl_c_even_when_suppressing_errors(backend_url, schema_name) -> None:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Key(dj.Manual):
        definition = """
        k : int32
        """

    @schema
    class Made(dj.Computed):
        definition = """
        -> Key
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1(key)
            if key["k"] == 1:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)  # interrupted

    Key.insert([{"k": k} for k in range(4)])
    try:
        with pytest.raises(KeyboardInterrupt):
            Made.populate(reserve_jobs=True, suppress_errors=True, refresh=True)
        assert Made.keys() == [{"k": 0}]  # k = 1 rolled back; 2 and 3 never started
        assert Made.jobs.progress() | {"total": 0} == {
            "pending": 2,
            "reserved": 0,
            "success": 0,
            "error": 1,
            "ignore": 0,
            "total": 0,
        }
        assert "KeyboardInterrupt" in Made.jobs.errors.fetch1("error_message")
        assert Made.populate(reserve_jobs=True)["success_count"] == 2
    finally:
        schema.drop(prompt=False)
        connection.close()
