"""The write path against the API-level reference: what an insert stores, refuses and finds.

Rows of :data:`~frames.testing.api_strategies.WRITE_SCHEMA` (every integer width, a decimal,
text, an enum, datetimes of every precision 0..6) are inserted as a batch of dicts, as tuples or
one by one. A row with a value outside its type's domain raises :class:`DataError` and changes
nothing; otherwise every value comes back exactly as the reference stores it (datetimes rounded
to their precision as PostgreSQL rounds, decimals half to even to their scale), and restricting
by the inserted value — a ``datetime``, its ISO text, a SQL literal — finds the rows that hold
it. The reference's rounding is checked against PostgreSQL's own ``CAST(... AS timestamp(p))``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import assume, example, given, note
from hypothesis import strategies as st

import frames as dj
from frames.declare.values import round_datetime, round_timestamps
from frames.errors import DataError
from frames.testing.api_reference import OutOfDomain, read_type, round_moment, stored
from frames.testing.api_strategies import WRITE_CATALOG, WRITE_SCHEMA, datetimes, write_rows
from frames.testing.strategies import Declared

COLUMNS = WRITE_CATALOG["Sample"]
TYPES = {c.name: read_type(c.type) for c in COLUMNS}
DATETIMES = tuple(c.name for c in COLUMNS if TYPES[c.name].kind == "datetime")
#: A row present before each insert, which a refused insert must leave alone.
BEFORE = {"id": 99, **{c.name: None for c in COLUMNS[1:]}, "t3": datetime.datetime(2020, 1, 1)}


@pytest.fixture
def sample(connection: dj.Connection) -> Iterator[Declared]:
    with WRITE_SCHEMA.declare(connection) as declared:
        yield declared


def expected_row(row: dict[str, Any]) -> dict[str, Any]:
    """What the reference stores for ``row`` (raises OutOfDomain if it must be refused)."""
    return {c.name: stored(row.get(c.name), TYPES[c.name], c.nullable) for c in COLUMNS}


def insert(table: Any, rows: Sequence[dict[str, Any]], form: str) -> None:
    if form == "batch":
        table.insert(rows)
    elif form == "tuples":
        table.insert([tuple(row[c.name] for c in COLUMNS) for row in rows])
    else:
        for row in rows:
            table.insert1(row)


def by_id(rows: Sequence[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def check_found(table: Any, rows: list[dict], content: list[dict], row: int, column: int) -> None:
    """Restricting by the raw value of one inserted datetime finds the rows that hold it."""
    raw = rows[row % len(rows)]
    name = DATETIMES[column % len(DATETIMES)]
    value = raw[name]
    if value is None:
        return
    wanted = round_moment(
        value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value),
        TYPES[name].precision,
    )
    expected = sorted(r["id"] for r in content if r[name] == wanted)
    text = value if isinstance(value, str) else value.isoformat(sep=" ")
    restrictions = [{name: value}, f"{name} = '{text}'", f"{name} BETWEEN '{text}' AND '{text}'"]
    if isinstance(value, datetime.datetime):
        restrictions.append(getattr(table, name) == value)
    for restriction in restrictions:
        found = sorted(r["id"] for r in (table & restriction).to_dicts())
        assert found == expected, f"Sample & {restriction!r}: ids {found}, expected {expected}"


_M = datetime.datetime
#: Ties of every precision on both sides of 2000-01-01, in every column at once.
TIES = [
    {
        "id": 1,
        **{n: _M(2024, 1, 1, 0, 0, 0, 555555) for n in DATETIMES},
        "t3": _M(2024, 1, 1, 0, 0, 0, 123500),
    },
    {
        "id": 2,
        **{n: "1999-12-31 23:59:59.555555" for n in DATETIMES},
        "t0": "1999-12-31 23:59:59.5",
    },
    {"id": 3, **{n: _M(1999, 12, 31, 23, 59, 59, 500000) for n in DATETIMES}},
]


def test_inserts_store_refuse_and_find_as_the_reference(sample: Declared, examples) -> None:
    table = sample.classes["Sample"]()

    @examples
    @given(
        rows=write_rows(),
        form=st.sampled_from(["batch", "tuples", "insert1"]),
        row=st.integers(0, 3),
        column=st.integers(0, 6),
    )
    @example(
        rows=[{**{c.name: None for c in COLUMNS[1:]}, **r} for r in TIES],
        form="batch",
        row=0,
        column=3,
    )
    @example(
        rows=[{**{c.name: None for c in COLUMNS[1:]}, **r} for r in TIES],
        form="insert1",
        row=1,
        column=0,
    )
    @example(
        rows=[{**{c.name: None for c in COLUMNS[1:]}, **r} for r in TIES],
        form="tuples",
        row=2,
        column=0,
    )
    def run(rows: list[dict[str, Any]], form: str, row: int, column: int) -> None:
        sample.load({"Sample": [BEFORE]})
        content = [expected_row(BEFORE)]
        batches = [[r] for r in rows] if form == "insert1" else [rows]
        for batch in batches:
            try:
                expected = [expected_row(r) for r in batch]
            except OutOfDomain as error:
                note(f"refused: {error}")
                with pytest.raises(DataError):
                    insert(table, batch, form)
            else:
                insert(table, batch, form)
                content += expected
            actual = by_id(table.to_dicts())
            assert actual == by_id(content), f"{form} insert of {batch}"
        check_found(
            table, [r for r in rows if r["id"] in by_id(content)] or [BEFORE], content, row, column
        )

    run()


# -- the rounding rule itself ----------------------------------------------------------------------


@given(moments=st.lists(datetimes(), min_size=1, max_size=8), digits=st.integers(0, 6))
def test_frames_rounds_datetimes_as_the_reference(moments: list[datetime.datetime], digits: int):
    """frames' value-by-value and Arrow roundings agree with the reference's."""
    try:
        expected = [round_moment(m, digits) for m in moments]
    except OutOfDomain:
        with pytest.raises(ValueError):
            [round_datetime(m, digits) for m in moments]
        assert round_timestamps(pa.array(moments, pa.timestamp("us")), digits) is None
        return
    assert [round_datetime(m, digits) for m in moments] == expected
    assert round_timestamps(pa.array(moments, pa.timestamp("us")), digits).to_pylist() == expected


@pytest.mark.backends("postgres")
def test_the_reference_rounds_as_postgresql(connection: dj.Connection, examples) -> None:
    """PostgreSQL's own ``timestamp(p)`` cast is the rule the reference implements."""

    @examples
    @given(moment=datetimes(), digits=st.integers(0, 6))
    @example(moment=_M(1999, 12, 31, 23, 59, 59, 500000), digits=0)
    @example(moment=_M(2000, 1, 1, 0, 0, 0, 123500), digits=3)
    @example(moment=_M(1000, 1, 1, 0, 0, 0, 5), digits=5)
    def run(moment: datetime.datetime, digits: int) -> None:
        try:
            expected = round_moment(moment, digits)
        except OutOfDomain:
            assume(False)
        cursor = connection.query(f"SELECT CAST(%s AS timestamp({digits}))", (moment,))
        assert cursor.fetchone()[0] == expected

    run()
