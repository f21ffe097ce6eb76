"""The definition frames writes for a stored table declares that very table again, on every
backend: the same DDL from the definition read back as from the one written by hand."""

from __future__ import annotations

import pytest

import frames as dj
from frames.api.datajoint_declare import declare
from frames.api.virtual import definition_text

DEFINITIONS = {
    "User": """
    username : varchar(12)
    """,
    "Slice": """
    # brain slices
    slice : int16
    """,
    "Cell": """
    -> Slice
    cell : int32       # cell number
    """,
    "InputCell": """
    -> Cell
    -> Cell.proj(input="cell")
    """,
    "LocalSynapse": """
    -> Cell.proj(presynaptic='cell')
    -> Cell.proj(postsynaptic='cell')
    """,
    "GlobalSynapse": """
    -> Cell.proj(pre_slice="slice", pre_cell="cell")
    -> Cell.proj(post_slice="slice", post_cell="cell")
    """,
    "Experiment": """
    -> Slice
    experiment_id : int16            # experiment number
    ---
    experiment_date : date
    -> [nullable] User
    data_path = "" : varchar(255)
    ratio = 0.5 : decimal(4,2)
    kind = 'a' : enum('a', 'b')
    entry_time = CURRENT_TIMESTAMP : datetime
    """,
    "IndexRich": """
    -> Slice
    ---
    -> [unique, nullable] User.proj(first="username")
    first_date : date
    value : int32
    index (first_date, value)
    """,
    "Setting": """
    ---
    version : varchar(20)
    """,
    "Counter": """
    counter : int auto_increment
    ---
    note = null : varchar(8)
    """,
}


@pytest.fixture
def lab(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    context: dict = {}
    for name, definition in DEFINITIONS.items():
        context[name] = schema(
            type(name, (dj.Manual,), {"definition": definition}), context=context
        )

    class Trial(dj.Part):
        definition = """
        -> master
        trial : int16
        """

    class Sample(dj.Part):
        definition = """
        -> Experiment.Trial
        sample : int16
        """

    context["Experiment"].Trial = Trial
    context["Experiment"].Sample = Sample
    schema._decorate_master(context["Experiment"], context)
    try:
        yield schema, context
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_definitions_read_back_declare_the_same_tables(lab) -> None:
    schema, context = lab
    stored = schema.stored_specs()
    dialect = schema.connection.sql_dialect
    classes = [
        *(context[name] for name in DEFINITIONS),
        context["Experiment"].Trial,
        context["Experiment"].Sample,
    ]
    names = {**context, "master": context["Experiment"]}
    for cls in classes:
        written = definition_text(stored[cls._spec.ref])
        full_name = cls.full_table_name
        by_hand = declare(full_name, cls.definition, names, dialect)
        read_back = declare(full_name, written, names, dialect)
        assert read_back[0] == by_hand[0], written
        assert read_back[4:] == by_hand[4:], written


def test_definition_text_shares_attributes_and_hides_the_platforms(lab) -> None:
    schema, context = lab
    stored = schema.stored_specs()
    text = definition_text(stored[context["InputCell"]._spec.ref])
    assert text.splitlines()[:2] == ["-> Cell", "-> Cell.proj(input='cell')"]
    assert definition_text(stored[context["Setting"]._spec.ref]) == "---\nversion : varchar(20)\n"
    sample = definition_text(stored[context["Experiment"].Sample._spec.ref])
    assert sample.splitlines()[0] == "-> Experiment.Trial"
    rich = definition_text(stored[context["IndexRich"]._spec.ref]).splitlines()
    assert "-> [nullable, unique] User.proj(first='username')" in rich
    assert "index(first_date, value)" in rich and not any("unique index" in r for r in rich)
