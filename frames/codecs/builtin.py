"""DataJoint 2.x's built-in codecs.

==================  =============================  ===========================================
codec               stored as                      value
==================  =============================  ===========================================
``<blob>``          ``bytes`` in the table         any value :mod:`frames.blob` serialises
``<attach>``        ``bytes`` in the table         a file: inserted as its path, fetched as
                                                   the path of a copy in
                                                   ``config['download_path']``
``<blob@store>``,   ``<hash@store>`` (``json``)    in an object store (not supported yet)
``<attach@store>``
``<hash@store>``,   ``json``                       object-store references (not supported yet)
``<object@store>``,
``<npy@store>``,
``<filepath@store>``
==================  =============================  ===========================================

Object stores are declared by DataJoint's ``config['stores']``; frames does not implement them
yet, so attributes that need one fail at declaration (:func:`frames.codecs.declare`) and these
codecs' ``encode``/``decode`` raise :class:`~frames.errors.DefinitionError` saying so.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from frames import blob
from frames.codecs.registry import Codec
from frames.errors import DataError, DefinitionError


def store_unsupported(spec: str) -> NoReturn:
    """Raise the error for a codec attribute whose values would live in an object store."""
    raise DefinitionError(
        f"{spec} keeps its values in an object store (DataJoint's config['stores']), which "
        "frames does not support yet; declare the attribute in-table (<blob>, <attach>) instead")


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
        """``json`` (the stored reference); raises without ``@``."""
        if not is_store:
            raise DefinitionError(f"<{self.name}> requires @ (store only): declare it as "
                                  f"<{self.name}@store>")
        return "json"

    def encode(self, value: Any, *, key: dict | None = None,
               store_name: str | None = None) -> Any:
        """Not supported yet: raises :class:`~frames.errors.DefinitionError`."""
        store_unsupported(f"<{self.name}@{store_name or ''}>")

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        """Not supported yet: raises :class:`~frames.errors.DefinitionError`."""
        store_unsupported(f"<{self.name}@>")


class HashCodec(_StoreOnlyCodec):
    """``<hash@store>``: bytes kept once per content hash in an object store."""

    name = "hash"


class FilepathCodec(_StoreOnlyCodec):
    """``<filepath@store>``: a reference to a file already in an object store."""

    name = "filepath"


class SchemaCodec(_StoreOnlyCodec, register=False):
    """Base of codecs whose objects are addressed by schema, table, key and attribute."""


class ObjectCodec(SchemaCodec):
    """``<object@store>``: files and folders in an object store."""

    name = "object"


class NpyRef:
    """A lazy reference to an array stored by ``<npy@store>``: metadata without I/O, the
    array on :meth:`load` (or wherever numpy asks for it, through ``__array__``)."""

    __slots__ = ("_meta", "_backend", "_cached")

    def __init__(self, metadata: dict, backend: Any):
        self._meta = metadata
        self._backend = backend
        self._cached: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape (from the metadata)."""
        return tuple(self._meta["shape"])

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype (from the metadata)."""
        return np.dtype(self._meta["dtype"])

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self.shape)

    @property
    def path(self) -> str:
        """The file's path within its store."""
        return self._meta["path"]

    @property
    def store(self) -> str | None:
        """The store's name (``None``: the default store)."""
        return self._meta.get("store")

    def load(self) -> np.ndarray:
        """The array, read from the store once and then kept."""
        if self._cached is None:
            self._cached = np.load(io.BytesIO(self._backend.get_buffer(self.path)),
                                   allow_pickle=False)
        return self._cached

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.load()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, path={self.path!r})"


class NpyCodec(SchemaCodec):
    """``<npy@store>``: a numpy array as a ``.npy`` file in an object store."""

    name = "npy"

    def validate(self, value: Any) -> None:
        """Accept numeric numpy arrays only."""
        if not isinstance(value, np.ndarray):
            raise DataError(f"<npy> requires numpy.ndarray, got {type(value).__name__}")
        if value.dtype == object:
            raise DataError("<npy> cannot store arrays of object dtype")
