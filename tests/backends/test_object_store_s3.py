"""Object-store values in an S3 store, on every backend.

A local S3 endpoint (moto's server mode, ``moto[server]`` in the ``test`` extra) is started on
127.0.0.1 for this module and stopped after it; nothing outside this machine is contacted. These
tests reproduce what DataJoint's MinIO tests check (``test_attach.py``, ``test_npy_codec.py``'s
S3 round trips, ``<blob@share>``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from backend_helpers import configured_stores

import frames as dj
from frames.objectstore.gc import GarbageCollector
from frames.objectstore.hashed import compute_hash, get_store_backend

moto_server = pytest.importorskip("moto.server")
pytest.importorskip("s3fs")

BUCKET = "frames-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """``127.0.0.1:port`` of a moto S3 server holding an empty bucket ``frames-test``."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    import boto3

    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(endpoint: str, tmp_path: Path, schema_name: str) -> Iterator[dict[str, Any]]:
    """Store ``share`` (the default) in the S3 bucket, under a location of its own."""
    spec = {
        "protocol": "s3",
        "endpoint": endpoint,
        "bucket": BUCKET,
        "access_key": "test",
        "secret_key": "test",
        "secure": False,
        "location": f"dj/{schema_name}",
    }
    with configured_stores({"default": "share", "share": spec}, tmp_path / "downloads"):
        yield spec


@pytest.fixture
def schema(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    yield dj.Schema(schema_name, connection=connection)
    connection.close()


def bucket_files(spec: dict[str, Any]) -> set[str]:
    """The objects under the store's location, relative to it."""
    fs = get_store_backend("share").fs
    fs.invalidate_cache()
    root = f"{spec['bucket']}/{spec['location']}/"
    return {path[len(root) :] for path in fs.find(root)}


def test_blob_and_attach_in_s3(schema, s3_store, tmp_path: Path) -> None:
    @schema
    class Attach(dj.Manual):
        definition = """
        attach : int32
        ---
        img : <attach@share>
        data : <blob@share>
        """

    source = tmp_path / "source"
    source.mkdir()
    contents = []
    for i in range(2):  # same file name, other contents: fetched copies get other names
        data = bytes([i]) * 100
        (source / "attach1.img").write_bytes(data)
        contents.append(data)
        Attach.insert1({"attach": i, "img": source / "attach1.img", "data": np.arange(i + 3)})
    first, second = Attach.to_arrays("img", order_by="attach")
    assert Path(first).read_bytes() == contents[0] and Path(second).read_bytes() == contents[1]
    assert first != second and Path(first).parent == tmp_path / "downloads"
    assert (Attach & {"attach": 0}).fetch1("img") == first  # the same file is reused
    np.testing.assert_array_equal((Attach & {"attach": 1}).fetch1("data"), np.arange(4))
    attach_hash = compute_hash(b"attach1.img\0" + contents[0])
    assert f"_hash/{schema.database}/{attach_hash}" in bucket_files(s3_store)


def test_npy_and_object_in_s3_with_gc(schema, s3_store, tmp_path: Path) -> None:
    @schema
    class Recording(dj.Manual):
        definition = """
        recording_id : int32
        ---
        waveform : <npy@share>
        raw : <object@share>
        """

    waveform = np.random.default_rng(0).normal(size=(4, 100))
    (tmp_path / "raw.bin").write_bytes(b"raw samples")
    Recording.insert(
        [{"recording_id": i, "waveform": waveform * i, "raw": tmp_path / "raw.bin"} for i in (1, 2)]
    )
    ref = (Recording & {"recording_id": 2}).fetch1("waveform")
    assert ref.shape == (4, 100) and ref.dtype == np.float64 and not ref.is_loaded
    loaded = ref.load(mmap_mode="r")  # a remote store: mapped from a local copy
    assert isinstance(loaded, np.memmap) and Path(loaded.filename).parent.name == "frames_mmap"
    np.testing.assert_array_equal(loaded, waveform * 2)
    assert (Recording & {"recording_id": 1}).fetch1("raw").read() == b"raw samples"
    assert len(bucket_files(s3_store)) == 4
    (Recording & {"recording_id": 1}).delete(prompt=False)
    assert len(bucket_files(s3_store)) == 4  # left for gc
    report = GarbageCollector(schema).collect(dry_run=False)
    assert report["schema_paths_deleted"] == 2
    remaining = bucket_files(s3_store)
    assert len(remaining) == 2 and all("recording_id=2" in path for path in remaining)
