"""Arrow results to Python values, pandas, polars and numpy, driven by the heading.

Every backend delivers a result as a :class:`pyarrow.Table` whose columns match
:meth:`~frames.plan.heading.Heading.arrow_schema` (same names, order and Arrow types). This module
is the one place that turns such a table into what users receive, so that the same rows come out
as the same Python types on every backend.

All outputs first strip the trailing pad spaces of ``char(n)`` values (PostgreSQL returns CHAR
values padded to their length; DuckDB and MySQL do not). Only ``char`` attributes are stripped:
``varchar`` and ``text`` values keep their trailing spaces.

Python values (:func:`to_dicts`, :func:`to_tuples`, :func:`python_value`, object fields of
:func:`to_arrays`):

===========================  ================================================================
core type                    Python value
===========================  ================================================================
int8 ... int64               ``int``
float32, float64             ``float`` (float32 values by their shortest decimal spelling, so
                             a stored ``0.1`` reads back as ``0.1``, as the MySQL and
                             PostgreSQL drivers give it, not ``0.10000000149011612``)
decimal(p,s)                 ``decimal.Decimal``, exact, with ``s`` digits after the point
bool                         ``bool``
char, varchar, text, enum    ``str``
date                         ``datetime.date``
datetime                     ``datetime.datetime`` (naive)
json                         the parsed value (``json.loads``)
uuid                         ``uuid.UUID``
bytes                        ``bytes``
codec (``<blob>``, ...)      the decoded value (:mod:`frames.codecs`); with ``squeeze``, numpy
                             arrays lose their length-1 dimensions
NULL                         ``None``
===========================  ================================================================

pandas (:func:`to_pandas`): Arrow's own conversion, with the exceptions marked (*):

===========================  ================================================================
core type                    pandas column
===========================  ================================================================
int8 ... int64               numpy ``int8`` ... ``int64``; (*) ``object`` holding ``int`` and
                             ``None`` when the column has NULLs (exact, no float round trip)
float32, float64             numpy ``float32`` / ``float64``; NULL is ``NaN``
decimal(p,s)                 ``object`` holding ``Decimal`` and ``None``
bool                         numpy ``bool``; ``object`` holding ``bool`` and ``None`` when the
                             column has NULLs
char, varchar, text, enum    pandas' default string dtype for Arrow strings (``str`` with
                             ``NaN`` for NULL on pandas 3, ``object`` with ``None`` before)
date                         (*) ``object`` holding ``datetime.date`` and ``None``
datetime                     ``datetime64[us]``; NULL is ``NaT``
json                         (*) ``object`` holding parsed values and ``None``
uuid                         (*) ``object`` holding ``uuid.UUID`` and ``None``
bytes                        ``object`` holding ``bytes`` and ``None``
codec (``<blob>``, ...)      (*) ``object`` holding the decoded values and ``None``
===========================  ================================================================

The frame is indexed by the primary key (a ``MultiIndex`` for a key of several attributes).

polars (:func:`to_polars`) and Arrow (:func:`to_arrow`) keep the Arrow types of the heading:
``Decimal(p, s)``, ``Date``, ``Datetime("us")``, ``Binary``; ``json`` and ``uuid`` stay as their
text (``String``), which both libraries handle natively; codec attributes keep their stored
(encoded) values; NULL is null.

numpy (:func:`to_arrays`): integers and bools keep their native dtype (``int32``, ``bool``,
...); floats are ``float64`` (as DataJoint returns them; float32 values by their shortest decimal
spelling, as ``to_dicts`` gives them); integers and bools with NULLs, and every other type, are
``object`` arrays of the Python values above. Float NULLs are ``NaN``.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from frames.backends.arrow import binary_views, is_binary, is_encoded_string, rows_to_arrow
from frames.codecs.attributes import decode_values
from frames.declare.spec import Attribute
from frames.declare.types import INTEGER_RANGES, arrow_type
from frames.io import background
from frames.io.dtype_backend import DtypeBackend
from frames.io.dtype_backend import dtype_backend as resolve_dtype_backend
from frames.plan.heading import Heading

if TYPE_CHECKING:
    import pandas
    import polars

# Types whose Arrow values (text) are parsed into richer Python objects.
_PARSERS: dict[str, Callable[[str], Any]] = {"json": json.loads, "uuid": uuid.UUID}
# Temporal types converted through numpy, with the unit that yields date / datetime objects.
_NUMPY_TEMPORAL = {"date": "datetime64[D]", "datetime": "datetime64[us]"}
# Below this many values, encoding a column costs more than it saves.
_FEW = 64
# Digits of the decimals whose unscaled values fit in an int64.
_INT64_DIGITS = 18
# Value ranges up to this wide (or twice the rows) are encoded by a table of the range.
_DENSE_SPAN = 1 << 16
# From this many rows on, a pandas key index is built in the background (below, a thread's
# hand-over costs more than the overlap saves).
_BACKGROUND_ROWS = 100_000
# Kinds that pandas holds as ``object`` columns of Python values converted by frames.
_OBJECT_KINDS = ("decimal", *_PARSERS)
# Categories that keep a native numpy dtype while free of NULLs (floats always: NULL is NaN).
_NULL_FREE_NATIVE = ("integer", "bool")
# One Arrow string view (length, prefix, inline text or buffer reference) as a numpy item.
_VIEW = np.dtype("V16")


def to_dicts(table: pa.Table, heading: Heading, squeeze: bool = False) -> list[dict[str, Any]]:
    """Convert a result to a list of dicts, one per row, keys in heading order.

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.
    squeeze : bool, default False
        Drop the length-1 dimensions of numpy arrays decoded from codec attributes.

    Returns
    -------
    list of dict
        Values are the Python types listed in the module documentation.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from frames.declare.spec import Attribute
    >>> from frames.declare.types import parse_type
    >>> heading = Heading((Attribute("code", parse_type("char(4)"), in_key=True),))
    >>> to_dicts(pa.table({"code": ["ab  "]}), heading)
    [{'code': 'ab'}]
    """
    names = heading.names
    columns = _python_columns(table, heading, squeeze)
    if not columns:
        return [{} for _ in range(table.num_rows)]
    return list(map(dict, map(zip, repeat(names), zip(*columns, strict=True))))


def driver_rows_to_dicts(
    rows: Sequence[Sequence[Any]], heading: Heading, squeeze: bool = False
) -> list[dict[str, Any]]:
    """Convert a few rows of driver values (:meth:`~frames.backends.base.Backend.fetch_rows`).

    The result is what :func:`to_dicts` gives for the same rows carried in Arrow, without
    building Arrow arrays: each value whose Python type is the one the drivers give for its
    attribute's type (``Decimal`` with the declared scale, ``0``/``1`` for a MySQL boolean, text
    for json and uuid, ...) is converted directly. Any other value (a decimal with more digits, a
    number where text was expected) sends every row through Arrow — :func:`~frames.backends.arrow.
    rows_to_arrow`, then :func:`to_dicts` — which converts it exactly or raises
    :class:`~frames.errors.FetchError`, as the bulk path does.

    Parameters
    ----------
    rows : sequence of tuples
        Driver rows, values in heading order.
    heading : Heading
        The heading of the query that produced ``rows``.
    squeeze : bool, default False
        As for :func:`to_dicts`.

    Returns
    -------
    list of dict
        Values are the Python types listed in the module documentation.

    Examples
    --------
    >>> from frames.declare.types import parse_type
    >>> heading = Heading((Attribute("code", parse_type("char(4)"), in_key=True),
    ...                    Attribute("flag", parse_type("bool"))))
    >>> driver_rows_to_dicts([("ab  ", 1)], heading)
    [{'code': 'ab', 'flag': True}]
    """
    names = heading.names
    converters = _driver_converters(heading, squeeze)
    try:
        if rows and len(rows[0]) != len(names):
            raise _NeedsArrow  # rows_to_arrow reports the widths
        return [
            dict(
                zip(
                    names,
                    [
                        None if value is None else convert(value)
                        for convert, value in zip(converters, row, strict=True)
                    ],
                    strict=True,
                )
            )
            for row in rows
        ]
    except _NeedsArrow:
        width = len(rows[0]) if rows else len(names)
        return to_dicts(rows_to_arrow(rows, width, heading.arrow_schema()), heading, squeeze)


def to_tuples(table: pa.Table, heading: Heading) -> list[tuple[Any, ...]]:
    """Convert a result to a list of tuples with values in heading order.

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.

    Returns
    -------
    list of tuple
        Values are the Python types listed in the module documentation.
    """
    columns = _python_columns(table, heading)
    if not columns:
        return [() for _ in range(table.num_rows)]
    return list(zip(*columns, strict=True))


def to_pandas(
    table: pa.Table,
    heading: Heading,
    index: bool = True,
    squeeze: bool = False,
    dtype_backend: str | None = None,
) -> pandas.DataFrame:
    """Convert a result to a pandas DataFrame (column types in the module documentation, or
    as ``dtype_backend`` says: :mod:`frames.io.dtype_backend`).

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.
    index : bool, default True
        Index the frame by the primary key (a ``MultiIndex`` for several key attributes). Without
        a primary key, or with ``index=False``, the frame keeps a default ``RangeIndex``.
    squeeze : bool, default False
        As for :func:`to_dicts`.
    dtype_backend : {None, 'pyarrow', 'numpy_nullable'}
        pandas' convention: ``'pyarrow'`` gives ``pandas.ArrowDtype`` columns (no Python
        object per value), ``'numpy_nullable'`` pandas' nullable types; ``None`` frames'
        exact types.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    frames.errors.FetchError
        For another ``dtype_backend``.
    """
    import pandas

    backend = resolve_dtype_backend(dtype_backend, _OBJECT_KINDS)
    table = _normalise(table, heading, decode=False)
    key = list(heading.primary_key) if index else []
    objects = [
        attr
        for attr in heading.attributes
        if (attr.type.kind in backend.object_kinds or attr.codec) and attr.name not in key
    ]
    # A large result's key index is built on a second core while this thread converts the
    # other columns; numpy and Arrow release the GIL in their loops. The enum columns are
    # decoded first (in Arrow, without the GIL) so that the index's Python steps need not wait
    # for the object columns, whose take holds the GIL.
    key_index = (
        background.submit(
            _key_index,
            _decoded(table.select(key)),
            heading,
            backend,
            inline=table.num_rows < _BACKGROUND_ROWS,
        )
        if key
        else None
    )
    plain = _decoded(table.drop_columns([*key, *(attr.name for attr in objects)]))
    converted = {
        attr.name: _object_column(table.column(attr.name), attr, squeeze) for attr in objects
    }
    frame = plain.to_pandas(
        integer_object_nulls=True, date_as_object=True, types_mapper=backend.types_mapper
    )
    for position, name in enumerate(n for n in heading.names if n not in key):
        if name in converted:  # as a Series of dtype object: pandas does not infer its type
            frame.insert(position, name, pandas.Series(converted[name], dtype=object, copy=False))
    if key_index is not None:
        frame.index = key_index.result()
    return frame


def to_polars(table: pa.Table, heading: Heading) -> polars.DataFrame:
    """Convert a result to a polars DataFrame.

    ``char`` values lose their pad spaces; ``json`` and ``uuid`` values stay as their text.

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.

    Returns
    -------
    polars.DataFrame
    """
    import polars

    table = _normalise(table, heading, decode=False)
    # polars holds strings as views: Arrow makes them faster than polars' own conversion, which
    # polars then takes without a copy; chunks are kept as they are, as polars can hold them
    views = [
        _string_views(column)
        if pa.types.is_string(column.type) or is_encoded_string(column.type)
        else column
        for column in table.columns
    ]
    frame = polars.from_arrow(pa.Table.from_arrays(views, names=table.column_names), rechunk=False)
    assert isinstance(frame, polars.DataFrame)  # a Table's; pyarrow's types are unknown here
    return frame


def to_arrow(table: pa.Table, heading: Heading) -> pa.Table:
    """The user-facing Arrow table of a result.

    The schema is ``heading.arrow_schema()``; ``char`` values lose their pad spaces; ``json`` and
    ``uuid`` values stay as their text.

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.

    Returns
    -------
    pyarrow.Table
    """
    return _normalise(table, heading)


def to_arrays(
    table: pa.Table,
    heading: Heading,
    *names: str,
    include_key: bool = False,
    squeeze: bool = False,
) -> np.ndarray | tuple[Any, ...]:
    """Convert a result to numpy arrays.

    Parameters
    ----------
    table : pyarrow.Table
        The result, with the columns of ``heading.arrow_schema()``.
    heading : Heading
        The heading of the query that produced ``table``.
    *names : str
        Attributes to return, one array each. Without names, one structured array holds every
        attribute.
    include_key : bool, default False
        With names, also return the primary key of each row (a list of dicts, as ``keys()``
        gives) before the arrays. Ignored without names: the structured array holds the key.
    squeeze : bool, default False
        As for :func:`to_dicts`.

    Returns
    -------
    numpy.ndarray or tuple
        Without names, a structured array with one field per attribute. With one name and no
        ``include_key``, that attribute's array. Otherwise a tuple: ``(keys, *arrays)`` with
        ``include_key``, else one array per name.

    Raises
    ------
    UnknownAttributeError
        If a name is not an attribute of the heading.

    Examples
    --------
    >>> from decimal import Decimal
    >>> import pyarrow as pa
    >>> from frames.declare.spec import Attribute
    >>> from frames.declare.types import parse_type
    >>> heading = Heading((
    ...     Attribute("recording_id", parse_type("int16"), in_key=True),
    ...     Attribute("duration", parse_type("decimal(5,1)")),
    ... ))
    >>> table = pa.table(
    ...     [pa.array([1, 2], pa.int16()), pa.array([Decimal("300.5"), Decimal("450.0")])],
    ...     schema=heading.arrow_schema(),
    ... )
    >>> print(to_arrays(table, heading, "duration"))
    [Decimal('300.5') Decimal('450.0')]
    """
    table = _normalise(table, heading)
    if not names:
        columns = {
            a.name: _numpy_column(table.column(a.name), a, squeeze) for a in heading.attributes
        }
        record = np.empty(table.num_rows, dtype=[(n, c.dtype) for n, c in columns.items()])
        for name, column in columns.items():
            record[name] = column
        return record
    heading.check(names, where="to_arrays")
    arrays = [_numpy_column(table.column(name), heading[name], squeeze) for name in names]
    if include_key:
        key = heading.primary_key
        return (to_dicts(table.select(list(key)), heading.select(key)), *arrays)
    return arrays[0] if len(arrays) == 1 else tuple(arrays)


def python_value(value: Any, attribute: Attribute) -> Any:
    """Convert one value of a result to the Python type of its attribute.

    Parameters
    ----------
    value : pyarrow.Scalar or object
        A value of the attribute's Arrow column, as an Arrow scalar or as its ``as_py()``.
    attribute : Attribute
        The attribute the value belongs to.

    Returns
    -------
    object
        The Python value listed in the module documentation (``None`` for NULL).

    Examples
    --------
    >>> from frames.declare.types import parse_type
    >>> python_value("ab  ", Attribute("code", parse_type("char(4)")))
    'ab'
    >>> python_value('{"a": [1, 2]}', Attribute("params", parse_type("json")))
    {'a': [1, 2]}
    """
    if isinstance(value, pa.Scalar):
        value = value.as_py()
    if value is None:
        return None
    kind = attribute.type.kind
    if kind == "char":
        return value.rstrip(" ")
    if kind == "float32":
        return float(str(np.float32(value)))
    parse = _PARSERS.get(kind)
    return value if parse is None else parse(value)


# ---------------------------------------------------------------------------------------------
# Helpers


def _normalise(table: pa.Table, heading: Heading, decode: bool = True) -> pa.Table:
    """Check the columns against the heading and strip the pad spaces of ``char`` values;
    with ``decode``, turn dictionary-encoded strings (enums) into plain strings."""
    if table.column_names != list(heading.names):
        raise ValueError(
            f"result columns {table.column_names} do not match the heading {list(heading.names)}"
        )
    for position, attr in enumerate(heading.attributes):
        if attr.type.kind == "char":
            column = pc.utf8_rtrim(table.column(position), characters=" ")
            table = table.set_column(position, attr.name, column)
    return _decoded(table) if decode else table


def _decoded(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-encoded columns (enums) turned into plain strings."""
    for position, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(
                position, field.name, pc.cast(table.column(position), pa.string())
            )
    return table


def _string_views(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A string column (plain or dictionary-encoded) as Arrow string views."""
    if not pa.types.is_dictionary(column.type):
        return pc.cast(column, pa.string_view())
    return pa.chunked_array([_decoded_views(chunk) for chunk in column.chunks], pa.string_view())


def _decoded_views(chunk: pa.DictionaryArray) -> pa.Array:
    """A dictionary-encoded string array decoded into string views.

    Each value's 16-byte view is the view of its dictionary entry (inline text, or a reference
    into the dictionary's own data buffers, which the result shares): one numpy take of the
    entries' views by the indices, where decoding to strings and then casting to views copies
    every string twice. A null's index may be anything: ``clip`` keeps it in range, and the
    validity masks its view.
    """
    entries = pc.cast(chunk.dictionary, pa.string_view())
    buffers = entries.buffers()
    views = np.frombuffer(buffers[1], dtype=_VIEW)[entries.offset : entries.offset + len(entries)]
    if len(views):
        indices = _values_of(chunk.indices).astype(np.intp)  # numpy's take is fastest with these
        taken = np.take(views, indices, mode="clip")
    else:  # every value is null: the views are never read
        taken = np.zeros(len(chunk), dtype=_VIEW)
    validity = pc.is_valid(chunk).buffers()[1] if chunk.null_count else None
    return pa.Array.from_buffers(
        pa.string_view(),
        len(chunk),
        [validity, pa.py_buffer(taken), *buffers[2:]],
        null_count=chunk.null_count,
    )


def _values_of(array: pa.Array) -> np.ndarray:
    """The values buffer of a fixed-width numeric array as numpy, without a copy; a NULL's slot
    holds whatever the buffer holds."""
    values = np.frombuffer(array.buffers()[1], dtype=array.type.to_pandas_dtype())
    return values[array.offset : array.offset + len(array)]


def _python_columns(table: pa.Table, heading: Heading, squeeze: bool = False) -> list[list[Any]]:
    """Each column of ``table`` as a list of Python values (codec attributes decoded)."""
    table = _normalise(table, heading)
    return [
        decode_values(_stored_values(table.column(i), a), a, squeeze)
        for i, a in enumerate(heading.attributes)
    ]


def _stored_values(column: pa.ChunkedArray, attribute: Attribute) -> list[Any]:
    """The values of one normalised column for :func:`decode_values`: those of a codec stored
    as bytes as read-only ``memoryview`` slices of the column's buffers (no copy; blobs decode
    into views of them), others as :func:`_python_values` gives them."""
    if attribute.codec and is_binary(column.type):
        return binary_views(column)
    return _python_values(column, attribute)


def _python_values(column: pa.ChunkedArray, attribute: Attribute) -> list[Any]:
    """One normalised column as a list of Python values, converted column-wise."""
    kind = attribute.type.kind
    if kind == "float32":
        shortest = column.to_numpy().astype(str).astype(np.float64).tolist()
        if not column.null_count:
            return shortest
        nulls = column.is_null().to_pylist()
        return [None if null else value for value, null in zip(shortest, nulls, strict=True)]
    if kind in _NUMPY_TEMPORAL:
        # numpy builds date/datetime objects (None for NaT) far faster than Arrow's to_pylist.
        return column.to_numpy().astype(_NUMPY_TEMPORAL[kind]).tolist()
    if kind == "decimal":
        return _decimal_objects(column).tolist()
    values = column.to_pylist()
    parse = _PARSERS.get(kind)
    if parse is None:
        return values
    return [None if value is None else parse(value) for value in values]


class _NeedsArrow(Exception):
    """A driver value that :func:`driver_rows_to_dicts` leaves to the Arrow path."""


@functools.lru_cache(maxsize=1024)
def _driver_converters(heading: Heading, squeeze: bool) -> tuple[Callable[[Any], Any], ...]:
    """One converter of non-NULL driver values per attribute (see :func:`driver_rows_to_dicts`)."""
    return tuple(
        _codec_converter(attr, squeeze) if attr.codec else _driver_converter(attr)
        for attr in heading.attributes
    )


def _codec_converter(attribute: Attribute, squeeze: bool) -> Callable[[Any], Any]:
    """The converter of a codec attribute's driver values: its storage type's converter, then
    the codec's decoding (looked up at each call, so a redefined codec takes effect)."""
    convert = _driver_converter(replace(attribute, codec=None))
    return lambda value: decode_values([convert(value)], attribute, squeeze)[0]


def _driver_converter(attribute: Attribute) -> Callable[[Any], Any]:
    """The converter of one attribute's non-NULL driver values; raises :class:`_NeedsArrow`.

    Each accepts exactly the Python types the drivers give (DuckDB: ``UUID`` objects; MySQL:
    ``0``/``1`` for booleans; PostgreSQL: ``char`` values padded) and returns what Arrow's
    conversion followed by :func:`_python_values` returns.
    """
    kind = attribute.type.kind
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]

        def integer(value: Any) -> int:
            if type(value) is int and low <= value <= high:
                return value
            raise _NeedsArrow

        return integer
    if kind == "bool":

        def boolean(value: Any) -> bool:
            if type(value) is bool:
                return value
            if type(value) is int:  # MySQL's BOOLEAN is TINYINT; Arrow casts non-zero to true
                return value != 0
            raise _NeedsArrow

        return boolean
    if kind == "float32":
        return _accepting(float, lambda value: float(str(np.float32(value))))
    if kind == "decimal":
        target = arrow_type(attribute.type)
        scale, precision = target.scale, target.precision

        def decimal(value: Any) -> Decimal:
            if type(value) is Decimal:
                sign, digits, exponent = value.as_tuple()
                # as Arrow holds it: the declared scale, no more digits, no negative zero
                if exponent == -scale and len(digits) <= precision and (value or not sign):
                    return value
            raise _NeedsArrow

        return decimal
    if kind == "char":
        return _accepting(str, lambda value: value.rstrip(" "))
    if kind == "uuid":

        def identifier(value: Any) -> uuid.UUID:
            if type(value) is str:
                return uuid.UUID(value)
            if type(value) is uuid.UUID:  # DuckDB
                return value
            raise _NeedsArrow

        return identifier
    if kind == "json":
        return _accepting(str, json.loads)
    if kind == "datetime":

        def moment(value: Any) -> datetime.datetime:
            if type(value) is datetime.datetime and value.tzinfo is None:
                return value
            raise _NeedsArrow

        return moment
    exact = {"float64": float, "date": datetime.date, "bytes": bytes}.get(kind, str)
    return _accepting(exact, lambda value: value)


def _accepting(exact: type, convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A converter applying ``convert`` to values of type ``exact`` (subclasses excluded)."""

    def converter(value: Any) -> Any:
        if type(value) is exact:
            return convert(value)
        raise _NeedsArrow

    return converter


def _decimal_objects(column: pa.ChunkedArray) -> np.ndarray:
    """An ``object`` array of the ``Decimal`` values of a decimal column (``None`` for NULL).

    Each distinct value is converted once, from its text (exact, with the column's scale), and
    shared by every row that holds it: Arrow's own conversion builds one object per row and
    costs about ten times as much on typical columns. Distinct values are found by
    :func:`_dense_codes` from the unscaled integers where they fit in 64 bits and span a
    narrow range, else by Arrow's dictionary encoding.
    """
    if len(column) <= _FEW:
        return _object_array(column.to_pylist())
    array = column.combine_chunks()
    dense = _dense_codes(_unscaled(array), array) if array.type.precision <= _INT64_DIGITS else None
    if dense is not None:
        distinct, codes = dense
        scale = f"E-{array.type.scale}"
        texts = [f"{value}{scale}" for value in distinct.tolist()]
    else:
        encoded = pc.dictionary_encode(array)
        texts = pc.cast(encoded.dictionary, pa.string()).to_pylist()
        codes = encoded.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False)
    values = np.empty(len(texts) + 1, dtype=object)  # the extra slot: None for NULL
    values[:-1] = list(map(Decimal, texts))
    # pandas' take of object values runs about 1.5 times as fast as numpy's: allow_fill selects
    # its compiled loop (no code here is -1, the fill marker; NULLs have the extra slot)
    from pandas.api.extensions import take

    return take(values, codes, allow_fill=True, fill_value=None)


def _unscaled(array: pa.Array) -> np.ndarray:
    """The unscaled values of a ``decimal128`` array of at most 18 digits, as ``int64``.

    Arrow stores each value as a 128-bit two's complement integer in native byte order; for
    18 digits or fewer the 64-bit half of lower significance is the exact value.
    """
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    low = 0 if sys.byteorder == "little" else 1
    return words[2 * array.offset + low : 2 * (array.offset + len(array)) : 2]


def _dense_codes(values: np.ndarray, array: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The sorted distinct ``values`` and each row's index among them (NULLs of ``array``: the
    index just past the last distinct value); ``None`` if the values span too wide a range.

    A table of the whole range marks the values present: linear time, no hashing or sorting.
    The indices have the narrowest integer type that holds them, as pandas keeps codes.
    """
    valid = None if not array.null_count else array.is_valid().to_numpy(zero_copy_only=False)
    present_values = values if valid is None else values[valid]
    if not len(present_values):
        return None
    low, high = int(present_values.min()), int(present_values.max())
    if high - low >= max(2 * len(values), _DENSE_SPAN):
        return None
    shifted = np.subtract(values, low, dtype=np.intp)
    if valid is not None:
        shifted[~valid] = 0
    present = np.zeros(high - low + 1, dtype=bool)
    present[shifted if valid is None else shifted[valid]] = True
    distinct = np.flatnonzero(present) + low
    rank = np.cumsum(present, dtype=np.min_scalar_type(-len(distinct) - 1))
    rank -= 1
    codes = rank[shifted]
    if valid is not None:
        codes[~valid] = len(distinct)
    return distinct, codes


def _integers(array: pa.Array) -> np.ndarray | None:
    """The values of an integer or date array without NULLs as numpy integers, not copied
    (``None`` for other arrays)."""
    if array.null_count:
        return None
    if pa.types.is_date32(array.type):
        array = array.view(pa.int32())
    return array.to_numpy() if pa.types.is_integer(array.type) else None


def _object_column(
    column: pa.ChunkedArray, attribute: Attribute, squeeze: bool = False
) -> np.ndarray:
    """A pandas ``object`` column: decimals, parsed json and uuid values, decoded codec
    values."""
    if attribute.type.kind == "decimal" and not attribute.codec:
        return _decimal_objects(column)
    return _object_array(decode_values(_stored_values(column, attribute), attribute, squeeze))


def _key_index(keys: pa.Table, heading: Heading, backend: DtypeBackend) -> pandas.Index:
    """The pandas index of the primary-key columns (a ``MultiIndex`` for several), of the
    types of ``backend``.

    A ``MultiIndex`` is built from the codes of each column (:func:`_dense_codes` for integers
    and dates of a narrow range, else Arrow's dictionary encoding), with sorted levels as
    :meth:`pandas.DataFrame.set_index` makes them, without pandas factorising again.
    Keys with NULLs or parsed values (json, uuid) go through ``set_index`` itself.
    """
    import pandas

    names = keys.column_names
    attrs = [heading[name] for name in names]
    mapper = backend.types_mapper
    if (
        len(names) == 1
        or any(column.null_count for column in keys.columns)
        or any(
            attr.type.kind in _PARSERS and attr.type.kind in backend.object_kinds for attr in attrs
        )
    ):
        frame = pandas.DataFrame(
            {
                attr.name: _object_array(_python_values(column, attr))
                if attr.type.kind in backend.object_kinds
                else column.to_pandas(date_as_object=True, types_mapper=mapper)
                for attr, column in zip(attrs, keys.columns, strict=True)
            }
        )
        return frame.set_index(names).index
    levels, codes = [], []
    for column in keys.columns:
        array = column.combine_chunks()
        integers = _integers(array)
        dense = None if integers is None else _dense_codes(integers, array)
        if dense is not None:
            distinct, level_codes = dense
            level = pa.array(distinct.astype(integers.dtype)).view(array.type)  # type: ignore
        else:
            encoded = pc.dictionary_encode(array)
            order = pc.sort_indices(encoded.dictionary)
            rank = np.empty(len(order), dtype=np.min_scalar_type(-len(order)))
            rank[order.to_numpy()] = np.arange(len(order))
            level = encoded.dictionary.take(order)
            level_codes = rank[encoded.indices.to_numpy()]
        levels.append(level.to_pandas(date_as_object=True, types_mapper=mapper))
        codes.append(level_codes)
    return pandas.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=False)


def _numpy_column(
    column: pa.ChunkedArray, attribute: Attribute, squeeze: bool = False
) -> np.ndarray:
    """One normalised column as a numpy array: native dtype where exact, else ``object``."""
    if attribute.codec:
        return _object_column(column, attribute, squeeze)
    category = attribute.type.category
    if attribute.type.kind == "float32":
        return np.asarray(column.to_numpy()).astype(str).astype(np.float64)
    if category == "float" or (category in _NULL_FREE_NATIVE and not column.null_count):
        return np.array(column.to_numpy(), dtype=np.dtype(attribute.type.kind))
    return _object_array(_python_values(column, attribute))


def _object_array(values: list[Any]) -> np.ndarray:
    """A 1-d ``object`` array of ``values``; lists among them stay single elements."""
    return np.fromiter(values, dtype=object, count=len(values))
