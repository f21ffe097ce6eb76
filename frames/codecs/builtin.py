"""DataJoint 2.x's built-in codecs.

==================  =============================  ===========================================
codec               stored as                      value
==================  =============================  ===========================================
``<blob>``          ``bytes`` in the table         any value :mod:`frames.blob` serialises
``<attach>``        ``bytes`` in the table         a file: inserted as its path, fetched as
                                                   the path of a copy in
                                                   ``config['download_path']``
``<blob@store>``,   ``<hash@store>`` (``json``)    the same, kept once per content hash in
``<attach@store>``                                 an object store
==================  =============================  ===========================================

The codecs of values in object stores (DataJoint's ``config['stores']``) are in their own
modules: ``<hash@>`` (:mod:`frames.codecs.hash_codec`), ``<object@>``
(:mod:`frames.codecs.object_codec`), ``<npy@>`` (:mod:`frames.codecs.npy_codec`) and
``<filepath@>`` (:mod:`frames.codecs.filepath_codec`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frames import blob
from frames.codecs.registry import Codec
from frames.errors import DataError


class BlobCodec(Codec):
    """``<blob>``: any Python or numpy value, serialised by :func:`frames.blob.pack`."""

    name = "blob"
    decodes_buffers = True  # arrays decode as views of the fetched bytes

    def get_dtype(self, is_store: bool) -> str:
        """``bytes`` in the table; ``<hash>`` in an object store."""
        return "<hash>" if is_store else "bytes"

    def encode(
        self, value: Any, *, key: dict | None = None, store_name: str | None = None
    ) -> bytes:
        """The blob of ``value`` (compressed when that makes it shorter)."""
        return blob.pack(value, compress=True)

    def decode(self, stored: bytes | memoryview, *, key: dict | None = None) -> Any:
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

    def encode(
        self, value: Any, *, key: dict | None = None, store_name: str | None = None
    ) -> bytes:
        """The file's name (UTF-8), a zero byte, then its contents."""
        path = Path(value)
        return path.name.encode() + b"\0" + path.read_bytes()

    def decode(self, stored: bytes, *, key: dict | None = None, context: dict | None = None) -> str:
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
