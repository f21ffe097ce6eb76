"""Streamed results and streamed inserts, on every backend.

``to_arrow_batches`` hands a result out in record batches of the size asked for, with the schema
and values of ``to_arrow``, read on a connection of its own that is closed when the batches end,
when the stream is closed early (the query stopped, the rest not read) or when a batch fails;
``to_parquet`` / ``to_csv`` write it batch by batch and replace the file only when done; inserts
take Parquet files, readers and iterators of batches, in one transaction. Memory is
``test_streaming_memory.py``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import frames as dj
import frames.backends.postgres as postgres
from frames.backends import mysql_wire
from frames.backends.common import SqlBackend
from frames.errors import (
    DataError,
    DuplicateError,
    FetchError,
    LostConnectionError,
    QueryError,
)
from frames.io.stream import BatchStream

ROWS = 250


def _row(i: int) -> dict:
    """Row ``i``: every core type; every fifth row's optional values are NULL."""
    empty = i % 5 == 4
    return {
        "id": i,
        "i8": None if empty else i % 100 - 50,
        "i64": None if empty else i * 10**12,
        "f32": None if empty else i / 4,
        "f64": None if empty else i / 3,
        "flag": None if empty else bool(i % 2),
        "amount": None if empty else Decimal(i) / 8,
        "code": None if empty else f"c{i % 7}",
        "label": None if empty else f'label {i}, "quoted"\nnext line é',
        "colour": ["red", "green", "blue"][i % 3],
        "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
        "moment": None if empty else datetime.datetime(2024, 1, 1, 12, 0, 0, i),
        "ident": None if empty else uuid.UUID(int=i),
        "doc": None if empty else {"n": i, "list": [1, 2]},
    }


@pytest.fixture
def shop(backend_url: str, schema_name: str) -> Iterator[SimpleNamespace]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    class Item(dj.Manual):
        definition = """
        id : int32
        ---
        i8 = null : int8
        i64 = null : int64
        f32 = null : float32
        f64 = null : float64
        flag = null : bool
        amount = null : decimal(12,3)
        code = null : char(4)
        label = null : varchar(60)
        colour : enum('red', 'green', 'blue')
        day : date
        moment = null : datetime(6)
        ident = null : uuid
        doc = null : json
        """

    class Copy(dj.Manual):
        definition = Item.definition

    class Blobby(dj.Manual):
        definition = """
        id : int32
        ---
        data : bytes
        """

    for cls in (Item, Copy, Blobby):
        schema(cls, context={})
    Item.insert([_row(i) for i in range(ROWS)])
    yield SimpleNamespace(Item=Item, Copy=Copy, Blobby=Blobby, connection=connection)
    connection.close()


class Readers:
    """The backends that streamed results run on, recorded as they are opened."""

    def __init__(self, backend: SqlBackend, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[SqlBackend] = []
        self.abandoned: list[SqlBackend] = []
        original = type(backend)._stream_backend
        original_abandon = type(backend)._abandon_stream

        def stream_backend(owner: SqlBackend) -> SqlBackend:
            reader = original(owner)
            self.opened.append(reader)
            return reader

        def abandon(reader: SqlBackend) -> None:
            self.abandoned.append(reader)
            original_abandon(reader)

        monkeypatch.setattr(type(backend), "_stream_backend", stream_backend)
        monkeypatch.setattr(type(backend), "_abandon_stream", abandon)


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by("id")


# -- to_arrow_batches ---------------------------------------------------------------------------


def test_batches_have_the_size_asked_for_and_the_values_and_schema_of_to_arrow(shop):
    whole = shop.Item.to_arrow()
    stream = shop.Item.to_arrow_batches(batch_rows=60)
    assert isinstance(stream, BatchStream) and stream.schema == whole.schema
    batches = list(stream)
    assert [b.num_rows for b in batches] == [60, 60, 60, 60, 10]
    assert all(b.schema == whole.schema for b in batches)
    assert _sorted(pa.Table.from_batches(batches)).equals(_sorted(whole))
    assert whole.num_rows == ROWS and whole.column("code")[0].as_py() == "c0"  # unpadded


def test_batches_follow_order_limit_and_offset(shop):
    stream = shop.Item.to_arrow_batches(batch_rows=7, order_by="id DESC", limit=20, offset=3)
    ids = [i for batch in stream for i in batch.column("id").to_pylist()]
    assert ids == list(range(ROWS - 4, ROWS - 24, -1))


def test_batches_of_a_projection_and_a_join_match_to_arrow(shop):
    query = (shop.Item & "id < 100").proj("colour", twice="i8 * 2") * shop.Item.proj(other="id + 1")
    table = query.to_arrow_batches(batch_rows=16).read_all()
    assert _sorted(table).equals(_sorted(query.to_arrow()))
    assert table.num_rows == 100


def test_an_empty_result_gives_no_batches_and_its_schema(shop):
    stream = (shop.Item & "id < 0").to_arrow_batches()
    assert list(stream) == []
    empty = (shop.Item & "id < 0").to_arrow_batches().read_all()
    assert empty.num_rows == 0 and empty.schema == shop.Item.to_arrow().schema


def test_the_stream_reads_on_its_own_connection_and_closes_it_at_the_end(shop, monkeypatch):
    readers = Readers(shop.connection.backend, monkeypatch)
    seen = 0
    for batch in shop.Item.to_arrow_batches(batch_rows=50):
        # this connection is free meanwhile: insert each batch elsewhere
        shop.Copy.insert(batch)
        seen += batch.num_rows
    assert seen == ROWS and len(shop.Copy()) == ROWS
    assert len(readers.opened) == 1 and readers.opened[0].closed
    assert readers.abandoned == []  # read to the end: nothing to stop
    assert _sorted(shop.Copy.to_arrow()).equals(_sorted(shop.Item.to_arrow()))


def test_closing_the_stream_early_stops_the_query_and_closes_its_connection(shop, monkeypatch):
    readers = Readers(shop.connection.backend, monkeypatch)
    big = shop.Item * shop.Item.proj(other="id")  # 62,500 rows
    with big.to_arrow_batches(batch_rows=100) as stream:
        first = stream.read_next_batch()
    assert first.num_rows == 100
    assert readers.abandoned == readers.opened and readers.opened[0].closed
    with pytest.raises(StopIteration):
        stream.read_next_batch()
    # dropping an unread stream releases its connection too
    stream = big.to_arrow_batches(batch_rows=100)
    del stream
    assert len(readers.opened) == 2 and readers.opened[1].closed
    assert len(shop.Item()) == ROWS  # this connection goes on


def _late_misfit(shop) -> tuple[str, list, pa.Schema]:
    """SQL, parameters and schema of a result whose rows from id 200 on hold a value that does
    not fit the schema's ``int8``."""
    query = shop.Item.proj(small="CASE WHEN id >= 200 THEN 1000 ELSE 1 END")
    sql, params = query.compile()
    return sql, params, pa.schema([("id", pa.int32()), ("small", pa.int8())])


def test_a_value_that_does_not_fit_in_a_later_batch_raises_and_closes_the_connection(
    shop, monkeypatch
):
    monkeypatch.setattr(postgres, "_BLOCK_BYTES", 256)  # PostgreSQL: many blocks
    monkeypatch.setattr(mysql_wire, "_CHUNK", 64)  # MySQL: a few rows per socket read
    readers = Readers(shop.connection.backend, monkeypatch)
    sql, params, schema = _late_misfit(shop)
    read = []
    with pytest.raises(FetchError, match="small"):
        for table in shop.connection.backend.fetch_arrow_batches(sql, params, schema, 10):
            read.append(table.num_rows)
    assert 0 < sum(read) <= 200
    assert len(readers.opened) == 1 and readers.opened[0].closed
    assert len(shop.Item()) == ROWS


@pytest.mark.backends("postgres")
def test_a_server_error_in_a_later_batch_is_a_frames_error(shop, monkeypatch):
    monkeypatch.setattr(postgres, "_BLOCK_BYTES", 256)
    readers = Readers(shop.connection.backend, monkeypatch)
    stream = shop.Item.proj(x="1 / (id - 200)").to_arrow_batches(batch_rows=10)
    with pytest.raises(DataError, match="division by zero"):
        for _ in stream:
            pass
    assert readers.opened[0].closed


def test_a_failing_query_raises_when_the_stream_is_made(shop, monkeypatch):
    readers = Readers(shop.connection.backend, monkeypatch)
    with pytest.raises(QueryError):
        shop.Item.proj(x="no_such_column + 1").to_arrow_batches()
    assert all(reader.closed for reader in readers.opened)


def test_a_closed_connection_streams_nothing(shop):
    shop.connection.close()
    with pytest.raises(LostConnectionError, match="closed"):
        shop.Item.to_arrow_batches()


@pytest.mark.parametrize("batch_rows", [0, -5, 2.5, "10", True])
def test_batch_rows_must_be_a_positive_integer(shop, batch_rows):
    with pytest.raises(FetchError, match="batch_rows must be a positive number"):
        shop.Item.to_arrow_batches(batch_rows=batch_rows)


def test_inside_a_transaction_the_stream_sees_its_rows_and_leaves_its_connection_free(
    shop, monkeypatch
):
    readers = Readers(shop.connection.backend, monkeypatch)
    with shop.connection.transaction:
        shop.Item.insert1({**_row(ROWS), "id": 10_000})
        for batch in shop.Item.to_arrow_batches(batch_rows=100):
            shop.Copy.insert(batch)
    assert readers.opened == []  # read on the transaction's own connection
    assert len(shop.Copy()) == ROWS + 1 and len(shop.Copy & {"id": 10_000}) == 1


def test_with_the_query_cache_on_streams_and_parallel_reads_are_cached_answers(
    shop, tmp_path, monkeypatch
):
    monkeypatch.setattr(shop.connection._config, "query_cache", tmp_path / "cache")
    readers = Readers(shop.connection.backend, monkeypatch)
    expected = shop.Item.to_arrow(order_by="id")
    shop.connection.set_query_cache("tag")
    try:
        shop.Item.to_arrow_batches(batch_rows=100, order_by="id").read_all()  # cached now
        shop.connection.set_query_cache()
        shop.Item.insert1({**_row(ROWS), "id": 10_000})
        shop.connection.set_query_cache("tag")
        streamed = shop.Item.to_arrow_batches(batch_rows=100, order_by="id").read_all()
        assert streamed.equals(expected)  # the cached answer, without the new row
        # statements not read before run once, on this connection, and are saved
        assert shop.Item.to_arrow(parallel=2, order_by="KEY").num_rows == ROWS + 1
    finally:
        shop.connection.set_query_cache()
    assert readers.opened == []  # answered on this connection


def test_the_stream_is_an_arrow_stream_for_other_libraries(shop):
    table = pa.RecordBatchReader.from_stream(shop.Item.to_arrow_batches(batch_rows=64)).read_all()
    assert _sorted(table).equals(_sorted(shop.Item.to_arrow()))


# -- files --------------------------------------------------------------------------------------


def test_to_parquet_writes_the_result_a_row_group_per_batch(shop, tmp_path):
    path = tmp_path / "items.parquet"
    shop.Item.to_parquet(path, batch_rows=100, order_by="id")
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    assert pq.read_table(path).equals(shop.Item.to_arrow(order_by="id"))
    assert [p.name for p in tmp_path.iterdir()] == ["items.parquet"]  # no partial file left


def test_to_csv_writes_a_header_and_one_line_per_row(shop, tmp_path):
    path = tmp_path / "items.csv"
    shop.Item.to_csv(str(path), batch_rows=64, order_by="id")
    expected = shop.Item.to_arrow(order_by="id")
    read = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=expected.schema,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    assert read.column_names == list(shop.Item.heading.names)
    assert read.equals(expected)


def test_a_failed_write_leaves_the_file_that_was_there(shop, tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("before\n")
    readers = Readers(shop.connection.backend, monkeypatch)
    with pytest.raises(FetchError, match=r"Blobby.to_csv\(\): the attributes data hold bytes"):
        shop.Blobby.to_csv(path)  # bytes cannot be CSV text
    assert readers.opened == []  # refused before the query ran
    backend = shop.connection.backend
    reading = backend.fetch_arrow_batches

    def failing_later(*args):
        tables = reading(*args)
        yield next(tables)
        raise FetchError("a value in a later batch does not fit")

    monkeypatch.setattr(backend, "fetch_arrow_batches", failing_later)
    for write in (shop.Item.to_csv, shop.Item.to_parquet):
        with pytest.raises(FetchError, match="later batch"):
            write(path, batch_rows=10)
    assert path.read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# -- inserts ------------------------------------------------------------------------------------


def test_insert_a_parquet_file(shop, tmp_path):
    path = tmp_path / "items.parquet"
    shop.Item.to_parquet(path, batch_rows=40)
    assert shop.Copy.insert(path) == ROWS or len(shop.Copy()) == ROWS
    shop.Copy.delete_quick()
    shop.Copy.insert(str(path))
    assert _sorted(shop.Copy.to_arrow()).equals(_sorted(shop.Item.to_arrow()))


def test_insert_readers_streams_and_iterators_of_batches(shop, tmp_path):
    expected = _sorted(shop.Item.to_arrow())
    sources = {
        "stream": lambda: shop.Item.to_arrow_batches(batch_rows=70),
        "reader": lambda: pa.RecordBatchReader.from_batches(
            expected.schema, expected.to_batches(33)
        ),
        "iterator": lambda: iter(expected.to_batches(50)),
        "list": lambda: expected.to_batches(90),
        "tables": lambda: (expected.slice(i, 100) for i in range(0, ROWS, 100)),
    }
    for name, make in sources.items():
        shop.Copy.delete_quick()
        shop.Copy.insert(make())
        assert _sorted(shop.Copy.to_arrow()).equals(expected), name


def test_insert_a_csv_file_through_pyarrows_reader(shop, tmp_path):
    path = tmp_path / "items.csv"
    shop.Item.proj("i8", "colour", "day").to_csv(path)
    shop.Copy.insert(pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 10)))
    assert _sorted(shop.Copy.proj("i8", "colour", "day").to_arrow()).equals(
        _sorted(shop.Item.proj("i8", "colour", "day").to_arrow())
    )


def test_a_bad_row_in_a_later_batch_inserts_nothing_and_names_its_rows(shop):
    batches = shop.Item.to_arrow(order_by="id").to_batches(100)
    bad = batches[2].to_pydict()
    bad["code"][3] = "too long"
    batches[2] = pa.RecordBatch.from_pydict(bad, schema=batches[2].schema)
    with pytest.raises(DataError, match=r"row 3, attribute 'code'.*rows 200 to 249"):
        shop.Copy.insert(iter(batches))
    assert len(shop.Copy()) == 0


def test_a_duplicate_across_batches_inserts_nothing(shop):
    batches = shop.Item.to_arrow(order_by="id").to_batches(100)
    with pytest.raises(DuplicateError):
        shop.Copy.insert(iter([*batches, batches[0].slice(5, 1)]))
    assert len(shop.Copy()) == 0
    shop.Copy.insert(iter([*batches, batches[0].slice(5, 1)]), skip_duplicates=True)
    assert len(shop.Copy()) == ROWS


def test_chunk_size_commits_each_chunk_of_a_stream(shop):
    batches = shop.Item.to_arrow(order_by="id").to_batches(30)
    bad = batches[-1].to_pydict()
    bad["code"][0] = "too long"
    batches[-1] = pa.RecordBatch.from_pydict(bad, schema=batches[-1].schema)
    with pytest.raises(DataError):
        shop.Copy.insert(iter(batches), chunk_size=100)
    assert len(shop.Copy()) == 200  # the chunks before the bad one stay
    with pytest.raises(DataError, match="chunk_size must be a positive"):
        shop.Copy.insert(iter(batches), chunk_size=0)


def test_iterators_of_rows_are_still_rows(shop):
    shop.Copy.insert(iter([_row(1), _row(2)]))
    shop.Copy.insert(_row(i) for i in range(3, 5))
    shop.Copy.insert(iter([]))
    assert sorted(shop.Copy.keys(), key=lambda k: k["id"]) == [{"id": i} for i in range(1, 5)]


def test_a_parquet_file_that_cannot_be_read_is_a_data_error(shop, tmp_path):
    with pytest.raises(DataError, match="missing.parquet"):
        shop.Copy.insert(tmp_path / "missing.parquet")
    broken = Path(tmp_path / "broken.parquet")
    broken.write_bytes(b"not parquet")
    with pytest.raises(DataError, match="broken.parquet"):
        shop.Copy.insert(str(broken))
    assert len(shop.Copy()) == 0
