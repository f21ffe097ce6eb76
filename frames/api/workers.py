"""``populate(processes=N)``: ``make`` calls spread over N forked worker processes.

The workers are forked, so they inherit the table object, its class (which may be defined
anywhere, even inside a function) and the job queue. Each opens its own connection to the
database on start; the inherited one is kept untouched (never used, never closed) so that the
parent's session is not disturbed. The parent hands out one key at a time and collects what
each ``make`` gave.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frames.api.connection import Connection
    from frames.api.jobs import Job
    from frames.api.populate import AutoPopulate
    from frames.api.table import Table

logger = logging.getLogger("frames")

#: In a worker: the table being populated, its job queue (or None) and populate's settings.
_task: tuple[Any, Any, dict[str, Any]] | None = None
#: In a worker: the backends inherited from the parent, kept alive so that they are never
#: closed (closing would end the parent's session on the server).
_inherited: list[Any] = []


def worker_count(connection: Connection, processes: int | None, keys: int) -> int:
    """How many processes ``populate(processes=...)`` uses for ``keys`` keys: at most one per
    key and per CPU (``None``: one per CPU); one where the database cannot be shared by
    processes (DuckDB)."""
    count = min(n for n in (processes, keys, mp.cpu_count()) if n) if keys else 1
    if count > 1 and not connection.backend.shared_by_processes:
        logger.info(
            f"populate(processes={processes}): the {connection.dialect} database "
            "cannot be shared by processes; making the keys in this process"
        )
        return 1
    return count


def make_in_processes(
    table: AutoPopulate,
    keys: list[dict[str, Any]],
    jobs: Job | None,
    settings: dict[str, Any],
    processes: int,
) -> Iterator[Any]:
    """Make each of ``keys`` in one of ``processes`` forked workers; yields what
    ``table._populate1`` returned for each key, in order."""
    context = mp.get_context("fork")
    with context.Pool(processes, _start_worker, (table, jobs, settings)) as pool:
        worker_pids = [worker.pid for worker in pool._pool]  # type: ignore[attr-defined]
        try:
            for outcome in pool.imap(_make_one, keys, chunksize=1):
                if isinstance(outcome, _Stopped):
                    raise outcome.error
                yield outcome
        except BaseException as error:  # stop the workers; fail the jobs they were making
            pool.terminate()
            if jobs is not None:
                jobs.fail_reserved(
                    worker_pids,
                    f"{type(error).__name__}: populate stopped while this job was being made",
                )
            raise


class _Stopped:
    """A worker's ``make`` was interrupted (``KeyboardInterrupt``, ``SystemExit``): the parent
    raises the same. (Letting it end the worker would leave the pool waiting forever.)"""

    def __init__(self, error: BaseException):
        self.error = error


def _start_worker(table: Table, jobs: Job | None, settings: dict[str, Any]) -> None:
    """Worker start: remember the task and give the table's connection a backend of its own.
    SIGTERM, sent when the pool is terminated, ends the worker at once (the server rolls its
    transaction back; the parent marks its job failed)."""
    global _task
    _task = (table, jobs, settings)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connection = table._connection
    _inherited.append(connection.backend)
    connection.backend = connection.backend.reopen()


def _make_one(key: dict[str, Any]) -> Any:
    """In a worker: populate one key."""
    assert _task is not None, "worker not started"
    table, jobs, settings = _task
    try:
        return table._populate1(key, jobs, **settings)
    except (KeyboardInterrupt, SystemExit) as error:
        return _Stopped(error)
