"""The query algebra on every backend: each restriction kind, projection, join, aggregation,
U, union, ordering and paging — with NULLs where DataJoint's SQL goes wrong.

Expected rows are worked out by hand from the small data set below.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from per_backend import PerBackend

import frames as dj
from frames.errors import FetchError, QueryError


@contextmanager
def build_lab(connection: dj.Connection) -> Iterator[SimpleNamespace]:
    """Declare and fill the test schema on ``connection``; drop it afterwards."""
    schema = dj.Schema(f"frames_alg_{uuid.uuid4().hex[:8]}", connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        sex : enum('M', 'F')
        weight = null : decimal(5,1)
        tag = null : varchar(20)
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_idx : int16
        ---
        quality = null : enum('good', 'bad')
        duration = null : float64
        """

    @schema
    class Owner(dj.Manual):
        definition = """
        owner_id : int32
        ---
        -> [nullable] Subject
        """

    @schema
    class Archive(dj.Manual):
        definition = """
        subject_id : int32
        ---
        sex : enum('M', 'F')
        weight = null : decimal(5,1)
        """

    Subject.insert(
        [
            (1, "M", Decimal("60.5"), "a"),
            (2, "F", Decimal("45.0"), None),
            (3, "M", None, "O'Brien"),
            (4, "F", Decimal("70.0"), "b"),
            (5, "M", Decimal("55.5"), None),
        ]
    )
    Session.insert(
        [
            (1, 1, "good", 10.0),
            (1, 2, "bad", 20.0),
            (2, 1, "good", None),
            (3, 1, None, 5.0),
            (3, 2, "good", 7.5),
        ]
    )
    Owner.insert([(10, 1), (11, None), (12, 3)])
    try:
        yield SimpleNamespace(Subject=Subject, Session=Session, Owner=Owner, Archive=Archive)
    finally:
        schema.drop(prompt=False)


@pytest.fixture(scope="module")
def labs() -> Iterator[PerBackend]:
    with ExitStack() as stack:
        yield PerBackend(stack, build_lab)


@pytest.fixture
def lab(backend_url: str, labs: PerBackend) -> SimpleNamespace:
    """The test schema on the test's backend (declared once per module and backend)."""
    return labs.get(backend_url)


def ids(query, attr: str = "subject_id") -> list:
    return sorted(row[attr] for row in query.to_dicts())


# -- restriction ------------------------------------------------------------------------------


def test_dict_restriction_ignores_unknown_keys_and_none_is_null(lab) -> None:
    assert ids(lab.Subject & {"sex": "M", "unknown": 1}) == [1, 3, 5]
    assert ids(lab.Subject & {"weight": None}) == [3]
    assert ids(lab.Subject & {"tag": "O'Brien"}) == [3]


def test_string_restriction_and_three_valued_logic(lab) -> None:
    heavy, light = lab.Subject & "weight > 50", lab.Subject - "weight > 50"
    assert ids(heavy) == [1, 4, 5] and ids(light) == [2]
    unknown = len(lab.Subject & {"weight": None})
    assert len(lab.Subject) == len(heavy) + len(light) + unknown


def test_lists_are_or_empty_list_is_false_andlist_is_and(lab) -> None:
    assert ids(lab.Subject & [{"sex": "F"}, "weight < 56"]) == [2, 4, 5]
    assert ids(lab.Subject & []) == []
    assert ids(lab.Subject - []) == [1, 2, 3, 4, 5]
    assert ids(lab.Subject & dj.AndList([{"sex": "M"}, "weight > 56"])) == [1]
    assert ids(lab.Subject & dj.AndList([])) == [1, 2, 3, 4, 5]


def test_not_booleans_and_none(lab) -> None:
    assert ids(lab.Subject & dj.Not({"sex": "M"})) == [2, 4]
    assert ids(lab.Subject & True) == [1, 2, 3, 4, 5] and ids(lab.Subject & False) == []
    assert ids(lab.Subject & None) == [] and ids(lab.Subject - None) == [1, 2, 3, 4, 5]


def test_dataframe_restriction_is_an_or_of_its_rows(lab) -> None:
    frame = pd.DataFrame([{"subject_id": 2}, {"subject_id": 4}])
    assert ids(lab.Subject & frame) == [2, 4]
    assert ids(lab.Subject & pl.DataFrame({"subject_id": [5]})) == [5]


def test_semijoin_and_antijoin_partition_even_with_nulls(lab) -> None:
    owned, unowned = lab.Subject & lab.Owner, lab.Subject - lab.Owner
    assert ids(owned) == [1, 3]
    assert ids(unowned) == [2, 4, 5]  # NOT IN would return nothing: Owner has a NULL subject_id
    assert ids(lab.Session & (lab.Subject & {"sex": "F"})) == [2]


def test_restricting_by_a_query_without_namesakes_uses_its_emptiness(lab) -> None:
    sessions = lab.Session.proj(s="subject_id", i="session_idx")
    assert ids(lab.Subject & sessions) == [1, 2, 3, 4, 5]
    assert ids(lab.Subject & (sessions & "s < 0")) == []
    assert ids(lab.Subject - (sessions & "s < 0")) == [1, 2, 3, 4, 5]


# -- projection -------------------------------------------------------------------------------


def test_projection_forms(lab) -> None:
    assert lab.Subject.proj().heading.names == ["subject_id"]
    assert lab.Subject.proj(...).heading.names == ["subject_id", "sex", "weight", "tag"]
    assert lab.Subject.proj("-tag").heading.names == ["subject_id", "sex", "weight"]
    renamed = lab.Subject.proj(id="subject_id", gender="sex")
    assert renamed.primary_key == ["id"] and renamed.heading.names == ["id", "gender"]
    copied = (lab.Subject & {"subject_id": 1}).proj(w2="(weight)", kilo="weight / 1000")
    row = copied.fetch1()
    assert row["w2"] == Decimal("60.5") and row["kilo"] == pytest.approx(0.0605)


# -- join -------------------------------------------------------------------------------------


def test_join_and_left_join(lab) -> None:
    joined = lab.Session * lab.Subject
    assert len(joined) == 5 and joined.primary_key == ["subject_id", "session_idx"]
    left = lab.Owner.join(lab.Subject, left=True).to_dicts(order_by="owner_id")
    assert [r["sex"] for r in left] == ["M", None, "M"]
    assert (
        lab.Owner.extend(lab.Subject).heading.names
        == lab.Owner.join(lab.Subject, left=True).heading.names
    )


# -- aggregation ------------------------------------------------------------------------------


def test_aggregation_keeps_every_row_and_counts_zero(lab) -> None:
    counts = {
        r["subject_id"]: r["n"] for r in lab.Subject.aggr(lab.Session, n="count(*)").to_dicts()
    }
    assert counts == {1: 2, 2: 1, 3: 2, 4: 0, 5: 0}
    good = {
        r["subject_id"]: r["n"]
        for r in lab.Subject.aggr(lab.Session & {"quality": "good"}, n="count(*)").to_dicts()
    }
    assert good == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    inner = lab.Subject.aggr(lab.Session, n="count(*)", exclude_nonmatching=True)
    assert ids(inner) == [1, 2, 3]


def test_aggregates_over_nulls_and_kept_attributes(lab) -> None:
    rows = {
        r["subject_id"]: r
        for r in lab.Subject.aggr(
            lab.Session,
            "sex",
            total="sum(duration)",
            mean="avg(duration)",
            n_dur="count(duration)",
            top="max(quality)",
        ).to_dicts()
    }
    assert rows[1]["total"] == 30.0 and rows[1]["mean"] == 15.0 and rows[1]["sex"] == "M"
    assert rows[2]["total"] is None and rows[2]["n_dur"] == 0
    assert rows[4]["total"] is None and rows[4]["mean"] is None


def test_restricting_and_aggregating_an_aggregation(lab) -> None:
    per = lab.Subject.aggr(lab.Session, n="count(*)")
    assert ids(per & "n > 1") == [1, 3]
    assert ids(per & {"n": 0}) == [4, 5]
    assert ids(per & (lab.Subject & {"sex": "F"})) == [2, 4]
    overall = dj.U().aggr(per, most="max(n)", total="sum(n)").fetch1()
    assert overall == {"most": 2, "total": 5}


def test_u_distinct_grouping_and_len(lab) -> None:
    assert sorted(r["sex"] for r in (dj.U("sex") & lab.Subject).to_dicts()) == ["F", "M"]
    by_sex = {r["sex"]: r["n"] for r in dj.U("sex").aggr(lab.Subject, n="count(*)").to_dicts()}
    assert by_sex == {"M": 3, "F": 2}
    assert len(dj.U() & lab.Subject) == 1
    assert len(dj.U() & (lab.Subject & "subject_id < 0")) == 0
    empty = dj.U().aggr(lab.Subject & "subject_id < 0", n="count(*)", s="sum(weight)")
    assert empty.fetch1() == {"n": 0, "s": None}
    with pytest.raises(QueryError):
        dj.U("sex") * lab.Subject


# -- union, order, paging ---------------------------------------------------------------------


def test_union_with_order_and_paging(lab) -> None:
    union = (lab.Subject & "subject_id < 3").proj() + (lab.Subject & "subject_id > 3").proj()
    assert ids(union) == [1, 2, 4, 5]
    page = union.to_dicts(order_by="subject_id DESC", limit=2, offset=1)
    assert [r["subject_id"] for r in page] == [4, 2]
    with pytest.raises(QueryError, match="share secondary"):
        lab.Subject + lab.Subject
    outer = (lab.Subject & "subject_id <= 3").proj("sex") + (lab.Subject & "subject_id >= 3").proj(
        "weight"
    )
    rows = {r["subject_id"]: (r["sex"], r["weight"]) for r in outer.to_dicts()}
    assert rows == {
        1: ("M", None),
        2: ("F", None),
        3: ("M", None),
        4: (None, Decimal("70.0")),
        5: (None, Decimal("55.5")),
    }


def test_top_is_deterministic_and_chains(lab) -> None:
    heaviest = lab.Subject & dj.Top(2, "weight DESC")
    assert ids(heaviest) == [1, 4]
    first_four = lab.Subject & dj.Top(4, "subject_id")
    assert ids(first_four & dj.Top(2, "subject_id", offset=1)) == [2, 3]
    by_sex = lab.Subject.to_dicts(order_by=["sex", "subject_id DESC"])
    assert [r["subject_id"] for r in by_sex] == [5, 3, 1, 4, 2]


def test_head_tail_and_fetch_methods(lab) -> None:
    assert [r["subject_id"] for r in lab.Subject.head(2)] == [1, 2]
    assert [r["subject_id"] for r in lab.Subject.tail(2)] == [4, 5]
    frame = lab.Subject.to_pandas()
    assert list(frame.index) == [1, 2, 3, 4, 5] and list(frame.columns) == ["sex", "weight", "tag"]
    assert lab.Subject.to_polars().shape == (5, 4)
    assert isinstance(lab.Subject.to_arrow(), pa.Table)
    assert lab.Subject.keys(limit=1) == [{"subject_id": 1}]
    assert (lab.Subject & {"subject_id": 2}).fetch1("sex", "weight") == ("F", Decimal("45.0"))
    with pytest.raises(FetchError):
        lab.Subject.fetch1()
    with pytest.raises(FetchError):
        (lab.Subject & {"subject_id": 99}).fetch1()
    assert bool(lab.Subject) and not (lab.Subject & {"subject_id": 99})
    assert {"subject_id": 3} in lab.Subject
    assert [r["subject_id"] for r in lab.Subject] == [1, 2, 3, 4, 5]


def test_insert_from_a_query_runs_on_the_server(lab) -> None:
    try:
        lab.Archive.insert(lab.Subject.proj("sex", "weight") & "weight > 50")
        assert ids(lab.Archive) == [1, 4, 5]
        lab.Archive.insert(lab.Subject.proj("sex", "weight"), skip_duplicates=True)
        assert ids(lab.Archive) == [1, 2, 3, 4, 5]
    finally:
        lab.Archive.delete_quick()


def test_datajoint_fetch_forms(lab) -> None:
    one = lab.Subject & {"subject_id": 2}
    assert one.fetch1("KEY") == {"subject_id": 2}
    assert one.fetch1("KEY", "sex") == ({"subject_id": 2}, "F")
    with pytest.warns(DeprecationWarning):
        keys = lab.Subject.fetch("KEY", order_by="subject_id", limit=2)
    assert keys == [{"subject_id": 1}, {"subject_id": 2}]
    with pytest.warns(DeprecationWarning):
        sexes = lab.Subject.fetch("sex", order_by="subject_id")
    assert list(sexes) == ["M", "F", "M", "F", "M"]
    with pytest.warns(DeprecationWarning):
        keys, sexes = lab.Subject.fetch("KEY", "sex", order_by="subject_id DESC", limit=1)
    assert keys == [{"subject_id": 5}] and list(sexes) == ["M"]
    with pytest.warns(DeprecationWarning):
        rows = lab.Subject.fetch("sex", as_dict=True, order_by="subject_id", limit=1)
    assert rows == [{"subject_id": 1, "sex": "M"}]
    with pytest.warns(DeprecationWarning):
        frame = lab.Subject.fetch(format="frame")
    assert list(frame.index) == [1, 2, 3, 4, 5]
    assert lab.Subject.to_dicts(squeeze=True, limit=1, order_by="KEY")[0]["subject_id"] == 1


def test_pandas_flavoured_surface_builds_the_same_queries(lab) -> None:
    Subject, Session = lab.Subject, lab.Session
    assert ids(Subject[Subject.weight > 50]) == ids(Subject & "weight > 50")
    assert ids(Subject[(Subject.sex == "M") & ~(Subject.weight < 58)]) == [1]
    assert ids(Subject[Subject.tag == None]) == [2, 5]  # noqa: E711
    assert ids(Subject[Subject.subject_id.isin([1, 4, 9])]) == [1, 4]
    assert Subject[["sex"]].heading.names == ["subject_id", "sex"]
    kilos = (Subject & {"subject_id": 1}).proj(kg=Subject.weight / 1000).fetch1("kg")
    assert kilos == pytest.approx(0.0605)
    totals = {
        r["subject_id"]: r["total"]
        for r in Subject.aggr(
            Session, total=Session.duration.sum(), n=Session.duration.count()
        ).to_dicts()
    }
    assert totals == {1: 30.0, 2: None, 3: 12.5, 4: None, 5: None}
    with pytest.raises(QueryError):
        bool(Subject.weight > 1)
    with pytest.raises(AttributeError):
        getattr(Subject, "no_such_attribute")  # noqa: B009


def test_enums_compare_as_text_and_non_members_match_nothing(lab) -> None:
    Session = lab.Session
    assert ids(lab.Subject & {"sex": "X"}) == []
    assert ids(lab.Subject - {"sex": "X"}) == [1, 2, 3, 4, 5]
    assert len(Session & "quality = 'excellent'") == 0
    assert len(Session - "quality = 'excellent'") == 4  # the NULL quality is unknown
    assert len(Session & "quality <> 'excellent'") == 4
    assert len(Session & "quality in ('good', 'nope')") == 3
    assert len(Session & "quality in ('nope')") == 0
    assert len(Session & "quality like 'g%'") == 3
    assert len(Session & "quality < 'c'") == 1  # text order: 'bad' < 'c' < 'good'
    assert dj.U().aggr(Session, top="max(quality)", low="min(quality)").fetch1() == {
        "top": "good",
        "low": "bad",
    }
    assert len(Session[Session.quality == "nope"]) == 0
