"""``with conn.transaction:`` has one rule on every backend (issue #16): once a statement fails
inside it, the transaction is aborted — even if the error is caught inside the block, nothing
more runs in it and nothing of it is committed. (MySQL by itself would go on and commit the
statements that did not fail; PostgreSQL and DuckDB abort as frames does.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import frames as dj
from frames.backends import open_backend
from frames.errors import (
    DataError,
    DuplicateError,
    FramesError,
    LostTransactionError,
    TransactionError,
)


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Item(dj.Manual):
        definition = """
        k : int32
        ---
        n : int32
        """

    Item.insert1({"k": 1, "n": 1})
    try:
        yield connection, Item
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_a_caught_failure_aborts_the_transaction(lab) -> None:
    connection, Item = lab
    with pytest.raises(TransactionError, match="rolled back, not committed") as left:
        with connection.transaction:
            Item.insert1({"k": 2, "n": 2})
            with pytest.raises(DuplicateError):
                Item.insert1({"k": 1, "n": 9})
            with pytest.raises(TransactionError, match="aborted by an earlier error"):
                Item.insert1({"k": 3, "n": 3})
            with pytest.raises(TransactionError, match="aborted by an earlier error"):
                Item.to_dicts()
    assert "insert into" in str(left.value)  # names what failed first
    assert not connection.in_transaction
    assert Item.to_dicts() == [{"k": 1, "n": 1}]


def test_a_caught_failure_of_raw_sql_aborts_the_transaction(lab) -> None:
    connection, Item = lab
    with pytest.raises(TransactionError, match="rolled back, not committed"):
        with connection.transaction:
            Item.insert1({"k": 2, "n": 2})
            with pytest.raises(FramesError):
                connection.query("SELECT no_such_column FROM " + Item().full_table_name)
    assert Item.to_dicts() == [{"k": 1, "n": 1}]


def test_commit_after_a_failure_rolls_back_and_raises(lab) -> None:
    connection, Item = lab
    connection.start_transaction()
    Item.insert1({"k": 2, "n": 2})
    with pytest.raises(DuplicateError):
        Item.insert1({"k": 1, "n": 9})
    with pytest.raises(TransactionError, match="rolled back, not committed"):
        connection.commit_transaction()
    assert not connection.in_transaction
    Item.insert1({"k": 2, "n": 2})  # the connection works on
    assert len(Item) == 2


def test_an_error_found_before_the_database_does_not_abort(lab) -> None:
    """A value frames refuses never reaches the database: the transaction goes on."""
    connection, Item = lab
    with connection.transaction:
        Item.insert1({"k": 2, "n": 2})
        with pytest.raises(DataError):
            Item.insert1({"k": 3, "n": "three"})
        Item.insert1({"k": 4, "n": 4})
    assert [r["k"] for r in Item.to_dicts(order_by="k")] == [1, 2, 4]


_KILL = {
    "postgres": (
        "SELECT pg_terminate_backend(?)",
        "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?",
    ),
    "mysql": ("KILL ?", "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?"),
}


@pytest.mark.backends("postgres", "mysql")
def test_a_caught_lost_connection_does_not_let_the_rest_commit(lab, backend_name, backend_url):
    """After the server lost the transaction, the rest of the block must not run outside it
    (on a new connection, in autocommit mode, one statement at a time)."""
    connection, Item = lab
    kill, alive = _KILL[backend_name]
    with pytest.raises(TransactionError, match="rolled back, not committed"):
        with connection.transaction:
            Item.insert1({"k": 2, "n": 2})
            session = connection.connection_id
            killer = open_backend(backend_url)
            killer.execute(kill, [session])
            while killer.fetch_rows(alive, [session]) != [(0,)]:
                time.sleep(0.05)
            killer.close()
            with pytest.raises(LostTransactionError):
                Item.insert1({"k": 3, "n": 3})
            with pytest.raises(TransactionError, match="aborted by an earlier error"):
                Item.insert1({"k": 4, "n": 4})
    assert Item.to_dicts() == [{"k": 1, "n": 1}]
