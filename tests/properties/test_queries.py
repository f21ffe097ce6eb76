"""Every generated query returns, on every backend, what the reference evaluator computes."""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st

from frames.testing.asserts import assert_matches_reference
from frames.testing.strategies import Catalog, query_trees, schemas, table_data


def test_queries_match_reference(rich, examples):
    """Random data and query trees (depth ≤ 6) over the rich schema."""

    @examples
    @given(data=st.data())
    def check(data):
        rows = data.draw(table_data(rich.schema_def), label="rows")
        rich.load(rows)
        built = data.draw(query_trees(Catalog(rich.classes, rows)), label="query")
        note(built.text)
        assert_matches_reference(built.query, rich.reference_tables(rows), built.text)

    check()


def test_random_schemas_match_reference(connection, examples):
    """Random schemas (2–4 related tables), data and a few queries in each."""

    @examples
    @given(data=st.data())
    def check(data):
        schema_def = data.draw(schemas(), label="schema")
        note(schema_def.python_source())
        with schema_def.declare(connection) as declared:
            rows = data.draw(table_data(schema_def), label="rows")
            declared.load(rows)
            tables = declared.reference_tables(rows)
            for _ in range(3):
                built = data.draw(
                    query_trees(Catalog(declared.classes, rows), max_depth=4), label="query"
                )
                note(built.text)
                assert_matches_reference(built.query, tables, built.text)

    check()
