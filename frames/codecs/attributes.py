"""Codec attributes: their declaration, and their values on insert and fetch.

* :func:`parse_attribute_type` reads a definition's type: ``<name>`` is a codec attribute stored
  as the core type its chain ends in (``<blob>``: ``bytes``, i.e. ``LONGBLOB`` on MySQL,
  ``BYTEA`` on PostgreSQL, ``BLOB`` on DuckDB); anything else is a core type.
* :func:`encode_values` turns inserted values into stored ones (outermost codec first).
* :func:`decoder` gives the function that turns fetched values back (innermost codec first);
  with ``squeeze``, numpy results lose their length-1 dimensions, as in DataJoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from frames.codecs.builtin import store_unsupported
from frames.codecs.registry import Codec, accepts_keyword, parse_type_spec, resolve_dtype
from frames.declare.spec import Attribute
from frames.declare.types import CoreType, parse_type
from frames.errors import DataError, FramesError, QueryError


def parse_attribute_type(text: str) -> tuple[CoreType, str | None]:
    """The stored core type of a definition's type spelling, and its codec (or ``None``).

    Raises
    ------
    ValueError
        For an unknown type or codec, a codec that needs an object store, or a chain that
        ends in no core type; callers add the table and line.

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
        storage, _, resolved_store = resolve_dtype(codec)
        if resolved_store is not None:
            store_unsupported(codec)
    except FramesError as error:
        raise ValueError(str(error)) from None
    try:
        return parse_type(storage), codec
    except ValueError as error:
        raise ValueError(f"codec {codec} stores values as {storage!r}, which is no core type "
                         f"({error})") from None


def _chain(codec: str) -> list[Codec]:
    """The codecs of ``codec``'s chain, outermost first (looked up each time: a codec class
    defined again replaces the registered one)."""
    return resolve_dtype(codec)[1]


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
    chain = _chain(attr.codec)
    outer = chain[0]
    encoded = []
    for i, value in enumerate(values):
        if value is None:
            encoded.append(None)
            continue
        try:
            outer.validate(value)
            for codec in chain:
                value = _call_encode(codec, value)
        except FramesError:
            raise
        except Exception as error:  # a user codec's failure, reported with its row
            raise DataError(f"{where(i)}: {attr.codec} cannot encode {type(value).__name__} "
                            f"value: {error}") from error
        encoded.append(value)
    return encoded


def _call_encode(codec: Codec, value: Any) -> Any:
    kwargs: dict[str, Any] = {}
    if accepts_keyword(type(codec).encode, "store_name"):
        kwargs["store_name"] = None
    return codec.encode(value, key=None, **kwargs)


def decoder(codec: str, squeeze: bool = False) -> Callable[[Any], Any]:
    """The function that decodes one stored, non-NULL value of a ``codec`` attribute."""
    storage, chain, _ = resolve_dtype(codec)
    chain.reverse()
    storage_is_bytes = parse_type(storage).kind == "bytes"

    def decode(stored: Any) -> Any:
        value = bytes(stored) if storage_is_bytes else stored
        for each in chain:
            value = each.decode(value, key=None)
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
