"""Assertions for differential tests: a query's result against the reference evaluator's.

:func:`assert_matches_reference` runs a query on its backend and evaluates its plan with
:func:`frames.testing.reference.evaluate` over the same rows, then checks that the two agree as
multisets of rows, with the same attribute names (in order), the same primary key and the Python
types frames promises (``int``, ``Decimal`` with the attribute's scale, ``bool``, ``str``, ``date``,
``float`` within a tolerance), and that ``len()`` and ``bool()`` agree with the rows.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping, Sequence
from typing import Any

from frames.declare.types import CoreType
from frames.errors import UndefinedValueError
from frames.plan.heading import Heading
from frames.testing.reference import Approx, ReferenceError, Relation, Tables, evaluate

_PYTHON_TYPES: dict[str, type] = {
    "integer": int,
    "float": float,
    "decimal": decimal.Decimal,
    "bool": bool,
    "string": str,
    "date": datetime.date,
    "datetime": datetime.datetime,
}


def fetch(query: Any) -> Relation:
    """The result of ``query`` as a :class:`Relation` (names, primary key, rows)."""
    return Relation(tuple(query.heading.names), tuple(query.primary_key), query.to_dicts())


def type_problem(value: Any, core: CoreType) -> str | None:
    """Why ``value`` is not a Python value of ``core`` as frames returns it (None: it is)."""
    if value is None:
        return None
    expected = _PYTHON_TYPES.get(core.category)
    if expected is None:
        return None
    if type(value) is not expected:
        return f"{value!r} is a {type(value).__name__}, expected {expected.__name__} for {core}"
    if core.category == "decimal" and core.scale is not None and isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent
        if exponent != -core.scale:
            return f"{value!r} does not have the {core.scale} decimal places of {core}"
    return None


def values_match(actual: Any, expected: Any) -> bool:
    """Equal as frames promises: same type and value; floats within the reference tolerance."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, Approx):
        return expected.matches(actual)
    if isinstance(expected, float):
        return isinstance(actual, float) and abs(actual - expected) <= 1e-9 * max(
            1.0, abs(expected)
        )
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, decimal.Decimal):
        return actual == expected and actual.as_tuple().exponent == expected.as_tuple().exponent
    return bool(actual == expected)


def _rows_match(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    return actual.keys() == expected.keys() and all(
        values_match(actual[k], expected[k]) for k in expected
    )


def multiset_difference(
    actual: Sequence[Mapping[str, Any]], expected: Sequence[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(rows of ``actual`` not matched in ``expected``, rows of ``expected`` not matched)."""
    unmatched = list(expected)
    extra = []
    for row in actual:
        for index, candidate in enumerate(unmatched):
            if _rows_match(row, candidate):
                del unmatched[index]
                break
        else:
            extra.append(row)
    return extra, unmatched


def assert_relations_equal(
    actual: Relation, expected: Relation, heading: Heading | None = None, context: str = ""
) -> None:
    """Same names (in order), primary key, and rows as multisets (with types)."""
    where = f"{context}\n" if context else ""
    assert actual.names == expected.names, (
        f"{where}attribute names {actual.names} != reference {expected.names}"
    )
    assert set(actual.primary_key) == set(expected.primary_key), (
        f"{where}primary key {actual.primary_key} != reference {expected.primary_key}"
    )
    if heading is not None:
        for row in actual.rows:
            for attr in heading:
                problem = type_problem(row[attr.name], attr.type)
                assert problem is None, f"{where}attribute {attr.name!r}: {problem}"
                assert attr.nullable or row[attr.name] is not None, (
                    f"{where}attribute {attr.name!r} is not nullable but is NULL in {row}"
                )
    extra, missing = multiset_difference(actual.rows, expected.rows)
    assert not extra and not missing, (
        f"{where}result differs from the reference:\n  unexpected rows: {extra}\n"
        f"  missing rows: {missing}\n  actual: {actual.rows}\n  reference: {expected.rows}"
    )


def assert_matches_reference(
    query: Any, tables: Tables, context: str = "", counts: bool = True
) -> Relation | None:
    """Check ``query`` against the reference over ``tables``; returns the reference result.

    When the reference finds that the query has no value (division by zero, overflow, ...), the
    backend raises :class:`~frames.errors.UndefinedValueError` — or returns rows: engines need
    not evaluate every expression the reference does (a condition on other attributes may drop
    the row first) — and ``None`` is returned.
    """
    try:
        expected = evaluate(query.plan, tables)
    except ReferenceError as undefined:
        try:
            query.to_dicts()
        except UndefinedValueError:
            pass
        except Exception as error:
            raise AssertionError(
                f"{context}\nthe reference finds no value ({undefined}); the backend raised "
                f"{type(error).__name__} instead of UndefinedValueError: {error}"
            ) from error
        return None
    actual = fetch(query)
    assert_relations_equal(actual, expected, query.plan.heading, context)
    if counts:
        assert len(query) == len(expected.rows), (
            f"{context}\nlen() is {len(query)}, the reference has {len(expected.rows)} rows"
        )
        assert bool(query) == bool(expected.rows), f"{context}\nbool() disagrees"
    return expected
