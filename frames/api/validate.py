"""``Table.validate(rows)``: every problem an insert of ``rows`` would meet, without inserting.

Checks what frames can check without the database (as DataJoint's ``validate``): the row's
shape, unknown and missing attributes, NULLs, and each value against its attribute's type
(ranges, lengths, enum members, dates, ...). References to parent rows and uniqueness are left to
the insert.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from frames.api.insert import check_value
from frames.errors import DataError
from frames.io.csv_rows import read_csv_rows

if TYPE_CHECKING:
    from frames.api.base_table import Table


def _rows(rows: Any) -> list[Any]:
    """``rows`` as a list of dicts, numpy records or sequences."""
    module = type(rows).__module__.split(".")[0]
    if module == "pandas" and hasattr(rows, "reset_index"):
        named = any(n is not None for n in rows.index.names)
        return (rows.reset_index() if named else rows).to_dict("records")
    if module == "polars" and hasattr(rows, "to_dicts"):
        return rows.to_dicts()
    if module == "pyarrow" and hasattr(rows, "to_pylist"):
        return rows.to_pylist()
    return list(rows)


def _as_dict(row: Any, names: tuple[str, ...]) -> dict[str, Any] | str:
    """``row`` as a dict, or the message saying why it cannot be one."""
    if isinstance(row, Mapping):
        return dict(row)
    if hasattr(row, "dtype") and getattr(row.dtype, "names", None):
        return dict(zip(row.dtype.names, row.tolist(), strict=True))
    try:
        if len(row) != len(names):
            return f"Incorrect number of attributes: {len(row)} given, {len(names)} expected"
    except TypeError:
        return f"Invalid row type: {type(row).__name__}"
    return dict(zip(names, row, strict=True))


def validate_rows(
    table: Table, rows: Any, *, ignore_extra_fields: bool = False
) -> ValidationResult:
    """The :class:`~frames.api.table.ValidationResult` of inserting ``rows`` into ``table``."""
    heading = table.plan.heading
    errors: list[tuple[int, str | None, str]] = []
    if isinstance(rows, os.PathLike):  # a CSV file, as insert() reads it
        rows = read_csv_rows(rows, heading, table._name).rows
    records = _rows(rows)
    for number, row in enumerate(records):
        values = _as_dict(row, heading.names)
        if isinstance(values, str):
            errors.append((number, None, values))
            continue
        if not ignore_extra_fields:
            errors.extend(
                (number, name, f"Field '{name}' not in table heading")
                for name in values
                if name not in heading
            )
        for attr in heading:
            if attr.name not in values:
                if not attr.has_default:
                    errors.append((number, attr.name, f"Required field '{attr.name}' is missing"))
                continue
            try:
                check_value(values[attr.name], attr, table._name, number)
            except DataError as error:
                errors.append((number, attr.name, str(error)))
    return ValidationResult(is_valid=not errors, errors=errors, rows_checked=len(records))


@dataclass
class ValidationResult:
    """What :meth:`Table.validate` found: ``errors`` are (row index, attribute or None,
    message) triples; the result is true when there are none."""

    is_valid: bool
    errors: list[tuple[int, str | None, str]] = field(default_factory=list)
    rows_checked: int = 0

    def __bool__(self) -> bool:
        return self.is_valid

    def raise_if_invalid(self) -> None:
        """Raise :class:`~frames.errors.DataError` with the :meth:`summary` if invalid."""
        if not self.is_valid:
            raise DataError(self.summary())

    def summary(self) -> str:
        """The outcome, with the first ten errors."""
        if self.is_valid:
            return f"Validation passed: {self.rows_checked} rows checked"
        lines = [f"Validation failed: {len(self.errors)} error(s) in {self.rows_checked} rows"]
        for row, name, message in self.errors[:10]:
            where = f" in field '{name}'" if name else ""
            lines.append(f"  Row {row}{where}: {message}")
        if len(self.errors) > 10:
            lines.append(f"  ... and {len(self.errors) - 10} more errors")
        return "\n".join(lines)
