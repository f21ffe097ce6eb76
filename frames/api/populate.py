"""Auto-population: ``populate()``, ``progress()``, ``key_source`` and ``jobs`` of Imported and
Computed tables, as DataJoint 2.x has them.

``key_source`` is the join of the table's primary-key parents (renamed as the foreign keys say).
``populate()`` calls the table's ``make(key)`` for every key of ``key_source`` (restricted by the
arguments) that the table does not have yet — only the key's primary-key attributes reach
``make``, and keys are matched to the table's rows on them alone. Each call runs in its own
transaction: a ``make`` that fails leaves nothing behind. ``make`` may be split into
``make_fetch`` / ``make_compute`` / ``make_insert`` (or be a generator doing the same): the
computation then runs outside the transaction, and the fetch is repeated inside it and must
give the same data.

With ``reserve_jobs=True`` the keys come from the table's job queue (:mod:`frames.api.jobs`), so
that several processes or machines can share the work; ``processes=N`` runs ``make`` in N
worker processes, each with its own connection.

A ``make`` whose transaction conflicts with a concurrent one (a deadlock, a serialisation
failure: the database rolled it back) is run again after a short random wait, up to
:data:`~frames.backends.conflicts.ATTEMPTS` times. A reserved job leaves ``reserved`` on every
path: done, failed (``error``, interrupts included), or skipped; Ctrl-C (and SIGTERM while jobs
are reserved) is held back for the moment the outcome is recorded, and always propagates, also
with ``suppress_errors=True``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import inspect
import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from frames.api.catalog import table_spec
from frames.api.coerce import AndList
from frames.api.diagram import Diagram
from frames.api.jobs import JOB_METADATA, Job, job_version
from frames.api.populating import insert_allowed as insert_allowed
from frames.api.populating import populating
from frames.api.progress import key_bar
from frames.api.query import QueryExpression
from frames.api.workers import make_in_processes, worker_count
from frames.backends import interrupt
from frames.backends.conflicts import retry_conflicts
from frames.declare.spec import TableSpec
from frames.errors import FramesError, QueryError, UnsupportedArgumentError
from frames.plan.heading import Heading
from frames.plan.nodes import BaseTable, make_table
from frames.settings import Config
from frames.sql.update import update_sql

logger = logging.getLogger(__name__)


def auto_populated_spec(spec: TableSpec, settings: Config) -> TableSpec:
    """``spec`` as declared: an Imported or Computed table gets the hidden job metadata
    columns if ``settings.jobs.add_job_metadata``; other tables are unchanged.

    Key attributes of its own (not from a parent) are accepted, as DataJoint 2.3.5 does: its
    check behind ``jobs.allow_new_pk_fields_in_computed_tables`` never runs (``Table``'s no-op
    ``_declare_check`` comes first in the method order of ``Computed`` and ``Imported``). The
    jobs table then leaves such attributes out of its key, with a warning.
    """
    if spec.tier in ("imported", "computed") and settings.jobs.add_job_metadata:
        spec = dataclasses.replace(spec, attributes=spec.attributes + JOB_METADATA)
    return spec


class AutoPopulate:
    """Mixin of :class:`~frames.api.table.Imported` and :class:`~frames.api.table.Computed`.

    Subclasses define ``make(self, key)`` — or ``make_fetch``, ``make_compute`` and
    ``make_insert`` — and may override ``key_source``.
    """

    _upstream: Any = None
    _upstream_key: dict[str, Any] | None = None

    # -- what to populate ---------------------------------------------------------------------
    @property
    def key_source(self) -> QueryExpression:
        """The keys ``populate()`` iterates over: the join of the primary-key parents."""
        connection = self._connection  # type: ignore[attr-defined]
        source: QueryExpression | None = None
        for fk in self._spec.foreign_keys:  # type: ignore[attr-defined]
            if not fk.in_key:
                continue
            spec = table_spec(connection, fk.parent)
            parent = QueryExpression(
                make_table(spec.ref, Heading.of_table(spec.attributes)), connection
            )
            renames = {
                child: parent_attr for child, parent_attr in fk.attr_map if child != parent_attr
            }
            parent = parent.proj(**renames)
            source = parent if source is None else source * parent
        if source is None:
            raise FramesError(
                f"{type(self).__name__}: a table must have dependencies from its "
                "primary key for auto-populate to work (or define key_source)"
            )
        return source

    def _jobs_to_do(self, restrictions: tuple[Any, ...]) -> QueryExpression:
        """The primary keys of ``key_source & restrictions`` (done or not)."""
        if not isinstance(self._plan, BaseTable):  # type: ignore[attr-defined]
            raise FramesError(
                "Cannot call populate on a restricted table. Instead, pass "
                "conditions to populate() as arguments."
            )
        todo = self.key_source
        if inspect.isclass(todo) and issubclass(todo, QueryExpression):
            todo = todo()
        if not isinstance(todo, QueryExpression):
            raise QueryError(
                f"{type(self).__name__}.key_source must be a query, not {type(todo).__name__}"
            )
        missing = [n for n in todo.primary_key if n not in self.plan.heading]  # type: ignore
        if missing:
            raise QueryError(
                f"The populate target {type(self).__name__} lacks attribute "
                f"{missing[0]} from the primary key of key_source"
            )
        if restrictions:
            todo = todo & AndList(restrictions)
        return todo.proj()

    # -- make ---------------------------------------------------------------------------------
    def make(self, key: dict[str, Any], **kwargs: Any) -> Any:
        """Compute and insert the rows of ``key``; subclasses define it, or define
        ``make_fetch(key, **kwargs)``, ``make_compute(key, *fetched)`` and
        ``make_insert(key, *computed)`` instead (this method then chains them)."""
        if not all(hasattr(self, name) for name in ("make_fetch", "make_compute", "make_insert")):
            raise NotImplementedError(
                f"{type(self).__name__} must define make(self, key) or make_fetch, "
                "make_compute and make_insert to be populated"
            )
        fetched = self.make_fetch(key, **kwargs)  # type: ignore[attr-defined]
        computed = yield fetched
        if computed is None:
            computed = self.make_compute(key, *fetched)  # type: ignore[attr-defined]
            yield computed
        self.make_insert(key, *computed)  # type: ignore[attr-defined]
        yield

    @property
    def upstream(self) -> Any:
        """Inside ``make()``: the diagram of this table's ancestors restricted to the current
        key (``self.upstream[Session].fetch1(...)``); built on first use in each call."""
        if self._upstream_key is None:
            raise FramesError(
                "self.upstream is only available inside make(). Outside make(), "
                "construct a trace explicitly: dj.Diagram.trace(self & key)."
            )
        if self._upstream is None:
            self._upstream = Diagram.trace(self & self._upstream_key)  # type: ignore
        return self._upstream

    # -- jobs ---------------------------------------------------------------------------------
    @property
    def jobs(self) -> Job:
        """The job queue of this table (its jobs table ``~~name``, declared on first use)."""
        jobs = Job(self)  # type: ignore[arg-type]
        jobs.declare()
        return jobs

    # -- populate -----------------------------------------------------------------------------
    def populate(
        self,
        *restrictions: Any,
        suppress_errors: bool = False,
        return_exception_objects: bool = False,
        reserve_jobs: bool = False,
        max_calls: int | None = None,
        display_progress: bool = False,
        processes: int | None = 1,
        make_kwargs: dict[str, Any] | None = None,
        priority: int | None = None,
        refresh: bool | None = None,
    ) -> dict[str, Any]:
        """Call ``make(key)`` for each key of ``key_source & restrictions`` not yet filled.

        Parameters
        ----------
        *restrictions
            Conditions on ``key_source`` (dicts, strings, queries, ...).
        suppress_errors : bool
            Collect failures and go on (default: stop at the first and raise it).
        return_exception_objects : bool
            List the exceptions themselves rather than their messages.
        reserve_jobs : bool
            Take the keys from the job queue (``jobs``), reserving each, so that several
            workers can populate the table; failures stay there as ``error`` jobs.
        max_calls : int, optional
            Call ``make`` at most this many times.
        display_progress : bool
            Show a tqdm bar over the keys on standard error, as DataJoint does.
        processes : int
            Run ``make`` in this many worker processes (``None``: one per CPU).
        make_kwargs : dict, optional
            Keyword arguments for every ``make`` (or ``make_fetch``) call.
        priority : int, optional
            Only with ``reserve_jobs`` (else :class:`~frames.errors.UnsupportedArgumentError`):
            only jobs of this priority or more urgent (lower), and the
            priority of jobs added by the refresh.
        refresh : bool, optional
            With ``reserve_jobs``: add missing jobs first (``config['jobs.auto_refresh']``);
            ``refresh=True`` without it raises :class:`~frames.errors.UnsupportedArgumentError`.

        Returns
        -------
        dict
            ``success_count`` and ``error_list`` (``(key, error)`` pairs).
        """
        if self._connection.in_transaction:  # type: ignore[attr-defined]
            raise FramesError("Populate cannot be called during a transaction.")
        settings = {
            "suppress_errors": suppress_errors,
            "return_exception_objects": return_exception_objects,
            "make_kwargs": make_kwargs,
        }
        if not reserve_jobs:
            for name, given in (("priority", priority is not None), ("refresh", refresh)):
                if given:
                    raise UnsupportedArgumentError(
                        f"{type(self).__name__}.populate({name}=...): {name} applies to the "
                        f"job queue; add reserve_jobs=True or leave {name} out"
                    )
            keys = (self._jobs_to_do(restrictions) - self.proj()).keys(  # type: ignore
                limit=max_calls
            )
            return self._populate_keys(keys, None, settings, processes, display_progress)
        jobs = self.jobs
        with _sigterm_raises():
            if refresh if refresh is not None else jobs._settings.jobs.auto_refresh:
                jobs.refresh(*restrictions, priority=priority, delay=-1)
            keys = jobs.due_keys(
                self._jobs_to_do(restrictions) if restrictions else None,
                priority=priority,
                limit=max_calls,
            )
            return self._populate_keys(keys, jobs, settings, processes, display_progress)

    def _populate_keys(
        self,
        keys: list[dict[str, Any]],
        jobs: Job | None,
        settings: dict[str, Any],
        processes: int | None,
        display_progress: bool,
    ) -> dict[str, Any]:
        """Make ``keys`` here or in worker processes; the counts of ``populate()``."""
        logger.debug(f"Found {len(keys)} keys to populate")
        outcomes: Iterator[Any]
        workers = worker_count(self._connection, processes, len(keys))  # type: ignore
        progress = key_bar(type(self).__name__, len(keys), display_progress)
        with progress:
            if workers > 1:
                outcomes = make_in_processes(self, keys, jobs, settings, workers)
            else:
                outcomes = (self._populate1(key, jobs, **settings) for key in keys)
            successes, errors = 0, []
            for outcome in outcomes:
                if outcome is True:
                    successes += 1
                elif isinstance(outcome, tuple):
                    errors.append(outcome)
                progress.update()
        return {"success_count": successes, "error_list": errors}

    def _populate1(
        self,
        key: dict[str, Any],
        jobs: Job | None,
        suppress_errors: bool,
        return_exception_objects: bool,
        make_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """Make one key in its own transaction; True if made, False if skipped (reserved
        elsewhere or already there), ``(key, error)`` if it failed and errors are suppressed.

        A reserved job is marked failed on every error, interrupts included (which, like
        ``SystemExit``, always propagate)."""
        name = type(self).__name__
        started = time.time()
        reserved = False
        self._upstream_key, self._upstream = dict(key), None
        try:
            if jobs is not None:
                with interrupts_held():
                    reserved = jobs.reserve(key)
                if not reserved:
                    return False
            made = retry_conflicts(
                lambda: self._make_and_commit(key, make_kwargs or {}, started, jobs),
                f"make({key})",
            )
        except (KeyboardInterrupt, SystemExit, Exception) as error:
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            logger.debug(f"Error making {key} -> {name} - {message}")
            if reserved:
                with interrupts_held():
                    jobs.error(  # type: ignore[union-attr]
                        key, error_message=message, error_stack=traceback.format_exc()
                    )
            if not suppress_errors or not isinstance(error, Exception):
                raise
            logger.error(message)
            return key, error if return_exception_objects else message
        finally:
            self._upstream_key, self._upstream = None, None
        if made:
            logger.debug(f"Success making {key} -> {name}")
        return made

    def _make_and_commit(
        self, key: dict[str, Any], make_kwargs: dict[str, Any], started: float, jobs: Job | None
    ) -> bool:
        """Run ``make`` for ``key`` and commit its rows with their job metadata, then mark its
        job done; False (nothing made) if the table has the key already. Rolls back on any
        error."""
        make = getattr(self, "_make_tuples", None) or self.make
        backend = self._connection.backend  # type: ignore[attr-defined]
        is_generator = inspect.isgeneratorfunction(make)
        try:
            if not is_generator:
                backend.begin()
            done = bool(self & key)  # type: ignore[operator]
            if not done:
                logger.debug(f"Making {key} -> {type(self).__name__}")
                with populating(self.table_name):  # type: ignore[attr-defined]
                    if is_generator:
                        _make_in_three_steps(make, key, make_kwargs, backend)
                    else:
                        make(dict(key), **make_kwargs)
                self._record_job_metadata(key, started, time.time() - started)
            with interrupts_held():
                if done:
                    backend.rollback()
                else:
                    backend.commit()
                if jobs is not None:
                    jobs.complete(key, duration=None if done else time.time() - started)
        except BaseException:
            backend.rollback()
            raise
        return not done

    def _record_job_metadata(self, key: dict[str, Any], started: float, duration: float) -> None:
        """Fill the hidden ``_job_*`` columns of the rows of ``key``, where the table has them."""
        spec = self._spec  # type: ignore[attr-defined]
        names = [attr.name for attr in JOB_METADATA]
        if not set(names) <= {attr.name for attr in spec.attributes}:
            return
        connection = self._connection  # type: ignore[attr-defined]
        values = dict(
            zip(
                names,
                (
                    datetime.datetime.fromtimestamp(started),
                    duration,
                    job_version(connection._config)[:64],
                ),
                strict=True,
            )
        )
        where = {name: key[name] for name in spec.primary_key if name in key}
        sql, params = update_sql(spec.ref, values, where, connection.sql_dialect)
        connection.backend.execute(sql, params)

    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """``(remaining, total)`` keys of ``key_source & restrictions``; logged if
        ``display``."""
        todo = self._jobs_to_do(restrictions)
        total = len(todo)
        remaining = len(todo - self.proj())  # type: ignore[attr-defined]
        if display:
            logger.info(
                "%-20s Completed %d of %d (%2.1f%%)   %s",
                type(self).__name__,
                total - remaining,
                total,
                100 - 100 * remaining / (total + 1e-12),
                datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            )
        return remaining, total


def _make_in_three_steps(
    make: Any, key: dict[str, Any], make_kwargs: dict[str, Any], backend: Any
) -> None:
    """Run a generator ``make``: fetch and compute outside a transaction, then fetch again
    inside one, check the data did not change, and insert."""
    steps = make(dict(key), **make_kwargs)
    fetched = next(steps)
    computed = next(steps)
    backend.begin()
    steps = make(dict(key), **make_kwargs)
    if not same_data(next(steps), fetched):
        raise FramesError("Referential integrity failed! The `make_fetch` data has changed")
    with contextlib.suppress(StopIteration):
        steps.send(computed)


def same_data(a: Any, b: Any) -> bool:
    """True if two fetch results hold the same values (arrays and frames compared by value,
    containers item by item, in order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "equals"):  # pandas / polars frames and series
        return bool(a.equals(b))
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype == object:
            return all(same_data(x, y) for x, y in zip(a.flat, b.flat, strict=True))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    try:
        return bool(a == b) or (a != a and b != b)  # NaN equals NaN here
    except (TypeError, ValueError):
        return a is b


def sigterm_handler(signum: int, frame: Any) -> None:
    """Turn SIGTERM into ``SystemExit``, so that the job being made is marked failed and its
    transaction rolled back rather than the process killed mid-make."""
    interrupt.handled(signum)
    logger.info("Populate terminated by SIGTERM")
    raise SystemExit("SIGTERM received")


#: Ctrl-C also cancels a PostgreSQL query under this handler (frames.backends.interrupt).
sigterm_handler.frames_interrupts = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM under :func:`sigterm_handler`) back until the block is done,
    then raise it: the outcome of a job is recorded whole. A second Ctrl-C raises at once.

    Only in the main thread (where signals arrive), and only for the handlers that raise.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: dict[int, Callable[[int, Any], Any]] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if callable(handler) and (
            handler is sigterm_handler or interrupt.raises_keyboard_interrupt(handler)
        ):
            held[signum] = handler
    received: list[int] = []

    def hold(number: int, frame: Any) -> None:
        if received:  # asked twice: do not wait
            held[number](number, frame)
        received.append(number)

    for number in held:
        signal.signal(number, hold)
    try:
        yield
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)
        if received:  # raised here, it wins over an error of the block
            held[received[0]](received[0], None)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Install :func:`sigterm_handler` while jobs are reserved (main thread only)."""
    try:
        previous = signal.signal(signal.SIGTERM, sigterm_handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
