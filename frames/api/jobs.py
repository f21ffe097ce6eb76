"""Job reservations for distributed ``populate(reserve_jobs=True)``.

Each auto-populated table gets a hidden jobs table ``~~<name>`` in its schema (DataJoint's
convention). Before calling ``make(key)``, a worker reserves the key by inserting its hash;
a second worker's insert of the same hash fails, so it moves on to another key. A successful
``make`` removes the reservation; a failed one leaves it with status ``error`` and the message,
so the key is skipped until the error row is deleted (``T.jobs.delete_quick()`` retries all).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket
from typing import TYPE_CHECKING, Any

from frames.declare.spec import Attribute, TableRef, TableSpec
from frames.declare.types import CoreType
from frames.errors import DuplicateError
from frames.plan.heading import Heading

if TYPE_CHECKING:
    from frames.api.table import Table

_COLUMNS = (
    Attribute("key_hash", CoreType("char", length=32), in_key=True, comment="md5 of the key"),
    Attribute("status", CoreType("enum", values=("reserved", "error"))),
    Attribute("key", CoreType("json"), comment="the key being populated"),
    Attribute("error_message", CoreType("varchar", length=2047), default=""),
    Attribute("host", CoreType("varchar", length=255), default=""),
    Attribute("pid", CoreType("int32"), default=0),
    Attribute("reserved_at", CoreType("datetime"), nullable=True, default=None),
)


def key_hash(key: dict[str, Any]) -> str:
    """A stable hash of a primary-key dict (sorted names, values as text)."""
    text = json.dumps({k: str(v) for k, v in sorted(key.items())}, sort_keys=True)
    return hashlib.md5(text.encode()).hexdigest()


def jobs_table(table: Table) -> Table:
    """The jobs table of ``table`` as a table object, declared on first use."""
    from frames.api.table import Table as TableBase

    name = "~~" + table.table_name.lstrip("_#")
    spec = TableSpec(TableRef(table.database, name), _COLUMNS, comment="populate reservations")
    schema = type(table)._schema
    if not schema.connection.backend.table_exists(spec.ref):
        schema._create(spec)
    jobs = type("Jobs", (TableBase,), {"definition": "", "tier": "manual"})
    jobs._spec, jobs._heading, jobs._schema = spec, Heading(spec.attributes), schema
    return jobs()


def reserve(jobs: Table, key: dict[str, Any]) -> bool:
    """Reserve ``key``; False if another worker holds it or it failed before."""
    row = {"key_hash": key_hash(key), "status": "reserved", "key": json.dumps(
        {k: str(v) for k, v in key.items()}), "host": socket.gethostname(), "pid": os.getpid(),
        "reserved_at": datetime.datetime.now()}
    try:
        jobs.insert1(row)
    except DuplicateError:
        return False
    return True


def release(jobs: Table, key: dict[str, Any]) -> None:
    """Remove the reservation of ``key`` after a successful ``make``."""
    (jobs & {"key_hash": key_hash(key)}).delete_quick()


def record_error(jobs: Table, key: dict[str, Any], error: BaseException) -> None:
    """Mark the reservation of ``key`` as failed, keeping the error message."""
    connection = jobs._connection
    with connection.atomic():
        (jobs & {"key_hash": key_hash(key)}).delete_quick()
        jobs.insert1({"key_hash": key_hash(key), "status": "error",
                      "key": json.dumps({k: str(v) for k, v in key.items()}),
                      "error_message": f"{type(error).__name__}: {error}"[:2047],
                      "host": socket.gethostname(), "pid": os.getpid(),
                      "reserved_at": datetime.datetime.now()})
