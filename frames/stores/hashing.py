"""Hash-addressed storage (DataJoint's ``hash_registry``): each content once per schema.

Content is stored at ``{hash_prefix}/{schema}/{hash}`` (with optional ``subfolding``), where the
hash is the MD5 digest in lowercase base32 without padding (26 characters); the table keeps the
metadata ``{hash, path, schema, store, size}``. Storing content that exists writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from frames.errors import FramesError
from frames.stores.backend import get_store_backend, store_spec


def compute_hash(data: bytes) -> str:
    """The content hash of ``data``: MD5 in lowercase base32 without padding (26 characters).

    Examples
    --------
    >>> compute_hash(b"")
    '2qoyzwmpaczaj2mabgmoz6ccpy'
    """
    return base64.b32encode(hashlib.md5(data).digest()).decode("ascii").rstrip("=").lower()


def build_hash_path(content_hash: str, schema_name: str, subfolding: tuple[int, ...] | None = None,
                    *, hash_prefix: str) -> str:
    """The store path of content ``content_hash`` of schema ``schema_name``.

    ``subfolding=(2, 2)`` puts it under folders of the hash's first characters
    (``_hash/lab/ab/cd/abcd...``).

    Raises
    ------
    FramesError
        If ``content_hash`` is no 26-character lowercase base32 hash.
    """
    if not (len(content_hash) == 26 and content_hash.isalnum() and content_hash.islower()):
        raise FramesError(f"Invalid content hash (expected 26-char lowercase base32): "
                          f"{content_hash!r}")
    folders = []
    rest = content_hash
    for width in subfolding or ():
        folders.append(rest[:width])
        rest = rest[width:]
    prefix = hash_prefix.strip("/")
    return "/".join(part for part in (prefix, schema_name, *folders, content_hash) if part)


def put_hash(data: bytes, schema_name: str, store_name: str | None = None,
             config: Any = None) -> dict[str, Any]:
    """Store ``data`` (unless its hash is stored already) and return its metadata."""
    content_hash = compute_hash(data)
    spec = store_spec(store_name, config)
    subfolding = tuple(spec["subfolding"]) if spec.get("subfolding") else None
    path = build_hash_path(content_hash, schema_name, subfolding, hash_prefix=spec["hash_prefix"])
    backend = get_store_backend(store_name, config)
    if not backend.exists(path):
        backend.put_buffer(data, path)
    return {"hash": content_hash, "path": path, "schema": schema_name, "store": store_name,
            "size": len(data)}


def get_hash(metadata: dict[str, Any], config: Any = None) -> bytes:
    """The content that ``metadata`` (from :func:`put_hash`) describes, checked by its hash.

    Raises
    ------
    FramesError
        If the stored content does not have the recorded hash.
    """
    path = metadata["path"]
    data = get_store_backend(metadata.get("store"), config).get_buffer(path)
    actual = compute_hash(data)
    if actual != metadata["hash"]:
        raise FramesError(f"Hash mismatch: expected {metadata['hash']}, got {actual}. Data at "
                          f"{path} may be corrupted.")
    return data


def delete_path(path: str, store_name: str | None = None, config: Any = None) -> bool:
    """Delete ``path`` from the store; false if it did not exist."""
    backend = get_store_backend(store_name, config)
    if not backend.exists(path):
        return False
    backend.remove(path)
    return True
