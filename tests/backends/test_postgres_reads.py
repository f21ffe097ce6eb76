"""PostgreSQL results parsed block by block while ``COPY ... TO STDOUT`` runs."""

from __future__ import annotations

import pyarrow as pa
import pytest
from backend_helpers import Col
from test_backend import ALL_TYPES, LONG_TEXT, ROWS, _normalise, _schema, varied_table

import frames.backends.postgres as postgres
from frames.declare.spec import TableRef
from frames.errors import FetchError

pytestmark = pytest.mark.backends("postgres")

COPIES = 300
#: Every type but bytes: a result with a bytes column is read by binary COPY instead
#: (test_postgres_binary_reads.py).
TEXT_TYPES = {name: kind for name, kind in ALL_TYPES.items() if kind != "bytes"}


@pytest.fixture
def varied(backend, make_table, schema_name) -> TableRef:
    return varied_table(make_table, backend, schema_name, COPIES)


def _read(backend, ref: TableRef) -> pa.Table:
    names = ["id", *TEXT_TYPES]
    return backend.fetch_arrow(
        f"SELECT {backend.column_list(names)} FROM {backend.qualified(ref)} ORDER BY id",
        [],
        _schema({"id": "int32", **TEXT_TYPES}),
    )


def test_small_blocks_give_the_same_result_as_one(backend, varied, monkeypatch):
    whole = _read(backend, varied)
    assert whole.column("id").num_chunks == 1
    monkeypatch.setattr(postgres, "_BLOCK_BYTES", 512)  # rows split over many blocks
    blocks = _read(backend, varied)
    assert blocks.column("id").num_chunks > 10
    assert blocks.equals(whole)
    rows = [_normalise(row) for row in blocks.to_pylist()]
    assert rows[:3] == [_normalise({k: row[k] for k in rows[0]}) for row in ROWS]
    assert rows[5]["body"] == LONG_TEXT


def test_a_bad_value_in_a_later_block_raises_and_the_connection_goes_on(
    backend, make_table, schema_name, monkeypatch
):
    make_table("numbers", [Col("i", "int32")], ["i"])
    ref = TableRef(schema_name, "numbers")
    backend.insert_arrow(ref, pa.table({"i": pa.array(range(1, 1001), pa.int32())}), ["i"])
    monkeypatch.setattr(postgres, "_BLOCK_BYTES", 64)  # 128 is in a later block
    with backend.transaction():
        with pytest.raises(FetchError, match="'i'"):
            backend.fetch_arrow(
                f"SELECT i FROM {backend.qualified(ref)} ORDER BY i",
                [],
                pa.schema([("i", pa.int8())]),
            )
        backend.execute(f"DELETE FROM {backend.qualified(ref)} WHERE i > ?", [10])
        assert backend.fetch_rows(f"SELECT count(*) FROM {backend.qualified(ref)}") == [(10,)]


def test_an_empty_result_has_the_schema(backend, varied):
    schema = pa.schema([("id", pa.int32()), ("label", pa.string())])
    table = backend.fetch_arrow(
        f"SELECT id, label FROM {backend.qualified(varied)} WHERE id < 0", [], schema
    )
    assert table.schema == schema and table.num_rows == 0
