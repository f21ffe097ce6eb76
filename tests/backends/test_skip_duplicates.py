"""``insert(skip_duplicates=True)`` skips rows whose primary key exists, as DataJoint does: on
DuckDB and PostgreSQL a conflict on another unique index still raises; on MySQL, as in DataJoint,
the conflict is skipped too (``ON DUPLICATE KEY`` catches every unique key)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import frames as dj
from frames.errors import DuplicateError


@pytest.fixture
def schema(backend_url: str) -> Iterator[dj.Schema]:
    """A fresh schema on the test's backend, dropped afterwards."""
    connection = dj.connect(backend_url)
    made = dj.Schema(f"frames_dup_{uuid.uuid4().hex[:8]}", connection=connection)
    yield made
    made.drop(prompt=False)
    connection.close()


def test_skip_duplicates_skips_key_conflicts_only(schema: dj.Schema, backend_name: str) -> None:

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        email : varchar(40)
        unique index (email)
        """

    Item.insert1({"item_id": 1, "email": "a@x"})
    Item.insert(
        [{"item_id": 1, "email": "b@x"}, {"item_id": 2, "email": "c@x"}], skip_duplicates=True
    )
    assert Item.to_dicts(order_by="KEY") == [
        {"item_id": 1, "email": "a@x"},
        {"item_id": 2, "email": "c@x"},
    ]
    conflict = {"item_id": 3, "email": "a@x"}
    if backend_name == "mysql":
        Item.insert1(conflict, skip_duplicates=True)
    else:
        with pytest.raises(DuplicateError):
            Item.insert1(conflict, skip_duplicates=True)
    assert len(Item()) == 2


def _outcome(action) -> str:
    """``'ok'`` or the name of the frames error ``action`` raised."""
    try:
        action()
    except dj.errors.FramesError as error:
        return type(error).__name__
    return "ok"


@pytest.mark.parametrize("option", ["error", "skip_duplicates", "replace"])
def test_rows_and_query_inserts_treat_duplicates_alike(schema: dj.Schema, option: str) -> None:
    """``insert(rows, ...)`` and ``insert(query, ...)`` make one decision about duplicates: the
    same rows end up stored and the same error is raised, on every backend. ``replace`` updates
    the row in place, so the row's children survive (MySQL's ``REPLACE`` would delete it)."""

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        email : varchar(40)
        unique index (email)
        """

    @schema
    class Note(dj.Manual):
        definition = """
        -> Item
        """

    @schema
    class Incoming(dj.Manual):
        definition = """
        item_id : int32
        ---
        email : varchar(40)
        """

    incoming = [{"item_id": 1, "email": "z@x"}, {"item_id": 3, "email": "c@x"}]
    Incoming.insert(incoming)
    kwargs = {} if option == "error" else {option: True}
    results = {}
    for path, source in [("rows", incoming), ("query", Incoming)]:
        Note.delete_quick()
        Item.delete_quick()
        Item.insert([{"item_id": 1, "email": "a@x"}, {"item_id": 2, "email": "b@x"}])
        Note.insert1({"item_id": 1})
        outcome = _outcome(lambda source=source: Item.insert(source, **kwargs))
        results[path] = (outcome, Item.to_dicts(order_by="KEY"), len(Note()))
    assert results["rows"] == results["query"]
    outcome, stored, notes = results["rows"]
    emails = {row["item_id"]: row["email"] for row in stored}
    expected = {
        "error": ("DuplicateError", {1: "a@x", 2: "b@x"}),
        "skip_duplicates": ("ok", {1: "a@x", 2: "b@x", 3: "c@x"}),
        "replace": ("ok", {1: "z@x", 2: "b@x", 3: "c@x"}),
    }[option]
    assert (outcome, emails) == expected
    assert notes == 1, "the child of the replaced row was lost"

    # A conflict on the unique index (not the key): the two paths still agree.
    unique_clash = [{"item_id": 4, "email": "b@x"}]
    Incoming.delete_quick()
    Incoming.insert(unique_clash)
    outcomes = {
        _outcome(lambda source=source: Item.insert(source, **kwargs))
        for source in (unique_clash, Incoming)
    }
    assert len(outcomes) == 1, outcomes
