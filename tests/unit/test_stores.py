"""Hash-addressed object stores (frames.objectstore): DataJoint's hashes and paths, file stores."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import frames as dj
from frames.errors import FramesError
from frames.objectstore.backend import StorageBackend
from frames.objectstore.hashed import (
    build_hash_path,
    compute_hash,
    delete_path,
    get_hash,
    get_store_backend,
    put_hash,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns that it finds no datajoint.json here
    dj_hashes = pytest.importorskip(
        "datajoint.hash_registry", reason="datajoint (a test-only dependency) is missing"
    )


@given(st.binary())
def test_hashes_are_datajoints(data: bytes) -> None:
    assert compute_hash(data) == dj_hashes.compute_hash(data)
    assert len(compute_hash(data)) == 26


@pytest.mark.parametrize(
    "subfolding, prefix, expected",
    [
        (None, "_hash", "_hash/lab/{h}"),
        ((2, 2), "_hash", "_hash/lab/ab/cd/{h}"),
        ((1,), "/blobs/", "blobs/lab/a/{h}"),
        (None, "", "lab/{h}"),
    ],
)
def test_hash_paths_are_datajoints(subfolding, prefix: str, expected: str) -> None:
    content_hash = "abcdefghijklmnopqrstuvwxyz"
    path = build_hash_path(content_hash, "lab", subfolding, hash_prefix=prefix)
    assert path == expected.format(h=content_hash)
    assert path == dj_hashes.build_hash_path(content_hash, "lab", subfolding, hash_prefix=prefix)


@pytest.mark.parametrize("bad", ["not-a-hash", "a" * 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
def test_invalid_hashes_are_rejected(bad: str) -> None:
    with pytest.raises(FramesError, match="Invalid content hash"):
        build_hash_path(bad, "lab", hash_prefix="_hash")


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    location = tmp_path / "store"
    location.mkdir()
    monkeypatch.setitem(
        dj.config.stores,
        "local",
        {"protocol": "file", "location": str(location), "subfolding": (1, 1)},
    )
    monkeypatch.setitem(dj.config.stores, "default", "local")
    return location


def test_put_get_delete_on_a_file_store(store: Path) -> None:
    metadata = put_hash(b"payload", "lab", "local")
    content_hash = compute_hash(b"payload")
    assert metadata == {
        "hash": content_hash,
        "schema": "lab",
        "store": "local",
        "size": 7,
        "path": f"_hash/lab/{content_hash[0]}/{content_hash[1]}/{content_hash}",
    }
    assert (store / metadata["path"]).read_bytes() == b"payload"
    modified = (store / metadata["path"]).stat().st_mtime_ns
    assert put_hash(b"payload", "lab") == {**metadata, "store": None}  # the default store
    assert (store / metadata["path"]).stat().st_mtime_ns == modified  # not written again
    assert get_hash(metadata) == b"payload"
    assert delete_path(metadata["path"], "local") is True
    assert delete_path(metadata["path"], "local") is False
    with pytest.raises(FramesError, match="Missing external file"):
        get_hash(metadata)


def test_backends_check_their_settings(tmp_path: Path) -> None:
    with pytest.raises(FramesError, match="Inaccessible local directory"):
        StorageBackend({"protocol": "file", "location": str(tmp_path / "absent")})
    with pytest.raises(FramesError, match="Incomplete S3 credentials"):
        StorageBackend(
            {
                "protocol": "s3",
                "endpoint": "localhost:9000",
                "bucket": "b",
                "location": "x",
                "access_key": "key",
            }
        )
    s3 = StorageBackend(
        {"protocol": "s3", "endpoint": "localhost:9000", "bucket": "b", "location": "x/y"}
    )
    assert s3._full_path("_hash/lab/h") == "b/x/y/_hash/lab/h"
    with pytest.raises(FramesError, match="not configured"):
        get_store_backend("nowhere")


@pytest.mark.parametrize(
    "stored, expected",
    [
        (None, []),
        ('{"path": "_hash/lab/abc", "hash": "abc", "store": "main"}', [("_hash/lab/abc", "main")]),
        ({"path": "_hash/lab/def", "store": None}, [("_hash/lab/def", None)]),
        ("not json", []),
        ({"hash": "abc"}, []),
    ],
    ids=["none", "json text", "dict", "invalid json", "no path"],
)
def test_codecs_name_the_files_stored_values_refer_to(stored, expected) -> None:
    import datajoint.codecs

    assert dj.get_codec("hash").referenced_paths(stored) == expected
    assert datajoint.codecs.get_codec("hash").referenced_paths(stored) == expected
