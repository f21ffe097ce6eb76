"""Codec attributes: their declaration, and their values on insert and fetch.

* :func:`parse_attribute_type` reads a definition's type: ``<name>`` is a codec attribute stored
  as the core type its chain ends in (``<blob>``: ``bytes``, i.e. ``LONGBLOB`` on MySQL,
  ``BYTEA`` on PostgreSQL, ``BLOB`` on DuckDB); anything else is a core type.
* :func:`encode_values` turns inserted values into stored ones (outermost codec first), in the
  :class:`EncodeContext` of the table written (codecs that keep values in an object store file
  them under its schema and the row's key).
* :func:`decoder` gives the function that turns fetched values back (innermost codec first);
  with ``squeeze``, numpy results lose their length-1 dimensions, as in DataJoint.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from frames.codecs.registry import Codec, accepts_keyword, parse_type_spec, resolve_dtype
from frames.declare.spec import Attribute
from frames.declare.types import CoreType, parse_type
from frames.errors import DataError, FramesError, QueryError


def parse_attribute_type(text: str) -> tuple[CoreType, str | None]:
    """The stored core type of a definition's type spelling, and its codec (or ``None``).

    Raises
    ------
    ValueError
        For an unknown type or codec, or a chain that ends in no core type; callers add the
        table and line. (A store named by ``<name@store>`` is looked up when values are
        stored, as DataJoint does.)

    Examples
    --------
    >>> parse_attribute_type("<blob>")
    (CoreType(kind='bytes', precision=None, scale=None, length=None, values=()), '<blob>')
    >>> parse_attribute_type("int16")[1] is None
    True
    """
    spelling = text.strip()
    if not (spelling.startswith("<") and spelling.endswith(">")):
        return parse_type(spelling), None
    name, store = parse_type_spec(spelling)
    codec = f"<{name}>" if store is None else f"<{name}@{store}>"
    try:
        storage = resolve_dtype(codec)[0]
    except FramesError as error:
        raise ValueError(str(error)) from None
    try:
        return parse_type(storage), codec
    except ValueError as error:
        raise ValueError(
            f"codec {codec} stores values as {storage!r}, which is no core type ({error})"
        ) from None


def storage_type(codec: str | None) -> CoreType | None:
    """The core type a codec's values are stored as, or ``None`` (no codec, or one that is not
    registered: its column's own type is used then)."""
    if codec is None:
        return None
    try:
        return parse_attribute_type(codec)[0]
    except ValueError:
        return None


@dataclass(frozen=True)
class EncodeContext:
    """Where encoded values go: the table's schema (database) and name, the configuration
    (``None``: the global one) and the primary-key values of row ``i`` (``key(i)``)."""

    schema: str
    table: str
    config: Any = None
    key: Callable[[int], dict[str, Any]] = field(default=lambda i: {})


def encode_values(
    values: Sequence[Any] | pa.ChunkedArray,
    attr: Attribute,
    where: Callable[[int], str],
    context: EncodeContext | None = None,
) -> list:
    """The stored values of ``values`` of the codec attribute ``attr`` (``None`` stays).

    ``values`` is a list or an Arrow column; ``where(i)`` names the row of value ``i`` for
    error messages. Codecs receive DataJoint's arguments: ``key`` (the row's primary key with
    ``_schema``, ``_table``, ``_field`` and ``_config``), and, if they declare them,
    ``store_name`` and ``context`` (``schema``, ``table``, ``field``, ``config``).

    Raises
    ------
    DataError
        If a codec rejects or fails to encode a value (naming the row, attribute and codec).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.to_pylist()
    assert attr.codec is not None  # a codec attribute's values
    _, chain, store = resolve_dtype(attr.codec)
    outer = chain[0]
    context = context or EncodeContext(schema="unknown", table="unknown")
    codec_context = {
        "schema": context.schema,
        "table": context.table,
        "field": attr.name,
        "config": context.config,
    }
    encoded: list[Any] = []
    for i, value in enumerate(values):
        if value is None:
            encoded.append(None)
            continue
        key = {
            "_schema": context.schema,
            "_table": context.table,
            "_field": attr.name,
            "_config": context.config,
            **context.key(i),
        }
        try:
            outer.validate(value)
            for codec in chain:
                value = _call(
                    codec,
                    codec.encode,
                    value,
                    key=key,
                    store_name=store or None,
                    context=codec_context,
                )
        except FramesError:
            raise
        except Exception as error:  # a user codec's failure, reported with its row
            raise DataError(
                f"{where(i)}: {attr.codec} cannot encode {type(value).__name__} value: {error}"
            ) from error
        encoded.append(value)
    return encoded


def _call(
    codec: Codec, method: Callable[..., Any], value: Any, *, key: dict | None, **optional: Any
) -> Any:
    """``method(value, key=key, ...)`` with those of ``optional`` that the codec declares (a
    codec written before DataJoint added ``store_name`` or ``context`` is called as written)."""
    function = getattr(type(codec), method.__name__)
    kwargs = {name: arg for name, arg in optional.items() if accepts_keyword(function, name)}
    return method(value, key=key, **kwargs)


#: The configuration codecs decode with (``None``: the global one); set by
#: :func:`with_connection_config` for the fetches of a connection.
_DECODE_CONFIG: ContextVar[Any] = ContextVar("frames_decode_config", default=None)


def with_connection_config(method: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a fetch method of a query: codecs decode its values with the configuration of
    the query's connection (an ``Instance`` has its own stores), as DataJoint passes
    ``connection._config`` to them."""

    @functools.wraps(method)
    def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        token = _DECODE_CONFIG.set(getattr(self._connection, "_config", None))
        try:
            return method(self, *args, **kwargs)
        finally:
            _DECODE_CONFIG.reset(token)

    return fetch


def decoder(codec: str, squeeze: bool = False) -> Callable[[Any], Any]:
    """The function that decodes one stored, non-NULL value of a ``codec`` attribute.

    The configuration reaches the codecs as DataJoint passes it (``key['_config']``,
    ``context['config']``): that of the connection fetching (:func:`with_connection_config`),
    else ``None`` (codecs use the global configuration).
    """
    storage, chain, _ = resolve_dtype(codec)
    chain.reverse()
    kind = parse_type(storage).kind

    buffers = chain[0].decodes_buffers  # the innermost codec reads the stored value

    def decode(stored: Any) -> Any:
        config = _DECODE_CONFIG.get()
        key = None if config is None else {"_config": config}
        context = None if config is None else {"config": config}
        value = stored
        if kind == "bytes" and not (buffers and isinstance(stored, memoryview)):
            value = bytes(stored)
        elif kind == "json" and isinstance(stored, str):
            value = json.loads(stored)
        for each in chain:
            value = _call(each, each.decode, value, key=key, context=context)
        if squeeze and isinstance(value, np.ndarray):
            value = value.squeeze()
        return value

    return decode


def decode_values(values: list[Any], attr: Attribute, squeeze: bool = False) -> list[Any]:
    """Fetched values of ``attr`` decoded by its codec (unchanged for a plain attribute)."""
    if attr.codec is None:
        return values
    decode = decoder(attr.codec, squeeze)
    return [None if value is None else decode(value) for value in values]


def codec_restriction_error(attr: Attribute, where: str) -> QueryError:
    """The error for restricting by a value of the codec attribute ``attr``: the database holds
    its encoded form, which no Python value is compared with."""
    return QueryError(
        f"{where}: cannot restrict by the {attr.codec} attribute {attr.name!r}: its values are "
        "stored encoded and cannot be compared; restrict by other attributes (the primary key), "
        f"or by {{{attr.name!r}: None}} for rows where it is null"
    )
