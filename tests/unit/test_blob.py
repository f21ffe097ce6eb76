"""frames.blob writes the bytes DataJoint 2.3.5 writes, and each reads the other's blobs.

Hypothesis generates numpy arrays of every dtype the format holds (0-d, empty, NaN, inf,
complex), structured and object arrays, MATLAB cells and structs, and nested Python values;
each must pack to exactly ``datajoint.blob.pack``'s bytes, and unpack (from either library's
bytes) to a value equal to what DataJoint unpacks.
"""

from __future__ import annotations

import datetime
import uuid
import warnings
import zlib
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import frames
from frames import blob
from frames.errors import DataError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns that it finds no datajoint.json here
    dj_blob = pytest.importorskip(
        "datajoint.blob", reason="datajoint (a test-only dependency) is missing"
    )

NUMERIC_DTYPES = [
    np.dtype(t)
    for t in (
        "bool",
        "int8",
        "uint8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
]
DATETIME_DTYPES = [
    np.dtype(f"datetime64[{unit}]")
    for unit in ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns")
]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def same(a: Any, b: Any) -> bool:
    """Deep equality that treats NaN as equal to NaN and compares arrays (with their dtype and
    shape) element by element; a 0-d array equals the numpy scalar it holds (the format reads
    0-d numeric arrays back as scalars)."""
    a, b = (
        x[()] if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind not in "OV" else x
        for x in (a, b)
    )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype or type(a) is not type(b):
            return False
        if a.dtype.fields:
            return all(same(a[name], b[name]) for name in a.dtype.names)
        if a.dtype == object:
            return all(same(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fcmM"))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (float, complex, np.floating, np.complexfloating)):
        return bool(a == b or (a != a and b != b))
    if isinstance(a, np.datetime64):
        return bool(a == b or (np.isnat(a) and np.isnat(b)))
    return bool(a == b)


def as_datajoint(value: Any) -> Any:
    """The same value with frames' MatCell/MatStruct replaced by DataJoint's classes."""
    if isinstance(value, blob.MatCell):
        return value.view(np.ndarray).view(dj_blob.MatCell)
    if isinstance(value, blob.MatStruct):
        return value.view(np.recarray).view(dj_blob.MatStruct)
    return value


def as_frames(value: Any) -> Any:
    """The same value with DataJoint's MatCell/MatStruct (at any depth) replaced by frames'."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        converted = np.empty(value.shape, dtype=object)
        for index, item in np.ndenumerate(value):
            converted[index] = as_frames(item)
        value = converted.view(type(value)) if not isinstance(value, np.recarray) else value
    if isinstance(value, dj_blob.MatCell):
        return value.view(np.ndarray).view(blob.MatCell)
    if isinstance(value, dj_blob.MatStruct):
        struct = value.view(np.recarray).copy()
        for name in struct.dtype.names:
            for index, item in np.ndenumerate(struct[name]):
                struct[name][index] = as_frames(item)
        return struct.view(blob.MatStruct)
    return value


def check_against_datajoint(value: Any, squeeze: bool = False) -> None:
    for compress in (True, False):
        ours = blob.pack(value, compress=compress)
        theirs = dj_blob.pack(as_datajoint(value), compress=compress)
        assert ours == theirs
    read = blob.unpack(theirs, squeeze=squeeze)
    if isinstance(value, np.ndarray) and value.dtype.kind == "c" and np.isinf(value.imag).any():
        # DataJoint rebuilds complex values as real + 1j * imag, which turns the real part of
        # an infinite imaginary part into NaN; frames keeps both parts
        assert same(np.asarray(blob.unpack(theirs)), value)
        return
    assert same(read, as_frames(dj_blob.unpack(theirs, squeeze=squeeze)))
    assert same(as_frames(dj_blob.unpack(ours, squeeze=squeeze)), read)


# ---------------------------------------------------------------------------------------------
# Generated values


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(st.sampled_from(NUMERIC_DTYPES), SHAPES), st.booleans())
def test_numeric_arrays_match_datajoint(array: np.ndarray, squeeze: bool) -> None:
    check_against_datajoint(array, squeeze)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from([np.dtype("float32"), np.dtype("float64")]),
        SHAPES,
        elements=st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5]),
    )
)
def test_nan_and_infinite_elements_match_datajoint(array: np.ndarray) -> None:
    check_against_datajoint(array)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(st.sampled_from(DATETIME_DTYPES), SHAPES))
def test_datetime64_arrays_match_datajoint(array: np.ndarray) -> None:
    check_against_datajoint(array)


def _text_arrays(length: int, byte_order: str) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``U<length>`` text without surrogates (which have no UTF-8 encoding)."""
    text = st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=length
    )
    return hnp.arrays(np.dtype(f"{byte_order}U{length}"), SHAPES, elements=text)


@settings(max_examples=100, deadline=None)
@given(st.tuples(st.integers(1, 4), st.sampled_from("<>")).flatmap(lambda t: _text_arrays(*t)))
def test_string_arrays_match_datajoint(array: np.ndarray) -> None:
    check_against_datajoint(array)


@pytest.mark.parametrize("value", ["a\ud800", np.array(["ok", "\udfff"]), {"k": ["\ud800"]}])
def test_text_without_utf8_encoding_is_refused_with_data_error(value: Any) -> None:
    with pytest.raises(UnicodeEncodeError):  # DataJoint lets the codec's error escape
        dj_blob.pack(as_datajoint(value))
    with pytest.raises(DataError, match="lone surrogate"):
        blob.pack(value)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [np.dtype("float64"), np.dtype("int16"), np.dtype("bool"), np.dtype("uint64")]
        ),
        min_size=1,
        max_size=3,
    ),
    hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
    st.data(),
)
def test_structured_arrays_match_datajoint(dtypes: list, shape: tuple, data: Any) -> None:
    record = np.dtype([(f"f{i}", dtype) for i, dtype in enumerate(dtypes)])
    array = data.draw(hnp.arrays(record, shape))
    check_against_datajoint(array)
    check_against_datajoint(array.view(np.recarray))


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**600), 2**600)
    | st.floats()
    | st.complex_numbers()
    | st.text()
    | st.binary()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.uuids()
    | st.datetimes()
    | st.dates()
    | st.times()
    | st.sampled_from(
        [
            np.float32(1.5),
            np.int8(-3),
            np.uint64(2**64 - 1),
            np.bool_(True),
            np.complex64(1 + 2j),
            np.datetime64("2024-01-02T03:04:05"),
        ]
    )
)
hashable = st.integers() | st.text(max_size=5) | st.tuples(st.integers(), st.text(max_size=3))
# complex arrays with infinite parts are left to test_numeric_arrays_match_datajoint
values = st.recursive(
    scalars | hnp.arrays(st.sampled_from(NUMERIC_DTYPES[:-2]), SHAPES),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(hashable, children, max_size=4)
        | st.sets(hashable, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(values)
def test_python_values_match_datajoint(value: Any) -> None:
    check_against_datajoint(value)


@settings(max_examples=100, deadline=None)
@given(st.lists(values, min_size=0, max_size=6), st.sampled_from([(1, -1), (-1, 1)]))
def test_object_arrays_and_cells_match_datajoint(items: list, orient: tuple) -> None:
    objects = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        objects[i] = item
    packed = blob.pack(objects)
    assert packed == dj_blob.pack(objects)
    # DataJoint reads object arrays through np.array(items), which fails or adds dimensions
    # when the items are sequences of one length; frames reads back what was written
    assert same(blob.unpack(packed), objects)
    check_against_datajoint(
        objects.reshape(tuple(len(items) if d == -1 else d for d in orient)).view(blob.MatCell)
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=4), st.booleans())
def test_structs_match_datajoint(records: list, squeeze: bool) -> None:
    struct = np.empty(len(records), dtype=[("a", object), ("b", object)])
    for i, (a, b) in enumerate(records):
        struct[i] = (a, b)
    check_against_datajoint(struct.reshape(1, -1).view(blob.MatStruct), squeeze)


# ---------------------------------------------------------------------------------------------
# Fixed cases


def test_protocols_and_compression() -> None:
    assert blob.pack(np.arange(3.0)).startswith(b"mYm\0A")  # a MATLAB-readable array
    assert blob.pack(3.0).startswith(b"dj0\0")
    assert blob.pack(np.float64(3.0)).startswith(b"dj0\0")  # 0-d arrays are not mYm
    large = np.zeros(1000)
    packed = blob.pack(large)
    assert packed.startswith(b"ZL123\0") and len(packed) < 200
    assert zlib.decompress(packed[14:]) == blob.pack(large, compress=False)
    assert same(blob.unpack(packed), large)
    noise = np.random.default_rng(0).bytes(2000)
    assert blob.pack(noise).startswith(b"dj0\0")  # kept uncompressed when zlib does not help


def test_numeric_arrays_are_views_of_the_blob() -> None:
    array = np.arange(12, dtype=np.int32).reshape(3, 4)
    out = blob.unpack(blob.pack(array))
    assert out.dtype == np.int32 and not out.flags.writeable
    assert same(out, array)


def test_squeeze_drops_unit_dimensions_and_gives_scalars() -> None:
    assert same(blob.unpack(blob.pack(np.ones((1, 3, 1))), squeeze=True), np.ones(3))
    assert blob.unpack(blob.pack(np.ones((1, 1))), squeeze=True) == 1.0
    assert isinstance(blob.unpack(blob.pack(np.ones((1, 1))), squeeze=True), float)


def test_python_scalars_keep_their_type() -> None:
    for value in (
        True,
        -255,
        2**200,
        7.0,
        7j,
        "text",
        b"raw",
        None,
        Decimal("1.50"),
        uuid.UUID(int=5),
        datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
        datetime.date(2024, 1, 2),
        datetime.time(23, 59),
    ):
        out = blob.unpack(blob.pack(value))
        assert out == value and type(out) is type(value)
    assert blob.unpack(blob.pack(range(4))) == (0, 1, 2, 3)


def test_matlab_char_arrays() -> None:
    # 'character string' as MATLAB's mYm writes it: a 1 x 16 char array of 16-bit chars
    text = "character string"
    matlab = (
        b"mYm\0A"
        + np.array([2, 1, len(text)], dtype=np.uint64).tobytes()
        + np.array([4, 0], dtype=np.uint32).tobytes()
        + np.array([ord(c) for c in text], dtype=np.uint16).tobytes()
    )
    assert same(blob.unpack(matlab), np.array([text]))
    assert same(blob.unpack(matlab), dj_blob.unpack(matlab))


def test_32bit_dims_read_blobs_of_the_32bit_mym_library() -> None:
    matlab = (
        b"mYm\0A"
        + np.array([2, 1, 3], dtype=np.uint32).tobytes()
        + np.array([6, 0], dtype=np.uint32).tobytes()
        + np.arange(3.0).tobytes()
    )
    # a struct with fields hits, sides, tasks, stage written by the 32-bit mYm library
    struct = bytes.fromhex(
        "6D596D00530200000001000000010000000400000068697473007369646573007461736B73007374"
        "616765004D000000410200000001000000070000000600000000000000000000000000F8FF00000000"
        "0000F03F000000000000F03F0000000000000000000000000000F03F00000000000000000000000000"
        "00F8FF230000004102000000010000000700000004000000000000006C006C006C006C00720072006C"
        "0023000000410200000001000000070000000400000000000000640064006400640064006400640025"
        "00000041020000000100000008000000040000000000000053007400610067006500200031003000"
    )
    blob.use_32bit_dims = True
    try:
        assert same(blob.unpack(matlab), np.arange(3.0).reshape(1, 3))
        record = blob.unpack(struct)
    finally:
        blob.use_32bit_dims = False
    assert isinstance(record, blob.MatStruct) and record.dtype.names == (
        "hits",
        "sides",
        "tasks",
        "stage",
    )
    assert same(record[0, 0]["hits"], np.array([[np.nan, 1, 1, 0, 1, 0, np.nan]]))
    assert same(record[0, 0]["stage"], np.array(["Stage 10"]))


def test_module_is_datajoint_blob_when_installed() -> None:
    assert frames.blob is blob
    assert frames.MatCell is blob.MatCell and frames.MatStruct is blob.MatStruct


@pytest.mark.parametrize(
    "value, message",
    [
        (object(), "cannot serialise a value of type object"),
        (np.zeros(2, dtype=np.float16), "dtype float16"),
        (2 ** (8 * 70000), "65535 bytes"),
        (np.zeros(2).view(blob.MatStruct), "MatStruct needs named fields"),  # was a TypeError
    ],
    ids=["object", "float16", "huge int", "struct without fields"],
)
def test_unsupported_values_raise_data_error(value: Any, message: str) -> None:
    with pytest.raises(DataError, match=message):
        blob.pack(value)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"xyz\0\x05", "unknown protocol"),
        (b"dj0\0Q", "unknown data structure code 'Q'"),
        (b"dj0\0\x05\x10\0\0\0\0\0\0\0ab", "truncated"),
        (b"dj0\0\xff\xff", "length check failed"),
        (b"ZL123\0" + np.uint64(99).tobytes() + zlib.compress(b"dj0\0\xff"), "size mismatch"),
        (b"mYmA\0P", "unknown protocol"),
    ],
)
def test_invalid_blobs_raise_data_error(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        blob.unpack(data)


def test_unpack_accepts_memoryview_and_none() -> None:
    assert blob.unpack(memoryview(blob.pack([1, 2]))) == [1, 2]
    assert blob.unpack(None) is None
