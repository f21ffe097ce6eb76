"""Declaration is all or nothing: a master whose part fails, or a Lookup whose contents fail,
leaves no table, no lineage row and no catalog table behind — and can then be declared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import frames as dj
from frames.errors import DataError, DefinitionError


@pytest.fixture
def schema(backend_url: str, schema_name: str) -> Iterator[dj.Schema]:
    connection = dj.connect(backend_url)
    yield dj.Schema(schema_name, connection=connection)
    connection.close()


def _tables(schema: dj.Schema) -> list[str]:
    return sorted(ref.name for ref in schema.connection.backend._tables(schema.database))


def test_a_master_whose_part_fails_leaves_nothing(schema) -> None:
    with pytest.raises(DefinitionError, match="Nowhere"):

        @schema
        class Recording(dj.Manual):
            definition = """
            recording_id : int32
            """

            class Channel(dj.Part):
                definition = """
                -> master
                channel : int16
                """

            class Broken(dj.Part):
                definition = """
                -> master
                -> Nowhere
                """

    assert _tables(schema) == []
    assert schema.lineage == {}

    @schema
    class Recording(dj.Manual):  # noqa: F811 - declared again, now correctly
        definition = """
        recording_id : int32
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            """

    Recording.insert1({"recording_id": 1})
    Recording.Channel.insert1({"recording_id": 1, "channel": 2})
    assert len(Recording.Channel()) == 1
    assert "recording__channel" in _tables(schema)


def test_a_lookup_with_invalid_contents_leaves_nothing(schema) -> None:
    @schema
    class Species(dj.Manual):
        definition = """
        species : varchar(12)
        """

    Species.insert1({"species": "mouse"})
    before = (_tables(schema), schema.lineage)

    class Kind(dj.Lookup):
        definition = """
        -> Species
        kind : int16
        ---
        label : enum('a', 'b')
        """
        contents = [("mouse", 1, "a"), ("mouse", 2, "zzz")]

    with pytest.raises(DataError, match="zzz"):
        schema(Kind)
    assert (_tables(schema), schema.lineage) == before
    assert Kind._spec is None
    Kind.contents = [("mouse", 1, "a"), ("mouse", 2, "b")]
    schema(Kind)
    assert len(Kind()) == 2
