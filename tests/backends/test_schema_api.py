"""``dj.Schema`` as DataJoint 2.x has it, on every backend: activation, existence, the tables
it lists and spawns, references to ``self`` and ``master.X``, inherited parts, lineage."""

from __future__ import annotations

import uuid

import pytest

import frames as dj
from frames.api.datajoint_declare import declare
from frames.api.lineage_catalog import (
    delete_table_lineages,
    get_lineage,
    get_table_lineages,
    insert_lineages,
)
from frames.errors import DefinitionError, FramesError, MissingTableError


@pytest.fixture
def connection(backend_url: str):
    connection = dj.connect(backend_url)
    yield connection
    connection.close()


@pytest.fixture
def schema(connection, schema_name: str):
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)


def _lab(schema) -> dict[str, type]:
    """Subject <- Session <- Session.Trial, and a Lookup whose contents is a property."""

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial : int16
            """

    @schema
    class Kind(dj.Lookup):
        definition = """
        kind : varchar(8)
        """

        @property
        def contents(self):
            return [("a",), ("b",)]

    return {"Subject": Subject, "Session": Session, "Kind": Kind}


def test_a_schema_without_name_declares_its_classes_when_activated(connection, schema_name):
    schema = dj.Schema()
    assert not schema.is_activated()
    with pytest.raises(FramesError, match="activated first"):
        _ = schema.exists
    with pytest.raises(FramesError, match="activated first"):  # not an AttributeError of None
        schema.stored_specs()

    @schema
    class Item(dj.Manual):
        definition = """
        item : int32
        """

    assert Item._spec is None  # waits for activate()
    schema.activate(schema_name, connection=connection)
    try:
        assert schema.exists and schema.is_activated()
        Item.insert1({"item": 1})
        assert len(Item) == 1
        schema.activate(schema_name)  # the same name again: nothing to do
        with pytest.raises(FramesError, match="already activated"):
            schema.activate(schema_name + "_other")
    finally:
        schema.drop(prompt=False)
    assert not schema.exists
    schema.drop(prompt=False)  # a schema that is gone: nothing to do


def test_missing_schema_or_table_is_an_error_when_told_not_to_create(connection, schema_name):
    with pytest.raises(MissingTableError, match="create_schema=True"):
        dj.Schema(schema_name, connection=connection, create_schema=False)
    schema = dj.Schema(schema_name, connection=connection, create_tables=False)
    try:

        class Item(dj.Manual):
            definition = "item : int32"

        with pytest.raises(MissingTableError, match="create_tables=False"):
            schema(Item)
    finally:
        schema.drop(prompt=False)


def test_tables_are_listed_parents_first_and_found_by_either_name(schema) -> None:
    _lab(schema)
    tables = schema.list_tables()
    assert set(tables) == {"subject", "session", "session__trial", "#kind"}
    assert tables.index("subject") < tables.index("session") < tables.index("session__trial")
    assert "Session" in schema and "session__trial" in schema and "kind" in schema
    assert "Nothing" not in schema
    assert schema.database in dj.list_schemas(schema.connection)


def test_make_classes_spawns_the_tables_no_class_stands_for(schema) -> None:
    lab = _lab(schema)
    into = {"Subject": lab["Subject"]}
    schema.make_classes(into=into)
    assert set(into) == {"Subject", "Session", "Kind"} and into["Subject"] is lab["Subject"]
    assert into["Session"] is not lab["Session"]
    assert issubclass(into["Session"], dj.Manual) and issubclass(into["Kind"], dj.Lookup)
    assert issubclass(into["Session"].Trial, dj.Part)
    assert into["Kind"].to_dicts(order_by="kind") == [{"kind": "a"}, {"kind": "b"}]
    module = dj.VirtualModule(
        "lab", schema.database, connection=schema.connection, add_objects={"extra": 1}
    )
    assert module.extra == 1 and module.schema.database == schema.database
    assert module.Session.Trial.primary_key == ["subject_id", "session", "trial"]
    assert isinstance(
        dj.virtual_schema(schema.database, connection=schema.connection), dj.VirtualModule
    )


def test_part_tables_are_inherited_and_refer_to_self_and_master(schema) -> None:
    class A(dj.Manual):
        definition = """
        a_id : int32
        """

    class B(dj.Manual):
        source = None
        definition = """
        -> self.source
        b_id : int32
        """

        class H(dj.Part):
            definition = """
            -> master
            name : varchar(16)
            """

        class C(dj.Part):
            definition = """
            -> master
            -> master.H
            """

    class D(B):
        source = A

    schema(A)
    schema(D)
    assert D.primary_key == ["a_id", "b_id"]
    assert D.C.table_name == "d__c" and D.C.primary_key == ["a_id", "b_id", "name"]
    assert "Table definition:" in D.__doc__ and "b_id : int32" in D.__doc__
    with pytest.raises(DefinitionError, match="master only"):
        schema(D.H)


def test_table_names_are_checked(schema) -> None:
    class Short_Name(dj.Manual):
        definition = "id : int32"

    with pytest.warns(UserWarning, match="contains underscores"):
        schema(Short_Name)
    assert Short_Name.table_name == "short_name"

    class WhyWouldAnyoneCreateATableNameThisLong(dj.Manual):
        definition = "master : int32"

        class WithSuchALongPartNameThatItCrashesMySQL(dj.Part):
            definition = "-> master"

    with pytest.raises(DefinitionError, match="exceeds the max length of 64"):
        schema(WhyWouldAnyoneCreateATableNameThisLong)


def test_declare_gives_the_ddl_of_a_definition(schema) -> None:
    lab = _lab(schema)
    session = lab["Session"]
    dialect = schema.connection.sql_dialect
    sql, _, key, fk_map, _, _ = declare(
        session.full_table_name, session.definition, lab, schema.connection
    )
    assert "FOREIGN KEY" in sql or not dialect.declares_foreign_keys
    assert key == ["subject_id", "session"]
    assert fk_map["subject_id"][1] == "subject_id"
    assert sql == declare(session.full_table_name, session.definition, lab, dialect)[0]


def test_lineage_records_are_read_repaired_and_rebuilt(schema) -> None:
    lab = _lab(schema)
    connection, database = schema.connection, schema.database
    if not schema.lineage_table_exists:  # DuckDB: lineage comes from the foreign keys alone
        assert schema.lineage == {}
        schema.rebuild_lineage()
        return
    origin = f"{database}.subject.subject_id"
    assert get_lineage(connection, database, "session", "subject_id") == origin
    assert schema.lineage[f"{database}.session__trial.trial"] == (
        f"{database}.session__trial.trial"
    )
    delete_table_lineages(connection, database, "session")
    insert_lineages(connection, database, [("session", "subject_id", "stale.stale.stale")])
    assert get_table_lineages(connection, database, "session") == {
        "subject_id": "stale.stale.stale"
    }
    schema(lab["Session"], context=lab)  # a key attribute without a record: all are rewritten
    assert get_lineage(connection, database, "session", "subject_id") == origin
    insert_lineages(connection, database, [("session", "subject_id", "stale.stale.stale")])
    schema(lab["Session"], context=lab)  # a complete record set, even a stale one, is left alone
    assert get_lineage(connection, database, "session", "subject_id") == "stale.stale.stale"
    schema.rebuild_lineage()
    healthy = {"subject_id": origin, "session": f"{database}.session.session"}
    assert get_table_lineages(connection, database, "session") == healthy
    delete_table_lineages(connection, database, "session")
    schema(lab["Session"], context=lab)  # decorating the class again restores lost records
    assert get_table_lineages(connection, database, "session") == healthy


def test_dropping_is_refused_without_confirmation(schema, monkeypatch) -> None:
    monkeypatch.setattr("builtins.input", lambda question: "no")
    schema.drop(prompt=True)
    assert schema.exists


def test_schema_names_are_strings() -> None:
    with pytest.raises(FramesError, match="must be a string"):
        dj.Schema(uuid.uuid4())  # type: ignore[arg-type]


def test_classes_no_activated_schema_declared_fail_on_first_use() -> None:
    class Loose(dj.Manual):
        definition = "a : int32"

    waiting = dj.Schema()

    @waiting
    class Waiting(dj.Manual):
        definition = "a : int32"

    for table in (Loose(), Waiting()):  # instances can be made, as in DataJoint
        for use in ("heading", "primary_key", "full_table_name"):
            with pytest.raises(MissingTableError, match="is not properly configured"):
                getattr(table, use)
        with pytest.raises(MissingTableError, match="is not properly configured"):
            table.describe()  # was an AttributeError of the missing spec
