"""``insert(skip_duplicates=True)`` skips rows whose primary key exists, as DataJoint does: on
DuckDB and PostgreSQL a conflict on another unique index still raises; on MySQL, as in DataJoint,
the conflict is skipped too (``ON DUPLICATE KEY`` catches every unique key)."""

from __future__ import annotations

import uuid

import pytest

import frames as dj
from frames.errors import DuplicateError


def test_skip_duplicates_skips_key_conflicts_only(backend_url: str, backend_name: str) -> None:
    connection = dj.connect(backend_url)
    schema = dj.Schema(f"frames_skip_{uuid.uuid4().hex[:8]}", connection=connection)
    try:

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
    finally:
        schema.drop(prompt=False)
        connection.close()
