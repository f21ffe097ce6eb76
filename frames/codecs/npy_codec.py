"""NumPy array codec using .npy format.

DataJoint 2.3.5's ``datajoint.builtin_codecs.npy`` (Apache-2.0), adapted to frames; after
``frames.install_as_datajoint()`` it is ``datajoint.builtin_codecs.npy`` itself, and stores written
by either library are read by the other.
"""

from __future__ import annotations

from typing import Any

from frames.codecs.npy_ref import NpyRef
from frames.codecs.schema_codec import SchemaCodec
from frames.errors import DataError


class NpyCodec(SchemaCodec):
    """
    Schema-addressed storage for numpy arrays as .npy files.

    The ``<npy@>`` codec stores numpy arrays as standard ``.npy`` files
    using schema-addressed paths: ``{schema_prefix}/{schema}/{table}/{pk}/{attribute}_{token}.npy``
    (``schema_prefix`` defaults to ``_schema``; ``{token}`` is a random
    per-write suffix).
    Arrays are fetched lazily via ``NpyRef``, which provides metadata access
    without I/O and transparent numpy integration via ``__array__``.

    Store only - requires ``@`` modifier.

    Key Features:
        - **Portable**: Standard .npy format readable by numpy, MATLAB, etc.
        - **Lazy loading**: Metadata (shape, dtype) available without download
        - **Transparent**: Use in numpy operations triggers automatic download
        - **Safe bulk fetch**: Fetching many rows doesn't download until needed
        - **Schema-addressed**: Browsable paths that mirror database structure

    Example::

        @schema
        class Recording(dj.Manual):
            definition = '''
            recording_id : int
            ---
            waveform : <npy@>           # default store
            spectrogram : <npy@archive>  # specific store
            '''

        # Insert - just pass the array
        Recording.insert1({
            'recording_id': 1,
            'waveform': np.random.randn(1000, 32),
        })

        # Fetch - returns NpyRef (lazy)
        ref = (Recording & 'recording_id=1').fetch1('waveform')
        ref.shape   # (1000, 32) - no download
        ref.dtype   # float64 - no download

        # Use in numpy ops - downloads automatically
        result = np.mean(ref, axis=0)

        # Or load explicitly
        arr = ref.load()

    Storage Details:
        - File format: NumPy .npy (version 1.0 or 2.0)
        - Path: ``{schema_prefix}/{schema}/{table}/{pk}/{attribute}_{token}.npy``
        - Database column: JSON with ``{path, store, dtype, shape}``

    Deletion: Requires garbage collection via ``dj.gc.GarbageCollector``.

    See Also
    --------
    datajoint.gc : Garbage collection for orphaned storage.
    NpyRef : The lazy array reference returned on fetch.
    SchemaCodec : Base class for schema-addressed codecs.
    ObjectCodec : Schema-addressed storage for files/folders.
    """

    name = "npy"

    def validate(self, value: Any) -> None:
        """
        Validate that value is a numpy array suitable for .npy storage.

        Parameters
        ----------
        value : Any
            Value to validate.

        Raises
        ------
        FramesError
            If value is not a numpy array or has object dtype.
        """
        import numpy as np

        if not isinstance(value, np.ndarray):
            raise DataError(f"<npy> requires numpy.ndarray, got {type(value).__name__}")
        if value.dtype == object:
            raise DataError("<npy> does not support object dtype arrays")

    def encode(
        self,
        value: Any,
        *,
        key: dict | None = None,
        context: dict | None = None,
        store_name: str | None = None,
    ) -> dict:
        """
        Serialize array to .npy and upload to storage.

        Parameters
        ----------
        value : numpy.ndarray
            Array to store.
        key : dict, optional
            Context dict with ``_schema``, ``_table``, ``_field``,
            and primary key values for path construction.
        store_name : str, optional
            Target store. If None, uses default store.

        Returns
        -------
        dict
            JSON metadata: ``{path, store, dtype, shape}``.
        """
        import io

        import numpy as np

        # Extract context using inherited helper
        schema, table, field, primary_key = self._extract_context(key, context)
        config = self._codec_config(key, context)

        # Build schema-addressed storage path
        path, _ = self._build_path(
            schema, table, field, primary_key, ext=".npy", store_name=store_name, config=config
        )

        # Serialize to .npy format
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        npy_bytes = buffer.getvalue()

        # Upload to storage using inherited helper
        backend = self._get_backend(store_name, config=config)
        backend.put_buffer(npy_bytes, path)

        # Return metadata (includes numpy-specific shape/dtype)
        return {
            "path": path,
            "store": store_name,
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }

    def decode(
        self, stored: dict, *, key: dict | None = None, context: dict | None = None
    ) -> NpyRef:
        """
        Create lazy NpyRef from stored metadata.

        Parameters
        ----------
        stored : dict
            JSON metadata from database.
        key : dict, optional
            Primary key values (unused).

        Returns
        -------
        NpyRef
            Lazy array reference with metadata access and numpy integration.
        """
        config = self._codec_config(key, context)
        backend = self._get_backend(stored.get("store"), config=config)
        return NpyRef(stored, backend)
