"""The integrity checks of an insert, with their messages: rows whose parent rows are missing
(for backends that declare no foreign keys, and to explain a refused insert), duplicate keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from frames.api.catalog import table_spec
from frames.api.query import QueryExpression
from frames.errors import IntegrityError
from frames.plan.heading import Heading
from frames.plan.nodes import make_table

if TYPE_CHECKING:
    from frames.api.table import Table
    from frames.declare.spec import ForeignKeySpec


def check_parents(table: Table, batch: pa.Table) -> None:
    """Raise :class:`IntegrityError` if a row of ``batch`` references a missing parent row.

    For backends that do not declare foreign keys (DuckDB): the distinct keys of each foreign
    key are looked up in the parent with one anti-join (:meth:`DuckDBBackend.missing_keys`).
    """
    backend = table._connection.backend
    for fk in table._declared_spec.foreign_keys:
        if not set(fk.child_attrs) <= set(batch.column_names):
            continue
        keys = batch.select(list(fk.child_attrs)).drop_null()
        if not keys.num_rows:
            continue
        keys = keys.group_by(list(fk.child_attrs), use_threads=False).aggregate([])
        keys = keys.rename_columns(list(fk.parent_attrs))
        missing = backend.missing_keys(fk.parent, keys)  # type: ignore[attr-defined]
        if missing.num_rows:
            found = [tuple(row.values()) for row in missing.to_pylist()]
            raise IntegrityError(_parent_message(table, fk, found))


def _parent_message(table: Table, fk: ForeignKeySpec, missing: list[tuple]) -> str:
    example = dict(zip(fk.parent_attrs, sorted(missing, key=repr)[0], strict=True))
    return (
        f"{table._name}.insert(): no row {example} in parent table {fk.parent.name} "
        f"({fk.parent}) for {len(missing)} of the inserted rows; insert the parent rows first"
    )


def _missing_parent_message(table: Table, batches: list[pa.Table]) -> str | None:
    connection = table._connection
    for fk in table._declared_spec.foreign_keys:
        keys: set[tuple] = set()
        for batch in batches:
            if not set(fk.child_attrs) <= set(batch.column_names):
                continue
            columns = [batch.column(c).to_pylist() for c in fk.child_attrs]
            keys.update(k for k in zip(*columns, strict=True) if None not in k)
        if not keys:
            continue
        parent_spec = table_spec(connection, fk.parent)
        parent = QueryExpression(
            make_table(parent_spec.ref, Heading(parent_spec.attributes)), connection
        )
        found = _existing_keys(parent, fk.parent_attrs, keys)
        missing = list(keys - found)
        if missing:
            return _parent_message(table, fk, missing)
    return None


def _existing_keys(
    query: QueryExpression, attrs: Sequence[str], keys: set[tuple], chunk: int = 500
) -> set[tuple]:
    found: set[tuple] = set()
    ordered = list(keys)
    for start in range(0, len(ordered), chunk):
        part = [dict(zip(attrs, key, strict=True)) for key in ordered[start : start + chunk]]
        rows = (query & part).proj(*[a for a in attrs if a not in query.primary_key]).to_dicts()
        found.update(tuple(row[a] for a in attrs) for row in rows)
    return found


def _duplicate_message(
    table: Table, batches: list[pa.Table], error: Exception, can_query: bool
) -> str:
    """Which key is duplicate: within the batch, else (``can_query``) already stored."""
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
        return (
            f"{table._name}.insert(): duplicate primary key "
            f"{dict(zip(key, repeated[0], strict=True))} within the inserted rows; nothing "
            "was inserted"
        )
    existing = _existing_keys(table, key, keys) if keys and can_query else set()
    if existing:
        first = sorted(existing, key=repr)[0]
        return (
            f"{table._name}.insert(): duplicate primary key "
            f"{dict(zip(key, first, strict=True))} already exists ({len(existing)} such "
            "rows); nothing was inserted. Use skip_duplicates=True to keep existing rows or "
            "replace=True to overwrite them"
        )
    return f"{table._name}.insert(): duplicate entry ({error}); nothing was inserted"
