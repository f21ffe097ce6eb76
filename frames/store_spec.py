"""Validation of object-store settings (``config.stores``), as DataJoint's ``get_store_spec``."""

from __future__ import annotations

from typing import Any

from frames.errors import FramesError
from frames.objectstore.adapter import COMMON_KEYS, get_storage_adapter

#: Protocol → (required keys, further allowed keys).
PROTOCOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "file": (("protocol", "location"), COMMON_KEYS),
    "s3": (
        ("protocol", "endpoint", "bucket", "location"),
        (*COMMON_KEYS, "endpoint", "bucket", "access_key", "secret_key", "secure", "proxy_server"),
    ),
    "gcs": (("protocol", "bucket", "location"), (*COMMON_KEYS, "bucket", "token", "project")),
    "azure": (
        ("protocol", "container", "location"),
        (*COMMON_KEYS, "container", "account_name", "account_key", "connection_string"),
    ),
}
_DEFAULTS = {
    "subfolding": None,
    "partition_pattern": None,
    "token_length": 8,
    "hash_prefix": "_hash",
    "schema_prefix": "_schema",
    "filepath_prefix": None,
}
_PREFIXES = ("hash_prefix", "schema_prefix", "filepath_prefix")


def validated_store_spec(
    stores: dict[str, Any], store: str | None = None, use_filepath_default: bool = False
) -> dict[str, Any]:
    """The settings of ``stores[store]``, checked, with DataJoint's defaults filled in.

    ``store=None`` names the store in ``stores['default']`` (``stores['filepath_default']`` if
    ``use_filepath_default``). Defaults: ``subfolding`` and ``partition_pattern`` None,
    ``token_length`` 8, ``hash_prefix`` ``'_hash'``, ``schema_prefix`` ``'_schema'``,
    ``filepath_prefix`` None, and ``secure`` True for S3.

    Raises
    ------
    frames.errors.FramesError
        If the store (or the default) is not configured, its protocol is not one of
        :data:`PROTOCOLS`, a required key is missing, a key is not allowed, or two section
        prefixes overlap.
    """
    if store is None:
        default_key = "filepath_default" if use_filepath_default else "default"
        if default_key not in stores:
            hint = (
                " or specify store explicitly with <filepath@store>" if use_filepath_default else ""
            )
            raise FramesError(
                f"stores.{default_key} is not configured. Set "
                f"dj.config.stores[{default_key!r}] to a store name{hint}"
            )
        store = stores[default_key]
        if not isinstance(store, str):
            raise FramesError(f"stores.{default_key} must be a string (a store name)")
    if store not in stores or not isinstance(stores[store], dict):
        raise FramesError(
            f"Storage {store!r} is requested but not configured in stores; "
            f"configured: {', '.join(sorted(stores)) or 'none'}"
        )
    spec = {**_DEFAULTS, **stores[store]}
    protocol = str(spec.get("protocol", "")).lower()
    if protocol not in PROTOCOLS:
        adapter = get_storage_adapter(protocol)
        if adapter is None:
            raise FramesError(
                f'Unknown protocol "{protocol}" in config.stores["{store}"]. '
                f"Built-in: {', '.join(PROTOCOLS)}. Install a plugin package "
                "(entry point 'datajoint.storage') for other protocols."
            )
        adapter.validate_spec(spec)
        _check_prefixes(store, spec)
        return spec
    if protocol == "s3":
        spec.setdefault("secure", True)
    required, allowed = PROTOCOLS[protocol]
    missing = [key for key in required if key not in spec]
    if missing:
        raise FramesError(f'config.stores["{store}"] is missing: {", ".join(missing)}')
    invalid = [key for key in spec if key not in allowed]
    if invalid:
        raise FramesError(
            f'Invalid key(s) in config.stores["{store}"]: {", ".join(invalid)}; '
            f"allowed for {protocol}: {', '.join(allowed)}"
        )
    _check_prefixes(store, spec)
    return spec


def _check_prefixes(store: str, spec: dict[str, Any]) -> None:
    """Raise if one storage section prefix lies inside another."""
    prefixes = [(name, spec[name]) for name in _PREFIXES if spec.get(name)]
    for i, (name1, prefix1) in enumerate(prefixes):
        for name2, prefix2 in prefixes[i + 1 :]:
            first, second = prefix1.strip("/") + "/", prefix2.strip("/") + "/"
            if first.startswith(second) or second.startswith(first):
                raise FramesError(
                    f'config.stores["{store}"]: {name1}="{prefix1}" and {name2}="{prefix2}" '
                    "overlap. Storage section prefixes must be mutually exclusive."
                )
