"""Arrow helpers shared by the backends: conforming results to a schema, preparing inserts.

Every backend hands the layers above a :class:`pyarrow.Table` whose columns carry exactly the
Arrow types of :func:`frames.declare.types.arrow_type`. Drivers yield other things (DuckDB's
HUGEINT as ``decimal128(38, 0)`` and enums as dictionaries, MySQL's 0/1 for booleans, PostgreSQL's
``numeric`` without a scale); the functions here convert them, exactly where the values allow and
with SQL's half-away-from-zero rounding where a decimal carries more digits than requested.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from frames.errors import FetchError

_ARROW_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowNotImplementedError,
    pa.ArrowTypeError,
    TypeError,
    OverflowError,
    ValueError,
)


def conform_array(
    values: pa.Array | pa.ChunkedArray, target: pa.DataType, name: str
) -> pa.Array | pa.ChunkedArray:
    """Convert one result column to ``target`` without losing information.

    Values are cast by Arrow, checked: overflow or truncation raises. Dictionary-encoded strings
    stay encoded (see :func:`is_encoded_string`). Decimal results (from decimals, strings or
    floats) with more fractional digits than ``target`` allows are rounded half away from zero,
    as SQL rounds numerics.

    Raises
    ------
    frames.errors.FetchError
        If a value cannot be represented in ``target`` (naming the column ``name``).
    """
    if values.type == target or (pa.types.is_string(target) and is_encoded_string(values.type)):
        return values
    if pa.types.is_decimal(target) and pa.types.is_floating(values.type):
        # from the float's shortest repr, as PostgreSQL and MySQL convert floats to numerics
        return _round_to_decimal(values, target, name)
    try:
        return pc.cast(values, target)
    except _ARROW_ERRORS as exc:
        if pa.types.is_decimal(target):
            return _round_to_decimal(values, target, name)
        raise _fetch_error(name, values.type, target, exc) from exc


def is_binary(kind: pa.DataType) -> bool:
    """True for Arrow's binary types of variable length (``binary``, ``large_binary``)."""
    return pa.types.is_binary(kind) or pa.types.is_large_binary(kind)


def binary_views(column: pa.ChunkedArray | pa.Array) -> list[memoryview | None]:
    """The values of a binary column as read-only ``memoryview`` slices of its buffers (no
    copy; each keeps its chunk's buffer alive), ``None`` for NULL."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    wide = pa.types.is_large_binary(column.type)
    values: list[memoryview | None] = []
    for chunk in chunks:
        _, offsets, data = chunk.buffers()
        bounds = np.frombuffer(offsets, np.int64 if wide else np.int32)
        bounds = bounds[chunk.offset : chunk.offset + len(chunk) + 1].tolist()
        view = memoryview(data if data is not None else b"").toreadonly()
        valid = chunk.is_valid().to_pylist() if chunk.null_count else [True] * len(chunk)
        values += [
            view[start:end] if ok else None
            for start, end, ok in zip(bounds[:-1], bounds[1:], valid, strict=True)
        ]
    return values


def binary_array(values: Sequence[Any], kind: pa.DataType, prefix: bytes = b"") -> pa.Array:
    """An Arrow array of type ``kind`` (binary or string, large or not) of ``values`` (buffers
    or ``None``), each but NULL after ``prefix``, their bytes copied once, by one join.

    Not ``pa.array(values)``: pyarrow 26 keeps a reference to every ``memoryview`` it converts,
    so whatever they view would never be freed.
    """
    extra = len(prefix)
    lengths = np.fromiter(
        (0 if v is None else extra + len(v) for v in values), np.int64, len(values)
    )
    wide = pa.types.is_large_binary(kind) or pa.types.is_large_string(kind)
    offsets = np.zeros(len(values) + 1, np.int64 if wide else np.int32)
    np.cumsum(lengths, out=offsets[1:])
    valid = np.fromiter((v is not None for v in values), np.bool_, len(values))
    nulls = len(values) - int(valid.sum())
    bitmap = pa.array(valid).buffers()[1] if nulls else None
    data = b"".join(part for v in values if v is not None for part in (prefix, v))
    return pa.Array.from_buffers(
        kind, len(values), [bitmap, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls
    )


def is_encoded_string(kind: pa.DataType) -> bool:
    """Strings encoded as a dictionary (enums on DuckDB and MySQL). A string column of a result
    may come this way: it converts to pandas, polars and Python faster than decoded strings
    (:mod:`frames.io.convert` decodes it)."""
    return pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type)


def _round_to_decimal(
    values: pa.Array | pa.ChunkedArray, target: pa.Decimal128Type, name: str
) -> pa.Array:
    quantum = Decimal(1).scaleb(-target.scale)
    try:
        rounded = [
            None if v is None else _to_decimal(v).quantize(quantum, rounding=ROUND_HALF_UP)
            for v in values.to_pylist()
        ]
        return pa.array(rounded, type=target)
    except (*_ARROW_ERRORS, InvalidOperation) as exc:
        raise _fetch_error(name, values.type, target, exc) from exc


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _fetch_error(name: str, source: pa.DataType, target: pa.DataType, exc: Exception) -> FetchError:
    return FetchError(
        f"result column {name!r}: cannot convert the database's {source} values to {target}: {exc}"
    )


def conform_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rename and convert the columns of ``table``, by position, to ``schema`` (strings may stay
    dictionary-encoded, see :func:`conform_array`).

    Raises
    ------
    frames.errors.FetchError
        If the column counts differ or a column cannot be converted.
    """
    check_width(table.num_columns, schema)
    arrays = [
        conform_array(column, field.type, field.name)
        for column, field in zip(table.columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(
        arrays,
        schema=pa.schema(
            [field.with_type(array.type) for field, array in zip(schema, arrays, strict=True)]
        ),
    )


def rows_to_arrow(rows: Sequence[Sequence[Any]], width: int, schema: pa.Schema) -> pa.Table:
    """Build a table of ``schema`` from driver rows (tuples of Python values), column-wise.

    ``width`` is the number of columns the driver reported (checked against ``schema``).
    """
    check_width(width, schema)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    arrays = [
        column_to_arrow(list(column), field.type, field.name)
        for column, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def column_to_arrow(values: list[Any], target: pa.DataType, name: str) -> pa.Array:
    """Build an Arrow array of ``target`` from Python values a driver returned.

    The direct conversion is tried first; values of another kind (``Decimal`` for a float,
    ``0``/``1`` for a bool, ``bytes`` for a string, a ``Decimal`` with excess digits) go
    through Arrow's own inference and then :func:`conform_array`.
    """
    try:
        return pa.array(values, type=target)
    except _ARROW_ERRORS:
        pass
    if pa.types.is_string(target):  # DuckDB's UUID objects (Arrow infers its uuid extension type)
        values = [str(v) if isinstance(v, uuid.UUID) else v for v in values]
    try:
        inferred = pa.array(values)
    except _ARROW_ERRORS as exc:
        raise FetchError(f"result column {name!r}: cannot convert driver values: {exc}") from exc
    return conform_array(inferred, target, name)


def check_width(width: int, schema: pa.Schema) -> None:
    """Raise :class:`~frames.errors.FetchError` unless a result of ``width`` columns fits
    ``schema``."""
    if width != len(schema):
        raise FetchError(
            f"the query returned {width} columns but {len(schema)} were expected "
            f"({', '.join(schema.names)})"
        )


# ---------------------------------------------------------------------------------------------
# Results as CSV text

_TZ_OFFSET = r"(\d\d:\d\d(?:\.\d+)?)[+-]\d\d(?::?\d\d)?$"


def csv_to_arrow(data: bytes | memoryview, schema: pa.Schema) -> pa.Table:
    """Parse a result in PostgreSQL's CSV text form into a table of ``schema``.

    That is the output of ``COPY ... TO STDOUT WITH (FORMAT csv)``, and what MySQL results are
    turned into server-side (:func:`frames.backends.mysql.csv_select`). An unquoted empty field
    is NULL, ``""`` the empty string. Integers, floats, decimals, booleans (``t``/``f``) and
    dates are parsed by the CSV reader itself; other fields are read as text and converted to
    their column's type: ``\\x`` hex bytes, timestamps with their UTC offset dropped (sessions
    run in UTC). A field the reader does not take as typed (a decimal with more digits than the
    type, a value out of range) sends the whole result through the text path, which rounds
    decimals half away from zero and reports values that do not fit.
    """
    names = [f"c{i}" for i in range(len(schema))]
    typed = {
        name: field.type
        for name, field in zip(names, schema, strict=True)
        if _parsed_by_reader(field.type)
    }
    try:
        try:
            text = _read_csv(data, names, typed)
        except pa.ArrowInvalid:
            if not typed:
                raise
            text = _read_csv(data, names, {})
    except pa.ArrowInvalid as exc:
        raise FetchError(
            f"the query result does not have the {len(schema)} columns that were expected "
            f"({', '.join(schema.names)}): {exc}"
        ) from exc
    return text_to_arrow(text.columns, schema)


def text_to_arrow(columns: Sequence[pa.Array | pa.ChunkedArray], schema: pa.Schema) -> pa.Table:
    """Build a table of ``schema`` from string columns that hold each value's text as the
    database prints it (converted as :func:`csv_to_arrow` converts its text fields; columns
    that already have their type are kept, as are dictionary-encoded strings)."""
    check_width(len(columns), schema)
    return pa.Table.from_arrays(
        [_from_text(column, field) for column, field in zip(columns, schema, strict=True)],
        names=schema.names,
    )


def _parsed_by_reader(kind: pa.DataType) -> bool:
    return (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date32(kind)
    )


def _read_csv(
    data: bytes | memoryview, names: list[str], typed: dict[str, pa.DataType]
) -> pa.Table:
    types = {n: typed.get(n, pa.string()) for n in names}
    if not len(data):
        return pa.table({n: pa.array([], t) for n, t in types.items()})
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
    source = pa.py_buffer(data)  # no copy of the text
    # One block at a time: blocks parsed in parallel hold their intermediate data together
    # (a third more peak memory, measured on a million rows), for no gain on two cores.
    try:
        return pacsv.read_csv(
            pa.BufferReader(source),
            pacsv.ReadOptions(column_names=names, use_threads=False),
            parse,
            convert,
        )
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise
    # a value longer than a parse block: read the whole result as one block
    return pacsv.read_csv(
        pa.BufferReader(source),
        pacsv.ReadOptions(column_names=names, block_size=len(data) + 1, use_threads=False),
        parse,
        convert,
    )


def _from_text(column: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | pa.ChunkedArray:
    target = field.type
    if column.type == target:
        return column
    if pa.types.is_boolean(target):
        column = pc.replace_substring_regex(column, "^t$", "true")
        column = pc.replace_substring_regex(column, "^f$", "false")
    elif pa.types.is_binary(target):
        column = pa.chunked_array(
            [pa.array([_bytea(v) for v in column.to_pylist()], pa.binary())], pa.binary()
        )
    elif pa.types.is_timestamp(target):
        column = pc.replace_substring_regex(column, _TZ_OFFSET, r"\1")
    return conform_array(column, target, field.name)


def _bytea(text: str | None) -> bytes | None:
    if text is None:
        return None
    if text.startswith("\\x"):
        return bytes.fromhex(text[2:])
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Inserts


def prepare_insert(
    data: pa.Table,
    primary_key: Sequence[str],
    on_duplicate: Literal["error", "skip", "replace"],
) -> pa.Table:
    """Normalise ``data`` for a bulk insert.

    Dictionary (categorical) columns are decoded, time-zone-aware timestamps become naive UTC,
    and for ``'skip'`` / ``'replace'`` rows repeating a primary key within ``data`` are reduced
    to the first (skip) or last (replace) one, so that every backend behaves like a sequence of
    single-row inserts.
    """
    columns = []
    for column in data.columns:
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column, column.type.value_type)
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            column = pc.cast(column, pa.timestamp(column.type.unit))
        columns.append(column)
    data = pa.Table.from_arrays(columns, names=data.column_names)
    if on_duplicate == "error" or not primary_key or not set(primary_key) <= set(data.column_names):
        return data
    row = "__frames_row__"
    keep = "min" if on_duplicate == "skip" else "max"
    groups = (
        data.select(list(primary_key))
        .append_column(row, pa.array(range(data.num_rows), pa.int64()))
        .group_by(list(primary_key), use_threads=False)
        .aggregate([(row, keep)])
    )
    if groups.num_rows == data.num_rows:
        return data
    kept = groups[f"{row}_{keep}"]
    return data.take(pc.take(kept, pc.sort_indices(kept)))
