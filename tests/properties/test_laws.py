"""Algebraic laws of the query operators, checked on every backend with generated data and queries.

Several laws share one property (and one load of generated data per example), so that each law is
checked on every example of the profile without multiplying the database round trips.
"""

from __future__ import annotations

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import frames as dj
from frames.api.coerce import to_condition
from frames.testing.asserts import (
    assert_matches_reference,
    assert_relations_equal,
    fetch,
    multiset_difference,
)
from frames.testing.reference import ReferenceError, Relation, count_unknown, evaluate
from frames.testing.strategies import (
    RICH_SCHEMA,
    Built,
    Catalog,
    _Trees,
    dict_restrictions,
    query_trees,
    restrictions,
    string_restrictions,
    table_data,
)


def same_rows(first, second, context: str) -> None:
    """Equal as multisets of rows (attribute order aside)."""
    extra, missing = multiset_difference(first, second)
    assert not extra and not missing, (
        f"{context}\n  only in the first: {extra}\n  only in the second: {missing}"
    )


@st.composite
def reconciled(draw, catalog: Catalog, heading, max_depth: int = 3) -> Built:
    """A query whose namesakes with ``heading`` share lineage (renamed otherwise)."""
    trees = _Trees(draw, catalog, ())
    return trees.reconcile(heading, draw(query_trees(catalog, max_depth=max_depth)))


def reference_or_none(query, tables) -> Relation | None:
    try:
        return evaluate(query.plan, tables)
    except ReferenceError:
        return None


def loaded(data, rich) -> tuple[Catalog, dict]:
    """Draw the contents of ``rich``'s tables and load them; the catalog of the drawn rows and
    the tables for the reference evaluator."""
    rows = data.draw(table_data(rich.schema_def), label="rows")
    rich.load(rows)
    return Catalog(rich.classes, rows), rich.reference_tables(rows)


def defined_query(data, catalog: Catalog, tables, label: str) -> Built | None:
    """Draw a query tree (depth 3) named ``label``; None when it has no value (the reference
    finds an undefined expression, such as an integer overflow)."""
    built = data.draw(query_trees(catalog, max_depth=3), label=label)
    note(f"{label} = {built.text}")
    return built if reference_or_none(built.query, tables) is not None else None


def test_restriction_laws(rich, examples):
    """``A & r`` and ``A - r`` partition ``A`` for a query ``r``; for a dict or string ``c``,
    ``len(A) == len(A & c) + len(A - c) + (rows where c is unknown)``; restrictions commute and
    merge into an ``AndList``, and consecutive ones mean what the reference says."""

    @examples
    @given(data=st.data())
    def check(data):
        catalog, tables = loaded(data, rich)
        a = defined_query(data, catalog, tables, "A")
        if a is None:
            return
        everything = a.query.to_dicts()

        # A query splits A exactly (semijoin / antijoin, NOT EXISTS).
        r = data.draw(reconciled(catalog, a.heading), label="r")
        note(f"r = {r.text}")
        if reference_or_none(a.query & r.query, tables) is None:
            return  # r has no value (a division by zero, say)
        inside, outside = (a.query & r.query).to_dicts(), (a.query - r.query).to_dicts()
        same_rows(inside + outside, everything, "A & r plus A - r is not A")

        # A dict or a string splits A into true, false and unknown.
        kind = data.draw(st.sampled_from(["dict", "string"]), label="condition kind")
        if kind == "dict":
            c, text = data.draw(dict_restrictions(catalog, a.heading), label="c")
        else:
            fragment = data.draw(string_restrictions(catalog, a.heading), label="c")
            c, text = fragment.text, repr(fragment.text)
        note(f"c = {text}")
        restricted = a.query & c
        if reference_or_none(restricted, tables) is None:
            return
        # c's own condition: restricted.plan may have merged it with A's restriction.
        cond = to_condition(c, a.query.plan, "A & c", True, a.query._backend)
        unknown = count_unknown(a.query.plan, cond, tables)
        if kind == "string":
            assert len(a.query & f"({c}) IS NULL") == unknown, "rows where c is unknown"
        assert len(a.query) == len(restricted) + len(a.query - c) + unknown, (
            "A & c, A - c and the unknown rows do not add up to A"
        )
        true_rows, false_rows = restricted.to_dicts(), (a.query - c).to_dicts()
        extra, _ = multiset_difference(true_rows + false_rows, everything)
        assert not extra, f"rows outside A: {extra}"

        # Restrictions commute and merge (d of any kind: lists are ORs, AndList, Not, queries).
        d, d_text = data.draw(restrictions(catalog, a.heading, depth=1), label="d")
        note(f"d = {d_text}")
        if assert_matches_reference((a.query & c) & d, tables, f"(A & c) & d\n{a.text}") is None:
            return  # d has no value on some row (an integer overflow, say)
        one = ((a.query & c) & d).to_dicts()
        same_rows(one, ((a.query & d) & c).to_dicts(), "(A & c) & d != (A & d) & c")
        same_rows(
            one, (a.query & dj.AndList([c, d])).to_dicts(), "(A & c) & d != A & AndList([c, d])"
        )

    check()


def dict_truth(row: dict, condition: dict, heading) -> bool | None:
    """What a dict restriction means for ``row``, three-valued: every key that is an attribute
    equals its value (``None``: the attribute is NULL); other keys are ignored."""
    truths = []
    for name, value in condition.items():
        if name not in heading:
            continue
        if value is None:
            truths.append(row[name] is None)
        else:
            truths.append(None if row[name] is None else row[name] == value)
    if False in truths:
        return False
    return None if None in truths else True


def key_of(row: dict, heading) -> tuple:
    return tuple(row[n] for n in heading.primary_key)


def test_operators_mean_what_they_say(rich, examples):
    """The meaning of restrictions, semijoins, unions and Top, computed in Python from ``A``'s
    fetched rows (independently of the plan, which the reference evaluator reads): ``A & d`` and
    ``A - d`` for a dict ``d`` are the rows where ``d`` is true and false; ``A & B`` and
    ``A - B`` are the rows of ``A`` that ``A * B`` pairs and the others; a union of key-only
    operands is a set union (``(A & c).proj() + (A & e).proj() == (A & [c, e]).proj()``); a Top
    keeps a window of ``A`` of the requested size."""

    @examples
    @given(data=st.data())
    def check(data):
        catalog, tables = loaded(data, rich)
        a = defined_query(data, catalog, tables, "A")
        if a is None:
            return
        heading = a.heading
        everything = a.query.to_dicts()

        d, d_text = data.draw(dict_restrictions(catalog, heading), label="d")
        note(f"d = {d_text}")
        truth = [dict_truth(row, d, heading) for row in everything]
        same_rows(
            (a.query & d).to_dicts(),
            [row for row, t in zip(everything, truth, strict=True) if t is True],
            "A & d is not the rows where d holds",
        )
        same_rows(
            (a.query - d).to_dicts(),
            [row for row, t in zip(everything, truth, strict=True) if t is False],
            "A - d is not the rows where d is false",
        )

        b = data.draw(reconciled(catalog, heading), label="B")
        note(f"B = {b.text}")
        if reference_or_none(a.query * b.query, tables) is not None:
            paired = {key_of(row, heading) for row in (a.query * b.query).to_dicts()}
            same_rows(
                (a.query & b.query).to_dicts(),
                [row for row in everything if key_of(row, heading) in paired],
                "A & B is not the rows of A in A * B",
            )
            same_rows(
                (a.query - b.query).to_dicts(),
                [row for row in everything if key_of(row, heading) not in paired],
                "A - B is not the rows of A outside A * B",
            )

        if all(heading[n].lineage is not None for n in heading.primary_key):
            c, c_text = data.draw(restrictions(catalog, heading, depth=1), label="c")
            e, e_text = data.draw(restrictions(catalog, heading, depth=1), label="e")
            note(f"c = {c_text}\ne = {e_text}")
            union = (a.query & c).proj() + (a.query & e).proj()
            if reference_or_none(union, tables) is not None:
                same_rows(
                    union.to_dicts(),
                    (a.query & [c, e]).proj().to_dicts(),
                    "(A & c).proj() + (A & e).proj() != (A & [c, e]).proj()",
                )
                same_rows(
                    (a.query.proj() + a.query.proj()).to_dicts(),
                    a.query.proj().to_dicts(),
                    "A.proj() + A.proj() != A.proj()",
                )

        top, top_text = _Trees(data.draw, catalog, ()).top(heading)
        note(f"top = {top_text}")
        window = (a.query & top).to_dicts()
        extra, _ = multiset_difference(window, everything)
        assert not extra, f"A & {top_text} has rows outside A: {extra}"
        size = max(len(everything) - top.offset, 0)
        assert len(window) == (size if top.limit is None else min(top.limit, size)), (
            f"A & {top_text} has {len(window)} of A's {len(everything)} rows"
        )
        assert_matches_reference(a.query & top, tables, f"A & {top_text}")

    check()


def test_join_laws(rich, examples):
    """Join commutes (up to attribute order) and associates; a restriction of one operand
    pushes through the join."""

    @examples
    @given(data=st.data())
    def check(data):
        catalog, tables = loaded(data, rich)
        a = data.draw(query_trees(catalog, max_depth=2), label="A")
        b = data.draw(reconciled(catalog, a.heading, 2), label="B")
        note(f"A = {a.text}\nB = {b.text}")
        if reference_or_none(a.query * b.query, tables) is None:
            return
        ab, ba = a.query * b.query, b.query * a.query
        assert set(ab.heading.names) == set(ba.heading.names)
        mutual = all(n in a.heading for n in b.heading.primary_key) and all(
            n in b.heading for n in a.heading.primary_key
        )
        if not mutual:  # A ↔ B: each order takes its left operand's key (both are keys)
            assert set(ab.primary_key) == set(ba.primary_key), "A * B and B * A differ in key"
        first = ab.to_dicts()
        same_rows(first, ba.to_dicts(), "A * B != B * A")

        c = data.draw(reconciled(catalog, ab.plan.heading, 2), label="C")
        note(f"C = {c.text}")
        left_first = ab * c.query
        right_first = a.query * (b.query * c.query)
        if reference_or_none(left_first, tables) is not None:
            same_rows(left_first.to_dicts(), right_first.to_dicts(), "(A * B) * C != A * (B * C)")

        kind = data.draw(st.sampled_from(["dict", "string"]), label="condition kind")
        if kind == "dict":
            cond, text = data.draw(dict_restrictions(catalog, a.heading), label="cond")
        else:
            fragment = data.draw(string_restrictions(catalog, a.heading), label="cond")
            cond, text = fragment.text, repr(fragment.text)
        note(f"cond = {text}")
        if reference_or_none(a.query & cond, tables) is None:
            return
        same_rows(
            ((a.query * b.query) & cond).to_dicts(),
            ((a.query & cond) * b.query).to_dicts(),
            "(A * B) & c != (A & c) * B",
        )

    check()


def test_projection_and_aggregation_laws(rich, examples):
    """``proj`` is idempotent; a computed attribute has the reference's values; ``U(*a) & q`` is
    ``q``'s distinct values of ``a``; the count of an aggregation is each group's ``len``."""

    @examples
    @given(data=st.data())
    def check(data):
        catalog, tables = loaded(data, rich)
        q = defined_query(data, catalog, tables, "q")
        if q is None:
            return
        names = list(q.heading.names)
        attrs = data.draw(
            st.lists(st.sampled_from(names), unique=True) if names else st.just([]),
            label="attributes",
        )
        secondary = [n for n in attrs if n not in q.heading.primary_key]
        once = q.query.proj(*secondary)
        twice = once.proj(*secondary)
        assert once.plan.heading == twice.plan.heading
        assert_relations_equal(
            fetch(twice), fetch(once), twice.plan.heading, "q.proj(*a).proj(*a) != q.proj(*a)"
        )

        trees = _Trees(data.draw, catalog, ())
        computed = trees.fragments(q.heading).computed()
        note(f"computed = {computed.text}")
        assert_matches_reference(
            q.query.proj(..., **{trees.fresh(): computed.text}),
            tables,
            f"q.proj(..., x={computed.text!r})",
        )

        exact = [n for n in attrs if q.heading[n].type.is_exact]
        distinct = dj.U(*exact) & q.query
        assert set(distinct.primary_key) == set(exact)
        values = {tuple(row[n] for n in exact) for row in q.query.to_dicts()}
        got = [tuple(row[n] for n in exact) for row in distinct.to_dicts()]
        assert len(got) == len(set(got)), "dj.U(...) & q repeats values"
        assert set(got) == values, "dj.U(*a) & q != distinct values of a in q"

        group = data.draw(query_trees(catalog, max_depth=2), label="group")
        if not group.heading.primary_key or any(
            group.heading[n].lineage is None for n in group.heading.primary_key
        ):
            return
        source = _Trees(data.draw, catalog, ()).aggregated(group, 2)
        note(f"group = {group.text}\nsource = {source.text}")
        exclude = data.draw(st.booleans(), label="exclude_nonmatching")
        counted = group.query.aggr(source.query, n="count(*)", exclude_nonmatching=exclude)
        if reference_or_none(counted, tables) is None:
            return
        key = group.heading.primary_key
        result = counted.to_dicts()
        for row in result:
            restriction = {k: row[k] for k in key}
            expected = len(source.query & (group.query & restriction))
            assert row["n"] == expected, f"count(*) {row['n']} != len {expected} for {restriction}"
            assert not exclude or row["n"] > 0
        groups = len(group.query) if not exclude else len(group.query & source.query)
        assert len(result) == groups, "aggr does not give one row per group"

    check()


def test_rewriting_preserves_results(rich, examples):
    """The optimiser's rewrites never change a result: reference and backend agree on the
    rewritten plan and on the original."""
    from frames.plan.rewrite import rewrite

    @examples
    @given(data=st.data())
    def check(data):
        catalog, tables = loaded(data, rich)
        built = data.draw(query_trees(catalog), label="query")
        note(built.text)
        plan = built.query.plan
        rewritten = rewrite(plan)
        assert rewritten.heading.names == plan.heading.names
        assert set(rewritten.heading.primary_key) == set(plan.heading.primary_key)
        expected = reference_or_none(built.query, tables)
        if expected is None:
            return
        assert_relations_equal(
            evaluate(rewritten, tables),
            expected,
            None,
            f"the rewritten plan means something else\n{built.text}",
        )
        assert_matches_reference(built.query._derive(rewritten), tables, built.text, counts=False)

    check()


@pytest.mark.backends("postgres", "mysql")
def test_same_rows_as_duckdb(connection, examples):
    """The same plan over the same rows gives the same rows, types and key on DuckDB and on
    this backend (a schema of the same name on each, so the plan is shared)."""
    import uuid

    duck = dj.connect("duckdb://")
    name = f"frames_prop_{uuid.uuid4().hex[:12]}"
    try:
        with (
            RICH_SCHEMA.declare(duck, name=name) as here,
            RICH_SCHEMA.declare(connection, name=name) as there,
        ):

            @examples
            @given(data=st.data())
            def check(data):
                rows = data.draw(table_data(RICH_SCHEMA), label="rows")
                here.load(rows)
                there.load(rows)
                built = data.draw(query_trees(Catalog(here.classes, rows)), label="query")
                note(built.text)
                if reference_or_none(built.query, here.reference_tables(rows)) is None:
                    return
                server = dj.QueryExpression(built.query.plan, connection)
                assert_relations_equal(
                    fetch(server), fetch(built.query), server.plan.heading, built.text
                )

            check()
    finally:
        duck.close()
