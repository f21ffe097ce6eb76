"""Parallel reads: ``to_arrow(parallel=N)`` splits a fetch over N connections by key ranges.

The pieces together are exactly the result (in key order with ``order_by='KEY'``), whatever the
type of the first key attribute that splits it and whatever the plan; each piece is read on a
connection of its own, closed after; fetches that cannot be split are refused, naming why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace

import pytest

import frames as dj
from frames.api.parallel import _cut_points
from frames.backends.common import SqlBackend
from frames.errors import FetchError


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[SimpleNamespace]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    class Trial(dj.Manual):
        definition = """
        subject : int32
        day : date
        ---
        note : varchar(12)
        """

    class Event(dj.Manual):
        definition = """
        at : datetime(6)
        ---
        trial : int32
        """

    class Price(dj.Manual):
        definition = """
        amount : decimal(7,2)
        ---
        weight : float64
        """

    class Reading(dj.Manual):
        definition = """
        weight : float64
        ---
        label : varchar(8)
        """

    for cls in (Trial, Event, Price, Reading):
        schema(cls, context={})
    start = datetime.datetime(2024, 3, 1, 12)
    Trial.insert(
        {
            "subject": i % 41 - 20,
            "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
            "note": f"n{i}",
        }
        for i in range(900)
    )
    Event.insert(
        {"at": start + datetime.timedelta(seconds=i * 7.25), "trial": i} for i in range(400)
    )
    Price.insert({"amount": Decimal(i) / 4 - 30, "weight": i / 3} for i in range(300))
    Reading.insert({"weight": (i - 50) / 7, "label": f"r{i}"} for i in range(120))
    yield SimpleNamespace(
        Trial=Trial, Event=Event, Price=Price, Reading=Reading, connection=connection
    )
    connection.close()


class Readers:
    """The connections opened for the pieces, recorded."""

    def __init__(self, backend: SqlBackend, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[SqlBackend] = []
        original = type(backend)._stream_backend

        def stream_backend(owner: SqlBackend) -> SqlBackend:
            reader = original(owner)
            self.opened.append(reader)
            return reader

        monkeypatch.setattr(type(backend), "_stream_backend", stream_backend)


def _queries(lab) -> dict[str, dj.QueryExpression]:
    return {
        "integer key": lab.Trial(),
        "restricted": lab.Trial & "subject > 3",
        "datetime key": lab.Event(),
        "decimal key": lab.Price(),
        "float key": lab.Reading(),
        "join": lab.Trial * lab.Price.proj(cost="amount"),
        "aggregation": dj.U("subject").aggr(lab.Trial, n="count(*)", last="max(day)"),
    }


@pytest.mark.parametrize("parallel", [2, 5])
def test_the_pieces_are_the_result_in_key_order(lab, parallel):
    for name, query in _queries(lab).items():
        expected = query.to_arrow(order_by="KEY")
        assert query.to_arrow(parallel=parallel, order_by="KEY").equals(expected), name
        unordered = query.to_arrow(parallel=parallel)
        keys = [(k, "ascending") for k in query.primary_key]
        assert unordered.sort_by(keys).equals(expected), name


def test_each_piece_is_read_on_a_connection_of_its_own(lab, monkeypatch):
    readers = Readers(lab.connection.backend, monkeypatch)
    frame = lab.Trial.to_pandas(parallel=3, order_by="KEY")
    assert len(readers.opened) == 3 and all(reader.closed for reader in readers.opened)
    assert frame.equals(lab.Trial.to_pandas(order_by="KEY"))
    polars = lab.Event.to_polars(parallel=2, order_by="KEY")
    assert polars.equals(lab.Event.to_polars(order_by="KEY"))


def test_an_empty_result_and_one_distinct_key_value(lab):
    assert (lab.Trial & "subject > 1000").to_arrow(parallel=4).num_rows == 0
    single = lab.Trial & {"subject": 5}
    assert single.to_arrow(parallel=4, order_by="KEY").equals(single.to_arrow(order_by="KEY"))


def test_fetches_that_cannot_be_split_are_refused(lab):
    cases = {
        "positive number": lambda: lab.Trial.to_arrow(parallel=0),
        "limit or offset": lambda: lab.Trial.to_arrow(parallel=2, limit=10),
        "dj.Top": lambda: (lab.Trial & dj.Top(5)).to_arrow(parallel=2),
        "order_by may only be 'KEY'": lambda: lab.Trial.to_arrow(parallel=2, order_by="note"),
        "number, date or datetime, not string": lambda: (
            dj.U("note").aggr(lab.Trial, n="count(*)").to_arrow(parallel=2)
        ),
        "no primary key": lambda: dj.U().aggr(lab.Trial, n="count(*)").to_arrow(parallel=2),
    }
    for message, fetch in cases.items():
        with pytest.raises(FetchError, match=message):
            fetch()


def test_inside_a_transaction_a_parallel_read_is_refused(lab):
    with lab.connection.transaction:
        lab.Trial.insert1({"subject": 999, "day": datetime.date(2020, 1, 1), "note": "new"})
        with pytest.raises(FetchError, match="transaction"):
            lab.Trial.to_arrow(parallel=2)
        assert len(lab.Trial & {"subject": 999}) == 1


def test_parallel_one_is_a_plain_fetch(lab, monkeypatch):
    readers = Readers(lab.connection.backend, monkeypatch)
    assert lab.Trial.to_arrow(parallel=1, limit=5).num_rows == 5
    assert readers.opened == []


@pytest.mark.parametrize(
    ("low", "high", "parts", "category", "cuts"),
    [
        (0, 99, 4, "integer", [25, 50, 75]),
        (-5, -3, 8, "integer", [-4, -3]),  # fewer values than parts
        (7, 7, 3, "integer", []),
        (
            Decimal("0.00"),
            Decimal("1.00"),
            4,
            "decimal",
            [Decimal("0.25"), Decimal("0.5"), Decimal("0.75")],
        ),
        (0.0, 1.0, 2, "float", [0.5]),
        (
            datetime.date(2024, 1, 1),
            datetime.date(2024, 1, 10),
            2,
            "date",
            [datetime.date(2024, 1, 6)],
        ),
        (
            datetime.datetime(2024, 1, 1),
            datetime.datetime(2024, 1, 1, 0, 0, 1),
            2,
            "datetime",
            [datetime.datetime(2024, 1, 1, 0, 0, 0, 500000)],
        ),
    ],
)
def test_cut_points_split_the_span_into_ranges_of_equal_width(low, high, parts, category, cuts):
    assert _cut_points(low, high, parts, category) == cuts
