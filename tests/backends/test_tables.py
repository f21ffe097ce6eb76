"""Table classes: DDL without executing it, description, notebook display, part and lookup tiers."""

from __future__ import annotations

import pytest

import frames as dj
from frames.errors import DefinitionError


@pytest.fixture
def schema(backend_url: str, schema_name: str):
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)
    try:
        yield schema
    finally:
        schema.drop(prompt=False)
        connection.close()


def test_declare_sql_describe_and_display(schema, backend_name: str) -> None:
    @schema
    class Kind(dj.Lookup):
        definition = """
        # kinds of things
        kind : varchar(8)
        ---
        label : varchar(20)
        """
        contents = [("a", "Alpha <b>"), ("b", "Beta")]

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        -> Kind
        """

        class Tag(dj.Part):
            definition = """
            -> master
            tag : varchar(10)
            """

    statements = Item.declare_sql()
    assert any("CREATE TABLE" in s for s in statements)
    assert any("item_id" in s for s in statements)
    assert Kind.table_name == "#kind" and Item.Tag.table_name == "item__tag"
    assert Item.Tag.master is Item
    assert "-> Kind" in Item.describe()
    assert len(Kind) == 2  # contents inserted once at declaration
    html = Kind()._repr_html_()
    assert "Alpha &lt;b&gt;" in html and "Total: 2" in html
    text = repr(Kind())
    assert text.splitlines()[0].split()[0] == "*kind" and text.rstrip().endswith("Total: 2")
    assert sorted(schema.list_tables()) == ["#kind", "item", "item__tag"]
    svg = dj.Diagram(schema)._repr_svg_()
    assert svg.startswith("<svg") and ">Tag</text>" in svg  # a part shows its own name
    assert len(dj.Diagram(Item).nodes_to_show) == 1
    assert len((dj.Diagram(Item) - 1).nodes_to_show) == 2  # with its parent Kind
    assert len((dj.Diagram(Kind) + 2).nodes_to_show) == 3  # Kind, Item, Item.Tag


def test_definition_errors_name_the_table_and_line(schema) -> None:
    with pytest.raises(DefinitionError, match=r"Broken.*line 2.*unknown type"):

        @schema
        class Broken(dj.Manual):
            definition = """
            broken_id : int32
            value : int33
            """

    with pytest.raises(DefinitionError, match="Missing"):

        @schema
        class Dangling(dj.Manual):
            definition = """
            -> Missing
            """

    assert schema.list_tables() == []


def test_part_tables_must_be_nested(schema) -> None:
    with pytest.raises(DefinitionError, match="nested"):

        @schema
        class Loose(dj.Part):
            definition = """
            -> master
            """


def test_display_of_a_query_without_a_value_says_why(schema) -> None:
    """Found by the nightly property run: the repr of a query whose values overflow raised
    (Hypothesis prints drawn queries). It shows the heading and the database's reason."""

    @schema
    class Count(dj.Lookup):
        definition = """
        n : int32
        """
        contents = [(2,)]

    overflowing = Count.proj(big="n * 9223372036854775807")
    with pytest.raises(dj.errors.DataError):
        overflowing.to_dicts()
    text = repr(overflowing)
    assert text.splitlines()[0].split() == ["*n", "big"]
    assert text.splitlines()[-1].startswith("Rows cannot be shown: UndefinedValueError: ")
    html = overflowing._repr_html_()
    assert "<p>Rows cannot be shown: UndefinedValueError: " in html and "Total" not in html
    assert repr(Count()).rstrip().endswith("Total: 1")
