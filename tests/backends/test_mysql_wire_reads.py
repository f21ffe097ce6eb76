"""MySQL results read from the socket (frames.backends.mysql_wire) against pymysql's own rows."""

from __future__ import annotations

import pyarrow as pa
import pytest
from backend_helpers import Col
from test_backend import ALL_TYPES, LONG_TEXT, ROWS, _normalise, _schema, varied_table

import frames.backends.mysql as mysql
from frames.backends import mysql_wire
from frames.declare.spec import TableRef
from frames.errors import FetchError

pytestmark = pytest.mark.backends("mysql")

COPIES = 400  # rows of ROWS repeated, with a long text among them


@pytest.fixture
def varied(backend, make_table, schema_name) -> TableRef:
    return varied_table(make_table, backend, schema_name, COPIES)


@pytest.fixture
def numbers(backend, make_table, schema_name) -> TableRef:
    """Integers 1 to 5,000 in column ``i``."""
    make_table("numbers", [Col("i", "int32")], ["i"])
    ref = TableRef(schema_name, "numbers")
    backend.insert_arrow(ref, pa.table({"i": pa.array(range(1, 5001), pa.int32())}), ["i"])
    return ref


def _read(backend, sql: str, schema: pa.Schema) -> list[dict]:
    table = backend.fetch_arrow(sql, [], schema)
    rows = [_normalise(row) for row in table.to_pylist()]
    if "ORDER BY" in sql:
        assert [row["id"] for row in rows] == list(range(COPIES, 0, -1))
    return sorted(rows, key=lambda row: row["id"])


@pytest.mark.parametrize("order", ["", " ORDER BY `id` DESC"], ids=["CSV lines", "plain columns"])
def test_socket_reads_equal_driver_rows(backend, varied, monkeypatch, order):
    names = ["id", *ALL_TYPES]
    # the uuid column selected as stored (BINARY(16)): the reader turns the bytes into text
    sql = f"SELECT {backend.column_list(names)} FROM {backend.qualified(varied)}{order}"
    schema = _schema({"id": "int32", **ALL_TYPES})
    batches = []
    read_columns = mysql_wire.read_columns
    monkeypatch.setattr(
        mysql_wire, "read_columns", lambda *args: (batches.append(1), *read_columns(*args))[1:]
    )
    monkeypatch.setattr(mysql, "_BATCH_ROWS", 64)  # several batches
    from_socket = _read(backend, sql, schema)
    assert len(batches) == 1  # this server's results are read from the socket
    monkeypatch.setattr(mysql_wire, "available", lambda connection: False)
    from_driver = _read(backend, sql, schema)
    assert len(batches) == 1
    assert from_socket == from_driver
    assert len(from_socket) == COPIES
    assert from_socket[:3] == [_normalise(row) for row in ROWS]
    assert from_socket[5]["body"] == LONG_TEXT


def test_an_error_while_rows_arrive_is_raised_and_the_connection_stays(backend, numbers):
    table = backend.qualified(numbers)
    # from row 4,001 on, the subquery has two rows: the server fails after sending 4,000
    sql = (
        f"SELECT n.`i` AS `id`, (SELECT 1.5 FROM {table} AS m "
        f"WHERE m.`i` <= n.`i` - 4000) AS `x` FROM {table} AS n"
    )
    with pytest.raises(Exception, match="more than 1 row"):
        backend.fetch_arrow(sql, [], pa.schema([("id", pa.int32()), ("x", pa.float64())]))
    assert backend.fetch_rows("SELECT 1", []) == [(1,)]


def test_a_read_stopped_by_a_bad_value_keeps_the_transaction(backend, numbers, monkeypatch):
    monkeypatch.setattr(mysql, "_BATCH_ROWS", 100)  # the bad value (128) is in the second batch
    table = backend.qualified(numbers)
    with backend.transaction():
        backend.execute(f"INSERT INTO {table} (`i`) VALUES (?)", [9999])
        with pytest.raises(FetchError, match="i"):
            backend.fetch_arrow(f"SELECT `i` FROM {table}", [], pa.schema([("i", pa.int8())]))
        assert backend.fetch_rows(f"SELECT COUNT(*) FROM {table}", []) == [(5001,)]
    assert backend.fetch_rows(f"SELECT MAX(`i`) FROM {table}", []) == [(9999,)]


@pytest.mark.parametrize("order", ["", " ORDER BY `id` DESC"], ids=["CSV lines", "plain columns"])
def test_enum_columns_come_dictionary_encoded(backend, varied, order):
    sql = f"SELECT `id`, `colour` FROM {backend.qualified(varied)}{order}"
    schema = _schema({"id": "int32", "colour": ALL_TYPES["colour"]})
    colour = backend.fetch_arrow(sql, [], schema).column("colour")
    assert colour.type == pa.dictionary(pa.int32(), pa.string())
    expected = [ROWS[i % len(ROWS)]["colour"] for i in range(COPIES)]
    values = colour.to_pylist()
    assert (values if order else sorted(values, key=str)) == (
        expected[::-1] if order else sorted(expected, key=str)
    )
    assert colour.null_count == expected.count(None) > 0


def test_strings_made_by_the_query_are_not_encoded(backend, varied):
    # a union, like an expression, loses the server's enum flag: the column is plain text
    table = backend.qualified(varied)
    sql = f"SELECT `colour` FROM {table} UNION ALL SELECT `label` FROM {table}"
    colour = backend.fetch_arrow(sql, [], _schema({"colour": "varchar(40)"})).column(0)
    assert colour.type == pa.string()
    assert colour.to_pylist().count("gr'een") == COPIES // len(ROWS) + (COPIES % len(ROWS) > 0)


def test_batches_end_after_a_number_of_bytes(backend, varied, monkeypatch):
    names = ["id", *ALL_TYPES]
    sql = f"SELECT {backend.column_list(names)} FROM {backend.qualified(varied)}"
    schema = _schema({"id": "int32", **ALL_TYPES})
    whole = _read(backend, sql, schema)
    sizes: list[int] = []
    read_columns = mysql_wire.read_columns

    def small_batches(connection, width, batch_rows):
        for columns in read_columns(connection, width, batch_rows, batch_bytes=1):
            sizes.append(len(columns[0]))
            yield columns

    monkeypatch.setattr(mysql_wire, "read_columns", small_batches)
    assert _read(backend, sql, schema) == whole
    # a batch per chunk read from the socket (by rows, all 400 would make one batch)
    assert len(sizes) > 1 and sum(sizes) == COPIES
