"""MySQL's bulk insert through ``LOAD DATA LOCAL INFILE`` and a staging table."""

from __future__ import annotations

import pyarrow as pa
import pytest
from backend_helpers import Col
from test_backend import ALL_TYPES, ROWS, _normalise, _schema

import frames.backends.mysql as mysql
from frames.declare.spec import TableRef
from frames.errors import DataError, DuplicateError

ROW_COUNT = 1500  # above the threshold of the load path


pytestmark = pytest.mark.backends("mysql")


def _table(make_table, backend, schema_name, name: str) -> TableRef:
    make_table(
        name,
        [Col("id", "int32")] + [Col(n, t, nullable=True) for n, t in ALL_TYPES.items()],
        ["id"],
    )
    return TableRef(schema_name, name)


def _rows() -> pa.Table:
    rows = [{**ROWS[i % len(ROWS)], "id": i + 1} for i in range(ROW_COUNT)]
    return pa.Table.from_pylist(rows, schema=_schema({"id": "int32", **ALL_TYPES}))


def _contents(backend, ref: TableRef) -> list[dict]:
    names = ["id", *ALL_TYPES]
    table = backend.fetch_arrow(
        f"SELECT {backend.column_list(names)} FROM {backend.qualified(ref)} ORDER BY `id`",
        [],
        _schema({"id": "int32", **ALL_TYPES}),
    )
    return [_normalise(row) for row in table.to_pylist()]


def test_loaded_rows_equal_inserted_rows(backend, make_table, schema_name, monkeypatch):
    loaded = _table(make_table, backend, schema_name, "loaded")
    inserted = _table(make_table, backend, schema_name, "inserted")
    assert backend.insert_arrow(loaded, _rows(), ["id"]) == ROW_COUNT
    assert backend._local_infile
    monkeypatch.setattr(mysql, "_LOAD_ROWS", ROW_COUNT + 1)
    assert backend.insert_arrow(inserted, _rows(), ["id"]) == ROW_COUNT
    contents = _contents(backend, loaded)
    assert contents == _contents(backend, inserted)
    assert contents[:3] == [_normalise(row) for row in ROWS]


def test_loaded_rows_raise_the_errors_of_an_insert(backend, make_table, schema_name):
    ref = _table(make_table, backend, schema_name, "loaded")
    backend.insert_arrow(ref, _rows(), ["id"])
    with pytest.raises(DuplicateError, match="Duplicate entry '8'"):
        backend.insert_arrow(ref, _rows().slice(7), ["id"])
    assert backend.insert_arrow(ref, _rows(), ["id"], on_duplicate="skip") == 0
    rows = _rows()
    too_long = rows.set_column(
        rows.schema.get_field_index("code"), "code", pa.array(["abcde"] * ROW_COUNT)
    )
    backend.execute(f"DELETE FROM {backend.qualified(ref)}")
    with pytest.raises(DataError):
        backend.insert_arrow(ref, too_long, ["id"])
    assert not backend.fetch_rows(f"SELECT 1 FROM {backend.qualified(ref)}", [])


def test_a_refused_load_falls_back_to_insert_statements(
    backend, make_table, schema_name, monkeypatch
):
    ref = _table(make_table, backend, schema_name, "loaded")
    # a session that did not ask for LOCAL INFILE: the server refuses the file (1148)
    monkeypatch.setitem(backend._connect_args, "local_infile", False)
    backend.reconnect()
    assert backend.insert_arrow(ref, _rows(), ["id"]) == ROW_COUNT
    assert not backend._local_infile
    assert len(_contents(backend, ref)) == ROW_COUNT
