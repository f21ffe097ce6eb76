"""The cheap paths of small queries and bulk inserts, on every backend (behaviour, not time).

``fetch1`` is one query, ``len`` one ``COUNT``, ``bool`` one ``EXISTS``; the low-latency path
that ``fetch1`` takes returns the same values and types as the bulk path; inserts from Arrow,
pandas, polars and dicts store the same rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import frames as dj

ROWS = [
    {
        "item_id": i,
        "day": datetime.date(2024, 1, 1 + i),
        "price": Decimal(f"{i}.5"),
        "kind": ["a", "b"][i % 2],
        "note": None if i % 3 else f"note {i}",
        "ratio": i / 4,
        "flag": bool(i % 2),
        "stamp": datetime.datetime(2024, 1, 1, 12, i),
    }
    for i in range(1, 9)
]


@pytest.fixture
def shop(backend_url: str, schema_name: str) -> Iterator[SimpleNamespace]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        day : date
        price : decimal(6,1)
        kind : enum('a', 'b')
        note = null : varchar(20)
        ratio : float64
        flag : bool
        stamp : datetime
        """

    schema(Item, context={})
    yield SimpleNamespace(Item=Item, connection=connection)
    connection.close()


class Counter:
    """Counts the statements a backend runs through each entry point."""

    def __init__(self, backend, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str]] = []
        for name in ("execute", "fetch_rows", "fetch_arrow"):
            original = getattr(backend, name)

            def wrapped(sql, *args, _name=name, _original=original, **kwargs):
                self.calls.append((_name, sql))
                return _original(sql, *args, **kwargs)

            monkeypatch.setattr(backend, name, wrapped)


def test_fetch1_len_and_bool_are_one_statement_each(shop, monkeypatch):
    shop.Item.insert(ROWS)
    counter = Counter(shop.connection.backend, monkeypatch)
    query = shop.Item & {"item_id": 3}
    assert query.fetch1() == ROWS[2]
    assert [name for name, _ in counter.calls] == ["fetch_rows"]
    assert "ORDER BY" not in counter.calls[0][1]
    counter.calls.clear()
    assert len(shop.Item & "price > 4") == 5
    assert len(counter.calls) == 1 and "COUNT" in counter.calls[0][1].upper()
    counter.calls.clear()
    assert bool(shop.Item & {"kind": "a"})
    assert not (shop.Item & {"item_id": 99})
    assert len(counter.calls) == 2
    assert all("EXISTS" in sql.upper() for _, sql in counter.calls)


def test_fetch1_values_match_the_bulk_path(shop):
    shop.Item.insert(ROWS)
    for row in ROWS:
        one = (shop.Item & {"item_id": row["item_id"]}).fetch1()
        bulk = (shop.Item & {"item_id": row["item_id"]}).to_dicts()
        assert one == bulk[0] == row
        assert [type(v) for v in one.values()] == [type(v) for v in bulk[0].values()]


def test_fetch1_errors_still_count_rows(shop):
    shop.Item.insert(ROWS)
    with pytest.raises(dj.errors.FetchError, match="more than one row"):
        (shop.Item & {"kind": "a"}).fetch1()
    with pytest.raises(dj.errors.FetchError, match="no rows"):
        (shop.Item & {"item_id": 99}).fetch1()


@pytest.mark.parametrize("form", ["arrow", "pandas", "polars", "dicts"])
def test_bulk_inserts_store_the_same_rows(shop, form):
    table = pa.Table.from_pylist(ROWS)
    data = {
        "arrow": table,
        "pandas": table.to_pandas(),
        "polars": pl.from_arrow(table),
        "dicts": ROWS,
    }[form]
    shop.Item.insert(data)
    assert shop.Item.to_dicts(order_by="item_id") == ROWS
    frame = shop.Item.to_pandas()
    assert frame.loc[3, "price"] == Decimal("3.5")
    assert isinstance(frame.index, pd.Index) and frame.index.name == "item_id"


def test_results_read_in_batches_keep_every_row(shop, monkeypatch):
    import frames.backends.mysql

    monkeypatch.setattr(frames.backends.mysql, "_BATCH_ROWS", 3)  # MySQL streams batches
    shop.Item.insert(ROWS)
    assert sorted(shop.Item.to_dicts(), key=lambda r: r["item_id"]) == ROWS
    assert shop.Item.to_dicts(order_by="price DESC") == ROWS[::-1]
    assert sorted(shop.Item.proj("kind", "note").to_dicts(), key=lambda r: r["item_id"]) == [
        {k: r[k] for k in ("item_id", "kind", "note")} for r in ROWS
    ]
    assert shop.Item.proj("kind").to_polars().height == len(ROWS)
    assert (shop.Item & {"item_id": 99}).to_dicts() == []
