"""The raw driver paths, written by hand: what a user without frames would write.

Each backend's class does the fastest idiomatic thing its driver offers: DuckDB registers Arrow
tables and returns Arrow/pandas/polars natively; PostgreSQL streams CSV through ``COPY`` both
ways; MySQL sends multi-row ``INSERT`` batches sized to ``max_allowed_packet`` and reads rows with
pymysql. These are the baselines of the ratios the benchmark prints. Streamed to Parquet, a
result goes through DuckDB's record-batch reader, PostgreSQL's ``COPY`` into a CSV file read back
by Arrow's streaming CSV reader, and pymysql's unbuffered cursor a batch of rows at a time.

The baselines return the driver's own types, not frames' (DESIGN.md), so some of the work frames
does is not theirs: DuckDB's ``.df()`` gives decimals as floats and enums as categoricals, and
``.pl()`` enums as categoricals; PostgreSQL's CSV reads give decimals as floats (and polars'
dates as text); no pandas baseline indexes the frame by the primary key. frames gives exact
``Decimal`` objects, strings and a primary-key index (pandas), ``Decimal``, ``Date`` and
``String`` columns (polars).
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from benchmarks.workload import TABLES

_INSERT_ORDER = TABLES
_PACKET_MARGIN = 4096
_BINARY = pa.large_binary()  # more than 2 GiB of bytes in one column
#: Rows of binary values per ``COPY`` statement (PostgreSQL).
_COPY_ROWS = 64
#: Rows per batch of the streamed baselines (frames' default batch).
STREAM_ROWS = 65_536


class RawDriver(ABC):
    """Hand-written driver code for one backend; ``url`` as frames takes it."""

    quote_char = '"'
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: Any = None

    # -- helpers ------------------------------------------------------------------------------
    def table(self, schema: str, name: str) -> str:
        """The quoted ``schema.table`` name."""
        q = self.quote_char
        return f"{q}{schema}{q}.{q}{name}{q}"

    def select_all(self, schema: str, name: str) -> str:
        """``SELECT *`` from one table."""
        return f"SELECT * FROM {self.table(schema, name)}"

    def key_lookup(self, schema: str, name: str, key: Sequence[str]) -> str:
        """``SELECT *`` of the row with the given key (bound parameters)."""
        q = self.quote_char
        where = " AND ".join(f"{q}{k}{q} = {self.placeholder}" for k in key)
        return f"{self.select_all(schema, name)} WHERE {where}"

    def fetch_one(self, sql: str, params: Sequence[Any]) -> dict[str, Any]:
        """One row as a dict (the driver's cursor, one round trip)."""
        cursor = self.connection.cursor()
        cursor.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        cursor.close()
        return dict(zip(names, row, strict=True))

    def fetch_dicts(self, sql: str) -> list[dict[str, Any]]:
        """Every row as a dict, from the driver's tuples."""
        cursor = self.connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        cursor.close()
        return [dict(zip(names, row, strict=True)) for row in rows]

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row as the driver's tuple (binary values as ``bytes``, or ``memoryview`` from
        psycopg2)."""
        cursor = self.connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    # -- per backend --------------------------------------------------------------------------
    @abstractmethod
    def insert_blobs(self, table: str, rows: Sequence[tuple[int, bytes]]) -> None:
        """Insert ``(id, bytes)`` rows into the quoted ``table`` of two columns, in one
        transaction, by the driver's fastest path for binary values."""

    @abstractmethod
    def connect(self) -> None:
        """Open :attr:`connection`."""

    @abstractmethod
    def empty(self, schema: str) -> None:
        """Delete every row of the workload's tables in ``schema``."""

    @abstractmethod
    def insert(self, schema: str, tables: dict[str, pa.Table]) -> None:
        """Insert the workload's tables into ``schema`` by the bulk path, in one transaction."""

    @abstractmethod
    def fetch_pandas(self, sql: str) -> pd.DataFrame:
        """A query's result as a pandas DataFrame."""

    @abstractmethod
    def fetch_polars(self, sql: str) -> pl.DataFrame:
        """A query's result as a polars DataFrame."""

    @abstractmethod
    def fetch_arrow(self, sql: str) -> pa.Table:
        """A query's result as Arrow, read on one connection."""

    @abstractmethod
    def stream_parquet(self, sql: str, folder: str) -> None:
        """Write a query's result to ``folder/raw.parquet`` a batch at a time (memory flat)."""

    def close(self) -> None:
        """Close :attr:`connection`."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class DuckDBDriver(RawDriver):
    """duckdb: Arrow in (``register`` + ``INSERT ... SELECT``), Arrow/pandas/polars out.

    ``connection`` must share the database with frames: pass it from outside.
    """

    placeholder = "?"

    def __init__(self, url: str, connection: Any) -> None:
        super().__init__(url)
        self._database = connection

    def connect(self) -> None:
        self.connection = self._database.cursor()

    def empty(self, schema: str) -> None:
        for name in reversed(_INSERT_ORDER):
            self.connection.execute(f"DELETE FROM {self.table(schema, name)}")

    def insert(self, schema: str, tables: dict[str, pa.Table]) -> None:
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        for name in _INSERT_ORDER:
            con.register("source", tables[name])
            con.execute(f"INSERT INTO {self.table(schema, name)} SELECT * FROM source")
            con.unregister("source")
        con.execute("COMMIT")

    def insert_blobs(self, table: str, rows: Sequence[tuple[int, bytes]]) -> None:
        """An Arrow table of the rows, registered and copied by ``INSERT ... SELECT``."""
        ids, payloads = zip(*rows, strict=True)
        source = pa.table({"id": pa.array(ids, pa.int32()), "data": pa.array(payloads, _BINARY)})
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        con.register("source", source)
        con.execute(f"INSERT INTO {table} SELECT * FROM source")
        con.unregister("source")
        con.execute("COMMIT")

    def fetch_pandas(self, sql: str) -> pd.DataFrame:
        """``.df()``: decimals as ``float64``, enums as categoricals, a ``RangeIndex``."""
        return self.connection.sql(sql).df()

    def fetch_polars(self, sql: str) -> pl.DataFrame:
        """``.pl()``: enums as ``Categorical``, chunks as DuckDB produced them."""
        return self.connection.sql(sql).pl()

    def fetch_arrow(self, sql: str) -> pa.Table:
        return self.connection.sql(sql).to_arrow_table()

    def stream_parquet(self, sql: str, folder: str) -> None:
        """DuckDB's record-batch reader into pyarrow's Parquet writer."""
        reader = self.connection.sql(sql).to_arrow_reader(STREAM_ROWS)
        write_parquet(reader, reader.schema, folder)


class PostgresDriver(RawDriver):
    """psycopg2: ``COPY ... FROM STDIN`` / ``COPY (...) TO STDOUT`` in CSV."""

    def connect(self) -> None:
        import psycopg2
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        self.connection = psycopg2.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database,
        )

    def empty(self, schema: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(self.table(schema, n) for n in TABLES))
        self.connection.commit()

    def insert(self, schema: str, tables: dict[str, pa.Table]) -> None:
        with self.connection.cursor() as cursor:
            for name in _INSERT_ORDER:
                buffer = io.BytesIO()
                pacsv.write_csv(tables[name], buffer, pacsv.WriteOptions(include_header=False))
                buffer.seek(0)
                cursor.copy_expert(
                    f"COPY {self.table(schema, name)} FROM STDIN WITH (FORMAT csv)", buffer
                )
        self.connection.commit()

    def _copy_out(self, sql: str) -> io.BytesIO:
        buffer = io.BytesIO()
        with self.connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
        self.connection.commit()
        buffer.seek(0)
        return buffer

    def fetch_pandas(self, sql: str) -> pd.DataFrame:
        """Arrow's CSV reader with inferred types (decimals as ``float64``), a ``RangeIndex``."""
        return pacsv.read_csv(self._copy_out(sql)).to_pandas()

    def fetch_polars(self, sql: str) -> pl.DataFrame:
        """polars' CSV reader with inferred types (decimals as ``Float64``, dates as text)."""
        return pl.read_csv(self._copy_out(sql))

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Arrow's CSV reader with inferred types."""
        return pacsv.read_csv(self._copy_out(sql))

    def stream_parquet(self, sql: str, folder: str) -> None:
        """``COPY ... TO STDOUT`` into a CSV file, read back a block at a time by Arrow's
        streaming CSV reader (inferred types) into the Parquet writer."""
        text = os.path.join(folder, "raw.csv")
        with open(text, "wb") as file, self.connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", file)
        self.connection.commit()
        reader = pacsv.open_csv(text)
        write_parquet(reader, reader.schema, folder)
        os.unlink(text)

    def fetch_one(self, sql: str, params: Sequence[Any]) -> dict[str, Any]:
        row = super().fetch_one(sql, params)
        self.connection.commit()
        return row

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        rows = super().fetch_rows(sql)
        self.connection.commit()
        return rows

    def insert_blobs(self, table: str, rows: Sequence[tuple[int, bytes]]) -> None:
        """``COPY ... FROM STDIN`` in CSV, the bytes as ``bytea`` hex text, a chunk of rows per
        ``COPY`` (so that the text of all rows is never in memory at once)."""
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), _COPY_ROWS):
                buffer = io.BytesIO()
                for row_id, payload in rows[start : start + _COPY_ROWS]:
                    buffer.write(b"%d,\\x%s\n" % (row_id, payload.hex().encode()))
                buffer.seek(0)
                cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)
        self.connection.commit()


class MySQLDriver(RawDriver):
    """pymysql: multi-row ``INSERT`` batches under ``max_allowed_packet``; rows out."""

    quote_char = "`"

    def connect(self) -> None:
        import pymysql
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        self.connection = pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            autocommit=True,
        )

    def empty(self, schema: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for name in TABLES:
                cursor.execute(f"TRUNCATE {self.table(schema, name)}")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")

    def insert(self, schema: str, tables: dict[str, pa.Table]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT @@max_allowed_packet")
            (packet,) = cursor.fetchone()
            cursor.max_stmt_length = packet - _PACKET_MARGIN
            cursor.execute("START TRANSACTION")
            for name in _INSERT_ORDER:
                data = tables[name]
                columns = ", ".join(f"`{c}`" for c in data.column_names)
                marks = ", ".join(["%s"] * data.num_columns)
                rows = list(zip(*(c.to_pylist() for c in data.columns), strict=True))
                cursor.executemany(
                    f"INSERT INTO {self.table(schema, name)} ({columns}) VALUES ({marks})", rows
                )
            cursor.execute("COMMIT")

    def insert_blobs(self, table: str, rows: Sequence[tuple[int, bytes]]) -> None:
        """Multi-row ``INSERT`` statements of escaped bytes under ``max_allowed_packet``."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT @@max_allowed_packet")
            (packet,) = cursor.fetchone()
            cursor.max_stmt_length = packet - _PACKET_MARGIN
            cursor.execute("START TRANSACTION")
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", list(rows))
            cursor.execute("COMMIT")

    def fetch_pandas(self, sql: str) -> pd.DataFrame:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
        cursor.close()
        return frame

    def fetch_polars(self, sql: str) -> pl.DataFrame:
        cursor = self.connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        frame = pl.DataFrame(
            cursor.fetchall(), schema=names, orient="row", infer_schema_length=None
        )
        cursor.close()
        return frame

    def fetch_arrow(self, sql: str) -> pa.Table:
        """pymysql's rows, column by column into Arrow."""
        cursor = self.connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        table = _rows_to_arrow(cursor.fetchall(), names)
        cursor.close()
        return table

    def stream_parquet(self, sql: str, folder: str) -> None:
        """An unbuffered cursor (``SSCursor``), a batch of rows at a time into Arrow."""
        import pymysql.cursors

        with self.connection.cursor(pymysql.cursors.SSCursor) as cursor:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description]
            first = _rows_to_arrow(cursor.fetchmany(STREAM_ROWS), names)

            def batches() -> Iterator[pa.Table]:
                yield first
                while rows := cursor.fetchmany(STREAM_ROWS):
                    yield _rows_to_arrow(rows, names).cast(first.schema)

            write_parquet(batches(), first.schema, folder)


def _rows_to_arrow(rows: Sequence[tuple[Any, ...]], names: list[str]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.table({name: pa.array(column) for name, column in zip(names, columns, strict=True)})


def write_parquet(batches: Iterable[Any], schema: pa.Schema, folder: str) -> None:
    """Write record batches (or tables) of ``schema`` to ``folder/raw.parquet``."""
    with pq.ParquetWriter(os.path.join(folder, "raw.parquet"), schema) as writer:
        for batch in batches:
            writer.write(batch)


def raw_driver(backend: str, url: str, duckdb_connection: Any = None) -> RawDriver:
    """The hand-written driver code for ``backend`` (``duckdb`` needs the shared connection)."""
    if backend == "duckdb":
        return DuckDBDriver(url, duckdb_connection)
    if backend == "postgres":
        return PostgresDriver(url)
    return MySQLDriver(url)
