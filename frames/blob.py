"""DataJoint's blob format: Python and MATLAB values as bytes (``pack``) and back (``unpack``).

The bytes are exactly those of DataJoint 2.3.5 (``datajoint.blob``), so blobs written by either
library, or by DataJoint for MATLAB (the mYm format), read in the other. A blob is

* optionally ``ZL123\\0`` + the uncompressed length (uint64) + a zlib stream of the rest;
* a protocol header: ``mYm\\0`` when every value is one MATLAB knows (numeric, logical and char
  arrays of at least one dimension, structs, cells), else ``dj0\\0``;
* one encoded value: a code byte followed by its body. Containers hold each element as its
  length (uint64) and its encoding.

============  ===========================================================================
code          value
============  ===========================================================================
``A``         numpy array: ndim, shape (uint64 each), type id and complex flag (uint32),
              then the values in column-major (Fortran) order, the imaginary parts after
              the real ones; ``object`` and ``str`` arrays hold one encoded element each
``S`` / ``C``  MATLAB struct array (:class:`MatStruct`) / cell array (:class:`MatCell`)
``F``         numpy structured (record) array: field names, then one array per field
``\\x01``     tuple (and any other sequence), ``\\x02`` list, ``\\x03`` set, ``\\x04`` dict
``\\x05``     str (UTF-8), ``\\x06`` bytes, ``\\xff`` None
``\\x0a``     int of any size, ``\\x0b`` bool, ``\\x0c`` complex, ``\\x0d`` float
``d`` / ``t``  Decimal (its text) / date, time or datetime (yyyymmdd int32, hhmmssuuuuuu int64)
``u``         UUID (16 bytes)
============  ===========================================================================

Numeric arrays are copied to and from their bytes by numpy, never element by element; unpacked
numeric arrays are read-only views of the blob's bytes, as DataJoint's are (of the buffer
itself when :func:`unpack` is given a ``memoryview``, e.g. of an Arrow column: no copy).
"""

from __future__ import annotations

import collections.abc
import datetime
import math
import sys
import uuid
import zlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from frames.errors import DataError

#: Read lengths and shapes as uint32, as the 32-bit mYm library for MATLAB wrote them.
use_32bit_dims = False

MYM_PROTOCOL = b"mYm\0"
DJ0_PROTOCOL = b"dj0\0"
ZLIB_PREFIX = b"ZL123\0"
#: Blobs up to this many bytes are stored uncompressed.
COMPRESS_ABOVE = 1000

# Array type ids of the mYm format and the dtypes they stand for (VOID: an object array).
_CHAR_ID, _VOID_ID = 4, 5
_DTYPES: dict[int, np.dtype] = {
    3: np.dtype("bool"),
    _CHAR_ID: np.dtype("c"),
    _VOID_ID: np.dtype("O"),
    6: np.dtype("float64"),
    7: np.dtype("float32"),
    8: np.dtype("int8"),
    9: np.dtype("uint8"),
    10: np.dtype("int16"),
    11: np.dtype("uint16"),
    12: np.dtype("int32"),
    13: np.dtype("uint32"),
    14: np.dtype("int64"),
    15: np.dtype("uint64"),
    **{
        65_536 + i: np.dtype(f"datetime64[{unit}]")
        for i, unit in enumerate(
            ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
        )
    },
}
_TYPE_IDS: dict[np.dtype, int] = {dtype: type_id for type_id, dtype in _DTYPES.items()}
_MATLAB_TYPE_NAMES = {0: "UNKNOWN", 1: "CELL", 2: "STRUCT", 16: "FUNCTION"}


class MatCell(np.ndarray):
    """A MATLAB cell array: an ``object`` array that packs as a cell (code ``C``)."""


class MatStruct(np.recarray):
    """A MATLAB struct array: a record array of ``object`` fields that packs as a struct
    (code ``S``)."""


def pack(obj: Any, compress: bool = True) -> bytes:
    """Serialise ``obj`` in DataJoint's blob format.

    Parameters
    ----------
    obj : object
        numpy arrays (numeric, bool, datetime64, str, object, structured), numpy and Python
        scalars, str, bytes, None, dict, list, tuple (and other sequences), set, date, time,
        datetime, Decimal, UUID, :class:`MatCell`, :class:`MatStruct`, nested freely.
    compress : bool, default True
        Compress blobs longer than 1000 bytes with zlib when that makes them shorter.

    Returns
    -------
    bytes
        The same bytes as DataJoint 2.3.5's ``datajoint.blob.pack``.

    Raises
    ------
    DataError
        For a value of a type the format does not hold (say which), an int of more than
        65535 bytes, or text with a lone surrogate (which has no UTF-8 encoding).

    Examples
    --------
    >>> pack([1, "a"]).hex()
    '646a300002020000000000000004000000000000000a0100010a0000000000000005010000000000000061'
    """
    writer = _Writer()
    try:
        body = writer.value(obj)
    except UnicodeEncodeError as error:
        raise DataError(
            f"blob: the text {error.object!r} cannot be stored: its character "
            f"{error.object[error.start : error.end]!r} at position {error.start} is not valid "
            "Unicode (a lone surrogate) and has no UTF-8 encoding; remove or replace it, "
            "e.g. text.encode('utf-8', 'replace').decode()"
        ) from None
    blob = (DJ0_PROTOCOL if writer.dj0 else MYM_PROTOCOL) + body
    if compress and len(blob) > COMPRESS_ABOVE:
        compressed = ZLIB_PREFIX + _u64(len(blob)) + zlib.compress(blob)
        if len(compressed) < len(blob):
            return compressed
    return blob


def unpack(blob: bytes | bytearray | memoryview | None, squeeze: bool = False) -> Any:
    """Deserialise a blob written by :func:`pack`, DataJoint or DataJoint for MATLAB.

    Parameters
    ----------
    blob : bytes, bytearray or memoryview, or None
        The blob (``None`` gives ``None``). Unpacked numeric arrays are read-only views of
        ``bytes`` and of a ``memoryview``'s buffer (which they keep alive); a ``bytearray``
        is copied first, so that they do not change with it.
    squeeze : bool, default False
        Drop the length-1 dimensions of arrays, and turn 0-d numeric arrays into scalars.

    Raises
    ------
    DataError
        If the bytes are no blob (unknown protocol or code, wrong length, bad compression).

    Examples
    --------
    >>> unpack(pack({"a": [1, 2.5]}))
    {'a': [1, 2.5]}
    """
    if blob is None:
        return None
    data: bytes | memoryview = (
        memoryview(blob).cast("B").toreadonly() if isinstance(blob, memoryview) else bytes(blob)
    )
    if data[: len(ZLIB_PREFIX)] == ZLIB_PREFIX:
        reader = _Reader(data, squeeze, len(ZLIB_PREFIX))
        size = reader.length()
        try:
            data = zlib.decompress(data[reader.pos :])
        except zlib.error as error:
            raise DataError(f"blob: bad zlib compression ({error})") from None
        if len(data) != size:
            raise DataError(f"blob: size mismatch: expected {size} bytes, got {len(data)}")
    protocol = bytes(data[: len(MYM_PROTOCOL)])
    if protocol not in (MYM_PROTOCOL, DJ0_PROTOCOL):
        raise DataError(
            f"blob: unknown protocol {bytes(data[:8])!r}; expected a blob written by "
            "DataJoint (mYm or dj0)"
        )
    reader = _Reader(data, squeeze, len(protocol))
    return reader.value(len(data) - reader.pos)


# ---------------------------------------------------------------------------------------------
# Writing


def _u64(n: int) -> bytes:
    return np.uint64(n).tobytes()


def _u32(n: int) -> bytes:
    return np.uint32(n).tobytes()


def _dims(array: np.ndarray) -> bytes:
    """ndim followed by the shape, each as uint64."""
    return np.array((array.ndim, *array.shape), dtype=np.uint64).tobytes()


class _Writer:
    """Encodes one value; ``dj0`` turns true once a value needs the dj0 protocol."""

    def __init__(self) -> None:
        self.dj0 = False

    def value(self, obj: Any) -> bytes:  # noqa: PLR0911 - one branch per kind of value
        """The encoding of ``obj`` (code byte and body)."""
        if isinstance(obj, MatCell):
            return b"C" + _dims(obj) + self._elements(obj.flatten(order="F"))
        if isinstance(obj, MatStruct):
            return self._struct(obj)
        if isinstance(obj, np.ndarray) and obj.dtype.fields is None:
            return self._array(obj)
        self.dj0 = True  # everything below is outside MATLAB's mYm format
        if not isinstance(obj, (np.ndarray, np.number)):
            if isinstance(obj, bool):
                return b"\x0b" + np.array(obj, dtype=bool).tobytes()
            if isinstance(obj, int):
                return self._int(obj)
            if isinstance(obj, complex):
                return b"\x0c" + np.array(obj, dtype=np.complex128).tobytes()
            if isinstance(obj, float):
                return b"\x0d" + np.array(obj, dtype=np.float64).tobytes()
        if isinstance(obj, np.ndarray):  # structured
            return self._records(np.array(obj))
        if isinstance(obj, (np.number, np.datetime64, np.bool_)):
            return self._array(np.array(obj))
        if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
            return b"t" + _moment(obj)
        if isinstance(obj, Decimal):
            text = str(obj)
            return b"d" + _u64(len(text)) + text.encode()
        if isinstance(obj, uuid.UUID):
            return b"u" + obj.bytes
        if isinstance(obj, collections.abc.Mapping):
            return (
                b"\x04"
                + _u64(len(obj))
                + self._elements(item for pair in obj.items() for item in pair)
            )
        if isinstance(obj, str):
            encoded = obj.encode()
            return b"\x05" + _u64(len(encoded)) + encoded
        if isinstance(obj, (bytes, bytearray)):
            return b"\x06" + _u64(len(obj)) + obj
        for code, kind in (
            (b"\x02", collections.abc.MutableSequence),
            (b"\x01", collections.abc.Sequence),
            (b"\x03", collections.abc.Set),
        ):
            if isinstance(obj, kind):
                return code + _u64(len(obj)) + self._elements(obj)
        if obj is None:
            return b"\xff"
        raise DataError(
            f"blob: cannot serialise a value of type {type(obj).__name__}; "
            "supported are numpy arrays and scalars, numbers, str, bytes, None, "
            "dict, list, tuple, set, date/time/datetime, Decimal and UUID"
        )

    def _elements(self, items: Any) -> bytes:
        """Each item's encoding preceded by its length."""
        return b"".join(_u64(len(packed)) + packed for packed in map(self.value, items))

    @staticmethod
    def _int(value: int) -> bytes:
        size = value.bit_length() // 8 + 1
        if size > 0xFFFF:
            raise DataError(f"blob: integers are limited to 65535 bytes; this one needs {size}")
        return b"\x0a" + np.uint16(size).tobytes() + value.to_bytes(size, "little", signed=True)

    def _array(self, array: np.ndarray) -> bytes:
        if array.dtype.kind == "M":
            self.dj0 = True  # datetime64 is not in mYm
        header = b"A" + _dims(array)
        is_complex = np.iscomplexobj(array)
        real = array.real if is_complex else array
        strings = real.dtype.char == "U"
        type_id = _TYPE_IDS[np.dtype("O")] if strings else _TYPE_IDS.get(real.dtype)
        if type_id is None:
            raise DataError(
                f"blob: arrays of dtype {array.dtype} cannot be serialised "
                "(ambiguous or unknown type)"
            )
        header += np.array([type_id, is_complex], dtype=np.uint32).tobytes()
        if type_id == _VOID_ID:
            self.dj0 = True
            return header + self._elements(real.flatten(order="F"))
        if type_id == _CHAR_ID:  # MATLAB's chars are 16 bits wide
            return header + real.view(np.uint8).astype(np.uint16).tobytes()
        if array.ndim == 0:
            self.dj0 = True  # nor are 0-d numeric arrays
        body = real.tobytes(order="F")
        if is_complex:
            body += array.imag.tobytes(order="F")
        return header + body

    def _records(self, array: np.ndarray) -> bytes:
        names = array.dtype.names
        assert names is not None  # a record array's
        return (
            b"F"
            + _u32(len(names))
            + "\0".join(names).encode()
            + b"\0"
            + b"".join(
                self._records(array[name]) if array[name].dtype.fields else self._array(array[name])
                for name in names
            )
        )

    def _struct(self, array: np.ndarray) -> bytes:
        names = array.dtype.names
        if names is None:
            raise DataError("blob: a MatStruct needs named fields (a structured dtype)")
        return (
            b"S"
            + _dims(array)
            + _u32(len(names))
            + "\0".join(names).encode()
            + b"\0"
            + self._elements(field for record in array.flatten(order="F") for field in record)
        )


def _moment(value: datetime.date | datetime.time) -> bytes:
    """The date (yyyymmdd, or -1) as int32 and the time (hhmmssuuuuuu, or -1) as int64."""
    date: datetime.date | None
    time: datetime.time | None
    if isinstance(value, datetime.datetime):
        date, time = value.date(), value.time()
    elif isinstance(value, datetime.date):
        date, time = value, None
    else:
        date, time = None, value
    day = -1 if date is None else (date.year * 100 + date.month) * 100 + date.day
    clock = (
        -1
        if time is None
        else (((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000 + time.microsecond)
    )
    return np.int32(day).tobytes() + np.int64(clock).tobytes()


# ---------------------------------------------------------------------------------------------
# Reading


def _complex(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    """The complex array of ``real`` and ``imag`` parts, of the dtype DataJoint gives
    (``real + 1j * imag``: complex64 from float32, else complex128), with infinite parts kept
    (that expression turns an infinite imaginary part's real part into NaN)."""
    out = np.empty(real.shape, dtype=(real[:0] + 1j * imag[:0]).dtype)
    out.real = real
    out.imag = imag
    return out


class _Reader:
    """Decodes values from ``data`` (``bytes``, or a read-only byte ``memoryview``) starting at
    ``pos``."""

    def __init__(self, data: bytes | memoryview, squeeze: bool, pos: int = 0) -> None:
        self.data = data
        self.squeeze = squeeze
        self.pos = pos

    # -- primitives ---------------------------------------------------------------------------
    def _numbers(self, dtype: Any, count: int) -> np.ndarray:
        try:
            values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        except ValueError:
            raise DataError(f"blob: truncated at byte {self.pos}") from None
        self.pos += values.nbytes
        return values

    def _scalar(self, dtype: Any) -> Any:
        return self._numbers(dtype, 1)[0]

    def _unsigned(self, size: int) -> int:
        return int.from_bytes(self._take(size), sys.byteorder)

    def length(self) -> int:
        """A length or dimension: uint64, or uint32 with :data:`use_32bit_dims`."""
        return self._unsigned(4 if use_32bit_dims else 8)

    def _shape(self) -> tuple[int, ...]:
        n_dims = self.length()
        return tuple(self._numbers(np.uint32 if use_32bit_dims else np.uint64, n_dims).tolist())

    def _take(self, size: int) -> bytes:
        chunk = bytes(self.data[self.pos : self.pos + size])  # no copy of a bytes object's
        if len(chunk) != size:
            raise DataError(f"blob: truncated at byte {self.pos}")
        self.pos += size
        return chunk

    def _bytes(self) -> bytes:
        return self._take(self.length())

    def _name(self) -> str:
        """A zero-terminated (field) name."""
        end = self.pos
        while True:  # names are short: look at a few bytes at a time (memoryviews cannot find)
            window = bytes(self.data[end : end + 64])
            found = window.find(b"\0")
            if found >= 0 or not window:
                break
            end += len(window)
        if found < 0:
            raise DataError(f"blob: truncated at byte {self.pos}")
        name = bytes(self.data[self.pos : end + found]).decode()
        self.pos = end + found + 1
        return name

    def _squeezed(self, array: np.ndarray, to_scalar: bool = True) -> Any:
        if not self.squeeze:
            return array
        array = array.squeeze()
        return array.item() if array.ndim == 0 and to_scalar else array

    # -- values -------------------------------------------------------------------------------
    def value(self, n_bytes: int | None = None) -> Any:
        """The next value; with ``n_bytes``, check that it takes exactly that many bytes."""
        start = self.pos
        code = self._take(1)
        read = _READERS.get(code)
        if read is None:
            raise DataError(f"blob: unknown data structure code {chr(code[0])!r} at byte {start}")
        result = read(self)
        if n_bytes is not None and self.pos - start != n_bytes:
            raise DataError(
                f"blob: length check failed at byte {start}: the value took "
                f"{self.pos - start} bytes, its header says {n_bytes}"
            )
        return result

    def _element(self) -> Any:
        return self.value(self.length())

    def _elements(self) -> list[Any]:
        return [self._element() for _ in range(self.length())]

    def _objects(self, count: int) -> np.ndarray:
        """``count`` length-prefixed values as a 1-d ``object`` array."""
        objects = np.empty(count, dtype=object)
        for i in range(count):
            objects[i] = self._element()
        return objects

    def _tuple(self) -> tuple[Any, ...]:
        return tuple(self._elements())

    def _list(self) -> list[Any]:
        return self._elements()

    def _set(self) -> set[Any]:
        return set(self._elements())

    def _str(self) -> str:
        return self._bytes().decode()

    def _none(self) -> None:
        return None

    def _bool(self) -> bool:
        return bool(self._scalar(np.bool_))

    def _complex(self) -> complex:
        return complex(self._scalar(np.complex128))

    def _float(self) -> float:
        return float(self._scalar(np.float64))

    def _decimal(self) -> Decimal:
        return Decimal(self._str())

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(bytes=self._take(16))

    def _dict(self) -> dict[Any, Any]:
        return {self._element(): self._element() for _ in range(self.length())}

    def _int(self) -> int:
        return int.from_bytes(self._take(self._unsigned(2)), "little", signed=True)

    def _moment(self) -> datetime.date | datetime.time | datetime.datetime | None:
        day, clock = int(self._scalar(np.int32)), int(self._scalar(np.int64))
        date = datetime.date(day // 10000, day // 100 % 100, day % 100) if day >= 0 else None
        time = (
            datetime.time(
                clock // 10**10 % 100, clock // 10**8 % 100, clock // 10**6 % 100, clock % 10**6
            )
            if clock >= 0
            else None
        )
        if date is not None and time is not None:
            return datetime.datetime.combine(date, time)
        return date if date is not None else time

    def _array(self) -> Any:
        shape = self._shape()
        count = math.prod(shape)
        type_id, is_complex = self._unsigned(4), self._unsigned(4)
        dtype = _DTYPES.get(type_id)
        if dtype is None:
            kind = _MATLAB_TYPE_NAMES.get(type_id, f"type id {type_id}")
            raise DataError(f"blob: arrays of MATLAB {kind} cannot be read")
        if type_id == _VOID_ID:
            data = self._objects(count)
        elif type_id == _CHAR_ID:
            # MATLAB's 16-bit chars: the low byte of each (as DataJoint reads them)
            data = self._numbers(dtype, 2 * count)[::2].astype("U1")
            if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):  # a row: one string
                data = data if data.size == 1 else np.array("".join(data))
                shape = (1,)
        else:
            data = self._numbers(dtype, count)
            if is_complex:
                data = _complex(data, self._numbers(dtype, count))
            if not shape:  # a 0-d numeric array reads as a numpy scalar, as in DataJoint
                return self._squeezed(data[0])
        return self._squeezed(data.reshape(shape, order="F"))

    def _sparse(self) -> Any:
        raise DataError("blob: MATLAB sparse arrays cannot be read (not supported by DataJoint)")

    def _records(self) -> np.ndarray:
        n_fields = self._unsigned(4)
        if not n_fields:
            return np.array(None)
        names = [self._name() for _ in range(n_fields)]
        arrays = [self.value() for _ in range(n_fields)]
        fields = list(zip(names, arrays, strict=True))
        records = np.empty(arrays[0].shape, np.dtype([(name, a.dtype) for name, a in fields]))
        for name, array in fields:
            records[name] = array
        return records.view(np.recarray)

    def _struct(self) -> Any:
        shape = self._shape()
        count = math.prod(shape)
        n_fields = self._unsigned(4)
        if not n_fields:
            return np.array(None)
        names = [self._name() for _ in range(n_fields)]
        values = self._objects(count * n_fields).reshape(count, n_fields)
        records = np.empty(count, dtype=[(name, object) for name in names])
        for i, name in enumerate(names):
            records[name] = values[:, i]
        struct = self._squeezed(records.reshape(shape, order="F"), to_scalar=False)
        return struct.view(MatStruct)

    def _cell(self) -> MatCell:
        shape = self._shape()
        count = math.prod(shape)
        cells = self._objects(count)
        if not count:
            return cells.view(MatCell)
        return self._squeezed(cells.reshape(shape, order="F"), to_scalar=False).view(MatCell)


#: The reader of each data structure code.
_READERS: dict[bytes, Callable[[_Reader], Any]] = {
    b"A": _Reader._array,
    b"P": _Reader._sparse,
    b"S": _Reader._struct,
    b"C": _Reader._cell,
    b"F": _Reader._records,
    b"\xff": _Reader._none,
    b"\x01": _Reader._tuple,
    b"\x02": _Reader._list,
    b"\x03": _Reader._set,
    b"\x04": _Reader._dict,
    b"\x05": _Reader._str,
    b"\x06": _Reader._bytes,
    b"\x0a": _Reader._int,
    b"\x0b": _Reader._bool,
    b"\x0c": _Reader._complex,
    b"\x0d": _Reader._float,
    b"d": _Reader._decimal,
    b"t": _Reader._moment,
    b"u": _Reader._uuid,
}
