"""One object store reached through fsspec: local folders (``file``), S3, GCS and Azure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frames.errors import FramesError


class StorageBackend:
    """Files of one store, addressed by paths relative to the store's ``location``.

    Parameters
    ----------
    spec : dict
        The store's validated settings (``config.get_store_spec(name)``): ``protocol``,
        ``location`` and, by protocol, ``bucket``/``endpoint``/keys (S3), ``bucket``/``token``
        (GCS), ``container``/account settings (Azure).

    Raises
    ------
    FramesError
        If a ``file`` store's location is no folder, or S3 credentials are half given.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.protocol = spec.get("protocol", "file")
        self._fs: Any = None
        if self.protocol == "file" and spec.get("location") \
                and not Path(spec["location"]).is_dir():
            raise FramesError(f"object store folder {spec['location']!r} does not exist; create "
                              "it or correct the store's 'location' in config.stores")
        if self.protocol == "s3" and bool(spec.get("access_key")) != bool(spec.get("secret_key")):
            raise FramesError("incomplete S3 credentials in config.stores: set both access_key "
                              "and secret_key, or neither to use the ambient AWS credentials")

    @property
    def fs(self) -> Any:
        """The fsspec file system (created on first use)."""
        if self._fs is None:
            self._fs = self._filesystem()
        return self._fs

    def _filesystem(self) -> Any:
        import fsspec

        spec = self.spec
        if self.protocol == "file":
            return fsspec.filesystem("file", auto_mkdir=True)
        if self.protocol == "s3":
            endpoint = spec["endpoint"]
            if not endpoint.startswith(("http://", "https://")):
                endpoint = f"{'https' if spec.get('secure', False) else 'http'}://{endpoint}"
            return fsspec.filesystem("s3", key=spec.get("access_key") or None,
                                     secret=spec.get("secret_key") or None,
                                     client_kwargs={"endpoint_url": endpoint})
        if self.protocol == "gcs":
            return fsspec.filesystem("gcs", token=spec.get("token"), project=spec.get("project"))
        if self.protocol == "azure":
            return fsspec.filesystem("abfs", account_name=spec.get("account_name"),
                                     account_key=spec.get("account_key"),
                                     connection_string=spec.get("connection_string"))
        raise FramesError(f"unsupported object store protocol {self.protocol!r}; frames "
                          "supports file, s3, gcs and azure")

    def _full_path(self, path: str) -> str:
        """``path`` prefixed by the store's bucket/container and location."""
        location = self.spec.get("location", "")
        if self.protocol == "file":
            return (Path(location) / str(path)).as_posix() if location else str(path)
        root = self.spec.get("bucket") or self.spec.get("container")
        return "/".join(part for part in (root, location, str(path)) if part)

    def put_buffer(self, buffer: bytes, path: str) -> None:
        """Write ``buffer`` to ``path`` (folders are created)."""
        self.fs.pipe_file(self._full_path(path), buffer)

    def get_buffer(self, path: str) -> bytes:
        """The contents of ``path``.

        Raises
        ------
        FramesError
            If the file is missing (naming it and the store's location).
        """
        try:
            return self.fs.cat_file(self._full_path(path))
        except FileNotFoundError:
            raise FramesError(f"object {path!r} is missing from the store at "
                              f"{self.spec.get('location')!r}") from None

    def exists(self, path: str) -> bool:
        """True if ``path`` exists in the store."""
        return bool(self.fs.exists(self._full_path(path)))

    def remove(self, path: str) -> None:
        """Delete the file at ``path``."""
        self.fs.rm_file(self._full_path(path))


def get_store_backend(store_name: str | None = None, config: Any = None) -> StorageBackend:
    """The backend of store ``store_name`` (``None`` or ``''``: ``config.stores['default']``).

    ``config`` defaults to :data:`frames.config`.

    Raises
    ------
    FramesError
        If the store is not configured (the message names ``config.stores``).
    """
    return StorageBackend(store_spec(store_name, config))


def store_spec(store_name: str | None = None, config: Any = None) -> dict[str, Any]:
    """The validated settings of store ``store_name`` from ``config`` (default
    :data:`frames.config`)."""
    if config is None:
        from frames.settings import config
    get_spec = getattr(config, "get_store_spec", None)
    if get_spec is None:
        raise FramesError("object stores are configured in config.stores, which this "
                          "configuration does not have")
    return get_spec(store_name or None)
