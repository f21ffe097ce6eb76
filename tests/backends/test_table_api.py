"""DataJoint 2.x's Table surface on every backend: delete and drop with their guards and
part-integrity rules, delete_quick, update1, validate, insert's argument surface, FreeTable,
a table's relatives, and alter()."""

from __future__ import annotations

import builtins
import warnings

import numpy as np
import pandas as pd
import pytest

import frames as dj
from frames.errors import (
    DataError,
    FetchError,
    FramesError,
    IntegrityError,
    MissingAttributeError,
    MissingDefinitionError,
    TransactionError,
    UnknownAttributeError,
)


@pytest.fixture
def schema(backend_url: str, schema_name: str, monkeypatch):
    monkeypatch.setitem(dj.config, "safemode", False)
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)
        connection.close()


@pytest.fixture
def lab(schema):
    """Ext → Master(.Part referencing Ext), and a two-level Subject → Session chain."""

    @schema
    class Ext(dj.Manual):
        definition = """
        ext_id : int32
        """

    @schema
    class Master(dj.Manual):
        definition = """
        master_id : int32
        """

        class Part(dj.Part):
            definition = """
            -> master
            -> Ext
            """

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(20)
        weight = null : float64
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        note = "" : varchar(40)
        """

    Ext.insert([{"ext_id": 1}, {"ext_id": 2}])
    Master.insert([{"master_id": 1}, {"master_id": 2}, {"master_id": 3}])
    Master.Part.insert(
        [
            {"master_id": 1, "ext_id": 1},
            {"master_id": 2, "ext_id": 1},
            {"master_id": 3, "ext_id": 2},
        ]
    )
    Subject.insert([{"subject_id": i, "name": f"s{i}"} for i in (1, 2, 3)])
    Session.insert(
        [
            {"subject_id": 1, "session": 1},
            {"subject_id": 1, "session": 2},
            {"subject_id": 2, "session": 1},
        ]
    )
    return schema, Ext, Master, Subject, Session


# -- delete -------------------------------------------------------------------------------------


def test_delete_returns_the_tables_own_count(lab):
    _, _, _, Subject, Session = lab
    assert (Subject & {"subject_id": 1}).delete() == 1
    assert len(Session) == 1
    assert (Subject & {"subject_id": 9}).delete() == 0


def test_delete_of_part_rows_without_their_master_is_refused_and_rolled_back(lab):
    _, Ext, Master, _, _ = lab
    with pytest.raises(IntegrityError, match="before its master"):
        (Ext & {"ext_id": 1}).delete()
    assert (len(Ext), len(Master), len(Master.Part)) == (2, 3, 3)
    assert (Ext & {"ext_id": 1}).delete(part_integrity="ignore") == 1
    assert (len(Master), len(Master.Part)) == (3, 1)


def test_part_integrity_cascade_deletes_the_masters_too(lab):
    _, Ext, Master, _, _ = lab
    counts = dj.Diagram.cascade(Ext & {"ext_id": 1}, part_integrity="cascade").counts()
    assert counts[Master.full_table_name] == 2
    assert (Ext & {"ext_id": 1}).delete(part_integrity="cascade") == 1
    assert [r["master_id"] for r in Master.to_dicts()] == [3]
    assert [r["ext_id"] for r in Master.Part.to_dicts()] == [2]


def test_part_delete_follows_part_integrity(lab):
    _, Ext, Master, _, _ = lab
    with pytest.raises(IntegrityError, match="Cannot delete from a Part directly"):
        (Master.Part & {"master_id": 1}).delete()
    with pytest.raises(ValueError, match="part_integrity must be"):
        Master.Part.delete(part_integrity="casade")
    assert (Master.Part & {"master_id": 1}).delete(part_integrity="cascade") == 1
    assert sorted(r["master_id"] for r in Master.to_dicts()) == [2, 3]
    assert (Master.Part & {"master_id": 2}).delete(part_integrity="ignore") == 1
    assert len(Master) == 2 and len(Ext) == 2


def test_delete_inside_a_transaction(lab):
    _, _, _, Subject, Session = lab
    connection = Subject.connection
    with connection.transaction:
        with pytest.raises(TransactionError, match="ongoing transaction"):
            (Subject & {"subject_id": 1}).delete(prompt=True)
        assert (Subject & {"subject_id": 1}).delete(prompt=False) == 1
    assert len(Subject) == 2 and len(Session) == 1


def test_delete_prompt_declined_deletes_nothing(lab, monkeypatch):
    _, _, _, Subject, Session = lab
    monkeypatch.setattr(builtins, "input", lambda question="": "no")
    assert (Subject & {"subject_id": 1}).delete(prompt=True) == 0
    assert len(Subject) == 3 and len(Session) == 3


def test_delete_quick_counts_only_when_asked(lab):
    _, _, _, Subject, Session = lab
    assert (Session & {"session": 2}).delete_quick() is None
    assert (Session & {"subject_id": 2}).delete_quick(get_count=True) == 1
    assert (Subject & {"subject_id": 3}).delete_quick(get_count=True) == 1


# -- a misspelt key does not delete everything (a deliberate difference from DataJoint) ---------


def _typo_restrictions(Subject):
    return [
        Subject & {"subject_idd": 1},  # the class-level fast path
        Subject() & {"subject_idd": 1},
        Subject.restrict({"subject_idd": 1}),
        Subject & [{"subject_id": 1}, {"subject_idd": 2}],  # OR with a vacuous dict: every row
        Subject & dj.AndList([{"subject_idd": 1}]),
        (Subject & {"subject_idd": 1}) & "subject_id > 1",  # remembered through restrictions
        (Subject & "subject_id > 1") & {"subject_idd": 1},
        Subject & {},
        Subject & pd.DataFrame([{"subject_idd": 1}]),
        Subject & np.array([(1,)], dtype=[("subject_idd", "i4")]),
        Subject & np.array([(1,)], dtype=[("subject_idd", "i4")])[0],
    ]


@pytest.mark.parametrize("operation", ["delete", "delete_quick", "drop"])
def test_a_dict_sharing_no_attribute_is_refused_by_delete_and_drop(lab, operation):
    _, _, _, Subject, Session = lab
    for restricted in _typo_restrictions(Subject):
        with pytest.raises(UnknownAttributeError) as error:
            getattr(restricted, operation)()
        message = str(error.value)
        assert f"Subject.{operation}(): Subject is restricted by a dict" in message
        assert "'subject_idd'" in message or "no keys" in message
        assert isinstance(error.value, FramesError)
    assert (len(Subject), len(Session)) == (3, 3) and Subject.is_declared


def test_queries_keep_datajoints_rule_for_extra_and_unknown_keys(lab):
    _, _, _, Subject, Session = lab
    assert len(Subject & {"subject_idd": 1}) == 3  # a query ignores keys that are not attributes
    assert len(Subject - {"subject_idd": 1}) == 0
    assert (Subject - {"subject_idd": 1}).delete() == 0
    key = {"subject_id": 1, "session": 2, "note": "extra attributes of a key are common"}
    assert (Subject & key).delete() == 1  # restricted by the attribute it shares
    assert sorted(r["subject_id"] for r in Subject.to_dicts()) == [2, 3]
    assert [r["subject_id"] for r in Session.to_dicts()] == [2]
    (Session & {"subject_id": 2, "name": "s2"}).delete_quick()
    assert len(Session) == 0


# -- drop ----------------------------------------------------------------------------------------


def test_drop_refuses_a_restricted_table_and_bad_part_integrity(lab):
    _, _, _, Subject, _ = lab
    with pytest.raises(FramesError, match="restriction cannot be dropped"):
        (Subject & {"subject_id": 1}).drop()
    with pytest.raises(ValueError, match="'cascade' applies to delete only"):
        Subject.drop(part_integrity="cascade")
    assert len(Subject) == 3 and Subject.is_declared


def test_drop_of_a_part_or_its_other_parent_needs_the_master(lab):
    _, Ext, Master, _, _ = lab
    with pytest.raises(IntegrityError, match="Cannot drop a Part directly"):
        Master.Part.drop()
    with pytest.raises(FramesError, match="before its master"):
        Ext.drop()
    assert Ext.is_declared and Master.Part.is_declared
    Master.Part.drop(part_integrity="ignore")
    assert not Master.is_declared or "master__part" not in lab[0].list_tables()


def test_drop_asks_with_safemode(lab, monkeypatch):
    schema, _, _, Subject, _ = lab
    monkeypatch.setitem(dj.config, "safemode", True)
    monkeypatch.setattr(builtins, "input", lambda question="": "no")
    Subject.drop()
    assert "subject" in schema.list_tables()
    monkeypatch.setattr(builtins, "input", lambda question="": "yes")
    Subject.drop()
    assert "subject" not in schema.list_tables() and "session" not in schema.list_tables()


# -- update1 -------------------------------------------------------------------------------------


def test_update1_changes_one_row_and_resets_defaults(lab):
    _, _, _, Subject, Session = lab
    Subject.update1({"subject_id": 1, "name": "renamed", "weight": 21.5})
    assert (Subject & {"subject_id": 1}).fetch1() == {
        "subject_id": 1,
        "name": "renamed",
        "weight": 21.5,
    }
    Subject.update1({"subject_id": 1, "weight": None})
    assert (Subject & {"subject_id": 1}).fetch1("weight") is None
    Session.update1({"subject_id": 1, "session": 2, "note": "x"})
    Session.update1({"subject_id": 1, "session": 2, "note": None})
    assert (Session & {"subject_id": 1, "session": 2}).fetch1("note") == ""
    assert (Subject & {"subject_id": 2}).fetch1("name") == "s2"


def test_update1_errors(lab):
    _, _, _, Subject, _ = lab
    with pytest.raises(DataError, match="dict-like"):
        Subject.update1([1, "x"])
    with pytest.raises(MissingAttributeError, match="primary key"):
        Subject.update1({"name": "x"})
    with pytest.raises(UnknownAttributeError, match="'nmae'"):
        Subject.update1({"subject_id": 1, "nmae": "x"})
    with pytest.raises(DataError, match="restricted table"):
        (Subject & {"subject_id": 1}).update1({"subject_id": 1, "name": "x"})
    with pytest.raises(FetchError, match="one existing entry"):
        Subject.update1({"subject_id": 99, "name": "x"})
    with pytest.raises(DataError, match="exceed"):
        Subject.update1({"subject_id": 1, "name": "x" * 30})
    assert (Subject & {"subject_id": 1}).fetch1("name") == "s1"


# -- insert and validate ---------------------------------------------------------------------------


def test_insert_surface(lab):
    _, _, _, Subject, Session = lab
    with pytest.raises(UnknownAttributeError) as error:
        Subject.insert1({"subject_id": 7, "name": "x", "colour": "red"})
    assert isinstance(error.value, KeyError)
    Subject.insert1({"subject_id": 7, "name": "x", "colour": "red"}, ignore_extra_fields=True)
    with pytest.raises(MissingAttributeError, match="Cannot insert empty row"):
        Subject.insert1({})
    with pytest.warns(DeprecationWarning, match="Positional inserts"):
        Subject.insert1((8, "y", None))
    records = np.array([(9, "z", 1.5)], dtype=Subject.heading.as_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        Subject.insert(records)
        Subject.insert([{"subject_id": i, "name": f"c{i}"} for i in range(10, 35)], chunk_size=10)
    assert len(Subject) == 3 + 3 + 25
    with pytest.raises(DataError, match="chunk_size is not supported"):
        Session.insert(Session.proj(), chunk_size=10)


def test_insert_select_of_a_query_whose_key_is_renamed_away(lab):
    _, _, _, Subject, _ = lab
    copies = Subject.proj(..., s="subject_id").proj("name", subject_id="s + 100")
    with pytest.raises(UnknownAttributeError, match="'s'|: s"):
        Subject.insert(copies)
    Subject.insert(copies, ignore_extra_fields=True)
    assert sorted(r["subject_id"] for r in Subject.to_dicts()) == [1, 2, 3, 101, 102, 103]


def test_insert_dataframe(lab):
    _, _, _, Subject, _ = lab
    frame = pd.DataFrame({"name": ["a", "b"]}, index=pd.Index([11, 12], name="subject_id"))
    Subject.insert_dataframe(frame)
    Subject.insert_dataframe(
        Subject.to_pandas().reset_index().assign(subject_id=lambda f: f.subject_id + 100),
        index_as_pk=False,
    )
    assert len(Subject) == 10
    with pytest.raises(DataError, match="do not match"):
        Subject.insert_dataframe(frame.rename_axis("wrong"), index_as_pk=True)
    with pytest.raises(DataError, match="requires a pandas DataFrame"):
        Subject.insert_dataframe([{"subject_id": 1}])


def test_validate(lab):
    _, _, _, Subject, _ = lab
    good = Subject.validate([{"subject_id": 5, "name": "ok"}])
    assert good and good.rows_checked == 1 and "passed" in good.summary()
    bad = Subject.validate(
        [{"name": "no key", "extra": 1}, (1, "short"), {"subject_id": 2**40, "name": "x"}]
    )
    assert not bad and bad.rows_checked == 3
    messages = [message for _, _, message in bad.errors]
    assert any("'subject_id' is missing" in m for m in messages)
    assert any("'extra' not in table heading" in m for m in messages)
    assert any("Incorrect number of attributes" in m for m in messages)
    assert any("out of range" in m for m in messages)
    assert Subject.validate([{"subject_id": 5, "name": "ok", "extra": 1}], ignore_extra_fields=True)
    with pytest.raises(DataError, match="Validation failed"):
        bad.raise_if_invalid()
    assert len(Subject) == 3


# -- FreeTable and relatives ----------------------------------------------------------------------


def test_free_table_and_relatives(lab, backend_name: str):
    schema, Ext, Master, Subject, Session = lab
    quote = "`" if backend_name == "mysql" else '"'
    assert Subject.full_table_name == f"{quote}{schema.database}{quote}.{quote}subject{quote}"
    free = dj.FreeTable(Subject.connection, f"{schema.database}.subject")
    assert len(free) == 3 and repr(free).startswith("FreeTable(")
    assert dj.FreeTable(Subject.connection, Subject.full_table_name).primary_key == ["subject_id"]
    assert Session.parents() == [Subject.full_table_name]
    assert Subject.children(as_objects=True)[0].table_name == "session"
    ((name, info),) = Session.parents(foreign_key_info=True)
    assert info["attr_map"] == {"subject_id": "subject_id"} and info["primary"]
    assert Subject.descendants() == [Subject.full_table_name, Session.full_table_name]
    assert Session.ancestors() == [Session.full_table_name, Subject.full_table_name]
    assert Master.parts() == [Master.Part.full_table_name]
    assert Master.Part.parents(primary=True) == sorted(
        [Ext.full_table_name, Master.full_table_name]
    )
    assert Subject.class_name == "Subject" and dj.Entry is dj.Manual


def test_database_is_read_on_the_class_as_on_an_instance(schema):
    class Undeclared(dj.Manual):
        definition = "undeclared_id : int32"

    assert Undeclared.database is None  # DataJoint's class attribute before decorating

    class Probe(dj.Computed):
        definition = "probe_id : int32"

        class Channel(dj.Part):
            definition = "-> master\nchannel : int16"

        def make(self, key):
            pass

    schema(Probe)
    assert isinstance(schema.database, str)
    assert Probe.database == Probe().database == schema.database
    assert Probe.Channel.database == schema.database


def test_a_missing_definition_is_a_not_implemented_error(schema):
    class Nothing(dj.Manual):
        pass

    with pytest.raises(MissingDefinitionError) as error:
        schema(Nothing)
    assert isinstance(error.value, NotImplementedError)


# -- alter ---------------------------------------------------------------------------------------


def test_alter_secondary_attributes(lab):
    _, _, _, Subject, _ = lab
    original = Subject.definition
    Subject.definition = """
    subject_id : int32
    ---
    full_name : varchar(30)  # {name} renamed
    weight = null : float64
    sex = "U" : enum('F', 'M', 'U')
    """
    Subject.alter(prompt=False)
    assert Subject.heading.names == ["subject_id", "full_name", "weight", "sex"]
    assert (Subject & {"subject_id": 1}).fetch1() == {
        "subject_id": 1,
        "full_name": "s1",
        "weight": None,
        "sex": "U",
    }
    assert Subject.plan.heading["full_name"].type.length == 30
    Subject.definition = original.replace("varchar(20)", "varchar(20)  # {full_name} back")
    Subject.alter(prompt=False)
    assert Subject.heading.names == ["subject_id", "name", "weight"]
    assert Subject.heading["name"].comment == "{full_name} back"  # as DataJoint keeps it
    assert (Subject & {"subject_id": 2}).fetch1("name") == "s2"
    Subject.definition = original.replace("subject_id : int32", "subject_id : int64")
    with pytest.raises(NotImplementedError, match="primary key"):
        Subject.alter(prompt=False)
