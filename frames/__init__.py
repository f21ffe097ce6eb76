"""frames — DataJoint-compatible relational pipelines compiled to one SQL statement.

``import frames as dj`` and write DataJoint 2.x code: tables are classes with definition strings,
queries are built with ``&``, ``-``, ``*``, ``+``, ``.proj()``, ``.aggr()`` and ``dj.U()``, and
every query runs as a single SQL statement on DuckDB (default, in-process), PostgreSQL or
MySQL/MariaDB.
"""

from frames import blob, errors
from frames.api.coerce import AndList, Not
from frames.api.connection import Connection, conn, connect, list_schemas
from frames.api.diagram import Diagram
from frames.api.free_table import free_table as FreeTable
from frames.api.instance import Instance, config
from frames.api.jobs import Job
from frames.api.query import QueryExpression, Top
from frames.api.schema import Schema
from frames.api.table import (
    Compute,
    Computed,
    Entry,
    Imported,
    Ingest,
    Lookup,
    Manual,
    Part,
    Table,
    UserTable,
    ValidationResult,
)
from frames.api.u import U
from frames.api.virtual import VirtualModule, virtual_schema
from frames.blob import MatCell, MatStruct
from frames.cli import cli
from frames.codecs import Codec, NpyRef, get_codec, list_codecs
from frames.compat import install_as_datajoint
from frames.errors import DataJointError, ThreadSafetyError
from frames.logging import logger
from frames.objectstore import gc
from frames.objectstore.adapter import StorageAdapter, get_storage_adapter
from frames.objectstore.objectref import ObjectRef

__version__ = "0.1.0"

__all__ = [
    "AndList",
    "Codec",
    "Compute",
    "Computed",
    "Connection",
    "DataJointError",
    "Diagram",
    "Entry",
    "FreeTable",
    "Imported",
    "Instance",
    "Job",
    "Ingest",
    "Lookup",
    "Manual",
    "MatCell",
    "MatStruct",
    "Not",
    "NpyRef",
    "ObjectRef",
    "Part",
    "QueryExpression",
    "Schema",
    "StorageAdapter",
    "Table",
    "ThreadSafetyError",
    "Top",
    "U",
    "UserTable",
    "ValidationResult",
    "VirtualModule",
    "blob",
    "cli",
    "config",
    "conn",
    "connect",
    "errors",
    "gc",
    "get_codec",
    "get_storage_adapter",
    "install_as_datajoint",
    "list_codecs",
    "list_schemas",
    "logger",
    "virtual_schema",
]
