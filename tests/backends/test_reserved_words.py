"""Attribute names that are SQL reserved words work on every backend (in fragments quoted as
the backend's SQL quotes identifiers: backticks on MySQL, double quotes elsewhere)."""

from __future__ import annotations

import datetime

import frames as dj


def test_reserved_words_as_attribute_names(
    backend_url: str, backend_name: str, schema_name: str
) -> None:
    mark = "`" if backend_name == "mysql" else '"'

    def quoted(name: str) -> str:
        return f"{mark}{name}{mark}"

    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:

        @schema
        class Thing(dj.Manual):
            definition = """
            key : int32
            order : int32
            ---
            group : varchar(10)
            date : date
            select = null : int32
            """

        Thing.insert([(1, 2, "a", "2024-01-01", None), (2, 3, "b", "2024-01-02", 5)])
        assert (Thing & {"order": 2}).fetch1("key") == 1
        assert (Thing & f"{quoted('order')} > 2").fetch1("group") == "b"
        assert (Thing & {"select": None}).fetch1("key") == 1
        renamed = Thing.proj(o=f"{quoted('order')} + 1", g="group").to_dicts(order_by="key")
        assert [(r["o"], r["g"]) for r in renamed] == [(3, "a"), (4, "b")]
        grouped = (
            dj.U("group")
            .aggr(Thing, n="count(*)", last=f"max({quoted('date')})")
            .to_dicts(order_by="group")
        )
        assert grouped[1] == {"group": "b", "n": 1, "last": datetime.date(2024, 1, 2)}
        assert len(Thing & "date > '2024-01-01'") == 1
        (Thing & {"key": 1}).delete(prompt=False)
        assert len(Thing) == 1
    finally:
        schema.drop(prompt=False)
        connection.close()
