"""Codec attributes (``<blob>``, ``<attach>``, user codecs) on every backend."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import frames as dj
from frames import blob
from frames.codecs import _codec_registry, resolve_dtype, unregister_codec
from frames.errors import DataError, DefinitionError, FramesError, QueryError
from frames.objectstore.hashed import compute_hash

NATIVE_BINARY = {"duckdb": "BLOB", "postgres": "BYTEA", "mysql": "LONGBLOB"}


class PairCodec(dj.Codec):
    """A codec chained over ``<blob>``: a pair stored as a two-element list."""

    name = "test_pair"

    def get_dtype(self, is_store: bool) -> str:
        return "<blob>"

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        first, second = value
        return [first, second]

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        return tuple(stored)

    def validate(self, value: Any) -> None:
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError(f"expected a pair, got {value!r}")


class LabelCodec(dj.Codec):
    """A codec stored as a core type other than bytes."""

    name = "test_label"

    def get_dtype(self, is_store: bool) -> str:
        return "varchar(20)"

    def encode(self, value: Any, *, key: dict | None = None) -> str:
        return value.upper()

    def decode(self, stored: str, *, key: dict | None = None) -> str:
        return stored.lower()


@pytest.fixture
def connection(backend_url: str, schema_name: str) -> Iterator[Any]:
    opened = dj.connect(backend_url)
    yield opened
    opened.close()


@pytest.fixture
def schema(connection: Any, schema_name: str) -> Any:
    return dj.Schema(schema_name, connection=connection)


@pytest.fixture
def traces(schema: Any) -> type:
    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int32
        ---
        samples : <blob>          # raw samples
        current = null : <blob>
        pair = null : <test_pair>
        label = null : <test_label>
        """

    return Trace


VALUES = {
    1: {
        "samples": np.arange(12.0).reshape(3, 4),
        "current": None,
        "pair": (1, "a"),
        "label": "Alpha",
    },
    2: {
        "samples": {"gain": [1, 2.5], "id": uuid.UUID(int=7)},
        "current": np.zeros((1, 5)),
        "pair": None,
        "label": None,
    },
    3: {
        "samples": [np.int16(3), "text", None],
        "current": np.ones(2000),
        "pair": (None, None),
        "label": "x",
    },
}


def expected(trace_id: int, squeeze: bool = False) -> dict[str, Any]:
    row = {"trace_id": trace_id, **VALUES[trace_id]}
    if row["label"] is not None:
        row["label"] = row["label"].lower()
    if squeeze and isinstance(row["current"], np.ndarray):
        row["current"] = row["current"].squeeze()
    return row


def assert_same(actual: Any, wanted: Any) -> None:
    if isinstance(wanted, np.ndarray):
        assert isinstance(actual, np.ndarray) and actual.dtype == wanted.dtype
        np.testing.assert_array_equal(actual, wanted)
    elif isinstance(wanted, dict):
        assert isinstance(actual, dict) and actual.keys() == wanted.keys()
        for name in wanted:
            assert_same(actual[name], wanted[name])
    elif isinstance(wanted, (list, tuple)):
        assert type(actual) is type(wanted) and len(actual) == len(wanted)
        for got, want in zip(actual, wanted, strict=True):
            assert_same(got, want)
    else:
        assert actual == wanted and type(actual) is type(wanted)


def fill(table: type) -> None:
    table.insert([{"trace_id": key, **value} for key, value in VALUES.items()])


def test_blob_columns_use_the_binary_type_and_datajoint_comment(traces, backend_name) -> None:
    sql = "\n".join(traces.declare_sql())
    assert NATIVE_BINARY[backend_name] in sql
    assert ":<blob>:raw samples" in sql and ":<test_pair>:" in sql
    heading = traces.plan.heading
    assert heading["samples"].codec == "<blob>" and str(heading["samples"].type) == "bytes"
    assert heading["samples"].is_blob and not heading["label"].is_blob
    assert heading["pair"].codec == "<test_pair>"
    assert str(heading["label"].type) == "varchar(20)"
    shown = traces.heading  # DataJoint's view: the codec as declared, and its Codec object
    assert shown["samples"].type == "<blob>" and shown["samples"].codec is dj.get_codec("blob")
    assert re.search(r"^samples +: <blob> +# raw samples$", repr(shown), re.MULTILINE)


def test_every_fetch_decodes(traces) -> None:
    fill(traces)
    for row in traces.to_dicts(order_by="KEY"):
        assert_same(row, expected(row["trace_id"]))
    assert_same((traces & {"trace_id": 1}).fetch1(), expected(1))
    samples, pairs = traces.to_arrays("samples", "pair", order_by="KEY")
    assert samples.dtype == object and pairs.dtype == object
    for i, key in enumerate(VALUES):
        assert_same(samples[i], VALUES[key]["samples"])
        assert_same(pairs[i], VALUES[key]["pair"])
    records = traces.to_arrays(order_by="KEY")
    assert_same(records["samples"][0], VALUES[1]["samples"])
    frame = traces.to_pandas()
    assert frame["samples"].dtype == object
    assert_same(frame.loc[2, "samples"], VALUES[2]["samples"])
    assert_same(frame.loc[1, "pair"], (1, "a"))
    with pytest.warns(DeprecationWarning):
        fetched = traces.fetch("current", order_by="KEY")
    assert fetched[0] is None
    assert_same(fetched[2], np.ones(2000))


def test_pandas_rows_keep_their_objects(traces) -> None:
    import pandas

    frame = pandas.DataFrame({"trace_id": [1, 2], "samples": [np.arange(3.0), {"a": 1}]})
    traces.insert(frame)
    traces.insert(frame.assign(trace_id=[3, 4]), chunk_size=1)
    rows = traces.to_dicts(order_by="KEY")
    for i in (0, 2):
        assert_same(rows[i]["samples"], np.arange(3.0))
        assert rows[i + 1]["samples"] == {"a": 1}


def test_update1_encodes(traces) -> None:
    fill(traces)
    traces.update1({"trace_id": 1, "samples": {"new": 1}, "pair": (2, "b"), "current": None})
    row = (traces & {"trace_id": 1}).fetch1()
    assert row["samples"] == {"new": 1} and row["pair"] == (2, "b") and row["current"] is None


def test_arrow_and_polars_give_the_stored_bytes(traces) -> None:
    fill(traces)
    table = traces.to_arrow(order_by="KEY")
    stored = table.column("samples").to_pylist()
    assert all(isinstance(value, bytes) for value in stored)
    assert_same(blob.unpack(stored[0]), VALUES[1]["samples"])
    assert stored[0] == blob.pack(VALUES[1]["samples"])
    polars = traces.to_polars()
    assert str(polars.schema["current"]) == "Binary"
    assert table.column("label").to_pylist() == ["ALPHA", None, "X"]  # encoded, not decoded


def test_squeeze(traces) -> None:
    fill(traces)
    assert_same((traces & {"trace_id": 2}).fetch1("current", squeeze=True), np.zeros(5))
    rows = traces.to_dicts(order_by="KEY", squeeze=True)
    assert_same(rows[1], expected(2, squeeze=True))
    assert_same(traces.to_arrays("current", squeeze=True, order_by="KEY")[1], np.zeros(5))


def test_nullable_blobs_and_missing_values(traces) -> None:
    traces.insert1({"trace_id": 9, "samples": b"raw bytes"})
    row = (traces & {"trace_id": 9}).fetch1()
    assert row["samples"] == b"raw bytes" and row["current"] is None and row["pair"] is None
    assert len(traces & {"current": None}) == 1
    with pytest.raises(DataError, match="NULL is not allowed"):
        traces.insert1({"trace_id": 10, "samples": None})


def test_codec_errors_name_the_row_and_attribute(traces) -> None:
    with pytest.raises(DataError, match=r"row 1, attribute 'pair'.*expected a pair"):
        traces.insert(
            [{"trace_id": 1, "samples": 1}, {"trace_id": 2, "samples": 2, "pair": [1, 2]}]
        )
    with pytest.raises(DataError, match="cannot serialise a value of type object"):
        traces.insert1({"trace_id": 3, "samples": object()})
    assert len(traces) == 0  # the whole insert failed


def test_restricting_by_a_blob_value_is_an_error(traces) -> None:
    fill(traces)
    with pytest.raises(QueryError, match="cannot restrict by the <blob> attribute 'samples'"):
        traces & {"samples": VALUES[1]["samples"]}
    with pytest.raises(QueryError, match="attribute 'samples'"):
        traces & (traces & {"trace_id": 1}).fetch1()


def test_virtual_schema_restores_codecs(traces, connection, schema_name) -> None:
    fill(traces)
    lab = dj.virtual_schema(schema_name, connection=connection)
    assert lab.Trace.heading["samples"].type == "<blob>"
    assert lab.Trace.heading["samples"].comment == "raw samples"
    assert_same((lab.Trace & {"trace_id": 1}).fetch1(), expected(1))
    assert "pair = null : <test_pair>" in lab.Trace.describe()


def test_attach_stores_files_in_the_table(schema, tmp_path: Path, monkeypatch) -> None:
    @schema
    class Document(dj.Manual):
        definition = """
        doc_id : int16
        ---
        file : <attach>
        """

    source = tmp_path / "source" / "notes.txt"
    source.parent.mkdir()
    source.write_bytes(b"first")
    Document.insert1({"doc_id": 1, "file": source})
    source.write_bytes(b"second")
    Document.insert1({"doc_id": 2, "file": str(source)})
    with pytest.raises(DataError, match="not an existing file"):
        Document.insert1({"doc_id": 3, "file": tmp_path / "absent.txt"})
    monkeypatch.setitem(dj.config, "download_path", str(tmp_path / "down"))
    first, second = Document.to_arrays("file", order_by="KEY")
    assert Path(first).read_bytes() == b"first" and Path(first).name == "notes.txt"
    assert Path(second).read_bytes() == b"second" and Path(second).name == "notes_1.txt"
    assert Path(first).parent == tmp_path / "down"
    assert (Document & {"doc_id": 1}).fetch1("file") == first  # the same file is reused


@pytest.mark.parametrize(
    "line, message",
    [
        ("data : <npy>", "<npy> requires @"),
        ("data : <nonesuch>", "unknown codec <nonesuch>"),
        ("data = 'x' : <blob>", "can only be null"),
        ("data : <test_loop>", "refers to itself"),
    ],
)
def test_declaration_errors(schema, line: str, message: str) -> None:
    class Loop(dj.Codec):
        name = "test_loop"

        def get_dtype(self, is_store: bool) -> str:
            return "<test_loop>"

        def encode(self, value: Any, *, key: dict | None = None) -> Any:
            return value

        def decode(self, stored: Any, *, key: dict | None = None) -> Any:
            return stored

    try:
        with pytest.raises(DefinitionError, match=message):

            @schema
            class Broken(dj.Manual):
                definition = f"""
                id : int16
                ---
                {line}
                """
    finally:
        unregister_codec("test_loop")


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    """A file store ``main``, also the default store."""
    location = tmp_path / "store"
    location.mkdir()
    monkeypatch.setitem(dj.config.stores, "main", {"protocol": "file", "location": str(location)})
    monkeypatch.setitem(dj.config.stores, "default", "main")
    return location


def test_hash_addressed_stores(
    schema, store: Path, tmp_path: Path, monkeypatch, schema_name: str
) -> None:
    @schema
    class Recording(dj.Manual):
        definition = """
        rec_id : int16
        ---
        trace : <blob@main>       # in the store named main
        meta = null : <blob@>     # in the default store
        raw = null : <hash@main>
        doc = null : <attach@>
        """

    assert str(Recording.plan.heading["trace"].type) == "json"
    source = tmp_path / "notes.txt"
    source.write_bytes(b"notes")
    trace = np.arange(1000.0)
    Recording.insert(
        [
            {"rec_id": 1, "trace": trace, "meta": {"gain": 2}, "raw": b"raw", "doc": source},
            {"rec_id": 2, "trace": trace},  # the same content: stored once
        ]
    )
    monkeypatch.setitem(dj.config, "download_path", str(tmp_path / "down"))
    rows = Recording.to_dicts(order_by="KEY")
    assert_same(rows[0]["trace"], trace)
    assert_same(rows[1]["trace"], trace)
    assert rows[0]["meta"] == {"gain": 2} and rows[0]["raw"] == b"raw"
    assert Path(rows[0]["doc"]).read_bytes() == b"notes" and rows[1]["doc"] is None
    metadata = (Recording & {"rec_id": 1}).to_arrow().column("trace").to_pylist()[0]
    stored = json.loads(metadata)
    content = blob.pack(trace)
    assert stored == {
        "hash": compute_hash(content),
        "path": f"_hash/{schema_name}/{compute_hash(content)}",
        "schema": schema_name,
        "store": "main",
        "size": len(content),
    }
    assert (store / stored["path"]).read_bytes() == content
    assert len(list((store / "_hash" / schema_name).iterdir())) == 4
    (store / stored["path"]).write_bytes(b"changed")
    with pytest.raises(FramesError, match="Hash mismatch"):
        (Recording & {"rec_id": 1}).fetch1("trace")


def test_stores_must_be_configured_when_used(schema) -> None:
    @schema
    class Elsewhere(dj.Manual):
        definition = """
        id : int16
        ---
        data : <blob@archive>
        picture = null : <filepath@archive>
        """

    with pytest.raises(FramesError, match="'archive' is requested but not configured"):
        Elsewhere.insert1({"id": 1, "data": [1]})


def test_registry() -> None:
    assert {"blob", "attach", "hash", "object", "npy", "filepath", "test_pair"} <= set(
        dj.list_codecs()
    )
    assert dj.get_codec("<blob@store>") is _codec_registry["blob"]
    storage, chain, store = resolve_dtype("<test_pair>")
    assert (storage, [c.name for c in chain], store) == ("bytes", ["test_pair", "blob"], None)
    with pytest.raises(DefinitionError, match="already registered"):
        type(
            "Other",
            (dj.Codec,),
            {
                "name": "blob",
                "get_dtype": lambda s, i: "bytes",
                "encode": lambda s, v, **k: v,
                "decode": lambda s, v, **k: v,
            },
        )
