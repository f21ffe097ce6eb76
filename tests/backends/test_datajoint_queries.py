"""DataJoint 2.x query behaviour on every backend: semantic matching and ``semantic_check``,
removed operators, ``dj.U`` forms, ``dj.Top`` (validation, inherited order, order of results),
the fetch API's shapes, restriction by numpy records, SQL fragments read as the backend reads
SQL, and date arithmetic in fragments.

Expected rows are worked out by hand from the small data set below.
"""

from __future__ import annotations

import datetime
import types
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import numpy as np
import pytest
from per_backend import PerBackend

import frames as dj
from frames.api.coerce import assert_join_compatibility
from frames.errors import FragmentError, QueryError, UnknownAttributeError


@contextmanager
def build_school(connection: dj.Connection) -> Iterator[SimpleNamespace]:
    """Declare and fill the test schema on ``connection``; drop it afterwards."""
    schema = dj.Schema(f"frames_djq_{uuid.uuid4().hex[:8]}", connection=connection)

    @schema
    class Student(dj.Manual):
        definition = """
        student_id : int32
        ---
        name : varchar(20)
        born : date
        """

    @schema
    class Course(dj.Manual):
        definition = """
        course_id : int32
        ---
        title : varchar(20)
        credits = null : float64
        """

    @schema
    class Enrollment(dj.Manual):
        definition = """
        -> Student
        -> Course
        ---
        grade : float32
        """

    @schema
    class Badge(dj.Manual):  # its own ``student_id``: same name, another lineage
        definition = """
        student_id : int32
        ---
        badge : varchar(10)
        photo = null : bytes
        """

    def rows(names: str, *values: tuple) -> list[dict]:
        return [dict(zip(names.split(), row, strict=True)) for row in values]

    Student.insert(
        rows(
            "student_id name born",
            (1, "Ann", "2000-01-15"),
            (2, "Bob", "1999-06-30"),
            (3, "Cy", "2001-12-01"),
        )
    )
    Course.insert(rows("course_id title credits", (10, "Math", 3.0), (20, "Art", None)))
    Enrollment.insert(rows("student_id course_id grade", (1, 10, 3.5), (1, 20, 2.25), (2, 10, 4.0)))
    Badge.insert(
        rows("student_id badge photo", (1, "gold", b"\x89PNG"), (3, "red", None), (7, "blue", b""))
    )
    try:
        yield SimpleNamespace(Student=Student, Course=Course, Enrollment=Enrollment, Badge=Badge)
    finally:
        schema.drop(prompt=False)


@pytest.fixture(scope="module")
def schools() -> Iterator[PerBackend]:
    with ExitStack() as stack:
        yield PerBackend(stack, build_school)


@pytest.fixture
def school(backend_url: str, schools: PerBackend) -> SimpleNamespace:
    """The test schema on the test's backend (declared once per module and backend)."""
    return schools.get(backend_url)


def ids(query, attr: str = "student_id") -> list:
    return sorted(row[attr] for row in query.to_dicts())


# -- semantic matching ------------------------------------------------------------------------


def test_namesakes_of_different_lineage_need_semantic_check_false(school) -> None:
    student, badge = school.Student, school.Badge
    with pytest.raises(QueryError, match="lineage.*student_id"):
        student * badge
    with pytest.raises(QueryError, match="lineage"):
        student & badge
    with pytest.raises(QueryError, match="lineage"):
        assert_join_compatibility(student, badge)
    assert_join_compatibility(student, badge, semantic_check=False)
    assert_join_compatibility(student, dj.U("student_id"))
    joined = student.join(badge, semantic_check=False)
    assert sorted((r["student_id"], r["badge"]) for r in joined.to_dicts()) == [
        (1, "gold"),
        (3, "red"),
    ]
    assert ids(student.restrict(badge, semantic_check=False)) == [1, 3]
    assert ids(student.restrict(dj.Not(badge), semantic_check=False)) == [2]
    assert ids(student.restrict(-badge(), semantic_check=False)) == [2]
    assert ids(student & school.Enrollment) == [1, 2]  # shared lineage: no flag needed


def test_removed_operators_raise_naming_their_replacement(school) -> None:
    with pytest.raises(QueryError, match=r"@ operator has been removed.*semantic_check=False"):
        school.Student() @ school.Course()
    with pytest.raises(QueryError, match=r"\^ operator has been removed.*semantic_check=False"):
        school.Student() ^ school.Course()


def test_left_join_and_extend_need_the_left_operand_to_determine_the_right(school) -> None:
    extended = school.Enrollment.extend(school.Student)
    assert len(extended) == 3 and extended.primary_key == ["student_id", "course_id"]
    with pytest.raises(QueryError, match="left operand to determine"):
        school.Student.extend(school.Enrollment)
    with pytest.raises(QueryError, match=r"not in the left operand: \['course_id'\]"):
        school.Student.join(school.Enrollment, left=True)


def test_union_of_key_only_operands_ignores_lineage(school) -> None:
    union = school.Student.proj() + school.Badge.proj()
    assert school.Badge.proj("photo").to_dicts(order_by="KEY")[0]["photo"] == b"\x89PNG"
    assert ids(union) == [1, 2, 3, 7]


# -- dj.U -------------------------------------------------------------------------------------


def test_u_forms_and_their_errors(school) -> None:
    student = school.Student()
    assert (student & dj.U("name")).sql == student.sql  # U restricts nothing
    assert len(student - dj.U("name")) == 0
    assert dj.U("student_id", "name").primary_key == ["student_id", "name"]
    with pytest.raises(QueryError, match="can only be restricted by a query"):
        dj.U("name") & {"name": "Ann"}
    with pytest.raises(QueryError, match="no longer supported"):
        dj.U("name") * student
    with pytest.raises(QueryError, match="no longer supported"):
        student * dj.U("name")
    with pytest.raises(QueryError, match="infinite"):
        dj.U("name") - student
    with pytest.raises(QueryError, match="exclude_nonmatching=False"):
        dj.U("course_id").aggr(school.Enrollment, n="count(*)", exclude_nonmatching=False)
    per_course = dj.U("course_id").aggregate(school.Enrollment, n="count(*)")
    assert {r["course_id"]: r["n"] for r in per_course.to_dicts()} == {10: 2, 20: 1}


# -- dj.Top -----------------------------------------------------------------------------------


def test_top_validates_its_arguments_as_datajoint() -> None:
    assert repr(dj.Top()) == "Top(limit=1, order_by=['KEY'], offset=0)"
    assert dj.Top(5, ("a", "b DESC"), None).order_by == ["a", "b DESC"]
    with pytest.raises(TypeError, match="^Top limit must be an integer$") as raised:
        dj.Top(limit="1")
    assert isinstance(raised.value, dj.errors.FramesError), "a frames error, and a TypeError"
    with pytest.raises(TypeError, match="^Top order_by attributes must all be strings$"):
        dj.Top(order_by=1)
    with pytest.raises(TypeError, match="^The offset argument must be an integer$"):
        dj.Top(offset="1")


def test_top_order_is_inherited_and_kept_in_results(school) -> None:
    student = school.Student()
    newest = student & dj.Top(None, "born DESC")
    assert [r["student_id"] for r in newest.to_dicts()] == [3, 1, 2]
    assert [r["student_id"] for r in newest] == [3, 1, 2]
    assert list(newest.to_arrays("student_id", limit=2)) == [3, 1]
    assert [r["student_id"] for r in (newest & dj.Top(2, order_by=None)).to_dicts()] == [3, 1]
    skipped = student & dj.Top(3, "born DESC", offset=1) & dj.Top(1, order_by=None, offset=1)
    assert [r["student_id"] for r in skipped.to_dicts()] == [2]
    # the second Top reads the first one's rows (DataJoint's merge would return id 3 too)
    assert ids(student & dj.Top(2, "student_id") & dj.Top(5, order_by=None, offset=1)) == [2]
    reordered = student & dj.Top(2, "born DESC") & dj.Top(5, "student_id")
    assert [r["student_id"] for r in reordered.to_dicts()] == [1, 3]
    assert ids(student & dj.Top(order_by=None)) == [1]
    with pytest.raises(QueryError, match="Invalid restriction type Top"):
        student & ["name = 'Ann'", dj.Top()]
    with pytest.raises(QueryError, match="Invalid restriction type Top"):
        student & dj.AndList(["name = 'Ann'", dj.Top()])


# -- fetch ------------------------------------------------------------------------------------


def test_fetch_shapes_follow_datajoint(school) -> None:
    enrollment = school.Enrollment()
    grades = enrollment.to_arrays("grade", order_by="grade")
    assert grades.dtype == np.float64 and list(grades) == [2.25, 3.5, 4.0]
    keys, titles = (school.Course & "course_id = 10").to_arrays("title", include_key=True)
    assert keys == [{"course_id": 10}] and list(titles) == ["Math"]
    assert school.Student.keys(order_by="name DESC") == [
        {"student_id": 3},
        {"student_id": 2},
        {"student_id": 1},
    ]
    rows = iter(school.Student())
    assert isinstance(rows, types.GeneratorType) and next(rows)["student_id"] == 1
    assert school.Student.aggregate(enrollment, n="count(*)").fetch1 is not None
    with pytest.warns(DeprecationWarning), pytest.raises(QueryError, match="format='frame'"):
        school.Student.fetch("name", format="frame")
    sql = school.Student().make_sql()
    assert sql == school.Student().sql and sql.lstrip().upper().startswith("SELECT")


def test_preview_takes_limit_and_width(school) -> None:
    lines = school.Student().preview(limit=2, width=6).split("\n")
    assert lines[0].split() == ["*stud…", "name", "born"]
    assert lines[2].split() == ["1", "Ann", "2000-…"] and lines[3].split()[:2] == ["2", "Bob"]
    assert lines[4:] == ["   ...", "", "Total: 3"]
    assert repr(school.Student()).split("\n")[-1] == "Total: 3"
    dj.config["display.show_tuple_count"] = False
    try:
        assert school.Student().preview(limit=2).split("\n")[-1] == "   ..."
        assert "Total" not in school.Student()._repr_html_()
    finally:
        del dj.config["display.show_tuple_count"]
    badges = school.Badge().preview().split("\n")  # binary attributes are not read
    assert [line.split() for line in badges[2:5]] == [
        ["1", "gold", "=BLOB="],
        ["3", "red", "=BLOB="],
        ["7", "blue", "=BLOB="],
    ]


# -- restriction arguments ------------------------------------------------------------------


def test_restriction_by_numpy_records_and_by_u(school) -> None:
    records = school.Student.to_arrays(order_by="student_id")
    assert ids(school.Student & records[1]) == [2]  # one record (numpy.void)
    assert ids(school.Student & records[:2]) == [1, 2]  # a record array: any of them
    assert ids(school.Student - records[:2]) == [3]
    keys = school.Student.to_arrays("student_id", include_key=True)[0]
    assert ids(school.Student & keys[2]) == [3]


def test_missing_values_in_restrictions_mean_null(school) -> None:
    course = school.Course()
    frame = course.to_pandas()
    assert np.isnan(frame.loc[20, "credits"])
    assert ids(course & frame, "course_id") == [10, 20]  # NaN matches the NULL it came from
    assert ids(course & {"credits": float("nan")}, "course_id") == [20]
    assert ids(course & {"credits": np.float32("nan")}, "course_id") == [20]
    assert ids(course - course.to_arrays(), "course_id") == []


def test_string_conditions_are_read_as_the_backend_reads_sql(school, backend_name) -> None:
    student = school.Student()
    assert ids(student & "name = 'Ann'") == [1]
    if backend_name == "mysql":  # MySQL (and DataJoint on it): double quotes make a string
        assert ids(student & 'name = "Bob" or name like "C%"') == [2, 3]
        assert ids(student & 'born between "2000-01-01" and "2001-12-31"') == [1, 3]
    else:  # ANSI: double quotes name an attribute
        with pytest.raises(UnknownAttributeError, match="'Bob' .double quotes name an attrib"):
            student & 'name = "Bob"'
        assert ids(student & 'name = "name"') == [1, 2, 3]
    one = student & {"student_id": 1}
    assert one.proj(tag="concat(name, '!')").fetch1("tag") == "Ann!"  # the same everywhere
    if backend_name == "mysql":  # MySQL reads || as OR, which strings cannot take
        with pytest.raises(FragmentError, match=r"concat\(a, b\)"):
            one.proj(tag="name || '!'")
    else:
        assert one.proj(tag="name || '!'").fetch1("tag") == "Ann!"
    dj.config["fragment_dialect"] = "mysql"
    try:
        assert ids(student & 'name = "Bob"') == [2]
    finally:
        del dj.config["fragment_dialect"]


def test_date_functions_and_intervals_in_fragments(school) -> None:
    student = school.Student()
    assert ids(student & "born < curdate() - interval 20 year") == [1, 2, 3]
    assert ids(student & "born > current_date + interval 1 day") == []
    assert ids(student & "born between date('2000-01-01') and date('2000-12-31')") == [1]
    shifted = (
        (student & {"student_id": 2})
        .proj(later="born + interval 2 month", earlier="born - interval 1 week", day="date(born)")
        .fetch1()
    )
    assert shifted["later"] == datetime.date(1999, 8, 30)
    assert shifted["earlier"] == datetime.date(1999, 6, 23)
    assert shifted["day"] == datetime.date(1999, 6, 30)
