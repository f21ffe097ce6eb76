"""The user's calls against the API-level reference (:mod:`frames.testing.api_reference`).

Each example inserts raw rows into :data:`~frames.testing.api_strategies.API_SCHEMA` and reads a
few call descriptions: frames builds each through its public API, the reference interprets the
same description over the rows with its own parsing and conversion, and the two must give the
same attributes, key and rows (in order, where an order is asked for), count, or ``fetch1``
error. The explicit examples pin the boundaries the ci profile must always see: duplicates inside
groups for ``count(distinct)``, BETWEEN bounds equal to stored values, descending orders, enum
order and non-members, datetimes below their precision, renames that swap and chain, and
``fetch1`` of zero, one and two rows.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import example, given, note

import frames as dj
from frames.errors import FetchError
from frames.testing.api_calls import (
    Aggr,
    AllOf,
    Call,
    Fetch,
    Join,
    NotOf,
    Proj,
    Restrict,
    Table,
    TopCall,
    UAggr,
    UDistinct,
    build,
    fetch,
    fetch_text,
    text,
)
from frames.testing.api_reference import (
    Expected,
    Inexact,
    Interpreter,
    NoValue,
    expect,
    read_type,
    stored,
)
from frames.testing.api_strategies import API_CATALOG, API_SCHEMA, ApiCase, api_cases
from frames.testing.strategies import Declared


@pytest.fixture
def api(connection: dj.Connection) -> Iterator[Declared]:
    with API_SCHEMA.declare(connection) as declared:
        yield declared


def stored_rows(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[dict]]:
    """The rows an insert of the raw ``rows`` stores, by the reference's own conversion."""
    out = {}
    for table, table_rows in rows.items():
        columns = API_CATALOG[table]
        out[table] = [
            {c.name: stored(row[c.name], read_type(c.type), c.nullable) for c in columns}
            for row in table_rows
        ]
    return out


def same(actual: Any, expected: Any) -> bool:
    """Equal values of the same Python type; decimals with the same scale; floats within the
    reference's tolerance."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, Inexact):
        return expected.matches(actual)
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, decimal.Decimal):
        return actual == expected and actual.as_tuple().exponent == expected.as_tuple().exponent
    return bool(actual == expected)


def same_row(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    return actual.keys() == expected.keys() and all(same(actual[k], expected[k]) for k in expected)


def unmatched(actual: Sequence[Mapping], expected: Sequence[Mapping]) -> tuple[list, list]:
    """Rows of ``actual`` without a partner in ``expected``, and the other way round."""
    left = list(expected)
    extra = []
    for row in actual:
        index = next((i for i, e in enumerate(left) if same_row(row, e)), None)
        if index is None:
            extra.append(row)
        else:
            del left[index]
    return extra, left


def check(classes: Mapping[str, Any], interpreter: Interpreter, call: Call, how: Fetch) -> None:
    """frames' answer to ``call`` read as ``how`` equals the reference's."""
    context = text(call) + fetch_text(how)
    note(context)
    try:
        expected: Expected = expect(interpreter, call, how)
    except NoValue:
        return
    query = build(call, classes)
    assert set(query.heading.names) == set(expected.names), (
        f"{context}\nattributes {query.heading.names}, reference {expected.names}"
    )
    assert set(query.primary_key) == set(expected.key), (
        f"{context}\nprimary key {query.primary_key}, reference {expected.key}"
    )
    if expected.raises:
        with pytest.raises(FetchError):
            result = fetch(query, how)
            pytest.fail(f"{context}\nreturned {result!r}; the reference has {expected.rows}")
        return
    actual = fetch(query, how)
    if how.kind == "len":
        assert actual == expected.count, f"{context}\nlen {actual}, reference {expected.count}"
        return
    if how.kind == "fetch1":
        assert same_row(actual, expected.rows[0]), f"{context}\n{actual} != {expected.rows[0]}"
        return
    if expected.ordered:
        assert len(actual) == len(expected.rows) and all(
            same_row(a, e) for a, e in zip(actual, expected.rows, strict=True)
        ), f"{context}\nrows in order:\n  frames:    {actual}\n  reference: {expected.rows}"
        return
    extra, missing = unmatched(actual, expected.rows)
    assert not extra and not missing, (
        f"{context}\nunexpected rows: {extra}\nmissing rows: {missing}\n"
        f"frames: {actual}\nreference: {expected.rows}"
    )


def run_case(api: Declared, case: ApiCase) -> None:
    """Insert the case's rows and check every read of it."""
    api.load(case.rows)
    interpreter = Interpreter(API_CATALOG, stored_rows(case.rows))
    for call, how in case.reads:
        check(api.classes, interpreter, call, how)


# -- the boundaries every profile runs -------------------------------------------------------------

_T = datetime.datetime
ROWS = {
    "Item": [
        {
            "item_id": 1,
            "grade": "lo",
            "price": decimal.Decimal("1.005"),  # stored 1.00 (half to even)
            "label": "b",
            "day": "1999-12-31",
            "stamp": _T(2024, 1, 1, 0, 0, 0, 123500),  # stored .124
        },
        {
            "item_id": 2,
            "grade": "mid",
            "price": decimal.Decimal("2.50"),
            "label": None,
            "day": datetime.date(2000, 1, 1),
            "stamp": "1999-12-31 23:59:59.1235",  # stored .123 (PostgreSQL's rule before 2000)
        },
        {
            "item_id": 3,
            "grade": "hi",
            "price": None,
            "label": "a",
            "day": None,
            "stamp": None,
        },
    ],
    "Event": [  # duplicates inside item 1's group
        {"item_id": 1, "seq": 0, "amount": 5, "level": "b", "note": "x", "at": None, "cost": None},
        {
            "item_id": 1,
            "seq": 1,
            "amount": 5,
            "level": "b",
            "note": "x",
            "at": _T(2000, 1, 1, 0, 0, 0, 500000),  # stored 00:00:01
            "cost": decimal.Decimal("2.5"),
        },
        {
            "item_id": 1,
            "seq": 2,
            "amount": 7,
            "level": "a'x",
            "note": None,
            "at": _T(1999, 12, 31, 23, 59, 59, 500000),  # stored 23:59:59 (PostgreSQL's rule)
            "cost": decimal.Decimal("2.5"),
        },
        {
            "item_id": 2,
            "seq": 0,
            "amount": None,
            "level": "c",
            "note": "y",
            "at": None,
            "cost": decimal.Decimal("-1.0"),
        },
    ],
    "Review": [
        {"item_id": 1, "reviewer": "ann", "stars": 3, "moment": _T(2024, 5, 5, 5, 5, 5, 5)},
        {"item_id": 1, "reviewer": "bob", "stars": 3, "moment": None},
    ],
}
ITEM, EVENT = Table("Item"), Table("Event")
BOUNDARY_READS: tuple[tuple[Call, Fetch], ...] = (
    # count(distinct) with duplicates in a group; count vs count(distinct) of one attribute
    (
        Aggr(
            ITEM,
            EVENT,
            (
                ("n", "count(amount)"),
                ("d", "count(distinct amount)"),
                ("l", "count(DISTINCT level)"),
            ),
        ),
        Fetch(),
    ),
    (UAggr(("level",), EVENT, (("d", "count(distinct amount)"), ("s", "sum(cost)"))), Fetch()),
    (UAggr((), EVENT, (("m", "min(level)"), ("x", "max(at)"), ("v", "stddev(amount)"))), Fetch()),
    # BETWEEN bounds equal to stored values (inclusive on both ends), NOT BETWEEN
    (Restrict(EVENT, "amount BETWEEN 5 AND 7"), Fetch()),
    (Restrict(EVENT, "cost NOT BETWEEN -1.0 AND 2.5"), Fetch()),
    (Restrict(ITEM, "day BETWEEN '1999-12-31' AND '2000-01-01'"), Fetch()),
    (Restrict(ITEM, "5 > item_id AND price >= 1.00"), Fetch()),
    # descending orders, with limits and offsets; NULLs last descending
    (TopCall(ITEM, 2, "KEY DESC", 0), Fetch()),
    (TopCall(ITEM, 1, "price DESC", 1), Fetch()),
    (ITEM, Fetch("ordered", ("label DESC", "item_id"), None, 0)),
    (EVENT, Fetch("ordered", "item_id desc, seq", 2, 1)),
    # enums: declaration order when ordering, text when comparing, non-members match nothing
    (ITEM, Fetch("ordered", "grade", None, 0)),
    (TopCall(EVENT, 2, "level DESC", 0), Fetch()),
    (Restrict(ITEM, "grade < 'lo'"), Fetch()),
    (Restrict(ITEM, {"grade": "zz"}), Fetch()),
    (Restrict(ITEM, {"grade": "zz"}, negate=True), Fetch()),
    (Restrict(ITEM, "grade IN ('zz', 'hi')"), Fetch()),
    (Restrict(ITEM, "grade <> 'zz'"), Fetch()),
    # datetimes restricted by the inserted (unrounded) value, as a value and as text
    (Restrict(ITEM, {"stamp": _T(2024, 1, 1, 0, 0, 0, 123500)}), Fetch()),
    (Restrict(ITEM, {"stamp": "1999-12-31 23:59:59.1235"}), Fetch()),
    (Restrict(EVENT, "at = '2000-01-01 00:00:00.5'"), Fetch()),
    (Restrict(EVENT, [{"at": _T(1999, 12, 31, 23, 59, 59, 500000)}, "at IS NULL"]), Fetch()),
    # projections: swaps, chains, one attribute renamed twice, then read by the new names
    (Proj(ITEM, ("...",), (("label", "grade"), ("grade", "label"))), Fetch()),
    (
        Restrict(Proj(ITEM, (), (("label", "grade"), ("grade", "label"))), {"label": "lo"}),
        Fetch(),
    ),
    (Proj(EVENT, ("note",), (("n9", "amount"), ("amount", "level"))), Fetch()),
    (Proj(EVENT, (), (("a1", "amount"), ("a2", "amount"))), Fetch()),
    (Proj(ITEM, ("-price",), (("key2", "item_id"),)), Fetch("ordered", "KEY DESC", 2, 0)),
    # fetch1 of two, zero and one rows
    (Restrict(ITEM, "item_id < 3"), Fetch("fetch1")),
    (Restrict(ITEM, {"item_id": 99}), Fetch("fetch1")),
    (Restrict(ITEM, {"item_id": 1}), Fetch("fetch1")),
    # list, AndList and Not arguments; semijoin and antijoin
    (Restrict(ITEM, AllOf(({"grade": "lo"}, NotOf("label IS NULL")))), Fetch("len")),
    (Restrict(ITEM, Restrict(EVENT, {"amount": 5}), negate=True), Fetch()),
    (Join(ITEM, Restrict(Table("Review"), "stars >= 3")), Fetch()),
    (UDistinct(("amount", "level"), EVENT), Fetch()),
    # the same shape twice with other literals (the compile cache)
    (Restrict(EVENT, "amount = 5"), Fetch("len")),
    (Restrict(EVENT, "amount = 7"), Fetch("len")),
)
BOUNDARIES = ApiCase(ROWS, BOUNDARY_READS)


def test_calls_match_the_api_reference(api: Declared, examples) -> None:
    @examples
    @given(case=api_cases())
    @example(case=BOUNDARIES)
    def run(case: ApiCase) -> None:
        run_case(api, case)

    run()
