"""Conflicts between concurrent transactions (issue #16): deadlocks (MariaDB 1213, PostgreSQL
40P01) and write-write conflicts (DuckDB) are run again with a bounded backoff where frames
owns the transaction (a ``make``, a statement or insert of its own), and raise
:class:`~frames.errors.TransactionConflictError` inside the caller's transaction — never a
driver error, never "SAVEPOINT frames_insert does not exist"."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sessions import WAITING

import frames as dj
from frames.backends import open_backend
from frames.errors import TransactionConflictError

# The blocker must not be the deadlock's victim: PostgreSQL aborts the session whose
# deadlock_timeout runs out first, InnoDB the transaction that changed fewer rows.
_SURVIVE = {"postgres": "SET deadlock_timeout = '30s'", "mysql": "SELECT 1"}
_HEAVY = 50


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Key(dj.Manual):
        definition = """
        k : int32
        """

    @schema
    class Side(dj.Manual):
        definition = """
        k : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Key
        """

        calls = 0
        during: Any = None  # called inside make, between its two inserts

        def make(self, key: dict[str, Any]) -> None:
            type(self).calls += 1
            self.insert1(key)
            if self.during is not None:
                self.during(key)
            Side.insert1({"k": key["k"] - 1})

    Key.insert([{"k": 2}])
    try:
        yield connection, Key, Side, Out
    finally:
        schema.drop(prompt=False)
        connection.close()


def _deadlock_with(
    backend_name: str, backend_url: str, connection: Any, Side: Any, Out: Any, held: int
) -> tuple[threading.Thread, list[BaseException]]:
    """A blocker session holding ``Side`` row 1; once ``connection`` waits for it, the blocker
    asks for ``Out`` row ``held`` (which ``connection`` holds): a deadlock whose victim is
    ``connection``'s transaction. The blocker then rolls back."""
    blocker = open_backend(backend_url)
    blocker.execute(_SURVIVE[backend_name])
    session = connection.connection_id
    side, out = (t().full_table_name for t in (Side, Out))
    blocker.begin()
    blocker.execute(f"INSERT INTO {side} VALUES (?)", [1])
    for k in range(100, 100 + _HEAVY):
        blocker.execute(f"INSERT INTO {side} VALUES (?)", [k])
    failures: list[BaseException] = []

    def close_the_circle() -> None:
        try:
            for _ in range(300):
                if blocker.fetch_rows(WAITING[backend_name], [session]) != [(0,)]:
                    break
                # more often, and InnoDB keeps answering from a cache it refreshes only when
                # it was not read for 0.1 s
                threading.Event().wait(0.2)
            blocker.execute(f"INSERT INTO {out} VALUES (?)", [held])
        except BaseException as error:
            failures.append(error)
        finally:
            blocker.rollback()
            blocker.close()

    thread = threading.Thread(target=close_the_circle)
    thread.start()
    return thread, failures


@pytest.mark.backends("postgres", "mysql")
def test_a_make_that_deadlocks_is_run_again(lab, backend_name, backend_url, caplog) -> None:
    connection, _, Side, Out = lab
    thread, failures = _deadlock_with(backend_name, backend_url, connection, Side, Out, 2)
    with caplog.at_level(logging.DEBUG, logger="frames"):
        assert Out.populate(reserve_jobs=True)["success_count"] == 1
    thread.join()
    assert failures == []  # the blocker was not the victim
    assert Out.calls == 2
    assert "make({'k': 2}): conflict with a concurrent transaction, retrying" in caplog.text
    assert Out.to_dicts() == [{"k": 2}] and Side.to_dicts() == [{"k": 1}]
    assert Out.jobs.progress()["total"] == 0


@pytest.mark.backends("postgres", "mysql")
def test_a_deadlock_in_the_callers_transaction_aborts_it(lab, backend_name, backend_url) -> None:
    connection, Key, Side, _ = lab
    thread, failures = _deadlock_with(backend_name, backend_url, connection, Side, Key, 3)
    with pytest.raises(TransactionConflictError) as error, connection.transaction:
        Key.insert1({"k": 3})
        Side.insert1({"k": 1})  # waits for the blocker, which then waits for Key row 3
    thread.join()
    assert failures == []
    assert "SAVEPOINT" not in str(error.value)
    assert "run it again" in str(error.value)
    assert not connection.in_transaction
    assert Key.to_dicts() == [{"k": 2}] and len(Side) == 0


@pytest.fixture
def counter(tmp_path, schema_name) -> Iterator[Any]:
    """Two connections to one DuckDB file and a table ``Counter`` with one row (``n = 0``)."""
    url = f"duckdb:///{tmp_path / 'lab.duckdb'}"
    connection, other = dj.connect(url), dj.connect(url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Counter(dj.Manual):
        definition = """
        k : int32
        ---
        n : int32
        """

    Counter.insert1({"k": 0, "n": 0})
    yield connection, other, Counter
    schema.drop(prompt=False)
    other.close()
    connection.close()


@pytest.mark.backends("duckdb")
def test_a_duckdb_statement_that_conflicts_is_run_again(counter, monkeypatch, caplog) -> None:
    connection, other, Counter = counter
    table = Counter().full_table_name
    monkeypatch.setattr("frames.backends.common.ATTEMPTS", 3)
    other.start_transaction()
    other.query(f"UPDATE {table} SET n = 5")  # holds the row until it commits
    with caplog.at_level(logging.DEBUG, logger="frames"), pytest.raises(TransactionConflictError):
        connection.query(f"UPDATE {table} SET n = 1")
    assert caplog.text.count("conflict, retrying") == 2
    other.commit_transaction()
    connection.query(f"UPDATE {table} SET n = n + 1")
    assert Counter.fetch1("n") == 6


@pytest.mark.backends("duckdb")
def test_a_duckdb_make_that_conflicts_is_run_again(counter, schema_name) -> None:
    connection, other, Counter = counter
    schema = dj.Schema(schema_name, connection=connection)
    table = Counter().full_table_name

    @schema
    class Bump(dj.Computed):
        definition = """
        -> Counter
        """

        calls = 0

        def make(self, key: dict[str, Any]) -> None:
            type(self).calls += 1
            n = (Counter & key).fetch1("n")  # the transaction's snapshot is taken here
            if type(self).calls == 1:  # another worker changes the row meanwhile
                other.query(f"UPDATE {table} SET n = n + 10")
            Counter.update1({**key, "n": n + 1})  # a write-write conflict, once
            self.insert1(key)

    assert Bump.populate()["success_count"] == 1
    assert Bump.calls == 2
    assert Counter.fetch1("n") == 11
