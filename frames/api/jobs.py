"""The job queue of an auto-populated table (DataJoint 2.x's ``Job``).

Each Imported/Computed table ``name`` has a hidden jobs table ``~~name`` (leading underscores of
the stored name dropped) in its schema, declared on first use. Its primary key is the part of the
target's key that comes from its primary-key parents; each row is one job with a ``status`` among
``pending``, ``reserved``, ``success``, ``error`` and ``ignore``, a ``priority`` (lower runs
first), a ``scheduled_time`` and, for failures, the error message and stack.

Several processes (or machines) share one queue without colliding: the table is declared by
whichever comes first (the others find it there); a job is reserved by one ``UPDATE ... WHERE
status = 'pending'``, so exactly one worker gets it; every write to the queue is run again,
after a short random wait, if it conflicts with another worker's (a deadlock, a serialisation
failure). A reservation whose holder died (its database session ended, or on DuckDB its process
no longer runs) is returned to ``pending`` by the next :meth:`Job.refresh` once it is older than
``config['jobs.stale_timeout']`` seconds.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import os
import platform
import subprocess
from collections.abc import Callable
from typing import Any, TypeVar

from frames.api.base_table import Table
from frames.api.dj_heading import Heading
from frames.api.insert import check_value
from frames.api.u import U
from frames.backends.conflicts import retry_conflicts
from frames.codecs.attributes import encode_values
from frames.declare.parser import parse_definition
from frames.declare.spec import Attribute, TableRef, TableSpec
from frames.declare.types import CoreType
from frames.errors import FramesError
from frames.plan.heading import Heading as PlanHeading
from frames.plan.nodes import make_table
from frames.settings import Config
from frames.sql.update import update_sql

T = TypeVar("T")

#: The hidden columns of auto-populated tables declared with ``config['jobs.add_job_metadata']``,
#: filled after each successful make().
JOB_METADATA = (
    Attribute(
        "_job_start_time",
        CoreType("datetime", precision=3),
        nullable=True,
        default=None,
        comment="when computation began",
    ),
    Attribute(
        "_job_duration",
        CoreType("float32"),
        nullable=True,
        default=None,
        comment="computation duration in seconds",
    ),
    Attribute("_job_version", CoreType("varchar", length=64), default="", comment="code version"),
)
ERROR_MESSAGE_LENGTH = 2047
TRUNCATION_APPENDIX = "...truncated"

logger = logging.getLogger("frames")

_JOB_ATTRIBUTES = f"""
status          : enum('pending', 'reserved', 'success', 'error', 'ignore')
priority        : int8
created_time=CURRENT_TIMESTAMP : datetime(3)
scheduled_time=CURRENT_TIMESTAMP : datetime(3)
reserved_time=null  : datetime(3)
completed_time=null : datetime(3)
duration=null   : float64
error_message="" : varchar({ERROR_MESSAGE_LENGTH})
error_stack=null : <blob>
user=""         : varchar(255)
host=""         : varchar(255)
pid=0           : int32
connection_id=0 : int64
version=""      : varchar(64)
INDEX (status, priority, scheduled_time)
"""


def job_version(settings: Config) -> str:
    """The code version recorded with jobs: the short git commit with
    ``config.jobs.version_method == 'git'``, else empty."""
    if settings.jobs.version_method != "git":
        return ""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _now() -> datetime.datetime:
    """The time jobs are stamped with, at the millisecond precision of their columns."""
    now = datetime.datetime.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def job_table_name(target_name: str) -> str:
    """The stored name of the jobs table of the table stored as ``target_name``."""
    return "~~" + target_name.lstrip("_")


def _job_key(target: TableSpec) -> tuple[Attribute, ...]:
    """The target's key attributes that come from its primary-key parents (others are left
    out of the job key, with a warning, as DataJoint does)."""
    derived = {child for fk in target.foreign_keys if fk.in_key for child in fk.child_attrs}
    key = []
    for attr in target.attributes:
        if not attr.in_key:
            continue
        if attr.name in derived:
            key.append(attr)
        else:
            logger.warning(
                f"Ignoring non-FK primary key attribute '{attr.name}' in jobs table "
                f"for {target.ref}. Job granularity will be degraded."
            )
    if not key:
        raise FramesError(
            f"Cannot create jobs table for {target.ref}: no FK-derived primary "
            "key attributes found."
        )
    return tuple(key)


@functools.lru_cache(maxsize=256)
def job_spec(target: TableSpec) -> tuple[TableSpec, str]:
    """The spec and the definition text of the jobs table of ``target``."""
    key = _job_key(target)
    lines = "\n".join(f"{attr.name} : {attr.type}" for attr in key)
    definition = f"# Job queue for {target.ref}\n{lines}\n---\n{_JOB_ATTRIBUTES.lstrip()}"

    def no_references(text: str) -> TableSpec:
        raise LookupError(text)

    ref = TableRef(target.ref.schema, job_table_name(target.ref.name))
    parsed = parse_definition(
        definition, ref=ref, tier="manual", class_name="Job", resolve=no_references
    )
    by_name = {attr.name: attr for attr in key}  # keep the target's types and lineage
    attributes = tuple(by_name.get(attr.name, attr) for attr in parsed.attributes)
    return dataclasses.replace(parsed, attributes=attributes), definition


class Job(Table):
    """The job queue of one auto-populated table (``Table.jobs``), itself a table.

    Parameters
    ----------
    target : Table
        The Imported/Computed table whose jobs this table holds.

    Examples
    --------
    >>> MyTable.jobs.refresh()      # doctest: +SKIP
    >>> MyTable.jobs.errors         # doctest: +SKIP
    """

    def __init__(self, target: Table) -> None:
        spec, self._definition = job_spec(target._spec)
        self._target = target
        self._spec = spec
        self._heading = Heading.of_table(
            spec, target._connection, plan=PlanHeading(spec.attributes)
        )
        self._schema = type(target)._schema  # type: ignore[misc]
        self._connection = target._connection
        super(Table, self).__init__(make_table(spec.ref, self._heading.plan), self._connection)

    @property
    def _name(self) -> str:
        return f"{type(self._target).__name__}.jobs"

    @property
    def _settings(self) -> Config:
        """The configuration of the jobs' connection (``jobs.keep_completed``, ...)."""
        return self._connection._config

    @property
    def definition(self) -> str:  # type: ignore[override]
        """The definition of the jobs table, as DataJoint writes it."""
        return self._definition

    @property
    def target(self) -> Table:
        """The auto-populated table whose jobs these are."""
        return self._target

    @property
    def is_declared(self) -> bool:
        """True if the jobs table exists in the database."""
        return self._connection.backend.table_exists(self.ref)

    def declare(self) -> None:
        """Create the jobs table if it does not exist.

        Workers starting together may all find it missing: one creates it, and the others'
        ``CREATE`` fails (PostgreSQL: a duplicate type, MySQL: 1050, DuckDB: a write-write
        conflict) — they then find the table there and go on.
        """

        def create() -> None:
            if self.is_declared:
                return
            try:
                self._schema._create(self._spec)  # type: ignore[union-attr,arg-type]
            except Exception:
                if not self.is_declared:  # not declared by another worker meanwhile
                    raise

        self._retrying("declaring the jobs table", create)

    def _retrying(self, what: str, operation: Callable[[], T]) -> T:
        """``operation()``, run again while it conflicts with another worker's transaction
        (inside the caller's transaction, once: a conflict aborts that whole transaction)."""
        if self._connection.in_transaction:
            return operation()
        return retry_conflicts(operation, f"{self._name}: {what}")

    def delete(self) -> None:  # type: ignore[override]
        """Delete these jobs (no prompt: nothing depends on them)."""
        self.delete_quick()

    def drop(self) -> None:  # type: ignore[override]
        """Drop the jobs table (no prompt)."""
        self.drop_quick()

    # -- jobs by status -----------------------------------------------------------------------
    def _restricted(self, condition: Any) -> Job:
        restricted = self & condition
        assert isinstance(restricted, Job)  # a restricted table keeps its class (Table._derive)
        return restricted

    @property
    def pending(self) -> Job:
        """Jobs waiting to be reserved."""
        return self._restricted({"status": "pending"})

    @property
    def reserved(self) -> Job:
        """Jobs being made now."""
        return self._restricted({"status": "reserved"})

    @property
    def errors(self) -> Job:
        """Jobs whose make() failed."""
        return self._restricted({"status": "error"})

    @property
    def ignored(self) -> Job:
        """Jobs marked to be skipped."""
        return self._restricted({"status": "ignore"})

    @property
    def completed(self) -> Job:
        """Jobs done (kept when ``config['jobs.keep_completed']``)."""
        return self._restricted({"status": "success"})

    # -- the queue ----------------------------------------------------------------------------
    def _key(self, key: dict[str, Any]) -> dict[str, Any]:
        return {name: key[name] for name in self.primary_key if name in key}

    def _update(
        self,
        key: dict[str, Any],
        values: dict[str, Any],
        only: dict[str, Any] | None = None,
        due: datetime.datetime | None = None,
    ) -> int:
        """``UPDATE`` the job of ``key`` with ``values``, if its columns match ``only`` (and,
        with ``due``, it is scheduled no later); returns the number of rows changed."""
        return self._update_where(values, {**self._key(key), **(only or {})}, due)

    def _update_where(
        self, values: dict[str, Any], where: dict[str, Any], due: datetime.datetime | None = None
    ) -> int:
        """``UPDATE`` the jobs whose columns match ``where`` (scheduled no later than ``due``)
        with ``values``, checked and encoded as an insert would; the number changed."""
        heading = self._plan.heading

        def stored(name: str, value: Any) -> Any:
            attr = heading[name]
            if value is not None and attr.codec:
                value = encode_values([value], attr, lambda _: f"{self._name}.{name}")[0]
            return check_value(value, attr, self._name, 0)

        sql, params = update_sql(
            self.ref,
            {name: stored(name, value) for name, value in values.items()},
            {name: stored(name, value) for name, value in where.items()},
            self._connection.sql_dialect,
            not_after=("scheduled_time", due) if due is not None else None,
        )
        backend = self._connection.backend
        return self._retrying("update", lambda: backend.execute(sql, params))

    def _delete_keys(self, keys: list[dict[str, Any]], condition: Any = None) -> int:
        """Delete the jobs of ``keys`` (that still meet ``condition``); the number deleted.

        The keys are found by a plain read first: a ``DELETE`` with the search in it would lock
        every row it looks at (MySQL), and deadlock with the other workers' reservations.
        """
        if not keys:
            return 0
        doomed = self._restricted([self._key(key) for key in keys])
        if condition is not None:
            doomed = doomed._restricted(condition)
        return self._retrying("delete", lambda: doomed.delete_quick(get_count=True)) or 0

    def refresh(
        self,
        *restrictions: Any,
        delay: float = 0,
        priority: int | None = None,
        stale_timeout: float | None = None,
        orphan_timeout: float | None = None,
    ) -> dict[str, int]:
        """Add the missing jobs and remove the vanished ones.

        Parameters
        ----------
        *restrictions
            Conditions on ``key_source`` for the jobs to add (removal looks at all of it).
        delay : float
            Seconds from now until new jobs may be reserved.
        priority : int, optional
            Priority of new jobs (lower is more urgent); ``config['jobs.default_priority']``.
        stale_timeout : float, optional
            Jobs older than this many seconds whose key left ``key_source`` are removed
            (``config['jobs.stale_timeout']``; 0 skips this check).
        orphan_timeout : float, optional
            Reservations older than this many seconds are returned to pending.

        Returns
        -------
        dict
            Counts ``added``, ``removed``, ``orphaned`` and ``re_pended``.
        """
        self.declare()
        if priority is None:
            priority = self._settings.jobs.default_priority
        if stale_timeout is None:
            stale_timeout = self._settings.jobs.stale_timeout
        result = {"added": 0, "removed": 0, "orphaned": 0, "re_pended": 0}
        target = self._target
        key_source = target._jobs_to_do(restrictions)
        now = _now()
        # in key order, so that workers adding the same keys take their locks in one order
        new_keys = ((key_source - target.proj()) - self.proj()).keys(order_by="KEY")
        scheduled = now + datetime.timedelta(seconds=delay)
        if new_keys:  # one insert; keys added meanwhile by another worker are skipped
            rows = [self._job_row(key, "pending", priority, now, scheduled) for key in new_keys]
            result["added"] = self._retrying(
                "adding jobs", lambda: self.insert(rows, skip_duplicates=True)
            )
        if self._settings.jobs.keep_completed:
            for key in ((self.completed & key_source) - target.proj()).keys():
                self._update(
                    key,
                    {
                        "status": "pending",
                        "priority": priority,
                        "scheduled_time": now,
                        "completed_time": None,
                    },
                    only={"status": "success"},
                )
                result["re_pended"] += 1
        vanished = self - target._jobs_to_do(())
        finished = [{"status": "success"}, {"status": "error"}]
        result["removed"] += self._delete_keys(
            ((vanished & finished) - target.proj()).keys(), finished
        )
        if stale_timeout > 0:
            cutoff = now - datetime.timedelta(seconds=stale_timeout)
            stale = vanished - {"status": "ignore"}
            stale = stale[stale.created_time < cutoff]
            not_ignored = [{"status": s} for s in ("pending", "reserved", "success", "error")]
            result["removed"] += self._delete_keys(stale.keys(), not_ignored)
            result["orphaned"] += self._release_abandoned(cutoff, priority, now)
        if orphan_timeout is not None and orphan_timeout > 0:
            cutoff = now - datetime.timedelta(seconds=orphan_timeout)
            reserved = self.reserved
            for key in reserved[reserved.reserved_time < cutoff].keys():
                result["orphaned"] += self._repend(key, priority, now, {})
        return result

    def _repend(
        self, key: dict[str, Any], priority: int, now: datetime.datetime, holder: dict[str, Any]
    ) -> int:
        """Return the reservation of ``key`` (still held by ``holder``) to pending."""
        return self._update(
            key,
            {
                "status": "pending",
                "priority": priority,
                "scheduled_time": now,
                "reserved_time": None,
            },
            only={"status": "reserved", **holder},
        )

    def _release_abandoned(
        self, cutoff: datetime.datetime, priority: int, now: datetime.datetime
    ) -> int:
        """Return to pending the reservations made before ``cutoff`` whose holder is gone (a
        worker killed mid-make); the number returned."""
        reserved = self.reserved
        held = reserved[reserved.reserved_time < cutoff].proj("host", "pid", "connection_id")
        jobs = held.to_dicts()
        if not jobs:
            return 0
        backend = self._connection.backend
        sessions = (
            {row[0] for row in backend.fetch_rows(backend.sessions_sql)}
            if backend.sessions_sql
            else None
        )
        released = 0
        for job in jobs:
            if holder_gone(job, sessions):
                holder = {name: job[name] for name in ("host", "pid", "connection_id")}
                released += self._repend(job, priority, now, holder)
        if released:
            logger.info(f"{self._name}: {released} reservations of stopped workers re-pended")
        return released

    def due_keys(
        self, todo: Any = None, priority: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Keys of the pending jobs that are due (within ``todo``, of ``priority`` or more
        urgent), most urgent first, then oldest schedule first."""
        due = self.pending
        due = due[due.scheduled_time <= _now()]
        if todo is not None:
            due = due & todo
        if priority is not None:
            due = due[due.priority <= priority]
        rows = due.proj("priority", "scheduled_time").to_dicts(
            order_by=["priority", "scheduled_time", "KEY"], limit=limit
        )
        return [self._key(row) for row in rows]

    def _job_row(
        self,
        key: dict[str, Any],
        status: str,
        priority: int,
        created: datetime.datetime,
        scheduled: datetime.datetime,
    ) -> dict[str, Any]:
        return {
            **self._key(key),
            "status": status,
            "priority": priority,
            "created_time": created,
            "scheduled_time": scheduled,
        }

    def reserve(self, key: dict[str, Any]) -> bool:
        """Reserve the pending, due job of ``key`` for this process; False if it is not
        pending (another worker has it, it failed, ...) or not due yet.

        The reservation records this host, process and database session. If the connection
        was lost and restored on the way (frames runs the ``UPDATE`` again, which then may find
        the job reserved by its first run), the reservation is made this session's.
        """
        now = _now()
        backend = self._connection.backend
        sessions = backend.sessions
        session = self._connection.connection_id or 0
        holder = {"host": platform.node(), "pid": os.getpid()}
        reserved = self._update(
            key,
            {
                "status": "reserved",
                **holder,
                "connection_id": session,
                "user": self._connection.get_user(),
                "version": job_version(self._settings),
                "reserved_time": now,
            },
            only={"status": "pending"},
            due=now,
        )
        if backend.sessions != sessions:  # reconnected: record the session that holds it now
            current = self._connection.connection_id or 0
            reserved += self._update(
                key,
                {"connection_id": current},
                only={"status": "reserved", **holder, "connection_id": session},
            )
        return reserved >= 1

    def complete(self, key: dict[str, Any], duration: float | None = None) -> None:
        """Mark the job of ``key`` done: kept as ``success`` if
        ``config['jobs.keep_completed']``, else deleted."""
        if self._settings.jobs.keep_completed:
            values: dict[str, Any] = {"status": "success", "completed_time": _now()}
            if duration is not None:
                values["duration"] = duration
            self._update(key, values)
        else:
            self._delete_keys([key])

    def error(
        self, key: dict[str, Any], error_message: str, error_stack: str | None = None
    ) -> None:
        """Mark the job of ``key`` failed, with its message (truncated to
        ``ERROR_MESSAGE_LENGTH``) and stack."""
        if len(error_message) > ERROR_MESSAGE_LENGTH:
            error_message = (
                error_message[: ERROR_MESSAGE_LENGTH - len(TRUNCATION_APPENDIX)]
                + TRUNCATION_APPENDIX
            )
        values: dict[str, Any] = {
            "status": "error",
            "completed_time": _now(),
            "error_message": error_message,
        }
        if error_stack is not None:
            values["error_stack"] = error_stack
        self._update(key, values)

    def fail_reserved(self, pids: list[int], error_message: str) -> None:
        """Mark failed the jobs that processes ``pids`` of this host hold reserved (after
        those processes were stopped)."""
        now = _now()
        for pid in pids:
            self._update_where(
                {
                    "status": "error",
                    "completed_time": now,
                    "error_message": error_message[:ERROR_MESSAGE_LENGTH],
                },
                {"status": "reserved", "host": platform.node(), "pid": pid},
            )

    def ignore(self, key: dict[str, Any]) -> None:
        """Mark the job of ``key`` to be skipped by ``populate()`` (adding it if missing)."""

        def mark() -> None:
            with self._connection.atomic():
                if not self._update(key, {"status": "ignore"}):
                    now = _now()
                    self.insert1(
                        self._job_row(key, "ignore", self._settings.jobs.default_priority, now, now)
                    )

        self._retrying("ignoring a job", mark)

    def progress(self) -> dict[str, int]:
        """The number of jobs per status, and their ``total``."""
        counts = dict.fromkeys(("pending", "reserved", "success", "error", "ignore"), 0)
        if self.is_declared:
            for row in U("status").aggr(self, n="count(*)").to_dicts():
                counts[row["status"]] = row["n"]
        counts["total"] = sum(counts.values())
        return counts


def holder_gone(job: dict[str, Any], sessions: set[int] | None) -> bool:
    """True if the worker that reserved ``job`` (its ``host``, ``pid`` and ``connection_id``)
    is gone: its session is not among the server's ``sessions``, or (without sessions: DuckDB)
    it ran on this host and its process no longer exists. False where that cannot be told."""
    if sessions is not None and job["connection_id"]:
        return job["connection_id"] not in sessions
    if job["host"] == platform.node() and job["pid"] and os.name == "posix":
        try:
            os.kill(job["pid"], 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # another user's process
            return False
    return False
