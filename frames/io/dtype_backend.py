"""The column types of ``to_pandas(dtype_backend=...)``, pandas' own convention.

=====================  ==================================================================
``dtype_backend``      pandas columns
=====================  ==================================================================
``None`` (default)     frames' exact types (:mod:`frames.io.convert`): numpy where exact,
                       ``object`` columns of ``Decimal``, ``date``, parsed json and uuid
``'pyarrow'``          every column ``pandas.ArrowDtype`` of the result's Arrow type —
                       ``decimal128(p, s)``, ``string``, ``date32``, ``timestamp[us]``,
                       ``int32``... with NULL as ``pandas.NA``, json and uuid as their text
                       (as :meth:`to_arrow` gives them): no Python object per value, the
                       Arrow buffers shared, not copied. Codec attributes (blobs...) stay
                       ``object`` columns of their decoded values.
``'numpy_nullable'``   integers, booleans, floats and strings as pandas' nullable
                       extension types (``Int32``, ``boolean``, ``Float64``, ``string``;
                       NULL is ``pandas.NA``); other types as by default
=====================  ==================================================================

The primary-key index has the same types as the columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from frames.errors import FetchError

DTYPE_BACKENDS = (None, "numpy_nullable", "pyarrow")


@dataclass(frozen=True)
class DtypeBackend:
    """How a result's Arrow columns become pandas columns.

    Attributes
    ----------
    types_mapper : callable or None
        pyarrow's ``to_pandas(types_mapper=...)``: the pandas dtype of an Arrow type, or
        ``None`` for pyarrow's default conversion.
    object_kinds : tuple of str
        Core type kinds converted by frames into ``object`` columns of Python values.
    """

    types_mapper: Callable[[pa.DataType], Any] | None
    object_kinds: tuple[str, ...]


def check_dtype_backend(name: Any) -> None:
    """Raise :class:`~frames.errors.FetchError` unless ``name`` is ``None``,
    ``'numpy_nullable'`` or ``'pyarrow'``."""
    if name not in DTYPE_BACKENDS:
        raise FetchError(
            f"to_pandas(dtype_backend={name!r}): dtype_backend must be 'pyarrow', "
            "'numpy_nullable' or None (frames' exact types)"
        )


def dtype_backend(name: str | None, object_kinds: tuple[str, ...]) -> DtypeBackend:
    """The :class:`DtypeBackend` named ``name``; ``object_kinds`` are the default's.

    Raises
    ------
    frames.errors.FetchError
        For a name other than ``None``, ``'numpy_nullable'`` and ``'pyarrow'``.
    """
    check_dtype_backend(name)
    if name is None:
        return DtypeBackend(None, object_kinds)
    import pandas

    if name == "pyarrow":
        return DtypeBackend(pandas.ArrowDtype, ())
    return DtypeBackend(_nullable_types(pandas).get, object_kinds)


def _nullable_types(pandas: Any) -> dict[pa.DataType, Any]:
    """Arrow types → pandas' nullable extension types."""
    return {
        pa.int8(): pandas.Int8Dtype(),
        pa.int16(): pandas.Int16Dtype(),
        pa.int32(): pandas.Int32Dtype(),
        pa.int64(): pandas.Int64Dtype(),
        pa.uint8(): pandas.UInt8Dtype(),
        pa.uint16(): pandas.UInt16Dtype(),
        pa.uint32(): pandas.UInt32Dtype(),
        pa.uint64(): pandas.UInt64Dtype(),
        pa.bool_(): pandas.BooleanDtype(),
        pa.float32(): pandas.Float32Dtype(),
        pa.float64(): pandas.Float64Dtype(),
        pa.string(): pandas.StringDtype(),
    }
