"""The bad-input catalogue (``bad_inputs_data.py``) on every backend.

Each case must raise the frames error it names — never a driver, sqlglot or Python exception —
with a message that names the culprit, and leave every row (and every table) as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from bad_inputs_data import CASES, GOOD

import frames as dj
from frames import errors

_TIERS = {"manual": dj.Manual, "lookup": dj.Lookup}


@pytest.fixture(scope="module")
def catalogue_db(request: pytest.FixtureRequest) -> Iterator[dict[str, SimpleNamespace]]:
    """One schema per backend for the whole module (the cases change nothing)."""
    made: dict[str, SimpleNamespace] = {}
    yield made
    for lab in made.values():
        lab.schema.drop(prompt=False)
        lab.connection.close()


def _lab(backend_name: str, backend_url: str, made: dict[str, SimpleNamespace]) -> SimpleNamespace:
    if backend_name in made:
        return made[backend_name]
    import uuid

    connection = dj.connect(backend_url)
    schema = dj.Schema(f"frames_test_bad_{uuid.uuid4().hex[:10]}", connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(16)
        sex : enum('F', 'M')
        weight = null : decimal(5,2)
        age = null : int16
        score = null : float64
        born = null : date
        seen = null : datetime
        alive = null : bool
        tag = null : uuid
        info = null : json
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        note = '' : varchar(30)
        """

    Subject.insert(
        [
            {"subject_id": 1, "name": "Ada", "sex": "F", "score": 2.0, "age": 4},
            {"subject_id": 2, "name": "Bo", "sex": "M", "score": 3.5, "age": 7},
            {"subject_id": 3, "name": "7up", "sex": "F"},
        ]
    )
    Session.insert(
        [
            {"subject_id": 1, "session": 1, "note": "first"},
            {"subject_id": 1, "session": 2},
            {"subject_id": 2, "session": 1, "note": "x"},
        ]
    )
    made[backend_name] = SimpleNamespace(
        connection=connection, schema=schema, Subject=Subject, Session=Session
    )
    return made[backend_name]


def _snapshot(lab: SimpleNamespace) -> tuple[Any, ...]:
    """Every table of the schema (hidden ones too), its lineage records and the rows."""
    tables = sorted(str(ref) for ref in lab.connection.backend._tables(lab.schema.database))
    return (
        tables,
        lab.schema.lineage,
        lab.Subject.to_dicts(order_by="subject_id"),
        lab.Session.to_dicts(order_by=("subject_id", "session")),
    )


def _declare(lab: SimpleNamespace, tier: str, definition: str, contents: Any) -> None:
    attributes: dict[str, Any] = {"definition": definition}
    if contents is not None:
        attributes["contents"] = contents
    lab.schema(type("Extra", (_TIERS[tier],), attributes))


def _declare_part(lab: SimpleNamespace, definition: str) -> None:
    part = type("Item", (dj.Part,), {"definition": definition})
    lab.schema(type("Extra", (dj.Manual,), {"definition": "extra_id : int32", "Item": part}))


def _connect(url: Any) -> None:
    dj.connect(url).close()


ACTIONS: dict[str, Callable[[SimpleNamespace, Any], Any]] = {
    "insert1": lambda lab, arg: lab.Subject.insert1(arg),
    "insert": lambda lab, arg: lab.Subject.insert(arg),
    "session_insert": lambda lab, arg: lab.Session.insert(arg),
    "restrict": lambda lab, arg: len(lab.Subject & arg),
    "exclude": lambda lab, arg: len(lab.Subject - arg),
    "proj": lambda lab, arg: lab.Subject.proj(**arg).to_dicts(),
    "aggr": lambda lab, arg: lab.Subject.aggr(lab.Session, **arg).to_dicts(),
    "group": lambda lab, arg: dj.U(*arg[0]).aggr(lab.Session, **arg[1]).to_dicts(),
    "declare": lambda lab, arg: _declare(lab, *arg),
    "declare_part": _declare_part,
    "update1": lambda lab, arg: lab.Subject.update1(arg),
    "insert_frame": lambda lab, arg: lab.Subject.insert(pd.DataFrame([arg])),
    "insert_query": lambda lab, arg: lab.Session.insert(
        lab.Subject.proj(**{"session": "subject_id + 100", "note": "name", **arg})
    ),
    "order_by": lambda lab, arg: lab.Subject.to_dicts(order_by=arg),
    "top": lambda lab, arg: len(lab.Subject & dj.Top(*arg)),
    "fetch1": lambda lab, arg: (lab.Subject & arg).fetch1(),
    "to_arrays": lambda lab, arg: lab.Subject.to_arrays(*arg),
    "delete": lambda lab, arg: (lab.Subject & arg).delete(prompt=False),
    "delete_quick": lambda lab, arg: (lab.Subject & arg).delete_quick(),
    "connect": lambda lab, arg: _connect(arg),
}


def test_the_catalogue_is_large_and_names_real_classes() -> None:
    assert len(CASES) >= 300
    assert len({case[0] for case in CASES}) == len(CASES), "case ids repeat"
    for _, action, _, error, _ in CASES:
        assert action in ACTIONS, action
        assert issubclass(getattr(errors, error), errors.FramesError), error


@pytest.mark.parametrize(
    ("action", "argument", "error", "culprit"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_refused_by_a_frames_error_and_changes_nothing(
    backend_name: str,
    backend_url: str,
    catalogue_db: dict[str, SimpleNamespace],
    action: str,
    argument: Any,
    error: str,
    culprit: str,
) -> None:
    lab = _lab(backend_name, backend_url, catalogue_db)
    before = _snapshot(lab)
    expected = getattr(errors, error)
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the class is checked below
        ACTIONS[action](lab, argument)
    assert type(raised.value) is expected or (
        isinstance(raised.value, expected) and type(raised.value).__module__.startswith("frames")
    ), f"{type(raised.value).__module__}.{type(raised.value).__name__}: {raised.value}"
    message = str(raised.value)
    assert culprit.lower() in message.lower(), f"{culprit!r} not named in: {message}"
    assert _snapshot(lab) == before, "the database changed"


# -- what only one server refuses: still a specific frames error, and nothing left behind -------


@pytest.mark.backends("postgres")
def test_postgres_nul_characters_and_long_enum_members(
    backend_name: str, backend_url: str, catalogue_db: dict[str, SimpleNamespace]
) -> None:
    lab = _lab(backend_name, backend_url, catalogue_db)
    before = _snapshot(lab)
    with pytest.raises(errors.DataError, match="NUL"):
        len(lab.Subject & {"name": "a\x00b"})
    with pytest.raises(errors.DataError, match="subject"):
        lab.Subject.insert1({**GOOD, "name": "a\x00b"})
    with pytest.raises(errors.DefinitionError, match="63 bytes"):
        _declare(lab, "manual", f"k : int32\n---\ne : enum('{'x' * 70}', 'y')", None)
    assert _snapshot(lab) == before


@pytest.mark.backends("mysql")
@pytest.mark.parametrize(
    ("definition", "named"),
    [(f"{'a' * 70} : int32", "too long"), ("k : int32\n---\nv : varchar(100000)", "'v'")],
)
def test_mysql_refused_definitions(
    backend_name: str,
    backend_url: str,
    catalogue_db: dict[str, SimpleNamespace],
    definition: str,
    named: str,
) -> None:
    lab = _lab(backend_name, backend_url, catalogue_db)
    before = _snapshot(lab)
    with pytest.raises(errors.DefinitionError, match=named):
        _declare(lab, "manual", definition, None)
    assert _snapshot(lab) == before


@pytest.mark.backends("mysql")
def test_mysql_refused_schema_name(backend_url: str) -> None:
    connection = dj.connect(backend_url)
    try:
        with pytest.raises(errors.DefinitionError, match="database name"):
            dj.Schema("bad name?" * 10, connection=connection)
    finally:
        connection.close()
