"""The University schema of DataJoint's test suite, declared and loaded on any connection.

The data and the expected answers are a peer's (``tests/data/university/README.md``); this
module only declares the schema given there, with frames' portable core types, and loads the CSV
files in the README's order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import frames as dj

LOAD_ORDER = (
    "Student",
    "Department",
    "StudentMajor",
    "Course",
    "Term",
    "CurrentTerm",
    "Section",
    "Enroll",
    "Grade",
)


def fixture_dir() -> Path:
    """The fixture directory: ``$FRAMES_UNIVERSITY_FIXTURE`` or ``tests/data/university``."""
    override = os.environ.get("FRAMES_UNIVERSITY_FIXTURE")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "data" / "university"


def read_csv(name: str, directory: Path | None = None) -> list[dict[str, str]]:
    """Rows of ``<name>.csv`` as dicts of strings (quoted multi-line values kept whole)."""
    path = (directory or fixture_dir()) / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def declare(schema: dj.Schema) -> SimpleNamespace:
    """Declare the University tables in ``schema``; returns the schema and the classes."""
    context: dict[str, object] = {}

    class Student(dj.Manual):
        definition = """
        student_id : int64
        ---
        first_name : varchar(40)
        last_name : varchar(40)
        sex : enum('F', 'M', 'U')
        date_of_birth : date
        home_address : varchar(120)
        home_city : varchar(60)
        home_state : char(2)
        home_zip : char(10)
        home_phone : varchar(20)
        """

    class Department(dj.Manual):
        definition = """
        dept : varchar(6)
        ---
        dept_name : varchar(200)
        dept_address : varchar(200)
        dept_phone : varchar(20)
        """

    class StudentMajor(dj.Manual):
        definition = """
        -> Student
        ---
        -> Department
        declare_date : date
        """

    class Course(dj.Manual):
        definition = """
        -> Department
        course : int64
        ---
        course_name : varchar(200)
        credits : decimal(3,1)
        """

    class Term(dj.Manual):
        definition = """
        term_year : int16
        term : enum('Spring', 'Summer', 'Fall')
        """

    class Section(dj.Manual):
        definition = """
        -> Course
        -> Term
        section : char(1)
        ---
        auditorium : varchar(12)
        """

    class CurrentTerm(dj.Manual):
        definition = """
        omega = 0 : int8
        ---
        -> Term
        """

    class Enroll(dj.Manual):
        definition = """
        -> Student
        -> Section
        """

    class LetterGrade(dj.Lookup):
        definition = """
        grade : char(2)
        ---
        points : decimal(3,2)
        """
        contents = [
            (grade, Decimal(points))
            for grade, points in (
                ("A", "4.00"),
                ("A-", "3.67"),
                ("B+", "3.33"),
                ("B", "3.00"),
                ("B-", "2.67"),
                ("C+", "2.33"),
                ("C", "2.00"),
                ("C-", "1.67"),
                ("D+", "1.33"),
                ("D", "1.00"),
                ("F", "0.00"),
            )
        ]

    class Grade(dj.Manual):
        definition = """
        -> Enroll
        ---
        -> LetterGrade
        """

    tables = (
        Student,
        Department,
        StudentMajor,
        Course,
        Term,
        Section,
        CurrentTerm,
        Enroll,
        LetterGrade,
        Grade,
    )
    for table in tables:
        schema(table, context=context)
        context[table.__name__] = table
    return SimpleNamespace(schema=schema, **{t.__name__: t for t in tables})


def load(university: SimpleNamespace, directory: Path | None = None) -> None:
    """Insert the CSV files in the README's order."""
    for name in LOAD_ORDER:
        getattr(university, name).insert(read_csv(name, directory))


@contextmanager
def university(connection: dj.Connection) -> Iterator[SimpleNamespace]:
    """The declared and loaded University schema; dropped on exit."""
    schema = dj.Schema(f"frames_univ_{uuid4().hex[:8]}", connection=connection)
    try:
        declared = declare(schema)
        load(declared)
        yield declared
    finally:
        schema.drop(prompt=False)
