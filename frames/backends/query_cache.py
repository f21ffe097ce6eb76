"""DataJoint's query cache: read results kept in files, so that a later read returns them again.

While a backend has a :class:`QueryCache`, every read (``fetch_rows``, ``fetch_arrow``,
``raw_query``) is answered from the cache folder when the same statement with the same arguments
was read under the same tag before, and is run and saved otherwise; writes are refused. The files
are Arrow IPC (results read as Arrow) and pickles (driver rows), so the folder must be one only
the user writes to, as for any pickle.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from frames.errors import QueryError

T = TypeVar("T")


class QueryCache:
    """Results of reads saved under ``folder``, keyed by ``tag``, the kind of read, the SQL and
    its arguments.

    Parameters
    ----------
    tag : str
        Distinguishes cache states: reads under another tag are run again.
    folder : Path
        An existing directory (DataJoint's ``config['query_cache']``).
    """

    def __init__(self, tag: str, folder: Path) -> None:
        self.tag = tag
        self.folder = folder

    def _path(self, kind: str, sql: str, params: Any) -> Path:
        key = "\x00".join((self.tag, kind, sql, repr(params)))
        return self.folder / hashlib.md5(key.encode()).hexdigest()

    def rows(self, kind: str, sql: str, params: Any, run: Callable[[], T]) -> T:
        """The picklable result of ``run()`` for this read, from the cache when saved before."""
        path = self._path(kind, sql, params)
        if path.is_file():
            return pickle.loads(path.read_bytes())  # noqa: S301 (the user's own cache folder)
        result = run()
        path.write_bytes(pickle.dumps(result))
        return result

    def arrow(
        self, sql: str, params: Sequence[Any], schema: pa.Schema, run: Callable[[], pa.Table]
    ) -> pa.Table:
        """The Arrow result of ``run()`` for this read, from the cache when saved before."""
        path = self._path(f"arrow:{schema}", sql, params)
        if path.is_file():
            with pa.OSFile(str(path), "rb") as source:
                return pa.ipc.open_file(source).read_all()
        table = run()
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return table

    @staticmethod
    def refuse(what: str) -> QueryError:
        """The error for a write while the cache is on."""
        return QueryError(
            f"{what} is not allowed while query caching is on: only reads are; "
            "turn it off with connection.set_query_cache()"
        )
