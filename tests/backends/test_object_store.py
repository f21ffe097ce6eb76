"""Values in object stores (``<blob@>``, ``<attach@>``, ``<hash@>``, ``<object@>``, ``<npy@>``,
``<filepath@>``) and their garbage collection, on every backend, with local ``file`` stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pytest
from backend_helpers import configured_stores

import frames as dj
from frames.api.connection import Connection
from frames.backends import open_backend
from frames.codecs import NpyRef
from frames.errors import DataError, FramesError
from frames.objectstore import adapter as adapter_module
from frames.objectstore.adapter import StorageAdapter
from frames.objectstore.gc import GarbageCollector
from frames.objectstore.hashed import compute_hash
from frames.objectstore.objectref import ObjectRef
from frames.settings import Config


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """Two local stores, ``main`` (the default) and ``folded`` (subfolding (2, 2))."""
    roots = {"main": tmp_path / "main", "folded": tmp_path / "folded"}
    for root in roots.values():
        root.mkdir()
    with configured_stores(
        {
            "default": "main",
            "main": {"protocol": "file", "location": str(roots["main"])},
            "folded": {"protocol": "file", "location": str(roots["folded"]), "subfolding": (2, 2)},
        },
        tmp_path / "downloads",
    ):
        yield roots


@pytest.fixture
def schema(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    yield dj.Schema(schema_name, connection=connection)
    connection.close()


def stored_files(root: Path) -> set[str]:
    """The files under ``root``, as paths relative to it."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_hash_addressed_values_are_deduplicated_at_datajoints_paths(
    schema, stores, tmp_path: Path
) -> None:
    @schema
    class Measurement(dj.Manual):
        definition = """
        measurement_id : int32
        ---
        trace : <blob@>
        raw : <hash@folded>
        report : <attach@main>
        """

    report = tmp_path / "report.txt"
    report.write_bytes(b"all good")
    trace = np.linspace(0, 1, 50).reshape(5, 10)
    Measurement.insert(
        [
            {"measurement_id": 1, "trace": trace, "raw": b"same bytes", "report": report},
            {"measurement_id": 2, "trace": trace, "raw": b"same bytes", "report": report},
        ]
    )
    schema_name = schema.database
    blob_bytes = dj.blob.pack(trace, compress=True)
    attach_bytes = b"report.txt\0all good"
    assert stored_files(stores["main"]) == {
        f"_hash/{schema_name}/{compute_hash(blob_bytes)}",
        f"_hash/{schema_name}/{compute_hash(attach_bytes)}",
    }
    raw_hash = compute_hash(b"same bytes")
    assert stored_files(stores["folded"]) == {
        f"_hash/{schema_name}/{raw_hash[:2]}/{raw_hash[2:4]}/{raw_hash}"
    }
    row = (Measurement & {"measurement_id": 2}).fetch1()
    np.testing.assert_array_equal(row["trace"], trace)
    assert row["raw"] == b"same bytes"
    assert Path(row["report"]).read_bytes() == b"all good"
    assert Path(row["report"]).parent == tmp_path / "downloads"
    metadata = Measurement.proj("raw").to_arrow().column("raw")[0].as_py()
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    assert metadata["hash"] == raw_hash and metadata["store"] == "folded"
    assert metadata["size"] == len(b"same bytes")


def test_objects_are_stored_under_the_schema_path_and_read_lazily(
    schema, stores, tmp_path: Path
) -> None:
    @schema
    class Recording(dj.Manual):
        definition = """
        subject : varchar(16)
        session : int32
        ---
        raw : <object@>
        folder : <object@main>
        """

    source = tmp_path / "signal.dat"
    source.write_bytes(b"\x00\x01\x02")
    folder = tmp_path / "frames_dir"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("alpha")
    (folder / "sub" / "b.txt").write_text("beta")
    Recording.insert1({"subject": "m1", "session": 3, "raw": source, "folder": folder})
    row = Recording.fetch1()
    raw, tree = row["raw"], row["folder"]
    assert isinstance(raw, ObjectRef) and isinstance(tree, ObjectRef)
    prefix = f"_schema/{schema.database}/recording/subject=m1/session=3/"
    assert raw.path.startswith(prefix + "raw_") and raw.path.endswith(".dat")
    assert raw.size == 3 and not raw.is_dir  # metadata, no I/O
    assert raw.read() == b"\x00\x01\x02"
    assert (stores["main"] / raw.path).read_bytes() == b"\x00\x01\x02"
    assert tree.is_dir and sorted(tree.listdir()) == ["a.txt", "sub"]
    with tree.open("sub/b.txt") as handle:
        assert handle.read() == b"beta"
    downloaded = Path(raw.download(tmp_path / "out"))
    assert downloaded.read_bytes() == b"\x00\x01\x02"
    with pytest.raises(FramesError, match="directory"):
        tree.read()


def test_object_from_bytes_and_staged_insert(schema, stores) -> None:
    @schema
    class Blobby(dj.Manual):
        definition = """
        blob_id : int32
        ---
        payload : <object@>
        """

    Blobby.insert1({"blob_id": 1, "payload": (".bin", b"streamed")})
    with Blobby().staged_insert1 as staged:
        staged.rec["blob_id"] = 2
        with staged.open("payload", ".txt") as handle:
            handle.write(b"written in place")
    first, second = Blobby.to_arrays("payload", order_by="blob_id")
    assert first.read() == b"streamed" and first.path.endswith(".bin")
    assert second.read() == b"written in place" and second.path.endswith(".txt")
    with pytest.raises(RuntimeError), Blobby().staged_insert1 as staged:
        staged.rec["blob_id"] = 3
        with staged.open("payload", ".txt") as handle:
            handle.write(b"discarded")
        raise RuntimeError("abandon")
    assert len(Blobby()) == 2
    assert not any("blob_id=3" in path for path in stored_files(stores["main"]))


def test_npy_values_are_lazy_and_memory_mapped(schema, stores) -> None:
    @schema
    class Volume(dj.Manual):
        definition = """
        volume_id : int32
        ---
        voxels : <npy@>
        """

    voxels = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    Volume.insert1({"volume_id": 1, "voxels": voxels})
    ref = Volume.fetch1("voxels")
    assert isinstance(ref, NpyRef) and not ref.is_loaded
    assert (ref.shape, ref.dtype, ref.size) == ((2, 3, 4), np.dtype(np.int16), 24)
    mapped = ref.load(mmap_mode="r")
    assert isinstance(mapped, np.memmap)
    np.testing.assert_array_equal(mapped, voxels)
    np.testing.assert_array_equal(np.asarray(ref), voxels)
    assert np.load(stores["main"] / ref.path).tolist() == voxels.tolist()  # a plain .npy file
    with pytest.raises(DataError, match="ndarray"):
        Volume.insert1({"volume_id": 2, "voxels": [1, 2, 3]})


def test_filepath_refers_to_files_already_in_the_store(schema, stores) -> None:
    @schema
    class Scan(dj.Manual):
        definition = """
        scan_id : int32
        ---
        image : <filepath@main>
        """

    (stores["main"] / "raw" / "day1").mkdir(parents=True)
    (stores["main"] / "raw" / "day1" / "scan.tif").write_bytes(b"TIFF")
    Scan.insert1({"scan_id": 1, "image": "raw/day1/scan.tif"})
    ref = Scan.fetch1("image")
    assert ref.path == "raw/day1/scan.tif" and ref.read() == b"TIFF"
    with pytest.raises(DataError, match="File not found in store 'main': raw/missing.tif"):
        Scan.insert1({"scan_id": 2, "image": "raw/missing.tif"})
    with pytest.raises(DataError, match="reserved section '_hash'"):
        Scan.insert1({"scan_id": 3, "image": "_hash/x"})


def test_deletes_leave_objects_for_gc(schema, stores, tmp_path: Path) -> None:
    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int32
        ---
        data : <blob@>
        file : <object@>
        """

    source = tmp_path / "sample.dat"
    source.write_bytes(b"sample")
    Sample.insert([{"sample_id": i, "data": np.full(3, i), "file": source} for i in (1, 2)])
    before = stored_files(stores["main"])
    assert len(before) == 4
    (Sample & {"sample_id": 1}).delete(prompt=False)
    assert stored_files(stores["main"]) == before  # the delete leaves the objects
    collector = GarbageCollector(schema)
    report = collector.collect()  # dry run by default
    assert report["dry_run"] is True
    assert report["hash_paths_orphaned"] == 1 and report["schema_paths_orphaned"] == 1
    assert stored_files(stores["main"]) == before
    collector.collect(dry_run=False)
    remaining = stored_files(stores["main"])
    assert len(remaining) == 2 and not any("sample_id=1" in path for path in remaining)
    np.testing.assert_array_equal(Sample.fetch1("data"), np.full(3, 2))
    assert Sample.fetch1("file").read() == b"sample"


def test_store_errors_name_the_store(schema, stores) -> None:
    @schema
    class Elsewhere(dj.Manual):
        definition = """
        item_id : int32
        ---
        data : <blob@nowhere>
        """

    with pytest.raises(FramesError, match="'nowhere' is requested but not configured"):
        Elsewhere.insert1({"item_id": 1, "data": 1})
    assert len(Elsewhere()) == 0


def test_update1_encodes_into_the_store(schema, stores) -> None:
    @schema
    class Fit(dj.Manual):
        definition = """
        fit_id : int32
        ---
        params : <blob@>
        """

    Fit.insert1({"fit_id": 1, "params": {"slope": 1.0}})
    Fit.update1({"fit_id": 1, "params": {"slope": 2.5}})
    assert Fit.fetch1("params") == {"slope": 2.5}
    assert all(f"_hash/{schema.database}/" in path for path in stored_files(stores["main"]))
    assert len(stored_files(stores["main"])) == 2  # the old value stays for gc


def test_a_connection_with_its_own_configuration_uses_its_stores(
    backend_url: str, schema_name: str, tmp_path: Path
) -> None:
    """Values are encoded and decoded with the stores of the connection's configuration (an
    ``Instance``'s), not the process-wide one's."""
    own = Config(environment=False)
    own.stores.update({"default": "own", "own": {"protocol": "file", "location": str(tmp_path)}})
    connection = Connection.from_backend(open_backend(backend_url), config_override=own)
    try:
        schema = dj.Schema(schema_name, connection=connection)

        @schema
        class Trace(dj.Manual):
            definition = """
            trace_id : int32
            ---
            samples : <blob@>
            """

        with configured_stores({}, tmp_path / "downloads"):  # nothing configured globally
            Trace.insert1({"trace_id": 1, "samples": np.arange(4)})
            np.testing.assert_array_equal(Trace.fetch1("samples"), np.arange(4))
            np.testing.assert_array_equal(Trace.to_dicts()[0]["samples"], np.arange(4))
        assert stored_files(tmp_path) == {
            f"_hash/{schema_name}/{compute_hash(dj.blob.pack(np.arange(4), compress=True))}"
        }
    finally:
        connection.close()


class MemoryAdapter(StorageAdapter):
    """A storage protocol of a plug-in package: fsspec's in-memory file system."""

    protocol = "frames-memory"
    required_keys = ("protocol", "location")

    def create_filesystem(self, spec: dict[str, Any]) -> Any:
        return fsspec.filesystem("memory")


def test_protocols_of_storage_adapters(schema, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(adapter_module._adapter_registry, "frames-memory", MemoryAdapter())
    location = f"/frames-test/{schema.database}"
    with configured_stores(
        {"mem": {"protocol": "frames-memory", "location": location}}, tmp_path / "downloads"
    ):
        assert dj.config.get_store_spec("mem")["hash_prefix"] == "_hash"

        @schema
        class Cached(dj.Manual):
            definition = """
            cache_id : int32
            ---
            value : <blob@mem>
            """

        Cached.insert1({"cache_id": 1, "value": [1, 2, 3]})
        assert Cached.fetch1("value") == [1, 2, 3]
        assert fsspec.filesystem("memory").exists(f"{location}/_hash/{schema.database}")
        monkeypatch.setitem(dj.config.stores["mem"], "bucket", "b")
        with pytest.raises(FramesError, match="Invalid key.*bucket"):
            dj.config.get_store_spec("mem")
    with configured_stores({"odd": {"protocol": "nosuch", "location": "x"}}, tmp_path):
        with pytest.raises(FramesError, match='Unknown protocol "nosuch".*plugin'):
            dj.config.get_store_spec("odd")
