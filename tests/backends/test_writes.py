"""Inserts and deletes on every backend: inputs, options, errors, atomicity, cascades, drops.

Every test gets a fresh schema (``schema_name``, dropped afterwards) holding three levels of
tables, Subject → Session → Trial, and checks the database's contents before and after.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import frames as dj
from frames.declare.spec import TableRef
from frames.errors import (
    DataError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    UnknownAttributeError,
)

SUBJECTS = [
    {"subject_id": 1, "species": "mouse", "name": "Ada", "weight": Decimal("20.50"), "age": 3},
    {"subject_id": 2, "species": "rat", "name": "Bo", "weight": None, "age": 7},
    {"subject_id": 3, "species": "mouse", "name": "Cy", "weight": Decimal("999.99"), "age": -4},
]


@pytest.fixture
def conn(backend_url: str, schema_name: str) -> Iterator[dj.Connection]:
    """A connection, closed before ``schema_name`` drops the test's schema."""
    connection = dj.connect(backend_url)
    yield connection
    connection.close()


@pytest.fixture
def lab(conn: dj.Connection, schema_name: str) -> Iterator[SimpleNamespace]:
    """Subject → Session → Trial in a fresh schema (dropped afterwards)."""
    schema = dj.Schema(schema_name, connection=conn)
    context: dict[str, object] = {}

    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        species : enum('mouse', 'rat')
        name : varchar(8)
        weight = null : decimal(5,2)
        age : int8
        """

    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        note = '' : varchar(20)
        """

    class Trial(dj.Manual):
        definition = """
        -> Session
        trial : int32
        ---
        score = null : float64
        """

    class Log(dj.Manual):
        definition = """
        log_id : int32
        ---
        -> [nullable] Subject
        entry : varchar(20)
        stamp = CURRENT_TIMESTAMP : datetime
        """

    for table in (Subject, Session, Trial, Log):
        schema(table, context=context)
        context[table.__name__] = table
    yield SimpleNamespace(
        schema=schema, conn=conn, Subject=Subject, Session=Session, Trial=Trial, Log=Log
    )
    if conn.in_transaction:  # a failed test must not keep locks that block the schema's drop
        conn.backend.rollback()


def rows(table) -> list[dict]:
    """The table's rows, sorted by primary key."""
    key = table.primary_key
    return sorted(table.to_dicts(), key=lambda row: tuple(row[k] for k in key))


def fill(lab: SimpleNamespace) -> None:
    """Three subjects; subject 1 has 2 sessions with 3 trials each, subject 2 one session."""
    lab.Subject.insert(SUBJECTS)
    lab.Session.insert(
        [{"subject_id": 1, "session": s, "note": f"s{s}"} for s in (1, 2)]
        + [{"subject_id": 2, "session": 1, "note": "only"}]
    )
    lab.Trial.insert(
        [
            {"subject_id": 1, "session": s, "trial": t, "score": t / 2}
            for s in (1, 2)
            for t in (1, 2, 3)
        ]
        + [{"subject_id": 2, "session": 1, "trial": 1, "score": None}]
    )


def snapshot(lab: SimpleNamespace) -> tuple[list[dict], list[dict], list[dict]]:
    return rows(lab.Subject), rows(lab.Session), rows(lab.Trial)


def sizes(lab: SimpleNamespace) -> tuple[int, int, int]:
    return len(lab.Subject), len(lab.Session), len(lab.Trial)


# -- inserting each kind of input ---------------------------------------------------------------


def test_insert_list_of_dicts(lab):
    lab.Subject.insert(SUBJECTS)
    assert rows(lab.Subject) == SUBJECTS


def test_insert_tuples_in_heading_order(lab):
    lab.Subject.insert([tuple(row.values()) for row in SUBJECTS])
    assert rows(lab.Subject) == SUBJECTS


def test_insert1_and_defaults(lab):
    lab.Subject.insert1({"subject_id": 9, "species": "rat", "name": "Dee", "age": 1})
    lab.Session.insert1((9, 4, "tuple"))
    lab.Session.insert1({"subject_id": 9, "session": 5})
    assert rows(lab.Subject) == [
        {"subject_id": 9, "species": "rat", "name": "Dee", "weight": None, "age": 1}
    ]
    assert rows(lab.Session) == [
        {"subject_id": 9, "session": 4, "note": "tuple"},
        {"subject_id": 9, "session": 5, "note": ""},
    ]


def test_insert_pandas_dataframe(lab):
    frame = pd.DataFrame(SUBJECTS)
    lab.Subject.insert(frame)
    assert rows(lab.Subject) == SUBJECTS


def test_insert_pandas_dataframe_with_nan_and_index(lab):
    lab.Subject.insert(SUBJECTS[:1])
    lab.Session.insert1({"subject_id": 1, "session": 1})
    frame = pd.DataFrame(
        {"subject_id": [1, 1], "session": [1, 1], "trial": [1, 2], "score": [0.25, float("nan")]}
    ).set_index(["subject_id", "session", "trial"])
    lab.Trial.insert(frame)
    assert rows(lab.Trial) == [
        {"subject_id": 1, "session": 1, "trial": 1, "score": 0.25},
        {"subject_id": 1, "session": 1, "trial": 2, "score": None},
    ]


def test_insert_polars_dataframe(lab):
    frame = pl.DataFrame(
        SUBJECTS,
        schema={
            "subject_id": pl.Int32,
            "species": pl.Utf8,
            "name": pl.Utf8,
            "weight": pl.Decimal(5, 2),
            "age": pl.Int8,
        },
    )
    lab.Subject.insert(frame)
    assert rows(lab.Subject) == SUBJECTS


def test_insert_arrow_table(lab):
    lab.Subject.insert(pa.Table.from_pylist(SUBJECTS))
    assert rows(lab.Subject) == SUBJECTS


# -- options ------------------------------------------------------------------------------------


def test_skip_duplicates_keeps_existing_rows(lab):
    lab.Subject.insert(SUBJECTS[:2])
    changed = {**SUBJECTS[0], "name": "Changed"}
    lab.Subject.insert([changed, SUBJECTS[2]], skip_duplicates=True)
    assert rows(lab.Subject) == SUBJECTS


def test_replace_overwrites_existing_rows(lab):
    lab.Subject.insert(SUBJECTS[:2])
    changed = {**SUBJECTS[0], "name": "Changed", "weight": None}
    lab.Subject.insert([changed, SUBJECTS[2]], replace=True)
    assert rows(lab.Subject) == [changed, SUBJECTS[1], SUBJECTS[2]]


def test_ignore_extra_fields(lab):
    extra = [{**row, "colour": "brown"} for row in SUBJECTS]
    lab.Subject.insert(extra, ignore_extra_fields=True)
    assert rows(lab.Subject) == SUBJECTS


# -- errors leave the database unchanged --------------------------------------------------------


@pytest.fixture
def filled(lab: SimpleNamespace) -> SimpleNamespace:
    fill(lab)
    return lab


def assert_unchanged(lab: SimpleNamespace, before: tuple) -> None:
    assert snapshot(lab) == before


NEW = {"subject_id": 7, "species": "rat", "name": "New", "weight": None, "age": 1}


def test_duplicate_of_existing_key(filled):
    before = snapshot(filled)
    with pytest.raises(DuplicateError) as error:
        filled.Subject.insert([NEW, {**SUBJECTS[1], "name": "Again"}])
    assert re.search(r"subject_id\W+2\b", str(error.value)), error.value
    assert_unchanged(filled, before)


def test_duplicate_within_the_batch(filled):
    before = snapshot(filled)
    with pytest.raises(DuplicateError) as error:
        filled.Subject.insert([NEW, {**NEW, "name": "Twin"}])
    assert re.search(r"subject_id\W+7\b", str(error.value)), error.value
    assert_unchanged(filled, before)


def test_missing_parent_names_the_parent_table(filled):
    before = snapshot(filled)
    with pytest.raises(IntegrityError) as error:
        filled.Session.insert([{"subject_id": 1, "session": 3}, {"subject_id": 42, "session": 1}])
    assert re.search(r"\bsubject\b", str(error.value), re.I), error.value
    assert_unchanged(filled, before)


def test_unknown_attribute(filled):
    """An unknown attribute is an ``UnknownAttributeError``, a ``KeyError`` as DataJoint's."""
    before = snapshot(filled)
    with pytest.raises(UnknownAttributeError) as error:
        filled.Subject.insert([NEW, {**SUBJECTS[0], "subject_id": 8, "colour": "brown"}])
    assert "'colour'" in str(error.value), error.value
    assert_unchanged(filled, before)


def test_missing_attribute(filled):
    before = snapshot(filled)
    incomplete = {k: v for k, v in NEW.items() if k != "name"} | {"subject_id": 8}
    with pytest.raises(MissingAttributeError) as error:
        filled.Subject.insert([NEW, incomplete])
    assert "'name'" in str(error.value), error.value
    assert_unchanged(filled, before)


def test_tuple_of_wrong_length(filled):
    before = snapshot(filled)
    with pytest.raises(MissingAttributeError):
        filled.Subject.insert([tuple(NEW.values()), (8, "rat", "Short")])
    assert_unchanged(filled, before)


BAD_VALUES = {
    "enum value not allowed": ("species", "cat"),
    "integer out of range": ("age", 200),
    "varchar too long": ("name", "Bartholomew"),
    "decimal too large": ("weight", Decimal("1000.00")),
    "null in non-nullable": ("age", None),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_value_names_attribute_and_row(filled, case):
    attribute, value = BAD_VALUES[case]
    before = snapshot(filled)
    batch = [NEW, {**NEW, "subject_id": 8, attribute: value}, {**NEW, "subject_id": 9}]
    with pytest.raises(DataError) as error:
        filled.Subject.insert(batch)
    message = str(error.value)
    assert attribute in message, message
    assert re.search(r"\brow\s*#?\s*1\b", message), message  # 0-based, like the list
    assert_unchanged(filled, before)


def test_failing_batch_of_several_rows_leaves_none(filled):
    before = snapshot(filled)
    batch = [{"subject_id": 3, "session": s} for s in range(1, 50)] + [
        {"subject_id": 1, "session": 1}
    ]  # duplicate, detected by the database
    with pytest.raises(DuplicateError):
        filled.Session.insert(batch)
    assert_unchanged(filled, before)


LOG = [
    {"log_id": 1, "subject_id": 1, "entry": "stamped", "stamp": datetime(2024, 5, 1, 12)},
    {"log_id": 2, "subject_id": None, "entry": "stamp defaulted"},
]


@pytest.mark.parametrize(
    "bad_row",
    [
        {"log_id": 1, "subject_id": None, "entry": "duplicate"},
        {"log_id": 3, "subject_id": 42, "entry": "no parent"},
    ],
    ids=["duplicate", "missing parent"],
)
def test_failing_batch_written_in_parts_leaves_none(filled, bad_row):
    """Rows that leave ``stamp`` to the database are written apart from rows that give it."""
    filled.Log.insert([{"log_id": 9, "subject_id": 2, "entry": "existing"}])
    before = snapshot(filled), rows(filled.Log)
    with pytest.raises((DuplicateError, IntegrityError)):
        filled.Log.insert([*LOG, bad_row])
    assert (snapshot(filled), rows(filled.Log)) == before


def test_insert_with_database_default(filled):
    filled.Log.insert(LOG)
    stored = rows(filled.Log)
    assert [(r["log_id"], r["subject_id"], r["entry"]) for r in stored] == [
        (1, 1, "stamped"),
        (2, None, "stamp defaulted"),
    ]
    assert stored[0]["stamp"] == datetime(2024, 5, 1, 12)
    assert isinstance(stored[1]["stamp"], datetime)


def test_inserts_in_a_failing_transaction_roll_back(filled):
    before = snapshot(filled)
    with pytest.raises(RuntimeError, match="after the inserts"):
        with filled.conn.transaction:
            filled.Subject.insert([NEW])
            filled.Session.insert([{"subject_id": 7, "session": 1}])
            assert sizes(filled) == (4, 4, 7)
            raise RuntimeError("after the inserts")
    assert not filled.conn.in_transaction
    assert_unchanged(filled, before)


def test_duplicate_inside_a_transaction(filled):
    """DuckDB has no savepoints: the error still names the key, from the engine's message."""
    before = snapshot(filled)
    with pytest.raises(DuplicateError) as error:
        with filled.conn.transaction:
            filled.Subject.insert([NEW])
            filled.Subject.insert([{**SUBJECTS[1], "name": "Again"}])
    assert re.search(r"subject_id\W+2\b", str(error.value)), error.value
    assert_unchanged(filled, before)


def test_missing_parent_inside_a_transaction(filled):
    before = snapshot(filled)
    with pytest.raises(IntegrityError) as error:
        with filled.conn.transaction:
            filled.Subject.insert([NEW])
            filled.Session.insert([{"subject_id": 99, "session": 1}])
    assert re.search(r"\bsubject\b", str(error.value), re.I), error.value
    assert_unchanged(filled, before)


# -- deletes ------------------------------------------------------------------------------------


def test_delete_cascades_over_three_levels(filled):
    """delete() returns the rows deleted from the table itself, as DataJoint's does."""
    assert (filled.Subject & {"subject_id": 1}).delete(prompt=False) == 1
    assert sizes(filled) == (2, 1, 1)
    assert [r["subject_id"] for r in rows(filled.Subject)] == [2, 3]
    assert {r["subject_id"] for r in rows(filled.Session)} == {2}
    assert {r["subject_id"] for r in rows(filled.Trial)} == {2}


def test_delete_from_the_middle_level(filled):
    (filled.Session & {"subject_id": 1, "session": 2}).delete(prompt=False)
    assert sizes(filled) == (3, 2, 4)
    assert {(r["subject_id"], r["session"]) for r in rows(filled.Trial)} == {(1, 1), (2, 1)}


def test_delete_of_nothing(filled):
    before = snapshot(filled)
    assert (filled.Subject & {"subject_id": 42}).delete(prompt=False) == 0
    assert_unchanged(filled, before)


def test_delete_in_a_failing_transaction_rolls_back(filled):
    before = snapshot(filled)
    with pytest.raises(RuntimeError, match="after the delete"):
        with filled.conn.transaction:
            (filled.Subject & {"subject_id": 1}).delete(prompt=False)
            assert sizes(filled) == (2, 1, 1)
            raise RuntimeError("after the delete")
    assert_unchanged(filled, before)


def _block_subject_deletes(lab: SimpleNamespace) -> None:
    """Make deleting from Subject fail after its dependents' rows are already deleted."""
    backend = lab.conn.backend
    schema = lab.schema.database
    if backend.dialect == "duckdb":
        # A constraint frames does not know about: DuckDB refuses to delete the parent row.
        backend.execute(
            f'CREATE TABLE "{schema}"."blocker" (subject_id INTEGER '
            f'REFERENCES "{schema}"."subject" (subject_id))'
        )
        backend.execute(f'INSERT INTO "{schema}"."blocker" VALUES (1)')
    elif backend.dialect == "postgres":
        backend.execute(
            f'CREATE FUNCTION "{schema}".refuse() RETURNS trigger LANGUAGE plpgsql '
            "AS 'BEGIN RAISE EXCEPTION ''subject rows are protected''; END'"
        )
        backend.execute(
            f'CREATE TRIGGER refuse BEFORE DELETE ON "{schema}"."subject" '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse()'
        )
    else:
        backend.execute(
            f"CREATE TRIGGER `{schema}`.`refuse` BEFORE DELETE ON "
            f"`{schema}`.`subject` FOR EACH ROW SIGNAL SQLSTATE '45000' "
            "SET MESSAGE_TEXT = 'subject rows are protected'"
        )


def test_cascade_failing_midway_deletes_nothing(filled):
    _block_subject_deletes(filled)
    before = snapshot(filled)
    with pytest.raises(Exception):  # noqa: B017 - the engine's refusal; any error will do
        (filled.Subject & {"subject_id": 1}).delete(prompt=False)
    assert not filled.conn.in_transaction
    assert_unchanged(filled, before)


def test_delete_quick_refuses_referenced_rows(filled):
    before = snapshot(filled)
    with pytest.raises(IntegrityError):
        (filled.Subject & {"subject_id": 1}).delete_quick()
    assert_unchanged(filled, before)


def test_delete_quick_deletes_unreferenced_rows(filled):
    (filled.Trial & {"subject_id": 1, "session": 1}).delete_quick()
    (filled.Session & {"subject_id": 1, "session": 1}).delete_quick()
    (filled.Subject & {"subject_id": 3}).delete_quick()
    assert sizes(filled) == (2, 2, 4)


@pytest.mark.parametrize("answer", ["no", "", "No"])
@pytest.mark.parametrize("prompt", [True, None], ids=["prompt=True", "safemode"])
def test_delete_declined_at_the_prompt_deletes_nothing(filled, monkeypatch, answer, prompt):
    questions = []

    def declined(question=""):
        questions.append(question)
        return answer

    monkeypatch.setattr(builtins, "input", declined)
    monkeypatch.setitem(dj.config, "safemode", True)
    before = snapshot(filled)
    (filled.Subject & {"subject_id": 1}).delete(prompt=prompt)
    assert len(questions) == 1
    assert not filled.conn.in_transaction
    assert_unchanged(filled, before)


def test_delete_prompt_asks_again_until_yes_or_no(filled, monkeypatch):
    answers = iter(["n", "y", "yes"])
    questions = []

    def answer(question=""):
        questions.append(question)
        return next(answers)

    monkeypatch.setattr(builtins, "input", answer)
    assert (filled.Subject & {"subject_id": 1}).delete(prompt=True) == 1
    assert questions == ["Commit deletes? [yes, No]: "] * 3
    assert sizes(filled) == (2, 1, 1)


def test_delete_confirmed_at_the_prompt(filled, monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda question="": "yes")
    (filled.Subject & {"subject_id": 1}).delete(prompt=True)
    assert sizes(filled) == (2, 1, 1)


def test_delete_without_safemode_does_not_ask(filled, monkeypatch):
    def refuse(question=""):
        raise AssertionError("asked for confirmation")

    monkeypatch.setattr(builtins, "input", refuse)
    monkeypatch.setitem(dj.config, "safemode", False)
    (filled.Subject & {"subject_id": 1}).delete()
    assert sizes(filled) == (2, 1, 1)


# -- drops --------------------------------------------------------------------------------------


def test_drop_cascades_to_dependent_tables(filled):
    backend = filled.conn.backend
    schema = filled.schema.database
    filled.Session.drop(prompt=False)
    assert sorted(backend.list_tables(schema)) == ["log", "subject"]
    assert not backend.table_exists(TableRef(schema, "trial"))
    assert rows(filled.Subject) == SUBJECTS


def test_drop_declined_at_the_prompt(filled, monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda question="": "no")
    filled.Session.drop(prompt=True)
    assert sorted(filled.conn.backend.list_tables(filled.schema.database)) == [
        "log",
        "session",
        "subject",
        "trial",
    ]
    assert sizes(filled) == (3, 3, 7)


def test_schema_drop(filled):
    backend = filled.conn.backend
    schema = filled.schema.database
    filled.schema.drop(prompt=False)
    assert not backend.schema_exists(schema)


def test_cascade_follows_every_foreign_key_between_two_tables(backend_url, schema_name):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:

        @schema
        class Person(dj.Manual):
            definition = """
            person_id : int32
            """

        @schema
        class Review(dj.Manual):
            definition = """
            review_id : int32
            ---
            -> Person
            -> Person.proj(reviewer_id='person_id')
            """

        Person.insert([(1,), (2,), (3,)])
        Review.insert([(10, 1, 2), (11, 2, 3), (12, 3, 3)])
        (Person & {"person_id": 2}).delete(prompt=False)
        assert sorted(r["review_id"] for r in Review.to_dicts()) == [12]
        assert sorted(r["person_id"] for r in Person.to_dicts()) == [1, 3]
    finally:
        schema.drop(prompt=False)
        connection.close()
