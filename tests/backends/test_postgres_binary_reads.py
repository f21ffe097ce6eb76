"""PostgreSQL results with a bytes column, read by binary ``COPY`` (bytes not sent as hex)."""

from __future__ import annotations

import io

import pyarrow as pa
import pytest
from test_backend import ALL_TYPES, LONG_TEXT, ROWS, _normalise, _schema, varied_table

import frames.backends.pg_binary as pg_binary
from frames.backends.common import format_paramstyle
from frames.declare.spec import TableRef
from frames.errors import FetchError

pytestmark = pytest.mark.backends("postgres")

COPIES = 40
SCHEMA = _schema({"id": "int32", **ALL_TYPES})


@pytest.fixture
def varied(backend, make_table, schema_name) -> TableRef:
    return varied_table(make_table, backend, schema_name, COPIES)


def _select(backend, ref: TableRef, names: list[str]) -> str:
    return f"SELECT {backend.column_list(names)} FROM {backend.qualified(ref)} ORDER BY id"


def test_every_type_reads_as_the_text_path_reads_it(backend, varied):
    both = backend.fetch_arrow(_select(backend, varied, list(SCHEMA.names)), [], SCHEMA)
    text_names = [name for name in SCHEMA.names if name != "blob"]
    text = backend.fetch_arrow(
        _select(backend, varied, text_names), [], pa.schema([SCHEMA.field(n) for n in text_names])
    )
    assert both.column("blob").type == pa.binary()
    rows = [_normalise(row) for row in both.to_pylist()]
    # the same values (char(n) without its pad spaces, which every fetch strips)
    assert [{k: v for k, v in row.items() if k != "blob"} for row in rows] == [
        _normalise(row) for row in text.to_pylist()
    ]
    assert rows[:3] == [_normalise(row) for row in ROWS]  # bytes, NULLs and empty values
    assert rows[5]["body"] == LONG_TEXT
    assert [row["blob"] for row in rows] == [ROWS[i % len(ROWS)]["blob"] for i in range(COPIES)]


def test_small_chunks_give_the_same_result_as_one(backend, varied, monkeypatch):
    query = _select(backend, varied, list(SCHEMA.names))
    whole = backend.fetch_arrow(query, [], SCHEMA)
    monkeypatch.setattr(pg_binary, "CHUNK_BYTES", 1)  # a chunk per row
    chunked = backend.fetch_arrow(query, [], SCHEMA)
    assert chunked.column("blob").num_chunks > whole.column("blob").num_chunks
    assert chunked.equals(whole)


def _stream(backend, query: str) -> bytes:
    """The binary COPY output of ``query``, as the server sends it."""
    out = io.BytesIO()
    with backend._conn.cursor() as cursor:
        cursor.copy_expert(pg_binary.copy_sql(format_paramstyle(query), SCHEMA, backend.quote), out)
    return out.getvalue()


@pytest.mark.parametrize("piece", [1, 7, 1000])
def test_rows_split_over_messages_are_put_together(backend, varied, piece):
    query = _select(backend, varied, list(SCHEMA.names))
    stream = _stream(backend, query)
    sink = pg_binary.BinaryCopy(SCHEMA)
    for start in range(0, len(stream), piece):
        sink.write(stream[start : start + piece])
    assert sink.table().equals(backend.fetch_arrow(query, [], SCHEMA))


def test_a_stream_that_stops_or_does_not_fit_raises(backend, varied):
    stream = _stream(backend, _select(backend, varied, list(SCHEMA.names)))
    cut = pg_binary.BinaryCopy(SCHEMA)
    cut.write(stream[:-2])  # without the trailer
    with pytest.raises(FetchError, match="ended before its trailer"):
        cut.table()
    narrow = pg_binary.BinaryCopy(pa.schema([("id", pa.int32()), ("blob", pa.binary())]))
    with pytest.raises(FetchError, match="returned 18 columns but 2 were expected"):
        narrow.write(stream)
    with pytest.raises(FetchError, match="no PGCOPY signature"):
        pg_binary.BinaryCopy(SCHEMA).write(b"id,blob\n" * 4)


def test_a_bad_value_raises_and_the_connection_goes_on(backend, make_table, schema_name):
    from backend_helpers import Col

    make_table("pairs", [Col("i", "int32"), Col("b", "bytes")], ["i"])
    ref = TableRef(schema_name, "pairs")
    data = pa.table({"i": pa.array([1, 300], pa.int32()), "b": pa.array([b"\0", b"\xff"])})
    backend.insert_arrow(ref, data, ["i"])
    with pytest.raises(FetchError, match="'i'"):
        backend.fetch_arrow(
            f"SELECT i, b FROM {backend.qualified(ref)} ORDER BY i",
            [],
            pa.schema([("i", pa.int8()), ("b", pa.binary())]),
        )
    assert backend.fetch_rows(f"SELECT count(*) FROM {backend.qualified(ref)}") == [(2,)]


def test_an_empty_result_has_the_schema(backend, varied):
    table = backend.fetch_arrow(
        f"SELECT {backend.column_list(list(SCHEMA.names))} FROM {backend.qualified(varied)} "
        "WHERE id < 0",
        [],
        SCHEMA,
    )
    assert table.schema == SCHEMA and table.num_rows == 0
