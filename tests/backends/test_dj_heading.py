"""DataJoint's ``Heading`` of tables and queries on every backend: the class heading and its
``table_info``, a heading read again from the database (lineage from the ``~lineage`` table),
hidden attributes, object-store classification, renaming attributes DataJoint could not
declare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from backend_helpers import configured_stores

import frames as dj
from frames.api.dj_heading import Heading
from frames.api.lineage_catalog import delete_table_lineages
from frames.declare.spec import TableRef
from frames.errors import QueryError
from frames.sql.ddl import qualified_name, quote_identifier


@pytest.fixture
def schema(backend_url: str, schema_name: str) -> Iterator[Any]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    yield schema
    connection.close()


def _lab(schema: Any) -> tuple[Any, Any]:
    @schema
    class Animal(dj.Manual):
        definition = """
        # animals in the lab
        animal_id : int32
        ---
        species = 'mouse' : varchar(20)  # what it is
        """

    @schema
    class Visit(dj.Manual):
        definition = """
        -> Animal
        visit_idx : int16
        ---
        notes = null : varchar(80)
        """

    Animal().insert1({"animal_id": 1})
    Visit().insert1({"animal_id": 1, "visit_idx": 1})
    return Animal, Visit


def test_a_table_s_heading_is_datajoint_s_with_its_table(schema) -> None:
    Animal, Visit = _lab(schema)
    heading = Animal.heading
    assert isinstance(heading, Heading) and Animal().heading is heading
    info, status = heading.table_info, heading.table_status
    assert info is not None and status is not None
    assert (info["database"], info["table_name"]) == (schema.database, "animal")
    assert info["conn"] is schema.connection and status["comment"] == "animals in the lab"
    assert heading.names == ["animal_id", "species"] and heading.primary_key == ["animal_id"]
    assert list(heading) == heading.names and list(heading.attributes) == heading.names
    species = heading.attributes["species"]
    assert (species.type, species.default, species.comment) == (
        "varchar(20)",
        "'mouse'",
        "what it is",
    )
    lines = repr(heading).splitlines()
    assert lines[0] == "# animals in the lab" and lines[2] == "---"
    assert lines[1].split() == ["animal_id", ":", "int32", "#"]
    # a restriction is still the table; a derived query has a heading of its own
    assert (Animal & {"animal_id": 1}).heading is heading
    joined = Animal * Visit
    assert joined.heading.table_info is None
    # Visit determines Animal: Visit's attributes first (DataJoint 2.x's join heading)
    assert joined.heading.names == ["animal_id", "visit_idx", "notes", "species"]
    assert Visit.proj(s="visit_idx").heading.names == ["animal_id", "s"]
    assert joined.heading.plan is joined.plan.heading


def test_a_heading_read_again_takes_lineage_from_the_lineage_table(schema) -> None:
    Animal, Visit = _lab(schema)
    connection, database = schema.connection, schema.database
    origin = f"{database}.animal.animal_id"
    reloaded = Heading(table_info=Visit.heading.table_info)
    assert reloaded.names == ["animal_id", "visit_idx", "notes"]
    assert reloaded["animal_id"].lineage == origin
    if not schema.lineage_table_exists:  # DuckDB: lineage comes from the foreign keys alone
        return
    delete_table_lineages(connection, database, "visit")
    saved = Visit._heading
    Visit._heading = Heading(table_info=saved.table_info)
    try:
        assert Visit().heading["animal_id"].lineage is None
        with pytest.raises(QueryError, match=r"rebuild_lineage\(\)"):
            Animal * Visit
        schema.rebuild_lineage()
        Visit._heading = Heading(table_info=saved.table_info)
        assert Visit.heading["animal_id"].lineage == origin
        assert len(Animal * Visit) == 1
    finally:
        Visit._heading = saved


def test_hidden_attributes_of_a_singleton_table(schema) -> None:
    @schema
    class Setting(dj.Lookup):
        definition = """
        # one row
        ---
        workers : int16
        """

    heading = Setting().heading
    assert "_singleton" in heading._attributes and heading._attributes["_singleton"].is_hidden
    assert "_singleton" not in heading.attributes and heading.primary_key == []
    assert Heading(table_info=heading.table_info).names == ["workers"]


def test_headings_classify_object_store_attributes(schema, tmp_path: Path) -> None:
    store = tmp_path / "main"
    store.mkdir()
    stores = {"default": "main", "main": {"protocol": "file", "location": str(store)}}
    with configured_stores(stores, tmp_path / "downloads"):

        @schema
        class Scan(dj.Manual):
            definition = """
            scan_id : int32
            ---
            inline : <blob>
            stored : <blob@>
            raw : <hash@main>
            file : <object@>
            """

        heading = Scan().heading
        assert heading.hash_objects == ["stored", "raw"]
        assert heading.schema_objects == ["file"]
        assert heading["stored"].store == "" and heading["raw"].store == "main"
        Scan().insert1({"scan_id": 1, "inline": np.ones(2), "stored": 1, "raw": b"x", "file": b"f"})
        report = dj.gc.GarbageCollector(schema).collect()
        assert report["hash_paths_orphaned"] == 0 and report["schema_paths_orphaned"] == 0


def test_projection_renames_an_attribute_datajoint_could_not_declare(schema) -> None:
    connection = schema.connection
    dialect = connection.sql_dialect
    table = qualified_name(TableRef(schema.database, "legacy"), dialect)
    column = quote_identifier("oldID", dialect)
    connection.backend.execute(f"CREATE TABLE {table} ({column} INTEGER NOT NULL PRIMARY KEY)")
    connection.backend.execute(f"INSERT INTO {table} ({column}) VALUES (7)")
    lab = dj.VirtualModule("lab", schema.database, connection=connection)
    renamed = lab.Legacy.proj(new_name="oldID")
    assert renamed.heading.names == ["new_name"] and "oldID" not in renamed.heading.attributes
    assert renamed.to_dicts() == [{"new_name": 7}]
