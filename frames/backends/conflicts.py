"""Conflicts between concurrent transactions, and running the loser again.

A deadlock (MySQL/MariaDB 1213, PostgreSQL 40P01), a serialisation failure (PostgreSQL 40001), a
lock wait that timed out (MySQL 1205, PostgreSQL 55P03) or a write-write conflict (DuckDB's
``TransactionException: ... Conflict ...``) means that the database gave up on a statement or a
whole transaction because another one got in its way. Running it again usually succeeds. The
backends raise :class:`~frames.errors.TransactionConflictError` for these and retry single
statements outside transactions themselves; :func:`retry_conflicts` runs a whole transaction
again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb
import pymysql

from frames.errors import TransactionConflictError

T = TypeVar("T")
logger = logging.getLogger("frames")

#: How many times an operation that conflicts is run in all (the first run included).
ATTEMPTS = 8
#: The longest wait between two runs, in seconds.
MAX_DELAY = 2.0
_FIRST_DELAY = 0.02

_POSTGRES_CODES = frozenset({"40001", "40P01", "55P03"})
_MYSQL_ERRNOS = frozenset({1205, 1213})


def is_conflict(exc: BaseException) -> bool:
    """True if the driver error ``exc`` (psycopg2, pymysql, duckdb) reports a conflict with a
    concurrent transaction, after which running the work again may succeed."""
    code = getattr(exc, "pgcode", None)
    if code is not None:
        return code in _POSTGRES_CODES
    if isinstance(exc, pymysql.Error):
        return bool(exc.args) and exc.args[0] in _MYSQL_ERRNOS
    if isinstance(exc, duckdb.TransactionException):
        # "write-write conflict", "Conflict on tuple deletion", and at COMMIT "Failed to
        # commit: PRIMARY KEY or UNIQUE constraint violation" (a key inserted meanwhile)
        message = str(exc).lower()
        return "conflict" in message or "constraint violation" in message
    return False


def backoff(attempt: int) -> float:
    """Seconds to wait after failed run ``attempt`` (1, 2, ...): exponential from 20 ms up to
    :data:`MAX_DELAY`, with full jitter so that the workers that collided do not meet again."""
    return random.uniform(0, min(MAX_DELAY, _FIRST_DELAY * 2**attempt))


def retry_conflicts(operation: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """Run ``operation`` (a whole transaction, or work outside one) until it does not conflict,
    at most ``attempts`` times, waiting :func:`backoff` between runs.

    Raises
    ------
    frames.errors.TransactionConflictError
        If the last run conflicted too.
    """
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except TransactionConflictError as error:
            if attempt == attempts:
                raise
            logger.debug(f"{what}: conflict with a concurrent transaction, retrying: {error}")
            time.sleep(backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
