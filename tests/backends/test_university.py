"""DataJoint's University data set and its published answers, on every backend.

The expected values are copied from ``shared/fixtures/university/README.md`` (a peer's data and
answers, from datajoint-python's own test suite) — never from frames' output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from decimal import Decimal
from types import SimpleNamespace

import pytest
from university import university

import frames as dj


class _Loaded:
    """University schemas loaded in one test module, by backend URL (or the load's error)."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.by_url: dict[str, SimpleNamespace | Exception] = {}

    def get(self, url: str) -> SimpleNamespace:
        if url not in self.by_url:
            try:
                connection = dj.connect(url)
                self.stack.callback(connection.close)  # runs after the schema is dropped
                self.by_url[url] = self.stack.enter_context(university(connection))
            except Exception as error:  # fail each test with it instead of reloading
                self.by_url[url] = error
        value = self.by_url[url]
        if isinstance(value, Exception):
            pytest.fail(f"loading the University data on {url} failed: {value!r}")
        return value


@pytest.fixture(scope="module")
def loaded() -> Iterator[_Loaded]:
    """Loads once per backend and module; drops every schema when the module's tests end."""
    with ExitStack() as stack:
        yield _Loaded(stack)


@pytest.fixture
def uni(backend_url: str, loaded: _Loaded) -> SimpleNamespace:
    """The loaded University schema on the test's backend (``backend_url``'s parametrisation)."""
    return loaded.get(backend_url)


def keys_of(query, *names: str) -> set[tuple]:
    return {tuple(row[n] for n in names) for row in query.to_dicts()}


def test_table_sizes(uni):
    sizes = [
        len(uni.Student),
        len(uni.StudentMajor),
        len(uni.Section),
        len(uni.Enroll),
        len(uni.Grade),
    ]
    assert sizes == [300, 226, 756, 3364, 3027]


def test_restrict_by_dict_and_by_string(uni):
    assert len(uni.Student & {"home_state": "UT"}) == 7
    assert len(uni.Student & "home_state='UT'") == 7


def test_restrict_then_antirestrict_by_dict(uni):
    rows = ((uni.Student & "sex='M'") - {"home_state": "UT"}).to_dicts()
    assert len(rows) == 128
    assert {row["sex"] for row in rows} == {"M"}
    assert len({row["home_state"] for row in rows}) == 44


def test_restrict_by_list_of_dicts_equals_in_list(uni):
    by_list = uni.Student & [{"home_state": s} for s in ("OK", "NM", "TX")]
    by_string = uni.Student & "home_state in ('OK','NM','TX')"
    assert len(by_list.keys()) == 11
    assert keys_of(by_list, "student_id") == keys_of(by_string, "student_id")
    assert len(keys_of(by_string, "student_id")) == 11


def millennials(uni):
    return uni.Student & "date_of_birth between '1981-01-01' and '1996-12-31'"


def test_millennials(uni):
    assert len(millennials(uni)) == 170


def test_millennials_without_math_enrollment(uni):
    assert len(millennials(uni) - (uni.Enroll & "dept='MATH'")) == 53


def test_students_not_enrolled_in_current_term(uni):
    assert len(uni.Student - (uni.Enroll & uni.CurrentTerm)) == 204


def test_restrict_by_list_of_queries_and_dict(uni):
    query = uni.Student & [uni.Enroll, uni.StudentMajor - {"dept": "MATH"}] & {"sex": "F"}
    assert len(query) == 158


def ungraded(uni):
    return uni.Enroll * uni.CurrentTerm - uni.Grade


def major(uni):
    return uni.StudentMajor.proj(..., major="dept")


def test_ungraded(uni):
    assert len(ungraded(uni)) == 34


def test_left_join_keeps_every_ungraded_enrollment(uni):
    assert len(ungraded(uni).join(major(uni), left=True)) == 34


def test_inner_join_and_semijoin_with_major(uni):
    assert len(ungraded(uni).join(major(uni))) == 31
    assert len(ungraded(uni) & major(uni)) == 31


def test_union_equals_in_list(uni):
    union = (uni.Enroll & "student_id=101") + (uni.Enroll & "student_id=102")
    in_list = uni.Enroll & "student_id in (101, 102)"
    key = tuple(uni.Enroll.primary_key)
    assert len(union) == 41
    assert len(in_list) == 41
    assert keys_of(union, *key) == keys_of(in_list, *key)


def test_average_grade_per_course(uni):
    query = uni.Course.aggr(uni.Grade * uni.LetterGrade, avg_grade="round(avg(points), 2)")
    assert len(query) == 45


# SQL's ROUND of an exact number rounds half away from zero; frames pins "/" to floating
# division, so round(a / b, n) must still round like that on every backend (1.00 / 8 -> 0.13).
def test_round_of_quotient_rounds_half_away_from_zero(uni):
    query = (uni.LetterGrade & {"grade": "D"}).proj(r="round(points / 8, 2)")  # 1.00 / 8
    assert query.to_dicts()[0]["r"] == pytest.approx(0.13)


def test_round_of_quotient_of_aggregates(uni):
    query = dj.U().aggr(
        uni.LetterGrade & {"grade": "D"}, r="round(sum(points) / sum(points * 8), 2)"
    )  # 1.00 / 8.00
    assert query.to_dicts()[0]["r"] == pytest.approx(0.13)


def gpa_query(uni, **kwargs):
    return uni.Student.aggr(
        uni.Course * uni.Grade * uni.LetterGrade,
        gpa="round(sum(points*credits)/sum(credits), 2)",
        **kwargs,
    )


def test_gpa_of_graded_students(uni):
    rows = gpa_query(uni, exclude_nonmatching=True).to_dicts()
    assert len(rows) == 261
    mean = sum(Decimal(str(row["gpa"])) for row in rows) / len(rows)
    assert abs(mean - Decimal("2.3160")) < Decimal("0.00005")


def test_gpa_of_all_students(uni):
    rows = gpa_query(uni).to_dicts()
    assert len(rows) == 300
    assert sum(row["gpa"] is None for row in rows) == 39


def biol_sections(uni):
    return uni.Section & {"dept": "BIOL"}


def test_empty_sections(uni):
    query = biol_sections(uni).aggr(uni.Enroll, n="count(student_id)") & "n=0"
    assert len(query) == 17


def test_sections_with_several_grades(uni):
    query = biol_sections(uni).aggr(uni.Grade, ..., n="count(student_id)") & "n>1"
    assert len(query) == 168
    assert "grade" not in query.heading.names
    assert all("grade" not in row for row in query.to_dicts())


def test_distinct_home_states(uni):
    assert len(dj.U("home_state") & uni.Student) == 51


def test_universal_aggregation(uni):
    rows = dj.U().aggr(uni.Student, n="count(*)").to_dicts()
    assert len(rows) == 1
    assert rows[0]["n"] == 300


def test_majors_per_department(uni):
    query = uni.Department.aggr(uni.StudentMajor, n="count(student_id)")
    assert {row["dept"]: row["n"] for row in query.to_dicts()} == {
        "BIOL": 43,
        "CS": 60,
        "MATH": 55,
        "PHYS": 68,
    }


def test_students_without_major(uni):
    assert len(uni.Student - uni.StudentMajor) == 74


def test_grade_distribution(uni):
    query = uni.LetterGrade.aggr(uni.Grade, n="count(student_id)")
    assert {row["grade"]: row["n"] for row in query.to_dicts()} == {
        "A": 263,
        "A-": 273,
        "B+": 285,
        "B": 287,
        "B-": 256,
        "C+": 287,
        "C": 291,
        "C-": 292,
        "D+": 283,
        "D": 246,
        "F": 264,
    }


def test_students_with_ungraded_enrollment(uni):
    assert len(uni.Student & (uni.Enroll - uni.Grade)) == 161


def test_straight_a_students(uni):
    assert len((uni.Student & uni.Grade) - (uni.Grade - {"grade": "A"})) == 3


def test_students_enrolled_in_every_department(uni):
    every = uni.Student.proj() * uni.Department - uni.Enroll.proj("student_id", "dept")
    assert len(uni.Student - every) == 159


def test_largest_course_per_department(uni):
    ce = uni.Course.aggr(uni.Enroll, ..., n="count(student_id)")
    query = ce * uni.Department.aggr(ce, max_n="max(n)") & "n = max_n"
    assert keys_of(query, "dept", "course", "n") == {
        ("BIOL", 2355, 117),
        ("CS", 4970, 148),
        ("MATH", 1220, 82),
        ("PHYS", 3210, 110),
    }


def test_top_five_gpa(uni):
    query = (
        uni.Student.aggr(
            uni.Grade * uni.LetterGrade * uni.Course,
            total_credits="sum(credits)",
            gpa="sum(points*credits)/sum(credits)",
        )
        & "total_credits >= 12"
        & dj.Top(5, "gpa DESC")
    )
    rows = query.to_dicts()
    expected = [(155, "3.41"), (357, "3.2547"), (234, "3.176"), (317, "3.1443"), (212, "3.13")]
    assert [row["student_id"] for row in rows] == [sid for sid, _ in expected]
    for row, (_, shown) in zip(rows, expected, strict=True):
        value = Decimal(shown)
        tolerance = Decimal(1).scaleb(value.as_tuple().exponent) / 2
        assert abs(Decimal(str(row["gpa"])) - value) <= tolerance, row


def test_sections_in_current_term(uni):
    assert len(uni.Section * uni.CurrentTerm) == 32


def test_enrollments_in_current_term(uni):
    assert len(uni.Enroll * uni.CurrentTerm) == 246
