"""Object-store access through fsspec, and the paths of schema-addressed objects.

DataJoint 2.3.5's ``datajoint.storage`` (Apache-2.0), adapted to frames:
:class:`StorageBackend` reads and writes files under a store's location (``file``, ``s3``,
``gcs``, ``azure`` or a registered :mod:`frames.objectstore.adapter`); :func:`build_object_path`,
:func:`generate_token` and :func:`encode_pk_value` give the paths of ``<object@>``/``<npy@>``
values, the same as DataJoint's so both can share one store.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec

from frames.errors import BucketInaccessible, FramesError, MissingExternalFile

logger = logging.getLogger(__name__)

# Characters safe for use in filenames and URLs
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _path_to_file_url(resolved_path: Path | PurePosixPath) -> str:
    """
    Convert an already-resolved absolute path to a ``file://`` URL.

    Uses ``as_posix()`` so the same logic handles both POSIX paths (which
    already start with ``/``) and Windows paths (``C:/...``, no leading
    slash) without OS-specific branching.

    Parameters
    ----------
    resolved_path : Path or PurePosixPath
        Absolute, already-resolved path.

    Returns
    -------
    str
        ``file://`` URL.
    """
    return f"file:///{resolved_path.as_posix().lstrip('/')}"


def generate_token(length: int = 8) -> str:
    """
    Generate a random token for filename collision avoidance.

    Parameters
    ----------
    length : int, optional
        Token length, clamped to 4-16 characters. Default 8.

    Returns
    -------
    str
        Random URL-safe string.
    """
    length = max(4, min(16, length))
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


def encode_pk_value(value: Any) -> str:
    """
    Encode a primary key value for use in storage paths.

    Parameters
    ----------
    value : any
        Primary key value (int, str, date, datetime, etc.).

    Returns
    -------
    str
        Path-safe string representation.
    """
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        # Use ISO format with safe separators
        return value.strftime("%Y-%m-%dT%H-%M-%S")
    if hasattr(value, "isoformat"):
        # Handle date objects
        return value.isoformat()

    # String handling
    s = str(value)
    # Check if path-safe (no special characters)
    unsafe_chars = '/\\:*?"<>|'
    if any(c in s for c in unsafe_chars) or len(s) > 100:
        # URL-encode unsafe strings or truncate long ones
        if len(s) > 100:
            # Truncate and add hash suffix for uniqueness
            import hashlib

            hash_suffix = hashlib.md5(s.encode()).hexdigest()[:8]
            s = s[:50] + "_" + hash_suffix
        return urllib.parse.quote(s, safe="")
    return s


def build_object_path(
    schema: str,
    table: str,
    field: str,
    primary_key: dict[str, Any],
    ext: str | None,
    partition_pattern: str | None = None,
    token_length: int = 8,
    *,
    schema_prefix: str,
) -> tuple[str, str]:
    """
    Build the storage path for an object attribute.

    Parameters
    ----------
    schema : str
        Schema name.
    table : str
        Table name.
    field : str
        Field/attribute name.
    primary_key : dict[str, Any]
        Dict of primary key attribute names to values.
    ext : str or None
        File extension (e.g., ``".dat"``).
    partition_pattern : str, optional
        Partition pattern with ``{attr}`` placeholders.
    token_length : int, optional
        Length of random token suffix. Default 8.
    schema_prefix : str
        Section prefix from the store's ``schema_prefix`` setting. No fallback
        by design: settings (``get_store_spec``) is the single source of the
        ``"_schema"`` default, applied to every store spec.

    Returns
    -------
    tuple[str, str]
        ``(relative_path, token)``.
    """
    token = generate_token(token_length)

    # Build filename: field_token.ext
    filename = f"{field}_{token}"
    if ext:
        if not ext.startswith("."):
            ext = "." + ext
        filename += ext

    # Build primary key path components
    pk_parts = []
    partition_attrs = set()
    partition_attr_list = []

    # Extract partition attributes if pattern specified
    if partition_pattern:
        import re

        # Preserve order from pattern
        partition_attr_list = re.findall(r"\{(\w+)\}", partition_pattern)
        partition_attrs = set(partition_attr_list)  # For fast lookup

    # Build partition prefix (attributes in order from partition pattern)
    partition_parts = []
    for attr in partition_attr_list:
        if attr in primary_key:
            partition_parts.append(f"{attr}={encode_pk_value(primary_key[attr])}")

    # Build remaining PK path (attributes not in partition)
    for attr, value in primary_key.items():
        if attr not in partition_attrs:
            pk_parts.append(f"{attr}={encode_pk_value(value)}")

    # Construct full path
    # Pattern: {schema_prefix}/{partition_attrs}/{schema}/{table}/{remaining_pk}/{filename}
    parts = []
    prefix = schema_prefix.strip("/")
    if prefix:
        parts.append(prefix)
    if partition_parts:
        parts.extend(partition_parts)
    parts.append(schema)
    parts.append(table)
    if pk_parts:
        parts.extend(pk_parts)
    parts.append(filename)

    return "/".join(parts), token


class StorageBackend:
    """
    Unified storage backend using fsspec.

    Provides a consistent interface for file operations across different storage
    backends including local filesystem and cloud object storage (S3, GCS, Azure).

    Parameters
    ----------
    spec : dict[str, Any]
        Storage configuration dictionary. See ``__init__`` for details.

    Attributes
    ----------
    spec : dict
        Storage configuration dictionary.
    protocol : str
        Storage protocol (``'file'``, ``'s3'``, ``'gcs'``, ``'azure'``).
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        """
        Initialize storage backend from configuration spec.

        Parameters
        ----------
        spec : dict[str, Any]
            Storage configuration dictionary containing:

            - ``protocol``: Storage protocol (``'file'``, ``'s3'``, ``'gcs'``, ``'azure'``)
            - ``location``: Base path or bucket prefix
            - ``bucket``: Bucket name (for cloud storage)
            - ``endpoint``: Endpoint URL (for S3-compatible storage)
            - ``access_key``: Access key (for cloud storage)
            - ``secret_key``: Secret key (for cloud storage)
            - ``secure``: Use HTTPS (default True for cloud)
        """
        self.spec = spec
        self.protocol = spec.get("protocol", "file")
        self._fs = None
        self._validate_spec()

    def _validate_spec(self):
        """Validate configuration spec for the protocol."""
        if self.protocol == "file":
            location = self.spec.get("location")
            if location and not Path(location).is_dir():
                raise BucketInaccessible(
                    f"Inaccessible local directory {location}: the location of a file store "
                    "must be an existing folder"
                )
        elif self.protocol == "s3":
            required = ["endpoint", "bucket"]
            missing = [k for k in required if not self.spec.get(k)]
            if missing:
                raise FramesError(f"Missing S3 configuration: {', '.join(missing)}")
            # access_key/secret_key are optional: when both are absent the
            # underlying botocore credential chain resolves an ambient identity
            # (instance profile, IRSA, ECS task role, SSO), matching gcs/azure.
            # But botocore treats exactly one as a partial credential and fails
            # late (PartialCredentialsError at first access), so reject that here
            # with a clear message.
            if bool(self.spec.get("access_key")) != bool(self.spec.get("secret_key")):
                raise FramesError(
                    "Incomplete S3 credentials: set both access_key and secret_key, "
                    "or neither to use ambient AWS credentials."
                )

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        """Get or create the fsspec filesystem instance."""
        if self._fs is None:
            self._fs = self._create_filesystem()
        return self._fs

    def _require_adapter(self):
        """Look up a registered storage adapter, raising if none is registered."""
        from frames.objectstore.adapter import get_storage_adapter

        adapter = get_storage_adapter(self.protocol)
        if adapter is None:
            raise FramesError(f"Unsupported storage protocol: {self.protocol}")
        return adapter

    def _create_filesystem(self) -> fsspec.AbstractFileSystem:
        """Create fsspec filesystem based on protocol."""
        if self.protocol == "file":
            return fsspec.filesystem("file", auto_mkdir=True)

        elif self.protocol == "s3":
            # Build S3 configuration
            endpoint = self.spec["endpoint"]
            # Determine if endpoint includes protocol
            if not endpoint.startswith(("http://", "https://")):
                secure = self.spec.get("secure", False)
                endpoint_url = f"{'https' if secure else 'http'}://{endpoint}"
            else:
                endpoint_url = endpoint

            # Coerce falsy (missing or empty-string) credentials to None so s3fs
            # drops them and botocore falls through to the default chain. A
            # forwarded "" is NOT equivalent: it survives s3fs's None-filter and
            # botocore reads it as an explicit (invalid) credential.
            return fsspec.filesystem(
                "s3",
                key=self.spec.get("access_key") or None,
                secret=self.spec.get("secret_key") or None,
                client_kwargs={"endpoint_url": endpoint_url},
            )

        elif self.protocol == "gcs":
            return fsspec.filesystem(
                "gcs",
                token=self.spec.get("token"),
                project=self.spec.get("project"),
            )

        elif self.protocol == "azure":
            return fsspec.filesystem(
                "abfs",
                account_name=self.spec.get("account_name"),
                account_key=self.spec.get("account_key"),
                connection_string=self.spec.get("connection_string"),
            )

        else:
            return self._require_adapter().create_filesystem(self.spec)

    def _full_path(self, path: str | PurePosixPath) -> str:
        """
        Construct full path including location/bucket prefix.

        Parameters
        ----------
        path : str or PurePosixPath
            Relative path within the storage location.

        Returns
        -------
        str
            Full path suitable for fsspec operations.
        """
        path = str(path)
        if self.protocol in ("s3", "gcs", "azure"):
            bucket = self.spec.get("bucket") or self.spec.get("container")
            location = self.spec.get("location", "")
            if location:
                return f"{bucket}/{location}/{path}"
            return f"{bucket}/{path}"
        elif self.protocol == "file":
            location = self.spec.get("location", "")
            if location:
                return (Path(location) / path).as_posix()
            return path
        else:
            return self._require_adapter().full_path(self.spec, path)

    def get_url(self, path: str | PurePosixPath) -> str:
        """
        Get the full URL for a path in storage.

        Returns a consistent URL representation for any storage backend,
        including file:// URLs for local filesystem.

        Parameters
        ----------
        path : str or PurePosixPath
            Relative path within the storage location.

        Returns
        -------
        str
            Full URL (e.g., 's3://bucket/path' or 'file:///data/path').

        Examples
        --------
        >>> import tempfile
        >>> backend = StorageBackend({"protocol": "file", "location": tempfile.mkdtemp()})
        >>> backend.get_url("schema/table/file.dat")  # doctest: +ELLIPSIS
        'file:///.../schema/table/file.dat'

        >>> spec = {"protocol": "s3", "endpoint": "s3.example.org", "bucket": "mybucket"}
        >>> StorageBackend({**spec, "location": "dj"}).get_url("schema/table/file.dat")
        's3://mybucket/dj/schema/table/file.dat'
        """
        full_path = self._full_path(path)

        if self.protocol == "file":
            return _path_to_file_url(Path(full_path).resolve())
        elif self.protocol == "s3":
            return f"s3://{full_path}"
        elif self.protocol == "gcs":
            return f"gs://{full_path}"
        elif self.protocol == "azure":
            return f"az://{full_path}"
        else:
            return self._require_adapter().get_url(self.spec, full_path)

    def put_file(
        self, local_path: str | Path, remote_path: str | PurePosixPath, metadata: dict | None = None
    ) -> None:
        """
        Upload a file from local filesystem to storage.

        Parameters
        ----------
        local_path : str or Path
            Path to local file.
        remote_path : str or PurePosixPath
            Destination path in storage.
        metadata : dict, optional
            Metadata to attach to the file (cloud storage only).
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"put_file: {local_path} -> {self.protocol}:{full_path}")

        if self.protocol == "file":
            # For local filesystem, use safe copy with atomic rename
            from frames.utils import safe_copy

            Path(full_path).parent.mkdir(parents=True, exist_ok=True)
            safe_copy(local_path, full_path, overwrite=True)
        else:
            # For cloud storage, use fsspec put
            self.fs.put_file(str(local_path), full_path)

    def get_file(self, remote_path: str | PurePosixPath, local_path: str | Path) -> None:
        """
        Download a file from storage to local filesystem.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.
        local_path : str or Path
            Destination path on local filesystem.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"get_file: {self.protocol}:{full_path} -> {local_path}")

        local_path = Path(local_path)
        local_path.parent.mkdir(parents=True, exist_ok=True)

        if self.protocol == "file":
            from frames.utils import safe_copy

            safe_copy(full_path, local_path)
        else:
            self.fs.get_file(full_path, str(local_path))

    def put_buffer(self, buffer: bytes, remote_path: str | PurePosixPath) -> None:
        """
        Write bytes to storage.

        Parameters
        ----------
        buffer : bytes
            Bytes to write.
        remote_path : str or PurePosixPath
            Destination path in storage.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"put_buffer: {len(buffer)} bytes -> {self.protocol}:{full_path}")

        if self.protocol == "file":
            from frames.utils import safe_write

            Path(full_path).parent.mkdir(parents=True, exist_ok=True)
            safe_write(full_path, buffer)
        else:
            self.fs.pipe_file(full_path, buffer)

    def get_buffer(self, remote_path: str | PurePosixPath) -> bytes:
        """
        Read bytes from storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.

        Returns
        -------
        bytes
            File contents.

        Raises
        ------
        MissingExternalFile
            If the file does not exist.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"get_buffer: {self.protocol}:{full_path}")

        try:
            if self.protocol == "file":
                return Path(full_path).read_bytes()
            else:
                return self.fs.cat_file(full_path)
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing external file {full_path}") from None

    def exists(self, remote_path: str | PurePosixPath) -> bool:
        """
        Check if a path (file or directory) exists in storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.

        Returns
        -------
        bool
            True if the path exists.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"exists: {self.protocol}:{full_path}")
        return self.fs.exists(full_path)

    def isdir(self, remote_path: str | PurePosixPath) -> bool:
        """
        Check if a path refers to a directory in storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.

        Returns
        -------
        bool
            True if the path is a directory.
        """
        full_path = self._full_path(remote_path)
        return self.fs.isdir(full_path)

    def remove(self, remote_path: str | PurePosixPath) -> None:
        """
        Remove a file from storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"remove: {self.protocol}:{full_path}")

        try:
            if self.protocol == "file":
                Path(full_path).unlink(missing_ok=True)
            else:
                self.fs.rm(full_path)
        except FileNotFoundError:
            pass  # Already gone

    def size(self, remote_path: str | PurePosixPath) -> int:
        """
        Get file size in bytes.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.

        Returns
        -------
        int
            File size in bytes.
        """
        full_path = self._full_path(remote_path)

        if self.protocol == "file":
            return Path(full_path).stat().st_size
        else:
            return self.fs.size(full_path)

    def open(self, remote_path: str | PurePosixPath, mode: str = "rb"):
        """
        Open a file in storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.
        mode : str, optional
            File mode (``'rb'``, ``'wb'``, etc.). Default ``'rb'``.

        Returns
        -------
        file-like
            File-like object for reading or writing.
        """
        full_path = self._full_path(remote_path)

        # For write modes on local filesystem, ensure parent directory exists
        if self.protocol == "file" and "w" in mode:
            Path(full_path).parent.mkdir(parents=True, exist_ok=True)

        return self.fs.open(full_path, mode)

    def put_folder(self, local_path: str | Path, remote_path: str | PurePosixPath) -> dict:
        """
        Upload a folder to storage.

        Parameters
        ----------
        local_path : str or Path
            Path to local folder.
        remote_path : str or PurePosixPath
            Destination path in storage.

        Returns
        -------
        dict
            Manifest with keys ``'files'``, ``'total_size'``, ``'item_count'``,
            ``'created'``.
        """
        local_path = Path(local_path)
        if not local_path.is_dir():
            raise FramesError(f"Not a directory: {local_path}")

        full_path = self._full_path(remote_path)
        logger.debug(f"put_folder: {local_path} -> {self.protocol}:{full_path}")

        # Collect file info for manifest
        files = []
        total_size = 0

        # Use os.walk for Python 3.10 compatibility (Path.walk() requires 3.12+)
        import os

        for root, _dirs, filenames in os.walk(local_path):
            root_path = Path(root)
            for filename in filenames:
                file_path = root_path / filename
                rel_path = file_path.relative_to(local_path).as_posix()
                file_size = file_path.stat().st_size
                files.append({"path": rel_path, "size": file_size})
                total_size += file_size

        # Upload folder contents
        if self.protocol == "file":
            import shutil

            dest = Path(full_path)
            dest.mkdir(parents=True, exist_ok=True)
            for item in local_path.iterdir():
                if item.is_file():
                    shutil.copy2(item, dest / item.name)
                else:
                    shutil.copytree(item, dest / item.name, dirs_exist_ok=True)
        else:
            self.fs.put(str(local_path), full_path, recursive=True)

        # Build manifest
        manifest = {
            "files": files,
            "total_size": total_size,
            "item_count": len(files),
            "created": datetime.now(timezone.utc).isoformat(),
        }

        # Write manifest alongside folder
        manifest_path = f"{remote_path}.manifest.json"
        self.put_buffer(json.dumps(manifest, indent=2).encode(), manifest_path)

        return manifest

    def remove_folder(self, remote_path: str | PurePosixPath) -> None:
        """
        Remove a folder and its manifest from storage.

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path to folder in storage.
        """
        full_path = self._full_path(remote_path)
        logger.debug(f"remove_folder: {self.protocol}:{full_path}")

        try:
            if self.protocol == "file":
                import shutil

                shutil.rmtree(full_path, ignore_errors=True)
            else:
                self.fs.rm(full_path, recursive=True)
        except FileNotFoundError:
            pass

        # Also remove manifest
        manifest_path = f"{remote_path}.manifest.json"
        self.remove(manifest_path)

    def get_fsmap(self, remote_path: str | PurePosixPath) -> fsspec.FSMap:
        """
        Get an FSMap for a path (useful for Zarr/xarray).

        Parameters
        ----------
        remote_path : str or PurePosixPath
            Path in storage.

        Returns
        -------
        fsspec.FSMap
            Mapping interface for the storage path.
        """
        full_path = self._full_path(remote_path)
        return fsspec.FSMap(full_path, self.fs)
