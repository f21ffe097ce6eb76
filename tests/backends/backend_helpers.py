"""Declaring tables with raw SQL in each backend's own spelling, for the backend tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frames.backends.base import Backend
from frames.declare.storage import FOREIGN_KEY_CATALOG, FOREIGN_KEY_CATALOG_COLUMNS, encode_comment
from frames.declare.types import parse_type
from frames.settings import config
from frames.sql.dialects import get_dialect


@dataclass(frozen=True)
class Col:
    """A column to declare: core type spelling, nullability, SQL default, user comment.

    ``native=True`` stores the comment without the ``:type:`` prefix (a column declared outside
    frames).
    """

    name: str
    type: str
    nullable: bool = False
    default: str | None = None
    comment: str = ""
    native: bool = False

    def stored_comment(self) -> str:
        return self.comment if self.native else encode_comment(parse_type(self.type), self.comment)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class TableMaker:
    """Creates tables in one schema through raw SQL of the backend's dialect."""

    def __init__(self, backend: Backend, schema: str) -> None:
        self.backend = backend
        self.schema = schema
        self.dialect = get_dialect(backend.dialect)
        self._indexes = 0

    def q(self, name: str) -> str:
        quote = "`" if self.backend.dialect == "mysql" else '"'
        return quote + name.replace(quote, quote * 2) + quote

    def qualified(self, table: str) -> str:
        return f"{self.q(self.schema)}.{self.q(table)}"

    def __call__(
        self,
        table: str,
        columns: Sequence[Col],
        primary_key: Sequence[str],
        *,
        foreign_keys: Sequence[tuple[Sequence[str], str, Sequence[str]]] = (),
        indexes: Sequence[tuple[Sequence[str], bool]] = (),
        comment: str = "",
    ) -> str:
        """Create ``table``; foreign keys are (child attrs, parent table, parent attrs)."""
        backend = self.backend
        if not backend.schema_exists(self.schema):
            backend.create_schema(self.schema)
        mysql = backend.dialect == "mysql"
        lines = []
        for col in columns:
            core = parse_type(col.type)
            enum_name = None
            if core.kind == "enum" and self.dialect.enum_as_named_type:
                enum_name = self.qualified(f"{table}_{col.name}")
                members = ", ".join(_literal(v) for v in core.values)
                backend.execute(f"CREATE TYPE {enum_name} AS ENUM ({members})")
            line = f"{self.q(col.name)} {self.dialect.sql_type(core, enum_name)}"
            line += "" if col.nullable else " NOT NULL"
            if col.default is not None:
                line += f" DEFAULT {col.default}"
            if mysql and col.stored_comment():
                line += f" COMMENT {_literal(col.stored_comment())}"
            lines.append(line)
        lines.append(f"PRIMARY KEY ({', '.join(self.q(c) for c in primary_key)})")
        for child, parent, parent_attrs in foreign_keys:
            lines.append(
                f"FOREIGN KEY ({', '.join(self.q(c) for c in child)}) REFERENCES "
                f"{self.qualified(parent)} ({', '.join(self.q(c) for c in parent_attrs)})"
            )
        sql = f"CREATE TABLE {self.qualified(table)} (\n  " + ",\n  ".join(lines) + "\n)"
        if mysql and comment:
            sql += f" COMMENT = {_literal(comment)}"
        backend.execute(sql)
        if not mysql:
            if comment:
                backend.execute(f"COMMENT ON TABLE {self.qualified(table)} IS {_literal(comment)}")
            for col in columns:
                if col.stored_comment():
                    backend.execute(
                        f"COMMENT ON COLUMN {self.qualified(table)}.{self.q(col.name)}"
                        f" IS {_literal(col.stored_comment())}"
                    )
        for attrs, unique in indexes:
            self._indexes += 1
            backend.execute(
                f"CREATE {'UNIQUE ' if unique else ''}INDEX {self.q(f'ix{self._indexes}')} "
                f"ON {self.qualified(table)} ({', '.join(self.q(a) for a in attrs)})"
            )
        return table

    def record_foreign_key(
        self,
        child: str,
        ordinal: int,
        parent: str,
        child_attrs: str,
        parent_attrs: str,
        in_key: bool,
        nullable: bool = False,
        unique: bool = False,
    ) -> None:
        """Add a row to DuckDB's ``~foreign_keys`` catalog table (created on first use)."""
        catalog = self.qualified(FOREIGN_KEY_CATALOG)
        columns = ", ".join(
            f"{self.q(n)} {'BOOLEAN' if t == 'bool' else t.upper()}"
            for n, t in FOREIGN_KEY_CATALOG_COLUMNS
        )
        self.backend.execute(f"CREATE TABLE IF NOT EXISTS {catalog} ({columns})")
        self.backend.execute(
            f"INSERT INTO {catalog} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                child,
                ordinal,
                self.schema,
                parent,
                child_attrs,
                parent_attrs,
                in_key,
                nullable,
                unique,
            ],
        )


@contextmanager
def configured_stores(stores: dict[str, Any], download_path: Path) -> Iterator[None]:
    """``config.stores`` set to ``stores`` and ``config['download_path']`` to
    ``download_path`` for the duration; both restored afterwards."""
    saved, saved_download = dict(config.stores), config["download_path"]
    config.stores.clear()
    config.stores.update(stores)
    config["download_path"] = str(download_path)
    try:
        yield
    finally:
        config.stores.clear()
        config.stores.update(saved)
        config["download_path"] = saved_download
