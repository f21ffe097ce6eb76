"""Filepath reference codec for existing files in storage.

DataJoint 2.3.5's ``datajoint.builtin_codecs.filepath`` (Apache-2.0), adapted to frames; after
``frames.install_as_datajoint()`` it is ``datajoint.builtin_codecs.filepath`` itself, and stores
written by either library are read by the other.
"""

from __future__ import annotations

from typing import Any

from frames.codecs.registry import Codec
from frames.errors import DefinitionError


class FilepathCodec(Codec):
    """
    Reference to existing file in configured store.

    The ``<filepath@store>`` codec stores a reference to a file that already
    exists in the storage backend. Unlike ``<attach>`` or ``<object@>``, no
    file copying occurs - only the path is recorded.

    Store only - requires @store.

    This codec gives users maximum freedom in organizing their files while
    reusing DataJoint's store configuration. Files can be placed anywhere
    in the store EXCEPT the reserved sections managed by DataJoint (the
    hash-addressed and schema-addressed sections — from each store's
    ``hash_prefix`` and ``schema_prefix`` settings, defaults ``_hash`` and
    ``_schema``).

    This is useful when:
    - Files are managed externally (e.g., by acquisition software)
    - Files are too large to copy
    - You want to reference shared datasets
    - You need custom directory structures

    Example::

        @schema
        class Recordings(dj.Manual):
            definition = '''
            recording_id : int
            ---
            raw_data : <filepath@acquisition>
            '''

        # Reference an existing file (no copy)
        # Path is relative to store location
        table.insert1({'recording_id': 1, 'raw_data': 'subject01/session001/data.bin'})

        # Fetch returns ObjectRef for lazy access
        ref = (table & 'recording_id=1').fetch1('raw_data')
        ref.read()      # Read file content
        ref.download()  # Download to local path

    Storage Format:
        JSON metadata: ``{path, store, size, timestamp}``

    Reserved Sections:
        Paths cannot start with the store's reserved ``hash_prefix`` or
        ``schema_prefix`` sections (defaults ``_hash/`` and ``_schema/``).

    Warning:
        The file must exist in the store at the specified path.
        DataJoint does not manage the lifecycle of referenced files.
    """

    name = "filepath"

    def get_dtype(self, is_store: bool) -> str:
        """Filepath requires a store (use @store syntax)."""
        if not is_store:
            raise DefinitionError(
                "<filepath> requires @ symbol. Use <filepath@> for default store or "
                "<filepath@store> to specify store."
            )
        return "json"

    def encode(
        self,
        value: Any,
        *,
        key: dict | None = None,
        context: dict | None = None,
        store_name: str | None = None,
    ) -> dict:
        """
        Store path reference as JSON metadata.

        Parameters
        ----------
        value : str
            Relative path within the store. Cannot use the store's reserved
            hash/schema sections.
        key : dict, optional
            Primary key values (unused).
        store_name : str, optional
            Store where the file exists.

        Returns
        -------
        dict
            Metadata dict: ``{path, store}``.

        Raises
        ------
        ValueError
            If path uses the store's reserved hash/schema sections.
        FileNotFoundError
            If file does not exist in the store.
        """
        from datetime import datetime, timezone

        from frames.objectstore.hashed import get_store_backend

        config = self._codec_config(key, context)
        if config is None:
            from frames.settings import config
        assert config is not None

        path = str(value)

        # Get store spec to check prefix configuration
        # Use filepath_default if no store specified (filepath is not part of OAS)
        spec = config.get_store_spec(store_name, use_filepath_default=True)

        # Validate path doesn't use reserved sections (hash and schema)
        path_normalized = path.lstrip("/")
        reserved_prefixes = []

        hash_prefix = spec.get("hash_prefix")
        if hash_prefix:
            reserved_prefixes.append(("hash_prefix", hash_prefix))

        schema_prefix = spec.get("schema_prefix")
        if schema_prefix:
            reserved_prefixes.append(("schema_prefix", schema_prefix))

        # Check if path starts with any reserved prefix
        for prefix_name, prefix_value in reserved_prefixes:
            prefix_normalized = prefix_value.strip("/") + "/"
            if path_normalized.startswith(prefix_normalized):
                raise ValueError(
                    f"<filepath@> cannot use reserved section '{prefix_value}' ({prefix_name}). "
                    f"This section is managed by DataJoint. "
                    f"Got path: {path}"
                )

        # If filepath_prefix is configured, enforce it
        filepath_prefix = spec.get("filepath_prefix")
        if filepath_prefix:
            filepath_prefix_normalized = filepath_prefix.strip("/") + "/"
            if not path_normalized.startswith(filepath_prefix_normalized):
                raise ValueError(
                    f"<filepath@> must use prefix '{filepath_prefix}' (filepath_prefix). "
                    f"Got path: {path}"
                )

        # Verify file exists
        backend = get_store_backend(store_name, config=config)
        if not backend.exists(path):
            raise FileNotFoundError(f"File not found in store '{store_name or 'default'}': {path}")

        # Detect whether the path is a directory or a file
        is_dir = backend.isdir(path)

        # Get file size (not applicable for directories)
        size = None
        if not is_dir:
            try:
                size = backend.size(path)
            except (FileNotFoundError, OSError):
                pass

        return {
            "path": path,
            "store": store_name,
            "size": size,
            "is_dir": is_dir,
            "timestamp": datetime.now(timezone.utc).isoformat(),
        }

    def decode(self, stored: dict, *, key: dict | None = None, context: dict | None = None) -> Any:
        """
        Create ObjectRef handle for lazy access.

        Parameters
        ----------
        stored : dict
            Metadata dict with path and store.
        key : dict, optional
            Primary key values (unused).

        Returns
        -------
        ObjectRef
            Handle for accessing the file.
        """
        from frames.objectstore.hashed import get_store_backend
        from frames.objectstore.objectref import ObjectRef

        config = self._codec_config(key, context)
        store_name = stored.get("store")
        backend = get_store_backend(store_name, config=config)
        return ObjectRef.from_json(stored, backend=backend)

    def validate(self, value: Any) -> None:
        """Validate that value is a path string or Path object."""
        from pathlib import Path

        if not isinstance(value, (str, Path)):
            raise TypeError(f"<filepath> expects a path string or Path, got {type(value).__name__}")
