"""Inserting rows: validation with specific errors, one transaction per call.

Rows from dicts, tuples, pandas, polars or Arrow are checked against the table's heading —
unknown or missing attributes, NULLs, integer ranges, enum members, string lengths, decimal
digits, dates — and converted column-wise into one Arrow table that the backend writes through
its bulk path. Columns are checked with Arrow compute; a column that fails a vectorised check is
checked again value by value, so that the error names the first bad row and what is wrong with
it. Referential integrity is checked by frames where the engine does not declare foreign keys
(DuckDB); duplicates and missing parents are reported with the offending key.
"""

from __future__ import annotations

import decimal
import itertools
import math
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from types import FrameType
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from frames.api.bases import TableBase
from frames.api.insert_integrity import (
    _duplicate_message,
    _missing_parent_message,
    check_parents,
)
from frames.api.insert_select import insert_from_query
from frames.api.insert_stream import insert_stream, stream_source
from frames.api.progress import counted_rows
from frames.api.query import QueryExpression
from frames.codecs.attributes import EncodeContext, encode_values
from frames.declare.spec import NO_DEFAULT, Attribute, SqlDefault
from frames.declare.types import FLOAT_KINDS, INTEGER_RANGES, arrow_type
from frames.declare.values import convert_value, round_timestamps
from frames.errors import (
    DataError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    UnknownAttributeError,
)
from frames.io.csv_rows import read_csv_rows
from frames.plan.heading import Heading

if TYPE_CHECKING:
    from frames.api.table import Table
    from frames.backends.base import OnDuplicate

# What building or casting an Arrow array raises for values it cannot take.
_ARROW_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    OverflowError,
    TypeError,
    ValueError,
)


def insert_rows(
    table: Table,
    rows: Any,
    *,
    replace: bool,
    skip_duplicates: bool,
    ignore_extra_fields: bool,
    chunk_size: int | None = None,
) -> int:
    """Insert ``rows`` into ``table``; see :meth:`frames.api.table.Table.insert`.

    Each call (each chunk of ``chunk_size`` rows) is one transaction. Returns the rows written.
    A path (``pathlib.Path``) names a CSV file (:mod:`frames.io.csv_rows`) whose rows are
    inserted; its errors name the file and the line. Parquet files (a path ending in
    ``.parquet``) and streams of Arrow batches are inserted a batch at a time
    (:mod:`frames.api.insert_stream`).
    """
    on_duplicate: OnDuplicate = "replace" if replace else "skip" if skip_duplicates else "error"
    batches, rows = stream_source(rows, table._name)
    if batches is not None:  # Parquet files, readers and iterators of Arrow batches
        return insert_stream(
            table,
            batches,
            lambda part: _insert_batch(table, part, on_duplicate, ignore_extra_fields),
            chunk_size,
        )
    places: list[str] | None = None
    if isinstance(rows, os.PathLike):
        csv_rows = read_csv_rows(rows, table.plan.heading, table._name)
        rows, places = csv_rows.rows, csv_rows.places()
    if isinstance(rows, type) and issubclass(rows, TableBase):
        rows = rows()
    if isinstance(rows, QueryExpression):
        if chunk_size is not None:
            raise DataError(
                f"{table._name}.insert(query): chunk_size is not supported for "
                "QueryExpression inserts"
            )
        return insert_from_query(table, rows, on_duplicate, ignore_extra_fields)
    if chunk_size is None:
        return _insert_batch(table, rows, on_duplicate, ignore_extra_fields, places)
    if chunk_size < 1:
        raise DataError(
            f"{table._name}.insert(): chunk_size must be a positive number of rows, "
            f"not {chunk_size!r}"
        )
    place_chunks = (
        _chunks(places, chunk_size, table.plan.heading) if places else itertools.repeat(None)
    )
    chunks = counted_rows(
        _chunks(rows, chunk_size, table.plan.heading), f"insert into {table._name}"
    )
    return sum(
        _insert_batch(table, chunk, on_duplicate, ignore_extra_fields, chunk_places)
        for chunk, chunk_places in zip(chunks, place_chunks, strict=False)
    )


def _chunks(rows: Any, size: int, heading: Heading) -> Iterator[Any]:
    """``rows`` in pieces of ``size`` rows: slices of a table or data frame, lists otherwise."""
    frame = _as_arrow(rows, heading)
    if frame is not None:
        for start in range(0, frame.num_rows, size):
            yield frame.slice(start, size)
        return
    if hasattr(rows, "iloc") or (hasattr(rows, "dtype") and getattr(rows.dtype, "names", None)):
        rows_of = rows.iloc if hasattr(rows, "iloc") else rows  # pandas, numpy records
        for start in range(0, len(rows), size):
            yield rows_of[start : start + size]
        return
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def dataframe_rows(table: Table, frame: Any, index_as_pk: bool | None) -> Any:
    """The rows of a pandas ``frame`` for :meth:`Table.insert_dataframe` (see there)."""
    if type(frame).__name__ != "DataFrame" or type(frame).__module__.split(".")[0] != "pandas":
        raise DataError(
            f"{table._name}.insert_dataframe requires a pandas DataFrame, not a "
            f"{type(frame).__name__}"
        )
    index_names = [n for n in frame.index.names if n is not None]
    if index_as_pk is None:
        index_as_pk = bool(index_names) and set(index_names) == set(table.primary_key)
    if not index_as_pk:
        return frame.reset_index(drop=True)
    if set(index_names) != set(table.primary_key):
        raise DataError(
            f"{table._name}.insert_dataframe(): DataFrame index columns {index_names} do not "
            f"match table primary key {list(table.primary_key)}. Use index_as_pk=False to "
            "ignore index, or reset_index() first."
        )
    return frame.reset_index()


def _insert_batch(
    table: Table,
    rows: Any,
    on_duplicate: OnDuplicate,
    ignore_extra_fields: bool,
    places: Sequence[str] | None = None,
) -> int:
    """Insert ``rows`` (not a query) in one transaction; the number of rows written.

    ``places`` name where each row comes from in errors (default: ``row <number>``).
    """
    heading = table.plan.heading
    connection = table._connection
    batches = _batches(
        rows,
        heading,
        table._name,
        ignore_extra_fields,
        EncodeContext(table.ref.schema, table.ref.name, getattr(connection, "_config", None)),
        places,
    )
    backend = connection.backend
    written = 0
    try:
        with connection.atomic():
            for batch in batches:
                if not backend.declares_foreign_keys:
                    check_parents(table, batch)
                written += backend.insert_arrow(table.ref, batch, heading.primary_key, on_duplicate)
    except DuplicateError as error:
        # The failed insert aborted the caller's transaction (if any), so the existing keys
        # cannot be looked up there: the engine's own message has to do.
        can_query = not connection.in_transaction
        raise DuplicateError(_duplicate_message(table, batches, error, can_query)) from None
    except IntegrityError:
        if backend.declares_foreign_keys and not connection.in_transaction:
            missing = _missing_parent_message(table, batches)
            if missing:
                raise IntegrityError(missing) from None
        raise
    return written


# -- shaping the input --------------------------------------------------------------------------


def _batches(
    rows: Any,
    heading: Heading,
    name: str,
    ignore_extra_fields: bool,
    context: EncodeContext | None = None,
    places: Sequence[str] | None = None,
) -> list[pa.Table]:
    """Validated Arrow batches, one per set of written attributes (SQL defaults left to the DB).

    Arrow, pandas and polars input is one batch, checked column by column. Lists of dicts or
    tuples are grouped by the attributes they write (each distinct set of keys is analysed
    once), transposed into columns and checked the same way. Codec attributes are encoded in
    ``context`` (their schema, table and configuration), each value with its row's key.
    ``places`` (one per row) say where each row comes from in errors, instead of its number.
    """
    context = context or EncodeContext("unknown", name)
    frame = _as_arrow(rows, heading)
    if frame is not None:
        if not frame.num_rows:
            return []
        names = _layout(frame.column_names, heading, name, 0, ignore_extra_fields)
        supplied = set(frame.column_names)
        key_names = [k for k in heading.primary_key if k in supplied]
        frame_context = replace(
            context, key=lambda i: {k: frame.column(k)[i].as_py() for k in key_names}
        )
        return [
            pa.Table.from_arrays(
                [
                    _column(
                        frame.column(n)
                        if n in supplied
                        else [_default_value(heading[n])] * frame.num_rows,
                        heading[n],
                        name,
                        None,
                        frame_context,
                    )
                    for n in names
                ],
                names=list(names),
            )
        ]
    records = _records(rows, heading, name)
    place: Sequence[int | str] = places if places is not None else range(len(records))
    layouts: dict[tuple[str, ...], tuple[str, ...]] = {}
    groups: dict[tuple[str, ...], list[int]] = {}
    for number, row in enumerate(records):
        keys = tuple(row)
        layout = layouts.get(keys)
        if layout is None:
            layout = layouts[keys] = _layout(
                keys, heading, name, place[number], ignore_extra_fields, row
            )
        groups.setdefault(layout, []).append(number)
    batches = []
    for names, numbers in groups.items():
        arrays = []

        def group_key(i: int, numbers: list[int] = numbers) -> dict[str, Any]:
            return {
                k: records[numbers[i]][k] for k in heading.primary_key if k in records[numbers[i]]
            }

        group_context = replace(context, key=group_key)
        group_places = [place[n] for n in numbers]
        for attr_name in names:
            default = _default_value(heading[attr_name])
            values = [records[n].get(attr_name, default) for n in numbers]
            arrays.append(_column(values, heading[attr_name], name, group_places, group_context))
        batches.append(pa.Table.from_arrays(arrays, names=list(names)))
    return batches


def _as_arrow(rows: Any, heading: Heading) -> pa.Table | None:
    """``rows`` as an Arrow table if it is Arrow, or pandas or polars data Arrow can read
    (unless a codec attribute needs the values as the Python objects they are)."""
    if isinstance(rows, pa.Table):
        return rows
    if any(attr.codec for attr in heading):
        return None
    module = type(rows).__module__.split(".")[0]
    try:
        if module == "polars" and hasattr(rows, "to_arrow"):
            return rows.to_arrow()
        if module == "pandas" and hasattr(rows, "reset_index"):
            frame = rows.reset_index() if any(n is not None for n in rows.index.names) else rows
            return pa.Table.from_pandas(frame, preserve_index=False)
    except _ARROW_ERRORS:
        return None  # a column of mixed Python objects: read row by row
    return None


def _records(rows: Any, heading: Heading, name: str) -> list[Mapping[str, Any]]:
    """The rows as a list of mappings (tuples are read in heading order)."""
    module = type(rows).__module__.split(".")[0]
    if module == "pandas":
        frame = rows.reset_index() if any(n is not None for n in rows.index.names) else rows
        return [
            {k: (None if _is_nan(v) else v) for k, v in rec.items()}
            for rec in frame.to_dict("records")
        ]
    if hasattr(rows, "dtype") and getattr(rows.dtype, "names", None):  # numpy records
        return [dict(zip(rows.dtype.names, rec, strict=True)) for rec in rows]
    if isinstance(rows, Mapping):
        raise DataError(f"{name}.insert() takes a list of rows; use insert1() for one row")
    if not isinstance(rows, Iterable) or isinstance(rows, (str, bytes)):
        raise DataError(
            f"{name}.insert() takes a list of rows (dicts), a DataFrame or a query, not "
            f"{type(rows).__name__} {rows!r:.40}; use insert1() for one row"
        )
    out: list[Mapping[str, Any]] = []
    positional = False
    for number, row in enumerate(rows):
        if isinstance(row, Mapping):
            out.append(row)
        elif hasattr(row, "dtype") and getattr(row.dtype, "names", None):
            out.append(dict(zip(row.dtype.names, row.tolist(), strict=True)))
        elif isinstance(row, Sequence) and not isinstance(row, (str, bytes)):
            if not positional:
                positional = True
                warnings.warn(
                    "Positional inserts (tuples/lists) are deprecated and will be removed in a "
                    "future version. Use dict with explicit field names instead: "
                    "table.insert1({'field': value, ...})",
                    DeprecationWarning,
                    stacklevel=_caller_stacklevel(),
                )
            if len(row) != len(heading):
                raise MissingAttributeError(
                    f"{name}.insert(): row {number} has {len(row)} values but the table has "
                    f"{len(heading)} attributes ({', '.join(heading.names)})"
                )
            out.append(dict(zip(heading.names, row, strict=True)))
        else:
            raise DataError(
                f"{name}.insert(): row {number} is a {type(row).__name__}; rows "
                "must be dicts or tuples"
            )
    return out


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of a warning that points at the first caller outside frames."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("frames."):
        frame, level = frame.f_back, level + 1
    return level


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _layout(
    keys: Sequence[str],
    heading: Heading,
    name: str,
    number: int | str,
    ignore_extra_fields: bool,
    row: Mapping[str, Any] | None = None,
) -> tuple[str, ...]:
    """The attributes written for a row (number or place ``number``) that supplies ``keys``.

    Attributes the row lacks get their default value, except SQL defaults (``CURRENT_TIMESTAMP``),
    which are left to the database.

    Raises
    ------
    UnknownAttributeError
        For a key that is not an attribute (unless ``ignore_extra_fields``).
    MissingAttributeError
        For a missing attribute without a default.
    """
    present = set(keys)
    extra = [key for key in keys if key not in heading]
    if extra and not ignore_extra_fields:
        raise UnknownAttributeError(
            f"{name}.insert(): {_place(number)} has unknown attribute {extra[0]!r}. Attributes: "
            f"{', '.join(heading.names)} (pass ignore_extra_fields=True to skip extras)"
        )
    required = [attr.name for attr in heading if not attr.has_default]
    if required and not present & set(heading.names):
        raise MissingAttributeError(
            f"{name}.insert(): Cannot insert empty {_place(number)}. The following attributes "
            f"require values: {required}"
        )
    names: list[str] = []
    for attr in heading:
        if attr.name in present:
            names.append(attr.name)
        elif not attr.has_default:
            shown = f" ({_row_text(row)})" if row is not None else ""
            raise MissingAttributeError(
                f"{name}.insert(): {_place(number)} lacks attribute {attr.name!r}, which has no "
                f"default{shown}"
            )
        elif not isinstance(attr.default, SqlDefault):
            names.append(attr.name)
    return tuple(names)


def _default_value(attr: Attribute) -> Any:
    """The value written for ``attr`` when a row omits it (not for SQL defaults)."""
    return None if attr.nullable and not _has_value_default(attr) else attr.default


# -- checking values ------------------------------------------------------------------------------


def _column(
    values: pa.ChunkedArray | list[Any],
    attr: Attribute,
    name: str,
    numbers: Sequence[int | str] | None,
    context: EncodeContext | None = None,
) -> pa.Array | pa.ChunkedArray:
    """``values`` checked and converted to the Arrow type of ``attr``.

    ``numbers`` are the input row numbers (or places) of the values (``None``: positions);
    ``context`` is where a codec attribute's values are encoded.

    Raises
    ------
    DataError
        Naming the first row whose value is invalid, the attribute and what is wrong.
    """
    if attr.codec:  # encoded into values of its storage type, checked as those below
        values = encode_values(
            values,
            attr,
            lambda i: _where(attr, name, i if numbers is None else numbers[i]),
            context,
        )
    target = arrow_type(attr.type)
    arrow = values
    if isinstance(values, list):
        try:
            arrow = pa.array(values, from_pandas=True)
        except _ARROW_ERRORS:
            arrow = None
    if arrow is not None:
        try:
            checked = _vectorised(arrow, attr, target)
        except _ARROW_ERRORS:
            checked = None
        if checked is not None:
            return checked
    python = values if isinstance(values, list) else values.to_pylist()
    if numbers is None:
        numbers = range(len(python))
    checked_values = [check_value(v, attr, name, n) for v, n in zip(python, numbers, strict=True)]
    if attr.type.category == "uuid":  # carried as text
        checked_values = [None if v is None else str(v) for v in checked_values]
    return pa.array(checked_values, type=target)


def _vectorised(
    values: pa.Array | pa.ChunkedArray, attr: Attribute, target: pa.DataType
) -> pa.Array | pa.ChunkedArray | None:
    """``values`` cast to ``target`` with the checks of :func:`check_value`, or ``None``.

    ``None`` (or an Arrow error) means "check value by value": the source type is one whose
    conversion is defined by Python (strings to numbers, floats to decimals, ...) or a check
    failed. Only conversions that give exactly what :func:`check_value` gives are made here.
    """
    source = values.type
    if pa.types.is_dictionary(source):
        values = pc.cast(values, source.value_type)
        source = values.type
    if pa.types.is_floating(source):
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, source), values)  # NaN is NULL
    if values.null_count and not attr.nullable:
        return None
    category = attr.type.category
    if pa.types.is_null(source):
        return pc.cast(values, target)
    if category == "integer":
        if not (
            pa.types.is_integer(source)
            or pa.types.is_floating(source)
            or pa.types.is_decimal(source)
        ):
            return None
        return pc.cast(values, target)  # safe: raises on overflow and on fractions
    if category == "float":
        if not (
            pa.types.is_integer(source)
            or pa.types.is_floating(source)
            or pa.types.is_decimal(source)
        ):
            return None
        cast = pc.cast(values, target)
        # an infinity (given, or a float32 overflow) is refused value by value, with its row
        return None if pc.any(pc.is_inf(cast)).as_py() else cast
    if category == "decimal":
        return _decimal_column(values, attr, target)
    if category == "string":
        return _string_column(values, attr, target)
    if category == "bool":
        return values if pa.types.is_boolean(source) else None
    if category == "date":
        if (
            pa.types.is_date(source)
            or pa.types.is_string(source)
            or pa.types.is_large_string(source)
        ):
            return pc.cast(values, target)  # ISO dates only; others are parsed by Python
        return None
    if category == "datetime":
        if pa.types.is_timestamp(source) or pa.types.is_date(source):
            # time zones: the UTC instant, as Python converts; rounded as check_value rounds
            return round_timestamps(pc.cast(values, target), attr.type.precision or 0)
        return None
    if category == "bytes" and (pa.types.is_binary(source) or pa.types.is_large_binary(source)):
        return pc.cast(values, target)
    return None


def _decimal_column(
    values: pa.Array | pa.ChunkedArray, attr: Attribute, target: pa.Decimal128Type
) -> pa.Array | pa.ChunkedArray | None:
    """Integers and decimals rounded half to even to the scale, checked against the precision."""
    source = values.type
    if pa.types.is_integer(source):
        return pc.cast(pc.cast(values, pa.decimal128(38, target.scale)), target)
    if not pa.types.is_decimal(source):
        return None  # floats convert through their shortest repr, in Python
    if source.scale > target.scale:
        values = pc.round(values, ndigits=target.scale, round_mode="half_to_even")
    return pc.cast(values, target)  # safe: raises when a value exceeds the precision


def _string_column(
    values: pa.Array | pa.ChunkedArray, attr: Attribute, target: pa.DataType
) -> pa.Array | pa.ChunkedArray | None:
    """Strings checked against the length of ``char``/``varchar`` and the members of ``enum``."""
    source = values.type
    if not (
        pa.types.is_string(source)
        or pa.types.is_large_string(source)
        or pa.types.is_string_view(source)
    ):
        return None
    values = pc.cast(values, target)
    kind = attr.type.kind
    if kind in ("char", "varchar"):
        longest = pc.max(pc.utf8_length(values)).as_py()
        if longest is not None and longest > (attr.type.length or 0):
            return None
    elif kind == "enum":
        members = pa.array(attr.type.values, pa.string())
        if not pc.all(
            pc.or_kleene(pc.is_in(values, value_set=members), pc.is_null(values))
        ).as_py():
            return None
    return values


def _where(attr: Attribute, name: str, number: int | str) -> str:
    return f"{name}.insert(): {_place(number)}, attribute {attr.name!r} ({attr.type})"


def _place(number: int | str) -> str:
    """A row as errors name it: ``row 3``, or its place in a file (``'a.csv' line 4``)."""
    return f"row {number}" if isinstance(number, int) else number


def _has_value_default(attr: Attribute) -> bool:
    return attr.default is not NO_DEFAULT and attr.default is not None


def _row_text(row: Mapping[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in list(row.items())[:6])
    return text + (", ..." if len(row) > 6 else "")


def check_value(value: Any, attr: Attribute, name: str, number: int | str) -> Any:
    """``value`` converted to ``attr``'s type, or a :class:`DataError` naming row and attribute.

    ``number`` is the row's number, or its place in a file (``'a.csv' line 4``)."""
    if value is None or _is_nan(value):
        if attr.nullable or (value is None and attr.default is None):
            return None
        raise DataError(
            f"{_where(attr, name, number)}: NULL is not allowed; give a value or "
            "declare it '= null'"
        )
    try:
        converted = convert_value(value, attr)
    except (ValueError, TypeError, decimal.InvalidOperation) as error:
        raise DataError(f"{_where(attr, name, number)}: invalid value {value!r}: {error}") from None
    kind = attr.type.kind
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        if not low <= converted <= high:
            raise DataError(
                f"{_where(attr, name, number)}: {converted} is out of range {low}..{high}"
            )
    elif kind == "enum" and converted not in attr.type.values:
        raise DataError(
            f"{_where(attr, name, number)}: {converted!r} is not one of {list(attr.type.values)}"
        )
    elif kind in ("char", "varchar") and len(converted) > (attr.type.length or 0):
        raise DataError(
            f"{_where(attr, name, number)}: {len(converted)} characters exceed "
            f"the length {attr.type.length}"
        )
    elif kind == "decimal":
        converted = _fit_decimal(converted, attr, name, number)
    elif kind in FLOAT_KINDS:
        _check_float(converted, attr, name, number)
    return converted


def _check_float(value: float, attr: Attribute, name: str, number: int | str) -> None:
    """Refuse NaN, infinities and a value beyond the attribute's floating-point range.

    The rule is the same on every backend: MySQL holds no NaN or infinity, so frames stores
    none anywhere (a missing value is NULL), and a float64 too large for a float32 attribute
    is refused rather than stored as infinity.
    """
    where = _where(attr, name, number)
    if value != value:
        raise DataError(f"{where}: NaN cannot be stored; use NULL ('= null') for missing")
    if math.isinf(value):
        raise DataError(
            f"{where}: {value} cannot be stored (MySQL holds no infinity, and frames keeps one "
            "rule on every backend); use NULL or a finite bound"
        )
    if attr.type.kind == "float32":
        with np.errstate(over="ignore"):
            overflows = bool(np.isinf(np.float32(value)))
        if overflows:
            raise DataError(
                f"{where}: {value} is out of range for float32 (at most about ±3.4028235e38); "
                "declare the attribute float64"
            )


def _fit_decimal(
    value: decimal.Decimal, attr: Attribute, name: str, number: int | str
) -> decimal.Decimal:
    if not value.is_finite():
        raise DataError(f"{_where(attr, name, number)}: {value} is not a finite number")
    scale = attr.type.scale or 0
    precision = attr.type.precision or 0
    quantum = decimal.Decimal(1).scaleb(-scale)
    # digits enough for any value that can fit (a larger one could not be quantized)
    exact = decimal.Context(prec=precision + 2)
    too_large = value.adjusted() >= precision - scale
    rounded = value if too_large else value.quantize(quantum, decimal.ROUND_HALF_EVEN, exact)
    digits = len(rounded.as_tuple().digits) if rounded else 1
    integer_digits = max(digits - scale, 0) if rounded.adjusted() >= 0 else 0
    if too_large or integer_digits > precision - scale:
        raise DataError(
            f"{_where(attr, name, number)}: {value} does not fit; at most "
            f"{precision - scale} digits before the point"
        )
    return rounded
