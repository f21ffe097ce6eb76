"""Inserting rows: validation with specific errors, one transaction per call.

Rows from dicts, tuples, pandas, polars or Arrow are checked against the table's heading —
unknown or missing attributes, NULLs, integer ranges, enum members, string lengths, decimal
digits, dates — and converted column-wise into one Arrow table that the backend writes through
its bulk path. Referential integrity is checked by frames where the engine does not declare
foreign keys (DuckDB); duplicates and missing parents are reported with the offending key.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.api.query import QueryExpression
from frames.declare.spec import Attribute, SqlDefault
from frames.declare.types import INTEGER_RANGES, arrow_type
from frames.declare.values import convert_value
from frames.errors import DataError, DuplicateError, IntegrityError, MissingAttributeError
from frames.plan.heading import Heading

if TYPE_CHECKING:
    from frames.api.table import Table

_MISSING = object()


def insert_rows(table: Table, rows: Any, *, replace: bool, skip_duplicates: bool,
                ignore_extra_fields: bool) -> int:
    """Insert ``rows`` into ``table`` atomically; see :meth:`frames.api.table.Table.insert`."""
    on_duplicate = "replace" if replace else "skip" if skip_duplicates else "error"
    if isinstance(rows, type) and issubclass(rows, QueryExpression):
        rows = rows()
    if isinstance(rows, QueryExpression):
        from frames.api.insert_select import insert_from_query

        return insert_from_query(table, rows, on_duplicate, ignore_extra_fields)
    heading = table.heading
    records = _records(rows, heading, table._name)
    batches = _batches(records, heading, table._name, ignore_extra_fields)
    connection = table._connection
    backend = connection.backend
    written = 0
    try:
        with connection.atomic():
            for batch in batches:
                if not backend.declares_foreign_keys:
                    check_parents(table, batch)
                written += backend.insert_arrow(table.ref, batch, heading.primary_key,
                                                on_duplicate)
    except DuplicateError as error:
        raise DuplicateError(_duplicate_message(table, batches, error)) from None
    except IntegrityError:
        if backend.declares_foreign_keys:
            missing = _missing_parent_message(table, batches)
            if missing:
                raise IntegrityError(missing) from None
        raise
    return written


# -- shaping the input --------------------------------------------------------------------------

def _records(rows: Any, heading: Heading, name: str) -> list[Mapping[str, Any]]:
    """The rows as a list of mappings (tuples are read in heading order)."""
    if isinstance(rows, pa.Table):
        return rows.to_pylist()
    module = type(rows).__module__.split(".")[0]
    if module == "polars":
        return rows.to_dicts()
    if module == "pandas":
        frame = rows.reset_index() if any(n is not None for n in rows.index.names) else rows
        return [{k: (None if _is_nan(v) else v) for k, v in rec.items()}
                for rec in frame.to_dict("records")]
    if hasattr(rows, "dtype") and getattr(rows.dtype, "names", None):  # numpy records
        return [dict(zip(rows.dtype.names, rec, strict=True)) for rec in rows]
    if isinstance(rows, Mapping):
        raise DataError(f"{name}.insert() takes a list of rows; use insert1() for one row")
    out: list[Mapping[str, Any]] = []
    for number, row in enumerate(rows):
        if isinstance(row, Mapping):
            out.append(row)
        elif hasattr(row, "dtype") and getattr(row.dtype, "names", None):
            out.append(dict(zip(row.dtype.names, row.tolist(), strict=True)))
        elif isinstance(row, Sequence) and not isinstance(row, (str, bytes)):
            if len(row) != len(heading):
                raise MissingAttributeError(
                    f"{name}.insert(): row {number} has {len(row)} values but the table has "
                    f"{len(heading)} attributes ({', '.join(heading.names)})")
            out.append(dict(zip(heading.names, row, strict=True)))
        else:
            raise DataError(f"{name}.insert(): row {number} is a {type(row).__name__}; rows "
                            "must be dicts or tuples")
    return out


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _batches(records: list[Mapping[str, Any]], heading: Heading, name: str,
             ignore_extra_fields: bool) -> list[pa.Table]:
    """Validated Arrow batches, one per set of supplied attributes (defaults left to the DB)."""
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for number, row in enumerate(records):
        extra = [key for key in row if key not in heading]
        if extra and not ignore_extra_fields:
            raise MissingAttributeError(
                f"{name}.insert(): row {number} has unknown attribute {extra[0]!r}. Attributes: "
                f"{', '.join(heading.names)} (pass ignore_extra_fields=True to skip extras)")
        names: list[str] = []
        values: list[Any] = []
        for attr in heading:
            value = row.get(attr.name, _MISSING)
            if value is _MISSING:
                if not attr.has_default:
                    raise MissingAttributeError(
                        f"{name}.insert(): row {number} lacks attribute {attr.name!r}, which "
                        f"has no default ({_row_text(row)})")
                if isinstance(attr.default, SqlDefault):
                    continue
                value = None if attr.nullable and not _has_value_default(attr) else attr.default
            names.append(attr.name)
            values.append(check_value(value, attr, name, number))
        groups.setdefault(tuple(names), []).append(values)
    batches = []
    for names, rows in groups.items():
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
        arrays = [pa.array(list(col), type=arrow_type(heading[n].type))
                  for n, col in zip(names, columns, strict=True)]
        batches.append(pa.Table.from_arrays(arrays, names=list(names)))
    return batches


def _has_value_default(attr: Attribute) -> bool:
    from frames.declare.spec import NO_DEFAULT

    return attr.default is not NO_DEFAULT and attr.default is not None


def _row_text(row: Mapping[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in list(row.items())[:6])
    return text + (", ..." if len(row) > 6 else "")


def check_value(value: Any, attr: Attribute, name: str, number: int) -> Any:
    """``value`` converted to ``attr``'s type, or a :class:`DataError` naming row and attribute."""
    where = f"{name}.insert(): row {number}, attribute {attr.name!r} ({attr.type})"
    if value is None or _is_nan(value):
        if attr.nullable or (value is None and attr.default is None):
            return None
        raise DataError(f"{where}: NULL is not allowed; give a value or declare it '= null'")
    try:
        converted = convert_value(value, attr)
    except (ValueError, TypeError, decimal.InvalidOperation) as error:
        raise DataError(f"{where}: invalid value {value!r}: {error}") from None
    kind = attr.type.kind
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        if not low <= converted <= high:
            raise DataError(f"{where}: {converted} is out of range {low}..{high}")
    elif kind == "enum" and converted not in attr.type.values:
        raise DataError(f"{where}: {converted!r} is not one of {list(attr.type.values)}")
    elif kind in ("char", "varchar") and len(converted) > (attr.type.length or 0):
        raise DataError(f"{where}: {len(converted)} characters exceed the length "
                        f"{attr.type.length}")
    elif kind == "decimal":
        converted = _fit_decimal(converted, attr, where)
    elif kind == "float32" or kind == "float64":
        if converted != converted:
            raise DataError(f"{where}: NaN cannot be stored; use NULL ('= null') for missing")
    return converted


def _fit_decimal(value: decimal.Decimal, attr: Attribute, where: str) -> decimal.Decimal:
    if not value.is_finite():
        raise DataError(f"{where}: {value} is not a finite number")
    scale = attr.type.scale or 0
    quantum = decimal.Decimal(1).scaleb(-scale)
    rounded = value.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
    digits = len(rounded.as_tuple().digits) if rounded else 1
    integer_digits = max(digits - scale, 0) if rounded.adjusted() >= 0 else 0
    if integer_digits > (attr.type.precision or 0) - scale:
        raise DataError(f"{where}: {value} does not fit; at most "
                        f"{(attr.type.precision or 0) - scale} digits before the point")
    return rounded


# -- integrity ------------------------------------------------------------------------------

def check_parents(table: Table, batch: pa.Table) -> None:
    """Raise :class:`IntegrityError` if a row of ``batch`` references a missing parent row."""
    message = _missing_parent_message(table, [batch])
    if message:
        raise IntegrityError(message)


def _missing_parent_message(table: Table, batches: list[pa.Table]) -> str | None:
    from frames.api.schema import table_spec
    from frames.plan.nodes import make_table

    connection = table._connection
    for fk in table._spec.foreign_keys:
        keys: set[tuple] = set()
        for batch in batches:
            if not set(fk.child_attrs) <= set(batch.column_names):
                continue
            columns = [batch.column(c).to_pylist() for c in fk.child_attrs]
            keys.update(k for k in zip(*columns, strict=True) if None not in k)
        if not keys:
            continue
        parent_spec = table_spec(connection, fk.parent)
        parent = QueryExpression(make_table(parent_spec.ref, Heading(parent_spec.attributes)),
                                 connection)
        found = _existing_keys(parent, fk.parent_attrs, keys)
        missing = sorted(keys - found, key=repr)
        if missing:
            example = dict(zip(fk.parent_attrs, missing[0], strict=True))
            return (f"{table._name}.insert(): no row {example} in parent table "
                    f"{fk.parent.name} ({fk.parent}) for {len(missing)} of the inserted "
                    "rows; insert the parent rows first")
    return None


def _existing_keys(query: QueryExpression, attrs: Sequence[str], keys: set[tuple],
                   chunk: int = 500) -> set[tuple]:
    found: set[tuple] = set()
    ordered = list(keys)
    for start in range(0, len(ordered), chunk):
        part = [dict(zip(attrs, key, strict=True)) for key in ordered[start:start + chunk]]
        rows = (query & part).proj(*[a for a in attrs if a not in query.primary_key]).to_dicts()
        found.update(tuple(row[a] for a in attrs) for row in rows)
    return found


def _duplicate_message(table: Table, batches: list[pa.Table], error: Exception) -> str:
    key = table.primary_key
    keys: set[tuple] = set()
    seen: set[tuple] = set()
    repeated: list[tuple] = []
    for batch in batches:
        if not set(key) <= set(batch.column_names):
            continue
        for item in zip(*[batch.column(k).to_pylist() for k in key], strict=True):
            if item in seen:
                repeated.append(item)
            seen.add(item)
            keys.add(item)
    if repeated:
        return (f"{table._name}.insert(): duplicate primary key "
                f"{dict(zip(key, repeated[0], strict=True))} within the inserted rows; nothing "
                "was inserted")
    existing = _existing_keys(table, key, keys) if keys else set()
    if existing:
        first = sorted(existing, key=repr)[0]
        return (f"{table._name}.insert(): duplicate primary key "
                f"{dict(zip(key, first, strict=True))} already exists ({len(existing)} such "
                "rows); nothing was inserted. Use skip_duplicates=True to keep existing rows or "
                "replace=True to overwrite them")
    return f"{table._name}.insert(): duplicate entry ({error}); nothing was inserted"
