"""Auto-population: ``populate()``, ``progress()`` and ``key_source`` for Imported/Computed tables.

``key_source`` is the join of the table's primary-key parents (renamed as the foreign keys say),
projected to their keys. ``populate()`` calls the table's ``make(key)`` for every key of
``key_source`` (restricted by the arguments) that the table does not have yet, each call in its
own transaction: a ``make`` that fails leaves nothing behind.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from frames.api.jobs import record_error, release, reserve
from frames.api.query import QueryExpression
from frames.errors import FramesError

_populating: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "frames_populating", default=frozenset())


@contextmanager
def populating(table_name: str) -> Iterator[None]:
    """Mark ``table_name`` (and its parts) as being filled by ``make()``."""
    token = _populating.set(_populating.get() | {table_name})
    try:
        yield
    finally:
        _populating.reset(token)


def insert_allowed(stored_name: str) -> bool:
    """True while ``make()`` of this table (or, for a part, of its master) is running."""
    names = _populating.get()
    return any(stored_name == n or stored_name.startswith(n + "__") for n in names)


class AutoPopulate:
    """Mixin of :class:`~frames.api.table.Imported` and :class:`~frames.api.table.Computed`."""

    def make(self, key: dict[str, Any]) -> None:
        """Compute and insert the rows for ``key``; subclasses must define it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define make(self, key) to be populated")

    @property
    def jobs(self) -> Any:
        """The hidden jobs table (``~~name``) used by ``populate(reserve_jobs=True)``."""
        from frames.api.jobs import jobs_table

        return jobs_table(self)  # type: ignore[arg-type]

    @property
    def key_source(self) -> QueryExpression:
        """The keys ``populate()`` iterates over: the join of the primary-key parents."""
        from frames.api.schema import table_spec
        from frames.plan.heading import Heading
        from frames.plan.nodes import make_table

        connection = self._connection  # type: ignore[attr-defined]
        source: QueryExpression | None = None
        for fk in self._spec.foreign_keys:  # type: ignore[attr-defined]
            if not fk.in_key:
                continue
            spec = table_spec(connection, fk.parent)
            parent = QueryExpression(make_table(spec.ref, Heading(spec.attributes)), connection)
            renames = {child: parent_attr for child, parent_attr in fk.attr_map
                       if child != parent_attr}
            parent = parent.proj(**renames)
            source = parent if source is None else source * parent
        if source is None:
            raise FramesError(f"{type(self).__name__} has no primary-key parents; define "
                              "key_source to say what populate() should iterate over")
        return source.proj()

    def _pending(self, restrictions: tuple[Any, ...]) -> QueryExpression:
        source = self.key_source
        for restriction in restrictions:
            source = source & restriction
        return source - self

    def populate(self, *restrictions: Any, suppress_errors: bool = False,
                 return_exception_objects: bool = False, reserve_jobs: bool = False,
                 order: str = "original", limit: int | None = None,
                 max_calls: int | None = None, display_progress: bool = False,
                 make_kwargs: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        """Call ``make(key)`` for each missing key of ``key_source & restrictions``.

        Parameters
        ----------
        *restrictions
            Conditions on ``key_source`` (dicts, strings, queries, ...).
        suppress_errors : bool
            Record failures and go on (default: stop at the first and raise it).
        reserve_jobs : bool
            Reserve each key in the table's jobs table first, so that several processes can
            populate the same table; failed keys stay marked as errors there (see ``jobs``).
        order : {'original', 'reverse', 'random'}
            Order in which keys are processed.
        limit, max_calls : int, optional
            Consider at most ``limit`` keys; call ``make`` at most ``max_calls`` times.

        Returns
        -------
        dict
            ``success_count`` and ``error_list`` (``(key, error)`` pairs).
        """
        import random

        if order not in ("original", "reverse", "random"):
            raise ValueError(f"order must be 'original', 'reverse' or 'random', not {order!r}")
        keys = self._pending(restrictions).to_dicts(order_by="KEY", limit=limit)
        if order == "reverse":
            keys.reverse()
        elif order == "random":
            random.shuffle(keys)
        if max_calls is not None:
            keys = keys[:max_calls]
        connection = self._connection  # type: ignore[attr-defined]
        jobs = self.jobs if reserve_jobs else None
        errors: list[tuple[dict[str, Any], Any]] = []
        done = 0
        started = time.monotonic()
        for number, key in enumerate(keys, start=1):
            if jobs is not None and not reserve(jobs, key):
                continue  # another worker has it, or it failed before
            try:
                with connection.transaction, populating(self.table_name):  # type: ignore
                    if self & key:  # filled meanwhile (another process)
                        continue
                    self.make(dict(key), **(make_kwargs or {}))
            except Exception as error:
                if jobs is not None:
                    record_error(jobs, key, error)
                if not suppress_errors:
                    raise
                errors.append((key, error if return_exception_objects else repr(error)))
            else:
                done += 1
                if jobs is not None:
                    release(jobs, key)
            if display_progress:
                elapsed = time.monotonic() - started
                print(f"{type(self).__name__}: {number}/{len(keys)} ({elapsed:.1f} s)")
        return {"success_count": done, "error_list": errors}

    def progress(self, *restrictions: Any, display: bool = True) -> tuple[int, int]:
        """(remaining, total) keys of ``key_source & restrictions``; prints a summary."""
        source = self.key_source
        for restriction in restrictions:
            source = source & restriction
        total = len(source)
        remaining = len(source - self)
        if display:
            percent = 100.0 * (total - remaining) / total if total else 100.0
            print(f"{type(self).__name__:<20} Completed {total - remaining} of {total} "
                  f"({percent:.1f}%)")
        return remaining, total
