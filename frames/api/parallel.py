"""Parallel reads: one fetch split over several connections by ranges of the primary key.

``q.to_arrow(parallel=N)`` (and ``to_pandas``, ``to_polars``) reads the smallest and largest
value of the first primary-key attribute of ``q``, cuts that span into ``N`` ranges of equal
width, and reads ``q & (k >= low) & (k < high)`` for each range on a connection of its own, all
at once (as connectorx does); the pieces are concatenated in the order of their ranges, so that
with ``order_by='KEY'`` the whole result is in key order. Every row of ``q`` has one value of
``k``, in exactly one range: the pieces are the result, whatever the plan.

What cannot be split is refused, with :class:`~frames.errors.FetchError`: a result without a
primary key, or whose first key attribute is not a number, date or datetime; a limit or offset
(a ``Top``), or an order other than the key's; a fetch inside a transaction (other connections
do not see its changes). The server's work is shared between its processes, and the parsing of
the pieces between threads (PostgreSQL's CSV text is parsed by Arrow without holding the GIL;
MySQL rows are sliced in Python and gain less); DuckDB runs each query on threads of its own
anyway.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.api.u import U
from frames.errors import FetchError
from frames.plan.nodes import Top
from frames.sql.compile import compile_plan

if TYPE_CHECKING:
    from frames.api.query import QueryExpression

_EPOCH = datetime.datetime(1970, 1, 1)
_MICROSECOND = datetime.timedelta(microseconds=1)

#: category → (value → number, number → value, whether the numbers are integers)
_SCALES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], bool]] = {
    "integer": (int, int, True),
    "date": (datetime.date.toordinal, datetime.date.fromordinal, True),
    "datetime": (
        lambda value: (value - _EPOCH) // _MICROSECOND,
        lambda number: _EPOCH + number * _MICROSECOND,
        True,
    ),
    "decimal": (Decimal, Decimal, False),
    "float": (float, float, False),
}


def read_parallel(
    query: QueryExpression, parallel: Any, order_by: Any, limit: int | None, offset: int | None
) -> pa.Table:
    """The result of ``query`` (as its backend returns it, for :mod:`frames.io.convert`) read
    over ``parallel`` connections; see the module.

    Raises
    ------
    frames.errors.FetchError
        If ``parallel`` is not a positive integer, or the fetch cannot be split.
    """
    where = f"{query._name}: parallel={parallel!r}"
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
        raise FetchError(f"{where}: parallel must be a positive number of connections")
    if parallel == 1:
        return query._arrow(order_by, limit, offset)
    key = _split_attribute(query, where, order_by, limit, offset)
    backend = query.connection.backend
    if backend.in_transaction:
        raise FetchError(
            f"{where}: a parallel read runs on other connections, which do not see the changes "
            "of the open transaction; read without parallel inside a transaction"
        )
    low, high = U().aggr(query, low=f"min({key})", high=f"max({key})").fetch1("low", "high")
    if low is None:  # no rows
        return query._arrow(order_by)
    column = query[key]
    cuts = _cut_points(low, high, parallel, query._plan.heading[key].type.category)
    bounds = [None, *cuts, None]
    pieces = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        piece = query
        if start is not None:
            piece = piece & (column >= start)
        if stop is not None:
            piece = piece & (column < stop)
        pieces.append(piece._ordered(order_by, None, None))
    dialect = query.connection.dialect
    statements = [compile_plan(plan, dialect) for plan in pieces]
    tables = backend.fetch_arrow_parallel(statements, query._plan.heading.arrow_schema())
    return pa.concat_tables(tables)


def _split_attribute(
    query: QueryExpression, where: str, order_by: Any, limit: int | None, offset: int | None
) -> str:
    """The attribute whose ranges split ``query`` (its first key attribute), or the refusal."""
    if limit is not None or offset or isinstance(query.plan, Top):
        raise FetchError(
            f"{where}: a query with a limit or offset (dj.Top) cannot be split into key ranges; "
            "read it without parallel"
        )
    key = query.primary_key
    if not key:
        raise FetchError(
            f"{where}: the result has no primary key to split it by; read it without parallel"
        )
    if order_by is not None and query._top_order(order_by) != [(name, False) for name in key]:
        raise FetchError(
            f"{where}: the pieces of a parallel read come in key order; order_by may only be "
            "'KEY' (or None); sort the result afterwards, or read without parallel"
        )
    category = query._plan.heading[key[0]].type.category
    if category not in _SCALES:
        raise FetchError(
            f"{where}: a parallel read splits the first primary-key attribute, {key[0]!r}, "
            f"into ranges, which needs a number, date or datetime, not {category}; read "
            "without parallel"
        )
    return key[0]


def _cut_points(low: Any, high: Any, parts: int, category: str) -> list[Any]:
    """Up to ``parts - 1`` increasing values in ``(low, high]`` that cut ``[low, high]`` into
    ranges of about equal width (fewer where the span has fewer values)."""
    to_number, to_value, integral = _SCALES[category]
    first, last = to_number(low), to_number(high)
    if integral:
        numbers = [first + (last - first + 1) * i // parts for i in range(1, parts)]
    else:
        numbers = [first + (last - first) * i / parts for i in range(1, parts)]
    return [to_value(n) for n in sorted(set(numbers)) if first < n <= last]
