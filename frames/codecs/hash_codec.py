"""Hash-addressed storage codec with MD5-based deduplication.

DataJoint 2.3.5's ``datajoint.builtin_codecs.hash`` (Apache-2.0), adapted to frames; after
``frames.install_as_datajoint()`` it is ``datajoint.builtin_codecs.hash`` itself, and stores
written by either library are read by the other.
"""

from __future__ import annotations

from typing import Any

from frames.codecs.registry import Codec
from frames.errors import DefinitionError


class HashCodec(Codec):
    """
    Hash-addressed storage with content-addressed deduplication.

    The ``<hash@>`` codec stores raw bytes using hash-addressed storage.
    Data is identified by a 26-character Base32-encoded MD5 digest of the
    content, and stored at ``{hash_prefix}/{schema}/{hash}`` (``hash_prefix``
    defaults to ``_hash``). Stores with subfolding configured insert
    additional path segments: ``{hash_prefix}/{schema}/{fold1}/{fold2}/{hash}``.

    The database column stores JSON metadata: ``{hash, store, size}``.
    Duplicate content is automatically deduplicated across all tables.

    Deletion: Requires garbage collection via ``dj.gc.GarbageCollector``.

    External only - requires @ modifier.

    Example::

        @schema
        class RawContent(dj.Manual):
            definition = '''
            content_id : int
            ---
            data : <hash@mystore>
            '''

        # Insert raw bytes
        table.insert1({'content_id': 1, 'data': b'raw binary content'})

    Note:
        This codec accepts only ``bytes``. For Python objects, use ``<blob@>``.
        Typically used indirectly via ``<blob@>`` or ``<attach@>`` rather than directly.

    See Also
    --------
    datajoint.gc : Garbage collection for orphaned storage.
    """

    name = "hash"

    def get_dtype(self, is_store: bool) -> str:
        """Hash storage is in-store only."""
        if not is_store:
            raise DefinitionError("<hash> requires @ (in-store storage only)")
        return "json"

    def encode(
        self,
        value: bytes,
        *,
        key: dict | None = None,
        context: dict | None = None,
        store_name: str | None = None,
    ) -> dict:
        """
        Store content and return metadata.

        Parameters
        ----------
        value : bytes
            Raw bytes to store.
        key : dict, optional
            Primary key values. Before 2.3.4 this also carried the schema name
            under ``_schema``; that is still read when ``context`` omits it.
        context : dict, optional
            Connection context. ``schema`` isolates the stored path and
            ``config`` resolves the store.
        store_name : str, optional
            Store to use. If None, uses default store.

        Returns
        -------
        dict
            Metadata dict: ``{hash, path, schema, store, size}``.
        """
        from frames.objectstore.hashed import put_hash

        # Same precedence as `_extract_context`. Reading `key` alone would store
        # under "unknown" for any caller that passes `context` with a key holding
        # only primary-key values -- which is every caller once 2.4 lands.
        schema_name = (context or {}).get("schema", (key or {}).get("_schema", "unknown"))
        config = self._codec_config(key, context)
        return put_hash(value, schema_name=schema_name, store_name=store_name, config=config)

    def decode(
        self, stored: dict, *, key: dict | None = None, context: dict | None = None
    ) -> bytes:
        """
        Retrieve content using stored metadata.

        Parameters
        ----------
        stored : dict
            Metadata dict with ``'path'``, ``'hash'``, and optionally ``'store'``.
        key : dict, optional
            Context dict (unused - path is in metadata).

        Returns
        -------
        bytes
            Original bytes.
        """
        from frames.objectstore.hashed import get_hash

        config = self._codec_config(key, context)
        return get_hash(stored, config=config)

    def validate(self, value: Any) -> None:
        """Validate that value is bytes."""
        if not isinstance(value, bytes):
            raise TypeError(f"<hash> expects bytes, got {type(value).__name__}")
