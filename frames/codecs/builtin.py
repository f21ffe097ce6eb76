"""DataJoint 2.x's built-in codecs.

=====================  ===========================  ========================================
codec                  stored as                    value
=====================  ===========================  ========================================
``<blob>``             ``bytes`` in the table       any value :mod:`frames.blob` serialises
``<attach>``           ``bytes`` in the table       a file: inserted as its path, fetched as
                                                    the path of a copy in
                                                    ``config['download_path']``
``<hash@store>``       ``json`` (metadata)          bytes, kept once per content hash in the
                                                    object store (:mod:`frames.stores`)
``<blob@store>``,      ``<hash@store>``             as ``<blob>`` / ``<attach>``, the bytes
``<attach@store>``                                  in the object store
``<npy@store>``         ``json``                     an array in a ``.npy`` file, read lazily
                                                    (:class:`NpyRef`); frames reads values
                                                    DataJoint wrote but cannot write them yet
``<object@store>``,    ``json``                     schema-addressed objects: declared, but
``<filepath@store>``                                values cannot be stored or read yet
                                                    (:class:`~frames.errors.DataError`)
=====================  ===========================  ========================================

``@`` alone (``<blob@>``) names the store ``config.stores['default']``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from frames import blob
from frames.codecs.npy_ref import NpyRef
from frames.codecs.registry import Codec
from frames.errors import DataError, DefinitionError


def store_unsupported(spec: str) -> NoReturn:
    """Raise the error for values of a schema-addressed codec (``<object@>``, ``<npy@>``,
    ``<filepath@>``), which frames declares but cannot store or read yet."""
    raise DataError(
        f"{spec} keeps schema-addressed objects in a store (config.stores), which frames does "
        "not support yet; use <blob@store> or <attach@store> (hash-addressed) or <blob>")


class BlobCodec(Codec):
    """``<blob>``: any Python or numpy value, serialised by :func:`frames.blob.pack`."""

    name = "blob"

    def get_dtype(self, is_store: bool) -> str:
        """``bytes`` in the table; ``<hash>`` in an object store."""
        return "<hash>" if is_store else "bytes"

    def encode(self, value: Any, *, key: dict | None = None,
               store_name: str | None = None) -> bytes:
        """The blob of ``value`` (compressed when that makes it shorter)."""
        return blob.pack(value, compress=True)

    def decode(self, stored: bytes, *, key: dict | None = None) -> Any:
        """The value of a blob."""
        return blob.unpack(stored, squeeze=False)


class AttachCodec(Codec):
    """``<attach>``: a file, stored as its name, a zero byte and its contents."""

    name = "attach"

    def get_dtype(self, is_store: bool) -> str:
        """``bytes`` in the table; ``<hash>`` in an object store."""
        return "<hash>" if is_store else "bytes"

    def validate(self, value: Any) -> None:
        """Accept a path (``str`` or ``Path``) of an existing file."""
        if not isinstance(value, (str, Path)):
            raise DataError(f"<attach> expects a file path, got {type(value).__name__}")
        path = Path(value)
        if not path.is_file():
            raise DataError(f"<attach>: {path} is not an existing file")

    def encode(self, value: Any, *, key: dict | None = None,
               store_name: str | None = None) -> bytes:
        """The file's name (UTF-8), a zero byte, then its contents."""
        path = Path(value)
        return path.name.encode() + b"\0" + path.read_bytes()

    def decode(self, stored: bytes, *, key: dict | None = None,
               context: dict | None = None) -> str:
        """Write the file into ``config['download_path']`` and return its path there.

        A file of the same name and contents is reused; one with other contents keeps its
        name and the new file gets ``_1``, ``_2``, ... before its suffix.
        """
        name, _, contents = bytes(stored).partition(b"\0")
        config = self._codec_config(key, context)
        if config is None:
            from frames.settings import config
        folder = Path(config.get("download_path", "."))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name.decode()
        counter = 0
        while target.exists() and target.read_bytes() != contents:
            counter += 1
            target = folder / f"{Path(name.decode()).stem}_{counter}{Path(name.decode()).suffix}"
        if not target.exists():
            target.write_bytes(contents)
        return str(target)


class _StoreOnlyCodec(Codec, register=False):
    """A codec whose values live in an object store only (``<name@store>``)."""

    def get_dtype(self, is_store: bool) -> str:
        """``json`` (the stored metadata); raises without ``@``."""
        if not is_store:
            raise DefinitionError(f"<{self.name}> requires @ (store only): declare it as "
                                  f"<{self.name}@store>")
        return "json"

    def encode(self, value: Any, *, key: dict | None = None,
               store_name: str | None = None) -> Any:
        """Not supported yet: raises :class:`~frames.errors.DataError`."""
        store_unsupported(f"<{self.name}@{store_name or ''}>")

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        """Not supported yet: raises :class:`~frames.errors.DataError`."""
        store_unsupported(f"<{self.name}@>")


class HashCodec(_StoreOnlyCodec):
    """``<hash@store>``: bytes kept once per content hash in an object store; the table holds
    the metadata ``{hash, path, schema, store, size}``."""

    name = "hash"

    def validate(self, value: Any) -> None:
        """Accept bytes only."""
        if not isinstance(value, bytes):
            raise DataError(f"<hash> expects bytes, got {type(value).__name__}")

    def encode(self, value: bytes, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        """Store ``value`` under the schema of ``context`` and return its metadata."""
        from frames.stores.hashing import put_hash

        schema = (context or {}).get("schema", (key or {}).get("_schema", "unknown"))
        return put_hash(value, schema_name=schema, store_name=store_name or None,
                        config=self._codec_config(key, context))

    def decode(self, stored: dict, *, key: dict | None = None,
               context: dict | None = None) -> bytes:
        """The stored bytes, checked against their hash."""
        from frames.stores.hashing import get_hash

        return get_hash(stored, config=self._codec_config(key, context))


class FilepathCodec(_StoreOnlyCodec):
    """``<filepath@store>``: a reference to a file already in an object store."""

    name = "filepath"


class SchemaCodec(_StoreOnlyCodec, register=False):
    """Base of codecs whose objects are addressed by schema, table, key and attribute."""


class ObjectCodec(SchemaCodec):
    """``<object@store>``: files and folders in an object store."""

    name = "object"


class NpyCodec(SchemaCodec):
    """``<npy@store>``: a numpy array as a ``.npy`` file in an object store."""

    name = "npy"

    def validate(self, value: Any) -> None:
        """Accept numeric numpy arrays only."""
        if not isinstance(value, np.ndarray):
            raise DataError(f"<npy> requires numpy.ndarray, got {type(value).__name__}")
        if value.dtype == object:
            raise DataError("<npy> cannot store arrays of object dtype")

    def decode(self, stored: dict, *, key: dict | None = None,
               context: dict | None = None) -> NpyRef:
        """A lazy :class:`~frames.codecs.npy_ref.NpyRef` to the stored array (written by
        DataJoint: frames reads ``<npy@>`` values but cannot write them yet)."""
        from frames.stores.backend import get_store_backend

        return NpyRef(stored, get_store_backend(stored.get("store"),
                                                self._codec_config(key, context)))
