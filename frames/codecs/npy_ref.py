"""``NpyRef``: the lazy value of a ``<npy@store>`` attribute (an array in a ``.npy`` file)."""

from __future__ import annotations

import hashlib
import io
import math
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np


class NpyRef:
    """A lazy reference to an array stored as a ``.npy`` file in an object store.

    Shape and dtype come from the stored metadata without I/O; the array is read on
    :meth:`load`, on indexing, or wherever numpy asks for it (``__array__``).

    Parameters
    ----------
    metadata : dict
        ``{'path', 'store', 'dtype', 'shape'}`` as the table stores it.
    backend : StorageBackend
        The store's backend (:class:`frames.objectstore.backend.StorageBackend`).
    """

    __slots__ = ("_meta", "_backend", "_cached")

    def __init__(self, metadata: dict, backend: Any):
        self._meta = metadata
        self._backend = backend
        self._cached: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return tuple(self._meta["shape"])

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype."""
        return np.dtype(self._meta["dtype"])

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self._meta["shape"])

    @property
    def size(self) -> int:
        """The number of elements."""
        return math.prod(self._meta["shape"])

    @property
    def nbytes(self) -> int:
        """The array's size in bytes (from shape and dtype)."""
        return self.size * self.dtype.itemsize

    @property
    def path(self) -> str:
        """The file's path within its store."""
        return self._meta["path"]

    @property
    def store(self) -> str | None:
        """The store's name (``None``: the default store)."""
        return self._meta.get("store")

    @property
    def is_loaded(self) -> bool:
        """True once the array has been read (and is kept)."""
        return self._cached is not None

    def load(self, mmap_mode: Literal["r", "r+", "w+", "c"] | None = None) -> np.ndarray:
        """The array: read once and kept, or memory-mapped with ``mmap_mode`` (``'r'``,
        ``'r+'``, ``'c'``), from the store's own file on a local store, else from a copy in the
        temporary folder."""
        if mmap_mode is None:
            if self._cached is None:
                buffer = self._backend.get_buffer(self.path)
                self._cached = np.load(io.BytesIO(buffer), allow_pickle=False)
            return self._cached
        if getattr(self._backend, "protocol", None) == "file":
            local = Path(self._backend._full_path(self.path))
        else:
            folder = Path(tempfile.gettempdir()) / "frames_mmap"
            folder.mkdir(exist_ok=True)
            local = folder / f"{hashlib.md5(self.path.encode()).hexdigest()[:12]}.npy"
            if not local.exists():
                local.write_bytes(self._backend.get_buffer(self.path))
        return np.load(local, mmap_mode=mmap_mode, allow_pickle=False)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.load()
        return array if dtype is None else array.astype(dtype)

    def __getitem__(self, index: Any) -> Any:
        return self.load()[index]

    def __len__(self) -> int:
        if not self._meta["shape"]:
            raise TypeError("len() of 0-dimensional array")
        return self._meta["shape"][0]

    def __repr__(self) -> str:
        status = "loaded" if self.is_loaded else "not loaded"
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, {status})"
