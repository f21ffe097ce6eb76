"""The tutorial of the founding spec (``examples/tutorial.py``), verbatim, on every backend.

The code blocks are executed unchanged with ``import frames as dj`` (the default connection is
pointed at the backend under test); every display is compared with the rows, column order and
``Total: N`` the spec shows. Expected values are copied from the spec.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest

import frames as dj
from frames.api import connection as connection_module

SETUP = '''
import frames as dj
schema = dj.Schema('tutorial_first_pipeline')

@schema
class Researcher(dj.Manual):
    definition = """
    researcher_id : int32
    ---
    researcher_name : varchar(100)
    email : varchar(100)
    """

@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    ---
    species : varchar(32)
    date_of_birth : date
    sex : enum('M', 'F', 'unknown')
    """

@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_date : date
    ---
    -> Researcher
    session_notes : varchar(255)
    """

@schema
class Recording(dj.Manual):
    definition = """
    -> Session
    recording_id : int16
    ---
    duration : decimal(5,1) # recording duration (seconds)
    quality : enum('good', 'fair', 'poor')
    """

dj.Diagram(schema)

# First: tables with no dependencies
Researcher.insert([
    {'researcher_id': 1, 'researcher_name': 'Alice Chen',
     'email': 'alice@lab.org'},
    {'researcher_id': 2, 'researcher_name': 'Bob Smith',
     'email': 'bob@lab.org'},
])
Subject.insert([
    {'subject_id': 1, 'species': 'mouse',
     'date_of_birth': '2024-01-15', 'sex': 'M'},
    {'subject_id': 2, 'species': 'mouse',
     'date_of_birth': '2024-01-20', 'sex': 'F'},
    {'subject_id': 3, 'species': 'mouse',
     'date_of_birth': '2024-02-01', 'sex': 'M'},
])
# Then: tables that depend on others
Session.insert([
    {'subject_id': 1, 'session_date': '2024-06-01',
     'researcher_id': 1, 'session_notes': 'First session'},
    {'subject_id': 1, 'session_date': '2024-06-15',
     'researcher_id': 1, 'session_notes': 'Follow-up'},
    {'subject_id': 2, 'session_date': '2024-06-10',
     'researcher_id': 2, 'session_notes': 'Initial recording'},
])
# Finally: tables at the bottom of the hierarchy
Recording.insert([
    {'subject_id': 1, 'session_date': '2024-06-01', 'recording_id': 1,
     'duration': 300.5, 'quality': 'good'},
    {'subject_id': 1, 'session_date': '2024-06-01', 'recording_id': 2,
     'duration': 450.0, 'quality': 'good'},
    {'subject_id': 1, 'session_date': '2024-06-15', 'recording_id': 1,
     'duration': 600.0, 'quality': 'fair'},
    {'subject_id': 2, 'session_date': '2024-06-10', 'recording_id': 1,
     'duration': 350.0, 'quality': 'good'},
])
'''

# (expression as written in the spec, column names, rows as the spec displays them)
DISPLAYS = [
    (
        "Subject()",
        ["subject_id", "species", "date_of_birth", "sex"],
        [
            (1, "mouse", "2024-01-15", "M"),
            (2, "mouse", "2024-01-20", "F"),
            (3, "mouse", "2024-02-01", "M"),
        ],
    ),
    (
        "Recording()",
        ["subject_id", "session_date", "recording_id", "duration", "quality"],
        [
            (1, "2024-06-01", 1, "300.5", "good"),
            (1, "2024-06-01", 2, "450.0", "good"),
            (1, "2024-06-15", 1, "600.0", "fair"),
            (2, "2024-06-10", 1, "350.0", "good"),
        ],
    ),
    (
        "Subject & {'sex': 'M'}",
        ["subject_id", "species", "date_of_birth", "sex"],
        [(1, "mouse", "2024-01-15", "M"), (3, "mouse", "2024-02-01", "M")],
    ),
    (
        "Recording & {'quality': 'good'}",
        ["subject_id", "session_date", "recording_id", "duration", "quality"],
        [
            (1, "2024-06-01", 1, "300.5", "good"),
            (1, "2024-06-01", 2, "450.0", "good"),
            (2, "2024-06-10", 1, "350.0", "good"),
        ],
    ),
    (
        "Session & {'subject_id': 1}",
        ["subject_id", "session_date", "researcher_id", "session_notes"],
        [(1, "2024-06-01", 1, "First session"), (1, "2024-06-15", 1, "Follow-up")],
    ),
    (
        "Researcher.proj('researcher_name', 'email')",
        ["researcher_id", "researcher_name", "email"],
        [(1, "Alice Chen", "alice@lab.org"), (2, "Bob Smith", "bob@lab.org")],
    ),
    (
        "Recording.proj(duration_min='duration / 60')",
        ["subject_id", "session_date", "recording_id", "duration_min"],
        [
            (1, "2024-06-01", 1, "5.0083333333333333"),
            (1, "2024-06-01", 2, "7.5000000000000000"),
            (1, "2024-06-15", 1, "10.0000000000000000"),
            (2, "2024-06-10", 1, "5.8333333333333333"),
        ],
    ),
    (
        "Session * Subject",
        [
            "subject_id",
            "session_date",
            "researcher_id",
            "session_notes",
            "species",
            "date_of_birth",
            "sex",
        ],
        [
            (1, "2024-06-01", 1, "First session", "mouse", "2024-01-15", "M"),
            (1, "2024-06-15", 1, "Follow-up", "mouse", "2024-01-15", "M"),
            (2, "2024-06-10", 2, "Initial recording", "mouse", "2024-01-20", "F"),
        ],
    ),
    (
        "(Recording * Session * Subject * Researcher).proj(\n"
        "'researcher_name', 'species', 'duration', 'quality'\n)",
        [
            "subject_id",
            "session_date",
            "recording_id",
            "duration",
            "quality",
            "species",
            "researcher_name",
        ],
        [
            (1, "2024-06-01", 1, "300.5", "good", "mouse", "Alice Chen"),
            (1, "2024-06-01", 2, "450.0", "good", "mouse", "Alice Chen"),
            (1, "2024-06-15", 1, "600.0", "fair", "mouse", "Alice Chen"),
            (2, "2024-06-10", 1, "350.0", "good", "mouse", "Bob Smith"),
        ],
    ),
    (
        "Session.aggr(Recording, num_recordings='count(*)')",
        ["subject_id", "session_date", "num_recordings"],
        [(1, "2024-06-01", 2), (1, "2024-06-15", 1), (2, "2024-06-10", 1)],
    ),
    (
        "Subject.aggr(Recording, total_duration='sum(duration)')",
        ["subject_id", "total_duration"],
        [(1, "1350.5"), (2, "350.0"), (3, None)],
    ),
    (
        "dj.U().aggr(Recording, avg_duration='avg(duration)')",
        ["avg_duration"],
        [("425.1250000000000000",)],
    ),
    (
        "(\nRecording\n& {'quality': 'good'}\n& (Subject & {'sex': 'M'})\n) * Session * "
        "Researcher.proj('researcher_name')",
        [
            "subject_id",
            "session_date",
            "recording_id",
            "duration",
            "quality",
            "researcher_id",
            "session_notes",
            "researcher_name",
        ],
        [
            (1, "2024-06-01", 1, "300.5", "good", 1, "First session", "Alice Chen"),
            (1, "2024-06-01", 2, "450.0", "good", 1, "First session", "Alice Chen"),
        ],
    ),
    (
        "Researcher.aggr(\nSession * (Recording & {'quality': 'good'}),\n"
        "good_recordings='count(*)'\n)",
        ["researcher_id", "good_recordings"],
        [(1, 2), (2, 1)],
    ),
]


def _same(value: object, shown: object) -> bool:
    """Whether a fetched value shows as the spec's cell (numbers to the database's precision)."""
    if shown is None:
        return value is None
    if isinstance(value, datetime.date):
        return value.isoformat() == shown
    if isinstance(value, float):
        return math.isclose(value, float(str(shown)), rel_tol=1e-12)
    if isinstance(value, Decimal):
        return value == Decimal(str(shown)) and str(value) == str(shown)
    return value == shown


@pytest.fixture
def tutorial(backend_url: str):
    """Run the spec's set-up blocks on the backend under test; drop the schema afterwards."""
    saved = connection_module._default
    connection_module._default = dj.connect(backend_url)
    if connection_module._default.backend.schema_exists("tutorial_first_pipeline"):
        connection_module._default.backend.drop_schema("tutorial_first_pipeline")
    namespace: dict = {}
    try:
        exec(compile(SETUP, "tutorial.md", "exec"), namespace)
        yield namespace
    finally:
        if "schema" in namespace:
            namespace["schema"].drop(prompt=False)
        connection_module._default.close()
        connection_module._default = saved


def test_every_display_matches_the_spec(tutorial: dict) -> None:
    for expression, columns, rows in DISPLAYS:
        query = eval(expression, tutorial)
        assert list(query.heading.names) == columns, expression
        fetched = query.to_dicts(order_by="KEY")
        assert len(fetched) == len(rows), expression
        for got, want in zip(fetched, rows, strict=True):
            assert list(got) == columns, expression
            for name, shown in zip(columns, want, strict=True):
                assert _same(got[name], shown), (expression, name, got[name], shown)
        text = repr(query)
        assert text.rstrip().endswith(f"Total: {len(rows)}"), expression
        assert all(name in text.splitlines()[0] for name in columns), expression


def test_fetch_blocks_match_the_spec(tutorial: dict, capsys) -> None:
    Subject, Recording = tutorial["Subject"], tutorial["Recording"]
    assert Subject.to_dicts() == [
        {
            "subject_id": 1,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 1, 15),
            "sex": "M",
        },
        {
            "subject_id": 2,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 1, 20),
            "sex": "F",
        },
        {
            "subject_id": 3,
            "species": "mouse",
            "date_of_birth": datetime.date(2024, 2, 1),
            "sex": "M",
        },
    ]
    exec(
        'durations = (Recording & {"quality": "good"}).to_arrays("duration")\n'
        'print(f"Good recording durations: {durations}")',
        tutorial,
    )
    one = (Subject & {"subject_id": 1}).fetch1()
    print(f"Subject 1: {one}")
    out = capsys.readouterr().out
    assert "Good recording durations: [Decimal('300.5') Decimal('450.0') Decimal('350.0')]" in out
    assert (
        "Subject 1: {'subject_id': 1, 'species': 'mouse', 'date_of_birth': "
        "datetime.date(2024, 1, 15), 'sex': 'M'}"
    ) in out
    assert all(type(v) is Decimal for v in tutorial["durations"])
    assert Recording.plan.heading["duration"].type.kind == "decimal"


def test_diagram_shows_the_pipeline(tutorial: dict, tmp_path) -> None:
    diagram = dj.Diagram(tutorial["schema"], context=tutorial)
    mermaid = diagram.make_mermaid()
    for edge in ("Subject --> Session", "Session --> Recording", "Researcher --> Session"):
        assert edge in mermaid
    target = tmp_path / "pipeline.svg"
    diagram.save(str(target))
    svg = target.read_text()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    for name in ("Researcher", "Subject", "Session", "Recording"):
        assert name in svg


def test_delete_cascades_and_drop_removes_everything(tutorial: dict) -> None:
    Session, Recording = tutorial["Session"], tutorial["Recording"]
    # delete() counts the session itself, as DataJoint's; its one recording goes with it
    assert (Session & {"subject_id": 2, "session_date": "2024-06-10"}).delete(prompt=False) == 1
    assert len(Session) == 2 and len(Recording) == 3
    assert not (Recording & {"subject_id": 2})
    schema = tutorial.pop("schema")
    schema.drop(prompt=False)
    assert not schema.connection.backend.schema_exists("tutorial_first_pipeline")
