"""Opening existing schemas: virtual schemas and redeclaration rebuild tables from metadata."""

from __future__ import annotations

import uuid

import pytest

import frames as dj

DEFINITIONS = {
    "Subject": """
    # experimental subjects
    subject_id : int32
    ---
    sex : enum('M', 'F')
    weight = null : decimal(5,1)   # grams
    """,
    "Session": """
    -> Subject
    session_idx : int16
    ---
    note = '' : varchar(40)
    """,
    "Pairing": """
    -> Subject.proj(partner_id='subject_id')
    -> Subject
    ---
    since : date
    """,
}


@pytest.fixture
def stored(backend_url: str, tmp_path):
    """A schema declared by frames and filled, then closed: only the database remembers it."""
    name = f"frames_virt_{uuid.uuid4().hex[:8]}"
    if backend_url.startswith("duckdb"):
        backend_url = f"duckdb:///{tmp_path / 'virtual.duckdb'}"  # shared by two connections
    connection = dj.connect(backend_url)
    schema = dj.Schema(name, connection=connection)
    namespace: dict = {}
    for cls_name, definition in DEFINITIONS.items():
        cls = type(cls_name, (dj.Manual,), {"definition": definition})
        namespace[cls_name] = schema(cls, context=namespace)

    class Trial(dj.Part):
        definition = """
        -> master
        trial : int16
        ---
        score : float64
        """

    namespace["Session"].Trial = Trial
    schema._declare(Trial, namespace, master=namespace["Session"])
    namespace["Subject"].insert([(1, "M", 20.5), (2, "F", None)])
    namespace["Session"].insert([(1, 1, "first"), (2, 1, "")])
    Trial.insert([(1, 1, 1, 0.5), (1, 1, 2, 0.75)])
    namespace["Pairing"].insert([(2, 1, "2024-01-01")])
    connection.close()
    yield name, backend_url
    connection = dj.connect(backend_url)
    connection.backend.drop_schema(name)
    connection.close()


def test_virtual_schema_rebuilds_every_table(stored) -> None:
    name, url = stored
    connection = dj.connect(url)
    try:
        lab = dj.virtual_schema(name, connection=connection)
        assert {n for n in vars(lab) if n[:1].isupper()} == {"Subject", "Session", "Pairing"}
        assert lab.Subject.primary_key == ["subject_id"]
        assert str(lab.Subject.heading["weight"].type) == "decimal(5,1)"
        assert lab.Subject.heading["weight"].nullable
        assert lab.Subject.heading["weight"].comment == "grams"
        assert lab.Session.Trial.primary_key == ["subject_id", "session_idx", "trial"]
        assert lab.Session.Trial.master is lab.Session
        assert len(lab.Session * lab.Session.Trial) == 2
        # lineage comes from the stored foreign keys, renames included
        origin = f"{name}.subject.subject_id"
        assert lab.Session.heading["subject_id"].lineage == origin
        assert lab.Pairing.heading["partner_id"].lineage == origin
        paired = lab.Subject * lab.Pairing
        assert paired.to_dicts() == [
            {
                "subject_id": 1,
                "sex": "M",
                "weight": pytest.approx(20.5),
                "partner_id": 2,
                "since": paired.fetch1("since"),
            }
        ]
        assert "-> Subject.proj(partner_id='subject_id')" in lab.Pairing.describe()
    finally:
        connection.close()


def test_redeclaring_an_existing_table_uses_the_stored_table(stored) -> None:
    name, url = stored
    connection = dj.connect(url)
    try:
        schema = dj.Schema(name, connection=connection, create_tables=False)

        @schema
        class Subject(dj.Manual):
            definition = DEFINITIONS["Subject"]

        assert len(Subject) == 2
        assert Subject.heading.names == ["subject_id", "sex", "weight"]
        spawned = schema.spawn_missing_classes(context={})
        assert set(spawned) == {"Session", "Pairing"}
        assert len(spawned["Session"] & (Subject & {"sex": "M"})) == 1
    finally:
        connection.close()


def test_missing_tables_are_not_created_when_told_not_to(stored) -> None:
    name, url = stored
    connection = dj.connect(url)
    try:
        schema = dj.Schema(name, connection=connection, create_tables=False)
        with pytest.raises(dj.errors.MissingTableError):

            @schema
            class Absent(dj.Manual):
                definition = "absent_id : int32"

        with pytest.raises(dj.errors.MissingTableError):
            dj.virtual_schema(f"{name}_nope", connection=connection)
    finally:
        connection.close()
