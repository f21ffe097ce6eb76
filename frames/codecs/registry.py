"""Codecs: attribute types that encode Python values into a stored type (DataJoint 2.x).

A codec is a subclass of :class:`Codec` with a ``name``; defining the class registers it, and
definitions then use it as ``<name>`` (in the table) or ``<name@store>`` (in an object store).
Its :meth:`Codec.get_dtype` names the type it stores into: a core type (``bytes``, ``json``,
``varchar(100)``) or another codec (``<blob>``), which makes a chain. Values are encoded along
the chain from the outermost codec inwards on insert and decoded the other way on fetch.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from abc import ABC, abstractmethod
from typing import Any

from frames.errors import DefinitionError

logger = logging.getLogger(__name__)

#: Registered codecs by name. Filled as codec classes are defined.
_codec_registry: dict[str, Codec] = {}
_entry_points_loaded = False


class Codec(ABC):
    """Base class of codecs; a concrete subclass registers itself under its ``name``.

    Subclasses set ``name`` and implement :meth:`get_dtype`, :meth:`encode` and :meth:`decode`;
    :meth:`validate` may reject values before they are encoded. An abstract intermediate class
    is declared with ``class Base(Codec, register=False)``.

    Examples
    --------
    >>> class Upper(Codec):
    ...     name = "doc_upper"
    ...     def get_dtype(self, is_store):
    ...         return "varchar(64)"
    ...     def encode(self, value, *, key=None, store_name=None):
    ...         return value.upper()
    ...     def decode(self, stored, *, key=None):
    ...         return stored
    >>> get_codec("<doc_upper>").encode("abc")
    'ABC'
    >>> unregister_codec("doc_upper")
    """

    name: str | None = None
    #: True if :meth:`decode` takes a stored ``bytes`` value as any read-only buffer (a
    #: ``memoryview`` of the fetched column, not copied); else it gets ``bytes``.
    decodes_buffers: bool = False

    def __init_subclass__(cls, *, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not register or cls.name is None:
            return
        if not isinstance(cls.name, str) or not cls.name:
            raise DefinitionError(
                f"codec {cls.__qualname__}: name must be a non-empty string, got {cls.name!r}"
            )
        existing = _codec_registry.get(cls.name)
        if existing is not None and type(existing).__qualname__ != cls.__qualname__:
            raise DefinitionError(
                f"codec <{cls.name}> is already registered by "
                f"{type(existing).__module__}.{type(existing).__qualname__}; give "
                f"{cls.__module__}.{cls.__qualname__} another name"
            )
        _codec_registry[cls.name] = cls()  # a redefinition (module reload) replaces it

    @abstractmethod
    def get_dtype(self, is_store: bool) -> str:
        """The type values are stored as: a core type or another codec (``'<blob>'``).

        ``is_store`` is true for ``<name@store>`` attributes (values in an object store).
        """

    @abstractmethod
    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        """The stored form of ``value`` (a value of :meth:`get_dtype`'s type).

        ``key`` holds the row's primary-key values; a codec may also declare a keyword
        argument ``context`` (``schema``, ``table``, ``field``, ``config``).
        """

    @abstractmethod
    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        """The Python value of a stored value (the inverse of :meth:`encode`)."""

    def validate(self, value: Any) -> None:  # noqa: B027 - optional hook, not abstract
        """Reject ``value`` before it is encoded (raise ``TypeError``/``ValueError``); the
        default accepts everything."""

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        """The ``(path, store)`` of each object-store file a stored value refers to: the
        ``path`` and ``store`` of DataJoint's metadata (a dict or its JSON text), else none."""
        value = stored
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return []
        if isinstance(value, dict) and "path" in value:
            return [(value["path"], value.get("store"))]
        return []

    @staticmethod
    def _codec_config(key: dict | None = None, context: dict | None = None) -> Any:
        """The configuration passed in ``context`` (or DataJoint's older ``key['_config']``)."""
        if context and context.get("config") is not None:
            return context["config"]
        return (key or {}).get("_config")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(name={self.name!r})>"


def parse_type_spec(spec: str) -> tuple[str, str | None]:
    """Split ``'<name@store>'`` into ``('name', 'store')``.

    The store is ``None`` without ``@`` and ``''`` for ``<name@>`` (the default store).

    Examples
    --------
    >>> parse_type_spec("<blob>"), parse_type_spec("<blob@cold>"), parse_type_spec("<blob@>")
    (('blob', None), ('blob', 'cold'), ('blob', ''))
    """
    body = spec.strip().strip("<>").strip()
    name, at, store = body.partition("@")
    return name.strip(), (store.strip() if at else None)


def get_codec(name: str) -> Codec:
    """The registered codec called ``name`` (``'blob'``, ``'<blob>'`` or ``'<blob@store>'``).

    Codecs of installed packages (entry points ``datajoint.codecs``) are loaded on first need.

    Raises
    ------
    DefinitionError
        If no codec of that name is registered.
    """
    type_name, _ = parse_type_spec(name)
    codec = _codec_registry.get(type_name)
    if codec is None:
        _load_entry_points()
        codec = _codec_registry.get(type_name)
    if codec is None:
        raise DefinitionError(
            f"unknown codec <{type_name}>: define it as a subclass of frames.Codec with "
            f"name = {type_name!r} before declaring or reading the table. Codecs: "
            f"{', '.join(f'<{n}>' for n in sorted(_codec_registry))}"
        )
    return codec


def list_codecs() -> list[str]:
    """The names of the registered codecs, sorted."""
    _load_entry_points()
    return sorted(_codec_registry)


def is_codec_registered(name: str) -> bool:
    """True if a codec called ``name`` (store part ignored) is registered."""
    type_name, _ = parse_type_spec(name)
    if type_name not in _codec_registry:
        _load_entry_points()
    return type_name in _codec_registry


def unregister_codec(name: str) -> None:
    """Remove the codec called ``name`` from the registry (mostly for tests)."""
    type_name, _ = parse_type_spec(name)
    if type_name not in _codec_registry:
        raise DefinitionError(f"codec <{type_name}> is not registered")
    del _codec_registry[type_name]


def lookup_codec(codec_spec: str) -> tuple[Codec, str | None]:
    """The codec of ``'<name@store>'`` and its store (``None`` without ``@``)."""
    type_name, store = parse_type_spec(codec_spec)
    return get_codec(type_name), store


def resolve_dtype(
    dtype: str, seen: set[str] | None = None, store_name: str | None = None
) -> tuple[str, list[Codec], str | None]:
    """Follow a codec chain to the type finally stored.

    Returns ``(storage_type, chain, store)``: the chain lists the codecs from the outermost
    inwards; a store named by an outer codec applies to the inner ones.

    Raises
    ------
    DefinitionError
        For an unknown codec or a cycle (a codec whose chain leads back to itself).

    Examples
    --------
    >>> storage, chain, store = resolve_dtype("<blob>")
    >>> storage, [c.name for c in chain], store
    ('bytes', ['blob'], None)
    >>> storage, chain, store = resolve_dtype("<blob@cold>")
    >>> storage, [c.name for c in chain], store
    ('json', ['blob', 'hash'], 'cold')
    """
    seen = set() if seen is None else seen
    if dtype.startswith("<") and dtype.endswith(">"):
        type_name, own_store = parse_type_spec(dtype)
        store = own_store if own_store is not None else store_name
        if type_name in seen:
            raise DefinitionError(f"codec <{type_name}> refers to itself through its chain")
        seen.add(type_name)
        codec = get_codec(type_name)
        storage, inner, store = resolve_dtype(codec.get_dtype(store is not None), seen, store)
        return storage, [codec, *inner], store
    base, at, own_store = dtype.partition("@")
    if at:
        return base, [], own_store or store_name
    return dtype, [], store_name


@functools.cache
def accepts_keyword(function: Any, name: str) -> bool:
    """True if ``function`` declares a parameter ``name`` (so older codecs are called as
    they were written)."""
    return name in inspect.signature(function).parameters


def _load_entry_points() -> None:
    """Register codecs that installed packages declare (entry points ``datajoint.codecs``)."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for group in ("datajoint.codecs", "datajoint.types"):
        for point in entry_points(group=group):
            if point.name in _codec_registry:
                continue
            try:
                loaded = point.load()
            except Exception as error:  # a broken plug-in must not break frames
                logger.warning(
                    "codec %r from %s could not be loaded: %s", point.name, point.value, error
                )
                continue
            if (
                point.name not in _codec_registry
                and isinstance(loaded, type)
                and issubclass(loaded, Codec)
            ):
                _codec_registry[point.name] = loaded()
