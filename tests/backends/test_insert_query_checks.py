"""``insert(query)`` checks each value against its target type inside the one statement, as row
inserts check them in Python: a value that does not fit raises ``DataError`` naming the table and
attribute, nothing is inserted, and values at the edge of the type are inserted, on every backend
(DuckDB itself would store an 11-character string in a ``varchar(5)``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

import frames as dj
from frames.errors import DataError

GOOD = {"k": 1, "v": 5, "name": "ok", "d": Decimal("1.5"), "e": "a"}

TOO_BIG = [
    ("v", 32768),
    ("v", -32769),
    ("name", "sixsix"),
    ("name", "ünïcôdé"),
    ("d", Decimal("100")),
    ("d", Decimal("-99.996")),
    ("e", "c"),
    ("e", "A"),
    ("f", 1.5),
    ("f", -0.25),
    ("f", 1e6),
    ("g", 1e39),
    ("g", -1e39),
]
AT_THE_EDGE = [
    ("v", 32767),
    ("v", -32768),
    ("name", "fivef"),
    ("name", "ünïcô"),
    ("d", Decimal("99.994")),
    ("d", Decimal("-99.99")),
    ("e", "b"),
    ("f", 12.0),
    ("f", -32768.0),
    ("g", 1.5),
    ("g", -3.0e38),
]


@pytest.fixture
def tables(backend_url: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(f"frames_insq_{uuid.uuid4().hex[:8]}", connection=connection)

    @schema
    class Source(dj.Manual):
        definition = """
        k : int32
        ---
        v : int32
        name : varchar(20)
        d : decimal(8,3)
        e : varchar(5)
        f = null : float64
        g = null : float64
        """

    @schema
    class Target(dj.Manual):
        definition = """
        k : int32
        ---
        v : int16
        name : varchar(5)
        d : decimal(4,2)
        e : enum('a', 'b')
        f = null : int16
        g = null : float32
        """

    yield Source, Target
    schema.drop(prompt=False)
    connection.close()


@pytest.mark.parametrize(("attribute", "value"), TOO_BIG)
def test_a_value_that_does_not_fit_is_refused_and_nothing_is_inserted(
    tables, attribute: str, value: object
) -> None:
    source, target = tables
    source.delete_quick()
    target.delete_quick()
    source.insert([GOOD, {**GOOD, "k": 2, attribute: value}])
    with pytest.raises(DataError) as raised:
        target.insert(source)
    message = str(raised.value)
    assert "Target.insert(query)" in message and f"'{attribute}'" in message
    assert len(target()) == 0


@pytest.mark.parametrize(("attribute", "value"), AT_THE_EDGE)
def test_a_value_at_the_edge_of_its_type_is_inserted(tables, attribute: str, value: object) -> None:
    source, target = tables
    source.delete_quick()
    target.delete_quick()
    source.insert([GOOD, {**GOOD, "k": 2, attribute: value}])
    target.insert(source)
    stored = (target & {"k": 2}).fetch1(attribute)
    if isinstance(value, Decimal):
        assert stored == round(value, 2)
    elif attribute == "g":  # float32: equal at float32's precision
        assert stored == pytest.approx(value, rel=1e-7)
    else:
        assert stored == value


def test_a_query_whose_own_expression_has_no_value_keeps_its_error(tables) -> None:
    source, target = tables
    source.delete_quick()
    target.delete_quick()
    source.insert([GOOD])
    with pytest.raises(dj.errors.UndefinedValueError, match="v / 0"):
        target.insert(source.proj("name", "d", "e", v="v / 0"))
    assert len(target()) == 0
