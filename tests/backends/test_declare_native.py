"""DataJoint's native declarations on every backend: ``auto_increment``, native type spellings,
bools written into integer attributes."""

from __future__ import annotations

import pytest

import frames as dj
from frames.declare.spec import AUTO_INCREMENT
from frames.errors import DuplicateError


@pytest.fixture
def schema(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_auto_increment_numbers_rows_that_omit_it(schema) -> None:
    @schema
    class Event(dj.Manual):
        definition = """
        id : int auto_increment
        ---
        label : varchar(20)
        """

    Event.insert([{"label": "a"}, {"label": "b"}])
    Event.insert1({"label": "c"})
    assert sorted(Event.to_arrays("id").tolist()) == [1, 2, 3]
    assert (Event & {"id": 3}).fetch1("label") == "c"
    assert Event.heading["id"].autoincrement


def test_auto_increment_is_read_back_from_the_database(schema) -> None:
    @schema
    class Counter(dj.Lookup):
        definition = """
        counter_id : int64 auto_increment
        ---
        note = '' : varchar(10)
        """

    stored = schema.stored_spec(Counter._spec.ref)
    assert stored.attribute("counter_id").default == AUTO_INCREMENT
    module = dj.virtual_schema(schema.database, connection=schema.connection)
    assert "counter_id : int64 auto_increment" in module.Counter.definition
    Counter.insert([{"note": "x"}, {"note": "y"}])
    assert sorted(Counter.to_arrays("counter_id").tolist()) == [1, 2]


def test_auto_increment_table_drops_cleanly(schema) -> None:
    @schema
    class Ticket(dj.Manual):
        definition = """
        ticket : smallint auto_increment
        ---
        note : varchar(8)
        """

    Ticket.insert1({"note": "x"})
    Ticket.drop_quick()
    assert "ticket" not in schema.list_tables()

    @schema
    class Ticket(dj.Manual):  # noqa: F811 - declared again after the drop
        definition = """
        ticket : smallint auto_increment
        ---
        note : varchar(8)
        """

    Ticket.insert1({"note": "y"})
    assert Ticket.to_arrays("ticket").tolist() == [1]


def test_bools_into_integer_attributes_are_stored_as_0_and_1(schema) -> None:
    @schema
    class Flag(dj.Lookup):
        definition = """
        id_a : int
        ---
        cond : tinyint
        weight : float
        """
        contents = [(i, i % 4 > i % 3, i % 2 == 0) for i in range(4)]

    rows = Flag.to_dicts(order_by="id_a")
    assert [r["cond"] for r in rows] == [0, 0, 0, 1]
    assert [r["weight"] for r in rows] == [1.0, 0.0, 1.0, 0.0]
    assert all(type(r["cond"]) is int for r in rows)


def test_native_type_spellings_declare(schema) -> None:
    @schema
    class Native(dj.Manual):
        definition = """
        n : int
        ---
        a : tinyint
        b : smallint
        c : integer
        d : bigint unsigned
        e : float
        f : double
        g : year
        h : longblob
        i : decimal
        j : float(30)
        k : int(11) unsigned
        """

    kinds = {a.name: str(a.type) for a in Native.plan.heading}
    assert kinds == {
        "n": "int32",
        "a": "int8",
        "b": "int16",
        "c": "int32",
        "d": "int64",
        "e": "float32",
        "f": "float64",
        "g": "int16",
        "h": "bytes",
        "i": "decimal(10,0)",
        "j": "float64",
        "k": "int64",
    }
    Native.insert1((1, 2, 3, 4, 5, 1.5, 2.5, 2024, b"\x00raw", 7, 3.25, 9))
    row = Native.fetch1()
    assert row["g"] == 2024 and row["h"] == b"\x00raw" and row["j"] == 3.25


def test_a_table_without_key_holds_one_row(schema) -> None:
    @schema
    class Setting(dj.Lookup):
        definition = """
        # the pipeline's one configuration
        ---
        version : varchar(20)
        workers : int32
        """

    assert Setting.primary_key == [] and Setting.heading.names == ["version", "workers"]
    Setting.insert1({"version": "1.0", "workers": 4})
    assert Setting.fetch1() == {"version": "1.0", "workers": 4}
    with pytest.raises(DuplicateError):
        Setting.insert1({"version": "2.0", "workers": 8})
    assert schema.stored_spec(Setting._spec.ref).primary_key == ("_singleton",)
