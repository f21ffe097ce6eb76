"""Codec attributes: their declaration, and their values on insert and fetch.

* :func:`parse_attribute_type` reads a definition's type: ``<name>`` is a codec attribute stored
  as the core type its chain ends in (``<blob>``: ``bytes``, i.e. ``LONGBLOB`` on MySQL,
  ``BYTEA`` on PostgreSQL, ``BLOB`` on DuckDB); anything else is a core type.
* :func:`encode_values` turns inserted values into stored ones (outermost codec first), in the
  :func:`encoding_for` context of the table written (codecs that keep values in an object store
  file them under its schema).
* :func:`decoder` gives the function that turns fetched values back (innermost codec first);
  with ``squeeze``, numpy results lose their length-1 dimensions, as in DataJoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
        raise ValueError(f"codec {codec} stores values as {storage!r}, which is no core type "
                         f"({error})") from None


def storage_type(codec: str | None) -> CoreType | None:
    """The core type a codec's values are stored as, or ``None`` (no codec, or one that is not
    registered: its column's own type is used then)."""
    if codec is None:
        return None
    try:
        return parse_attribute_type(codec)[0]
    except ValueError:
        return None


#: What codecs learn about the value they encode: ``schema``, ``table``, ``field``, ``config``.
_context: ContextVar[dict[str, Any] | None] = ContextVar("codec_context", default=None)


@contextmanager
def encoding_for(schema: str, table: str) -> Iterator[None]:
    """Encode values within this block as values of table ``schema.table``."""
    from frames.settings import config

    token = _context.set({"schema": schema, "table": table, "config": config})
    try:
        yield
    finally:
        _context.reset(token)


def encode_values(values: Sequence[Any] | pa.ChunkedArray, attr: Attribute,
                  where: Callable[[int], str]) -> list:
    """The stored values of ``values`` of the codec attribute ``attr`` (``None`` stays).

    ``values`` is a list or an Arrow column; ``where(i)`` names the row of value ``i`` for
    error messages.

    Raises
    ------
    DataError
        If a codec rejects or fails to encode a value (naming the row, attribute and codec).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.to_pylist()
    _, chain, store = resolve_dtype(attr.codec)
    context = {**(_context.get() or {}), "field": attr.name}
    outer = chain[0]
    encoded = []
    for i, value in enumerate(values):
        if value is None:
            encoded.append(None)
            continue
        try:
            outer.validate(value)
            for codec in chain:
                value = _call_encode(codec, value, store, context)
        except FramesError:
            raise
        except Exception as error:  # a user codec's failure, reported with its row
            raise DataError(f"{where(i)}: {attr.codec} cannot encode {type(value).__name__} "
                            f"value: {error}") from error
        encoded.append(value)
    return encoded


def encode_value(value: Any, attr: Attribute, where: str) -> Any:
    """One value of ``attr`` as stored: encoded if ``attr`` has a codec, else unchanged."""
    if attr.codec is None:
        return value
    return encode_values([value], attr, lambda _: where)[0]


def _call_encode(codec: Codec, value: Any, store: str | None, context: dict[str, Any]) -> Any:
    """``codec.encode(value)``, offering ``store_name`` and ``context`` to codecs that declare
    them; ``key`` carries the context under DataJoint's older ``_schema`` ... names."""
    kwargs: dict[str, Any] = {}
    if accepts_keyword(type(codec).encode, "store_name"):
        kwargs["store_name"] = store
    if accepts_keyword(type(codec).encode, "context"):
        kwargs["context"] = context
    return codec.encode(value, key={f"_{name}": item for name, item in context.items()},
                        **kwargs)


def decoder(codec: str, squeeze: bool = False) -> Callable[[Any], Any]:
    """The function that decodes one stored, non-NULL value of a ``codec`` attribute."""
    from frames.settings import config

    storage, chain, _ = resolve_dtype(codec)
    chain.reverse()
    storage_is_bytes = parse_type(storage).kind == "bytes"
    calls = [(each.decode, {"context": {"config": config}}
              if accepts_keyword(type(each).decode, "context") else {}) for each in chain]

    def decode(stored: Any) -> Any:
        value = bytes(stored) if storage_is_bytes else stored
        for call, kwargs in calls:
            value = call(value, key=None, **kwargs)
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
        f"or by {{{attr.name!r}: None}} for rows where it is null")
