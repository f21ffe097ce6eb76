"""Every write path survives a connection cut at any point (issue #16): all or nothing, and
the next call works.

A :class:`~fault_proxy.FaultProxy` between frames and the server cuts the connection before a
write's main statement reaches the server, inside it (half of a statement's text, of the data
of ``COPY`` / ``LOAD DATA``, between the statements of a cascade or a ``make``), before its
``COMMIT``, or right after the ``COMMIT`` ran (its answer lost). The call then raises
:class:`~frames.errors.LostConnectionError`, and a direct connection finds the data exactly as
before the call — or, where the ``COMMIT`` ran, exactly as after it. The same frames
connection then runs the call again (or, after a commit, a read): it has reconnected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fault_proxy import Fault, FaultProxy

import frames as dj
from frames.backends import open_backend
from frames.errors import LostConnectionError, LostTransactionError

_BULK = 1500  # rows: COPY on PostgreSQL, LOAD DATA on MariaDB


@dataclasses.dataclass
class Lab:
    """A pipeline on a connection through the proxy, and a direct connection to look."""

    proxy: FaultProxy
    connection: Any
    schema: Any
    Parent: Any
    Child: Any
    Out: Any
    direct: Any

    def state(self) -> tuple:
        """Every row of every table of the schema (and its lineage catalog), read directly."""
        tables = sorted(
            name for name in self.direct.list_tables(self.schema.database) if "~" not in name
        )
        rows = {}
        for name in [*tables, "~lineage"]:
            full = f"{self.direct.quote(self.schema.database)}.{self.direct.quote(name)}"
            rows[name] = sorted(map(repr, self.direct.fetch_rows(f"SELECT * FROM {full}")))
        return tuple(sorted(rows.items()))


@pytest.fixture(scope="module")
def proxies() -> Iterator[dict[str, FaultProxy]]:
    """One proxy per server for the whole module (each runs in a process of its own)."""
    started: dict[str, FaultProxy] = {}
    yield started
    for proxy in started.values():
        proxy.close()


@pytest.fixture
def lab(proxies, backend_url: str, schema_name: str) -> Iterator[Lab]:
    if backend_url not in proxies:
        proxies[backend_url] = FaultProxy(backend_url)
    proxy = proxies[backend_url]
    connection = dj.connect(proxy.url)
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Parent(dj.Manual):
        definition = """
        p : int32
        ---
        label : varchar(24)
        """

    @schema
    class Child(dj.Manual):
        definition = """
        -> Parent
        c : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Parent
        ---
        twice : int64
        """

        class Piece(dj.Part):
            definition = """
            -> master
            i : int8
            """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1({**key, "twice": 2 * key["p"]})
            self.Piece.insert([{**key, "i": i} for i in range(2)])

    Parent.insert([{"p": p, "label": f"parent {p}"} for p in range(4)])
    Child.insert([{"p": p, "c": c} for p in range(4) for c in range(2)])
    direct = open_backend(backend_url)
    try:
        yield Lab(proxy, connection, schema, Parent, Child, Out, direct)
    finally:
        proxy.disarm()
        direct.close()
        schema.drop(prompt=False)
        connection.close()


def _declare(lab: Lab) -> None:
    Parent = lab.Parent  # noqa: F841 (the definition refers to it)

    @lab.schema
    class Extra(dj.Manual):
        definition = """
        -> Parent
        e : int32
        """

    Extra.insert1({"p": 1, "e": 1})


def _bulk(lab: Lab) -> None:
    rows = [{"p": p, "label": f"row {p}"} for p in range(100, 100 + _BULK)]
    rows[_BULK // 2]["label"] = "MARKER"
    lab.Parent.insert(rows)


@dataclasses.dataclass(frozen=True)
class Write:
    """A write path: what it does, and the bytes of its main statement on each server, where
    to cut it half-way (pattern, occurrence, offset). (PostgreSQL reads with ``COPY ... TO
    STDOUT`` too: writes are told by ``FROM STDIN``.)"""

    name: str
    run: Callable[[Lab], Any]
    statement: dict[str, bytes]
    inside: dict[str, tuple[bytes, int, int]]


WRITES = [
    Write(
        "row insert",
        lambda lab: lab.Parent.insert([{"p": p, "label": f"new {p}"} for p in range(10, 13)]),
        {"postgres": b"FROM STDIN", "mysql": b"INSERT INTO"},
        {"postgres": (b"new 11", 1, 0), "mysql": (b"INSERT INTO", 1, 30)},
    ),
    Write(
        "bulk insert",
        _bulk,
        {"postgres": b"FROM STDIN", "mysql": b"LOAD DATA"},
        {"postgres": (b"MARKER", 1, 0), "mysql": (b"MARKER", 1, 0)},
    ),
    Write(
        "insert from a query",
        lambda lab: lab.Child.insert(lab.Parent.proj(c="p + 10")),
        {"postgres": b"INSERT INTO", "mysql": b"INSERT INTO"},
        {"postgres": (b"INSERT INTO", 1, 40), "mysql": (b"INSERT INTO", 1, 40)},
    ),
    Write(
        "cascading delete",
        lambda lab: (lab.Parent & "p < 2").delete(prompt=False),
        {"postgres": b"DELETE FROM", "mysql": b"DELETE FROM"},
        {"postgres": (b"DELETE FROM", 2, 0), "mysql": (b"DELETE FROM", 2, 0)},
    ),
    Write(
        "declare",
        _declare,
        {"postgres": b"CREATE TABLE", "mysql": b"CREATE TABLE"},
        {"postgres": (b"CREATE TABLE", 2, 0), "mysql": (b"CREATE TABLE", 2, 0)},
    ),
    Write(
        "make",
        lambda lab: lab.Out.populate(),
        {"postgres": b"FROM STDIN", "mysql": b"INSERT INTO"},
        {"postgres": (b"FROM STDIN", 2, 0), "mysql": (b"INSERT INTO", 2, 0)},
    ),
]

POINTS = ["before the statement", "inside it", "before COMMIT", "after COMMIT"]


def _fault(write: Write, point: str, backend_name: str) -> Fault:
    if point == "before the statement":
        return Fault("cut", pattern=write.statement[backend_name])
    if point == "inside it":
        pattern, occurrence, offset = write.inside[backend_name]
        return Fault("cut", pattern=pattern, occurrence=occurrence, offset=offset)
    return Fault("cut" if point == "before COMMIT" else "cut_reply", pattern=b"COMMIT")


@pytest.mark.backends("postgres", "mysql")
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_a_cut_write_is_all_or_nothing_and_the_next_call_works(
    lab, backend_name, write, point, request
) -> None:
    before = lab.state()
    fault = lab.proxy.arm(_fault(write, point, backend_name))
    with pytest.raises(LostConnectionError) as error:
        write.run(lab)
    assert fault.fired.is_set()
    lab.proxy.disarm()
    cut = lab.state()
    if point == "after COMMIT":
        assert "cannot tell" in str(error.value)
    else:
        assert isinstance(error.value, LostTransactionError)
    # a declaration that raised is undone (its tables dropped), even when its COMMIT went
    # through: so on every backend a cut declaration leaves nothing, as a cut transaction does
    committed = point == "after COMMIT" and write.name != "declare"
    if committed:
        lab.Parent.to_dicts()  # the connection works on
    else:
        write.run(lab)  # run again on the same connection: it reconnects
    after = lab.state()
    assert after != before
    if write.name == "declare":  # the table and its lineage rows
        assert any(row.startswith("('extra', 'e'") for row in dict(after)["~lineage"])
    assert cut == (after if committed else before)  # all or nothing


@pytest.mark.backends("postgres", "mysql")
@pytest.mark.parametrize("point", ["before the statement", "after it"])
def test_a_cut_reservation_is_made_once_and_held_by_the_new_session(lab, point) -> None:
    """A reservation is one statement outside a transaction: cut before it reaches the server
    or after it ran there, frames reconnects and runs it again; either way the job ends up
    reserved by this worker's new session (not by the session that is gone, which would let
    another worker take it over after ``jobs.stale_timeout``)."""
    jobs = lab.Out.jobs
    jobs.refresh()
    key = {"p": 2}
    lab.proxy.arm(Fault("cut" if point == "before the statement" else "cut_reply", b"UPDATE"))
    assert jobs.reserve(key)
    lab.proxy.disarm()
    assert jobs.reserved.keys() == [key]
    assert (jobs & key).fetch1("connection_id") == lab.connection.connection_id
    assert jobs.refresh(stale_timeout=1)["orphaned"] == 0
    assert lab.Out.populate(reserve_jobs=True)["success_count"] == 3  # the others
    assert jobs.progress()["reserved"] == 1
