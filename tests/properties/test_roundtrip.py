"""Values of every core type come back equal and of the right Python type, on every backend, and
arbitrary strings in inserts and dict restrictions are data, never SQL."""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import frames as dj
from frames.declare.types import parse_type
from frames.testing.asserts import type_problem, values_match
from frames.testing.strategies import (
    AttrDef,
    Declared,
    SchemaDef,
    TableDef,
    sql_literal,
    values_of,
)

#: One nullable attribute of every core type (``c_<name>``), keyed by a running number.
CORE_TYPES = {
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float32": "float32",
    "float64": "float64",
    "bool": "bool",
    "dec": "decimal(5,2)",
    "wide": "decimal(30,10)",
    "char": "char(4)",
    "varchar": "varchar(24)",
    "text": "text",
    "enum": "enum('a', 'it''s', 'ü', 'with space')",
    "date": "date",
    "datetime": "datetime(6)",
    "uuid": "uuid",
    "json": "json",
    "bytes": "bytes",
}
VALUES = SchemaDef(
    (
        TableDef(
            "Value",
            key_attrs=(AttrDef("id", "int32"),),
            attrs=tuple(AttrDef(f"c_{n}", t, True) for n, t in CORE_TYPES.items()),
        ),
    )
)

_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(_TEXT, max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(_TEXT, max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


def _float32(value: float) -> float:
    return float(str(np.float32(value)))


#: (strategy of inserted values, the value expected back) per attribute.
STRATEGIES = {
    "int8": values_of(parse_type("int8")),
    "int16": values_of(parse_type("int16")),
    "int32": values_of(parse_type("int32")),
    "int64": values_of(parse_type("int64")),
    "float32": st.floats(width=32, allow_nan=False, allow_infinity=False).map(
        lambda v: float(np.float32(v))
    ),
    "float64": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "dec": values_of(parse_type("decimal(5,2)")),
    "wide": st.integers(-(10**30) + 1, 10**30 - 1).map(lambda n: decimal.Decimal(f"{n}E-10")),
    "char": st.text(_TEXT, max_size=4).map(lambda s: s.rstrip(" ")),
    "varchar": st.text(_TEXT, max_size=24),
    "text": st.text(_TEXT, max_size=60),
    "enum": st.sampled_from(["a", "it's", "ü", "with space"]),
    "date": values_of(parse_type("date")),
    "datetime": st.datetimes(
        datetime.datetime(1000, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
    ),
    "uuid": st.uuids(),
    "json": _JSON.map(json.dumps),
    "bytes": st.binary(max_size=16),
}
_EXPECTED = {"float32": _float32, "json": json.loads}


@pytest.fixture
def value_table(connection) -> Iterator[Declared]:
    with VALUES.declare(connection) as declared:
        yield declared


@st.composite
def value_rows(draw) -> list[dict]:
    """A few rows of independent values or, one time in four, hundreds of rows repeating the
    values of a few drawn ones (results as large as real ones, where values repeat)."""

    def values() -> dict:
        return {f"c_{n}": draw(st.none() | s) for n, s in STRATEGIES.items()}

    if draw(st.integers(0, 3)):
        ids = draw(st.lists(st.integers(-5, 50), min_size=1, max_size=4, unique=True))
        return [{"id": i, **values()} for i in ids]
    drawn = [values() for _ in range(draw(st.integers(1, 6)))]
    return [
        {"id": i, **drawn[draw(st.integers(0, len(drawn) - 1))]}
        for i in range(draw(st.integers(65, 300)))
    ]


def test_core_types_round_trip(value_table, examples):
    """Inserted values come back equal, with the Python type of their core type; each exact
    value finds its row when used in a dict restriction."""
    table = value_table.classes["Value"]

    exact = [f"c_{n}" for n in CORE_TYPES if n not in ("float32", "float64", "json")]

    @examples
    @given(
        rows=value_rows(),
        probed=st.lists(st.sampled_from(exact), min_size=1, max_size=4, unique=True),
    )
    def check(rows, probed):
        value_table.load({"Value": rows})
        heading = table().plan.heading
        got = {row["id"]: row for row in table().to_dicts()}
        assert set(got) == {row["id"] for row in rows}
        for row in rows:
            back = got[row["id"]]
            for name, value in row.items():
                kind = name[2:]
                expected = _EXPECTED.get(kind, lambda v: v)(value) if value is not None else None
                assert type_problem(back[name], heading[name].type) is None, (
                    f"{name}: {type_problem(back[name], heading[name].type)}"
                )
                if kind == "json":
                    assert back[name] == expected, f"{name}: {value!r} came back {back[name]!r}"
                else:
                    assert values_match(back[name], expected), (
                        f"{name}: {value!r} came back as {back[name]!r}"
                    )
        probe = rows[0]
        for name in probed:
            value = probe[name]
            matches = table() & {name: value}
            found = matches.to_dicts()
            assert probe["id"] in {r["id"] for r in found}, (
                f"{name} = {value!r} does not find its own row"
            )
            same = {
                r["id"] for r in rows if r[name] == value and (value is not None or r[name] is None)
            }
            assert {r["id"] for r in found} == same, f"{name} = {value!r} matches {found}"

    check()


#: Pieces of hostile strings: quotes, backslashes, statement and comment delimiters, LIKE and
#: format wildcards, placeholders, newlines, spaces, non-ASCII letters and an emoji.
_HOSTILE = st.lists(
    st.sampled_from(
        [
            "'",
            "''",
            '"',
            "\\",
            "\\'",
            ";",
            "--",
            "/*",
            "*/",
            "%",
            "%s",
            "_",
            "?",
            "$1",
            ":p0",
            "\n",
            "\t",
            " ",
            "a",
            "B",
            "0",
            "é",
            "中",
            "🙂",
            "DROP TABLE x;",
            "OR 1=1",
            "`",
        ]
    ),
    max_size=6,
).map("".join)
INJECTION = SchemaDef(
    (
        TableDef(
            "Note",
            key_attrs=(AttrDef("name", "varchar(64)"),),
            attrs=(AttrDef("body", "varchar(64)"), AttrDef("n", "int32")),
        ),
    )
)


@pytest.fixture
def notes(connection) -> Iterator[Declared]:
    with INJECTION.declare(connection) as declared:
        yield declared


def test_injection_strings(notes, examples):
    """Hostile strings round-trip exactly through inserts, dict restrictions and string literals,
    and select exactly the rows that hold them."""
    table = notes.classes["Note"]

    @examples
    @given(
        names=st.lists(_HOSTILE, min_size=1, max_size=4, unique=True),
        bodies=st.lists(_HOSTILE | st.text(_TEXT, max_size=8), min_size=4, max_size=4),
        probe=_HOSTILE,
        data=st.data(),
    )
    def check(names, bodies, probe, data):
        rows = [{"name": name, "body": bodies[i], "n": i} for i, name in enumerate(names)]
        notes.load({"Note": rows})
        back = sorted(table().to_dicts(), key=lambda r: r["n"])
        assert back == rows
        values = data.draw(
            st.lists(
                st.sampled_from([*names, *bodies[: len(names)], probe]),
                min_size=1,
                max_size=3,
                unique=True,
            ),
            label="probed",
        )
        for value in values:
            note(f"value {value!r}")
            by_name = table() & {"name": value}
            assert [r["n"] for r in by_name.to_dicts()] == [
                r["n"] for r in rows if r["name"] == value
            ]
            holding = sorted(r["n"] for r in rows if r["body"] == value)
            assert sorted(r["n"] for r in (table() & {"body": value}).to_dicts()) == holding
            assert sorted(r["n"] for r in (table() - {"body": value}).to_dicts()) == sorted(
                r["n"] for r in rows if r["body"] != value
            )
            literal = table() & f"body = {sql_literal(value)}"
            assert sorted(r["n"] for r in literal.to_dicts()) == holding
        assert len(table()) == len(rows), "a query changed the table"

    check()


#: Values of each attribute's own Python type over its whole range and beyond: extremes,
#: NaN and infinities, lone surrogates and NUL characters, years 1 to 9999, any Decimal.
WILD = {
    "int8": st.integers(),
    "int16": st.integers(),
    "int32": st.integers(),
    "int64": st.integers(-(2**70), 2**70),
    "float32": st.floats(),
    "float64": st.floats(),
    "bool": st.booleans(),
    "dec": st.decimals(places=2, allow_nan=True, allow_infinity=True),
    "wide": st.decimals(places=10, min_value=-(10**35), max_value=10**35),
    "char": st.text(max_size=6),
    "varchar": st.text(max_size=30),
    "text": st.text(max_size=60),
    "enum": st.sampled_from(["a", "it's", "ü", "with space"]) | st.text(max_size=3),
    "date": st.dates(),
    "datetime": st.datetimes(),
    "uuid": st.uuids(),
    "json": st.text(max_size=8) | _JSON.map(json.dumps),
    "bytes": st.binary(max_size=40),
}


def _same_value(back: object, sent: object, kind: str) -> bool:
    """``back`` is ``sent`` as its attribute stores it (float32 precision, char's padding)."""
    if (isinstance(sent, float) and sent != sent) or (
        isinstance(sent, decimal.Decimal) and sent.is_nan()
    ):
        return back is None  # NaN is pandas' missing value: NULL
    if kind == "float32":
        return isinstance(back, float) and (
            back == sent
            if sent in (float("inf"), float("-inf"))
            else values_match(back, _float32(sent))
        )
    if kind == "char":
        return back == sent.rstrip(" ")
    if kind == "json":
        return back == json.loads(sent)
    if isinstance(sent, decimal.Decimal) and not sent.is_finite():
        return isinstance(back, decimal.Decimal) and str(back) == str(sent)
    return values_match(back, sent)


def test_any_value_round_trips_or_is_refused_with_a_data_error(value_table, examples):
    """A value of the attribute's own Python type — however extreme — is either stored and read
    back exactly, or refused with ``DataError`` (nothing stored); never another exception. (A
    NaN is the missing value, NULL; infinities are refused on every backend.)"""
    table = value_table.classes["Value"]

    @examples
    @given(kind=st.sampled_from(sorted(WILD)), data=st.data())
    def check(kind, data):
        name = f"c_{kind}"
        value = data.draw(WILD[kind], label=name)
        table().delete_quick()
        try:
            table.insert1({"id": 1, name: value})
        except dj.errors.DataError as error:
            note(f"refused: {error}")
            assert len(table()) == 0, "a refused row was stored"
            return
        back = table.fetch1(name)
        assert _same_value(back, value, kind), f"{name}: {value!r} came back as {back!r}"

    check()
