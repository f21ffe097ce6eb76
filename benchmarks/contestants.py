"""The tools the benchmark measures, each behind the same small interface.

A contestant implements the measures it supports (``insert``, ``fetch_pandas``,
``fetch_pandas_arrow``, ``fetch_polars``, ``fetch_dicts``, ``fetch_parallel``, ``stream_parquet``,
``analytic``, ``fetch1``); the runner skips the others. ``frames`` and the
hand-written ``raw`` driver path always run; ``pandas`` (``read_sql``/``to_sql``) and
``datajoint`` run when installed and able to reach the backend.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import pandas as pd
import pyarrow as pa

import frames as dj
from benchmarks.raw import RawDriver
from benchmarks.workload import DEFINITIONS, RECORDING_KEY, TABLES

FRAMES_SCHEMA = "bench_frames"
RAW_SCHEMA = "bench_raw"
DATAJOINT_SCHEMA = "bench_datajoint"
DATAJOINT_INSERT_ROWS = 100_000
#: Connections of frames' parallel read (``fetch_parallel``): one per core.
PARALLEL = os.cpu_count() or 2


def analytic_sql(driver: RawDriver, schema: str) -> str:
    """Measure (c) written by hand: good recordings of male subjects per researcher."""

    def t(name: str) -> str:
        return driver.table(schema, name)

    q = driver.quote_char
    return (
        f"SELECT r.{q}researcher_id{q}, r.{q}researcher_name{q}, COUNT(*) AS {q}n{q}, "
        f"SUM(rec.{q}duration{q}) AS {q}total_duration{q} "
        f"FROM {t('recording')} rec "
        f"JOIN {t('session')} s ON s.{q}subject_id{q} = rec.{q}subject_id{q} "
        f"AND s.{q}session_date{q} = rec.{q}session_date{q} "
        f"JOIN {t('subject')} sub ON sub.{q}subject_id{q} = s.{q}subject_id{q} "
        f"JOIN {t('researcher')} r ON r.{q}researcher_id{q} = s.{q}researcher_id{q} "
        f"WHERE rec.{q}quality{q} = 'good' AND sub.{q}sex{q} = 'M' "
        f"GROUP BY r.{q}researcher_id{q}, r.{q}researcher_name{q}"
    )


class Frames:
    """frames: the four tables declared in :data:`FRAMES_SCHEMA`, read and written by the API."""

    name = "frames"

    def __init__(
        self, connection: dj.Connection, classes: dict[str, type], driver: RawDriver, folder: str
    ) -> None:
        self.connection = connection
        self.tables = classes
        self._driver = driver
        #: Where ``stream_parquet`` writes the recordings.
        self.parquet_path = os.path.join(folder, "frames-recordings.parquet")

    def reset(self) -> None:
        """Empty the tables (not timed)."""
        self._driver.empty(FRAMES_SCHEMA)

    def insert(self, tables: dict[str, pa.Table]) -> None:
        for name in TABLES:
            self.tables[name].insert(tables[name])

    def fetch_pandas(self) -> Any:
        return self.tables["recording"].to_pandas()

    def fetch_pandas_arrow(self) -> Any:
        return self.tables["recording"].to_pandas(dtype_backend="pyarrow")

    def fetch_polars(self) -> Any:
        return self.tables["recording"].to_polars()

    def fetch_parallel(self) -> Any:
        return self.tables["recording"].to_arrow(parallel=PARALLEL)

    def stream_parquet(self) -> None:
        self.tables["recording"].to_parquet(self.parquet_path)

    def fetch_dicts(self) -> Any:
        return self.tables["recording"].to_dicts()

    def analytic_query(self) -> dj.QueryExpression:
        """Measure (c) in the query language."""
        recording, session = self.tables["recording"], self.tables["session"]
        subject, researcher = self.tables["subject"], self.tables["researcher"]
        good_male = (recording & {"quality": "good"}) * session & (subject & {"sex": "M"})
        return researcher.aggr(
            good_male,
            "researcher_name",
            n="count(*)",
            total_duration="sum(duration)",
            exclude_nonmatching=True,
        )

    def analytic(self) -> Any:
        return self.analytic_query().to_pandas()

    def fetch1(self, key: dict[str, Any]) -> Any:
        return (self.tables["recording"] & key).fetch1()


class Raw:
    """The hand-written driver path: inserts into :data:`RAW_SCHEMA`, reads the frames tables."""

    name = "raw"

    def __init__(self, driver: RawDriver, folder: str) -> None:
        self.driver = driver
        self._folder = folder
        self._recordings = driver.select_all(FRAMES_SCHEMA, "recording")
        self._lookup = driver.key_lookup(FRAMES_SCHEMA, "recording", RECORDING_KEY)
        self._analytic = analytic_sql(driver, FRAMES_SCHEMA)

    def reset(self) -> None:
        self.driver.empty(RAW_SCHEMA)

    def insert(self, tables: dict[str, pa.Table]) -> None:
        self.driver.insert(RAW_SCHEMA, tables)

    def fetch_pandas(self) -> Any:
        return self.driver.fetch_pandas(self._recordings)

    def fetch_pandas_arrow(self) -> Any:
        """The baseline of ``to_pandas(dtype_backend='pyarrow')``: the driver's pandas path."""
        return self.driver.fetch_pandas(self._recordings)

    def fetch_polars(self) -> Any:
        return self.driver.fetch_polars(self._recordings)

    def fetch_parallel(self) -> Any:
        """The baseline of a parallel read: one connection's Arrow fetch."""
        return self.driver.fetch_arrow(self._recordings)

    def stream_parquet(self) -> None:
        self.driver.stream_parquet(self._recordings, self._folder)

    def fetch_dicts(self) -> Any:
        return self.driver.fetch_dicts(self._recordings)

    def analytic(self) -> Any:
        return self.driver.fetch_pandas(self._analytic)

    def fetch1(self, key: dict[str, Any]) -> Any:
        return self.driver.fetch_one(self._lookup, [key[k] for k in RECORDING_KEY])


class Pandas:
    """pandas ``read_sql`` / ``to_sql`` through a SQLAlchemy engine (a DB-API one for DuckDB)."""

    name = "pandas"

    def __init__(self, backend: str, url: str, driver: RawDriver) -> None:
        self._driver = driver
        self._recordings = driver.select_all(FRAMES_SCHEMA, "recording")
        self._analytic = analytic_sql(driver, FRAMES_SCHEMA)
        if backend == "duckdb":  # no SQLAlchemy dialect installed: read_sql on the DB-API
            self._engine: Any = driver.connection
            self.insert = None  # type: ignore[assignment]  # to_sql needs SQLAlchemy
        else:
            import sqlalchemy

            driver = {"postgres": "postgresql+psycopg2", "mysql": "mysql+pymysql"}[backend]
            self._engine = sqlalchemy.create_engine(driver + url[url.index(":") :])

    def reset(self) -> None:
        self._driver.empty(RAW_SCHEMA)

    def insert(self, tables: dict[str, pa.Table]) -> None:
        for name in TABLES:
            tables[name].to_pandas().to_sql(
                name,
                self._engine,
                schema=RAW_SCHEMA,
                if_exists="append",
                index=False,
                chunksize=10_000,
            )

    def _read(self, sql: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # DB-API connections other than sqlite
            return pd.read_sql(sql, self._engine)

    def fetch_pandas(self) -> Any:
        return self._read(self._recordings)

    def analytic(self) -> Any:
        return self._read(self._analytic)


def datajoint_module(backend: str, url: str) -> Any:
    """The ``datajoint`` package (2.x), configured to connect to ``url``'s server.

    Raises
    ------
    ImportError
        If DataJoint is not installed.
    """
    import datajoint
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    datajoint.config["database.backend"] = "postgresql" if backend == "postgres" else "mysql"
    datajoint.config["database.host"] = parsed.host
    datajoint.config["database.port"] = parsed.port
    datajoint.config["database.user"] = parsed.username
    datajoint.config["database.password"] = parsed.password or ""
    datajoint.config["safemode"] = False
    return datajoint


class DataJoint:
    """DataJoint 2.x on PostgreSQL or MySQL, with its own copy of the tables."""

    name = "datajoint"

    def __init__(self, backend: str, url: str) -> None:
        datajoint = datajoint_module(backend, url)
        self._dj = datajoint
        self._backend = backend
        schema = datajoint.Schema(DATAJOINT_SCHEMA)
        schema.drop()
        schema = datajoint.Schema(DATAJOINT_SCHEMA)
        context: dict[str, Any] = {}
        self.tables: dict[str, Any] = {}
        for class_name, definition in DEFINITIONS.items():
            cls = type(class_name, (datajoint.Manual,), {"definition": definition})
            context[class_name] = schema(cls, context=context)
            self.tables[class_name.lower()] = context[class_name]
        self._schema = schema

    def reset(self) -> None:
        for name in reversed(TABLES):
            self.tables[name].delete_quick()

    def insert(self, tables: dict[str, pa.Table]) -> None:
        # in pieces: one call with a million rows loses DataJoint's MySQL connection
        for name in TABLES:
            for piece in tables[name].to_batches(DATAJOINT_INSERT_ROWS):
                self.tables[name].insert(piece.to_pandas())

    def fetch_pandas(self) -> Any:
        return self.tables["recording"]().to_pandas()

    def fetch_dicts(self) -> Any:
        return self.tables["recording"]().to_dicts()

    def analytic(self) -> Any:
        t = self.tables
        good_male = (t["recording"] & {"quality": "good"}) * t["session"] & (
            t["subject"] & {"sex": "M"}
        )
        if self._backend == "mysql":
            # DataJoint's SQL for an aggregation that carries researcher_name fails on MariaDB
            # under the ONLY_FULL_GROUP_BY mode DataJoint sets (error 1055: MariaDB does not see
            # that the key determines the name); the same question, asked with a join:
            totals = t["researcher"].aggr(
                good_male, n="count(*)", total_duration="sum(duration)", exclude_nonmatching=True
            )
            return (t["researcher"].proj("researcher_name") * totals).to_pandas()
        return (
            t["researcher"]
            .aggr(
                good_male,
                "researcher_name",
                n="count(*)",
                total_duration="sum(duration)",
                exclude_nonmatching=True,
            )
            .to_pandas()
        )

    def fetch1(self, key: dict[str, Any]) -> Any:
        return (self.tables["recording"] & key).fetch1()
