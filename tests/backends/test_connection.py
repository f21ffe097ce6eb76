"""Opening backends from URLs, and surviving a connection the server closed."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest
import sqlalchemy
from backend_helpers import Col
from sqlalchemy.engine import make_url

from frames.backends import open_backend
from frames.declare.spec import TableRef
from frames.errors import DatabaseConnectionError, LostTransactionError, TransactionError

_ALIASES = {
    "duckdb": ["duckdb"],
    "postgres": ["postgres", "postgresql+psycopg2"],
    "mysql": ["mysql+pymysql", "mariadb"],
}


def test_url_spellings_open_the_backend(backend_name, backend_url):
    url = make_url(backend_url)
    for spelling in [backend_url, url, *(url.set(drivername=a) for a in _ALIASES[backend_name])]:
        opened = open_backend(spelling)
        try:
            assert opened.dialect == backend_name
            assert opened.fetch_rows("SELECT 1") == [(1,)]
        finally:
            opened.close()


@pytest.mark.backends("postgres", "mysql")
def test_an_sqlalchemy_engine_is_opened_from_its_url(backend_name, backend_url):
    driver = {"postgres": "postgresql+psycopg2", "mysql": "mysql+pymysql"}[backend_name]
    engine = sqlalchemy.create_engine(make_url(backend_url).set(drivername=driver))
    opened = open_backend(engine)
    try:
        assert opened.dialect == backend_name and opened.fetch_rows("SELECT 2") == [(2,)]
    finally:
        opened.close()
        engine.dispose()


@pytest.mark.backends("postgres")
def test_the_url_attribute_hides_the_password(backend_url):
    opened = open_backend(make_url(backend_url).set(password="s3cret"))
    try:
        assert "s3cret" not in opened.url and "***" in opened.url
    finally:
        opened.close()


def test_each_duckdb_memory_url_is_a_private_database():
    first, second = open_backend("duckdb://"), open_backend("duckdb://")
    first.create_schema("only_here")
    assert not second.schema_exists("only_here")
    first.close()
    second.close()


def test_a_duckdb_file_url_opens_that_file(tmp_path):
    url = f"duckdb:///{tmp_path / 'data.duckdb'}"
    opened = open_backend(url)
    opened.create_schema("kept")
    opened.execute('CREATE TABLE "kept"."t" ("a" INTEGER PRIMARY KEY)')
    opened.insert_arrow(TableRef("kept", "t"), pa.table({"a": pa.array([1], pa.int32())}), ["a"])
    opened.close()
    reopened = open_backend(url)
    assert reopened.fetch_rows('SELECT a FROM "kept"."t"') == [(1,)]
    reopened.close()


@pytest.mark.parametrize(
    "url, message",
    [
        ("oracle://scott@db/orcl", "unsupported database URL scheme 'oracle'.*duckdb://"),
        ("not a url", "cannot parse database URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "PostgreSQL at 127.0.0.1:1"),
        ("mysql://root@127.0.0.1:1", "MySQL at 127.0.0.1:1"),
        ("duckdb:////nonexistent-dir/x/y.duckdb", "cannot open DuckDB database"),
    ],
)
def test_bad_urls_raise_connection_errors(url, message):
    with pytest.raises(DatabaseConnectionError, match=message):
        open_backend(url)


def test_a_closed_backend_says_so(backend):
    backend.close()
    with pytest.raises(DatabaseConnectionError, match="closed"):
        backend.fetch_rows("SELECT 1")
    backend.close()  # idempotent


# -- lost connections ---------------------------------------------------------------------------

_KILL = {
    "postgres": (
        "SELECT pg_backend_pid()",
        "SELECT pg_terminate_backend(?)",
        "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?",
    ),
    "mysql": (
        "SELECT CONNECTION_ID()",
        "KILL ?",
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?",
    ),
}


def _kill_connection(backend, backend_url) -> None:
    """Have the server close ``backend``'s connection, from another connection."""
    own_id, kill, alive = _KILL[backend.dialect]
    ((pid,),) = backend.fetch_rows(own_id)
    killer = open_backend(backend_url)
    try:
        killer.execute(kill, [pid])
        deadline = time.monotonic() + 10
        while killer.fetch_rows(alive, [pid]) != [(0,)]:
            assert time.monotonic() < deadline, "the server did not close the connection"
            time.sleep(0.05)
    finally:
        killer.close()


@pytest.fixture
def counter(backend, make_table, schema_name) -> TableRef:
    make_table("counter", [Col("n", "int32")], ["n"])
    return TableRef(schema_name, "counter")


def _row(n: int) -> pa.Table:
    return pa.table({"n": pa.array([n], pa.int32())})


@pytest.mark.backends("postgres", "mysql")
def test_reconnects_transparently_outside_a_transaction(backend, backend_url, counter):
    _kill_connection(backend, backend_url)
    assert backend.fetch_rows("SELECT 1") == [(1,)]
    _kill_connection(backend, backend_url)
    assert backend.insert_arrow(counter, _row(1), ["n"]) == 1
    _kill_connection(backend, backend_url)
    with backend.transaction():
        backend.insert_arrow(counter, _row(2), ["n"])
    assert backend.fetch_rows(f"SELECT COUNT(*) FROM {backend.qualified(counter)}") == [(2,)]


@pytest.mark.backends("postgres", "mysql")
def test_a_lost_transaction_raises_and_is_rolled_back(backend, backend_url, counter):
    backend.begin()
    backend.insert_arrow(counter, _row(1), ["n"])
    _kill_connection(backend, backend_url)
    with pytest.raises(LostTransactionError, match="rolled back"):
        backend.insert_arrow(counter, _row(2), ["n"])
    # the transaction stays open, aborted, so that nothing meant for it runs outside it
    assert backend.in_transaction
    with pytest.raises(TransactionError, match="aborted by an earlier error.*lost"):
        backend.insert_arrow(counter, _row(3), ["n"])
    backend.rollback()  # nothing left to roll back on the server
    assert not backend.in_transaction
    assert backend.fetch_rows(f"SELECT COUNT(*) FROM {backend.qualified(counter)}") == [(0,)]


@pytest.mark.backends("postgres", "mysql")
def test_a_lost_connection_at_commit_raises(backend, backend_url, counter):
    with pytest.raises(TransactionError, match="rolled back"), backend.transaction():
        backend.insert_arrow(counter, _row(1), ["n"])
        _kill_connection(backend, backend_url)
    assert not backend.in_transaction
    assert backend.fetch_rows(f"SELECT COUNT(*) FROM {backend.qualified(counter)}") == [(0,)]
