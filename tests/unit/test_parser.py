"""The definition grammar: every form, the tutorial and University schemas, every error."""

from __future__ import annotations

import datetime
import doctest
import uuid
from decimal import Decimal

import pytest

import frames.declare.parser as parser_module
from frames.declare.parser import parse_definition
from frames.declare.spec import (
    AUTO_INCREMENT,
    NO_DEFAULT,
    ForeignKeySpec,
    IndexSpec,
    SqlDefault,
    TableRef,
    TableSpec,
)
from frames.declare.types import CoreType
from frames.errors import DefinitionError

SCHEMA = "lab"


class Registry:
    """Declares tables in order; ``resolve`` looks them up by class name like a Schema would."""

    def __init__(self, schema: str = SCHEMA) -> None:
        self.schema = schema
        self.specs: dict[str, TableSpec] = {}

    def resolve(self, text: str) -> TableSpec:
        return self.specs[text]

    def declare(
        self, class_name: str, definition: str, tier: str = "manual", stored: str | None = None
    ) -> TableSpec:
        stored = stored or class_name.lower()
        spec = parse_definition(
            definition,
            ref=TableRef(self.schema, stored),
            tier=tier,
            class_name=class_name,
            resolve=self.resolve,
        )
        self.specs[class_name] = spec
        return spec


def parse(
    definition: str,
    registry: Registry | None = None,
    class_name: str = "Thing",
    tier: str = "manual",
) -> TableSpec:
    return (registry or Registry()).declare(class_name, definition, tier=tier)


def names(spec: TableSpec) -> list[str]:
    return [a.name for a in spec.attributes]


def test_docstring_examples_run():
    assert doctest.testmod(parser_module).failed == 0


# ---------------------------------------------------------------------------------------------
# The tutorial


TUTORIAL = {
    "Researcher": """
    researcher_id : int32
    ---
    researcher_name : varchar(100)
    email : varchar(100)
    """,
    "Subject": """
    subject_id : int32
    ---
    species : varchar(32)
    date_of_birth : date
    sex : enum('M', 'F', 'unknown')
    """,
    "Session": """
    -> Subject
    session_date : date
    ---
    -> Researcher
    session_notes : varchar(255)
    """,
    "Recording": """
    -> Session
    recording_id : int16
    ---
    duration : decimal(5,1) # recording duration (seconds)
    quality : enum('good', 'fair', 'poor')
    """,
}


@pytest.fixture
def tutorial() -> Registry:
    registry = Registry()
    for class_name, definition in TUTORIAL.items():
        registry.declare(class_name, definition)
    return registry


def test_tutorial_researcher(tutorial):
    spec = tutorial.specs["Researcher"]
    assert spec.ref == TableRef(SCHEMA, "researcher")
    assert spec.tier == "manual"
    assert spec.comment == ""
    assert spec.primary_key == ("researcher_id",)
    assert names(spec) == ["researcher_id", "researcher_name", "email"]
    key = spec.attribute("researcher_id")
    assert key.type == CoreType("int32")
    assert key.lineage == "lab.researcher.researcher_id"
    assert not key.nullable and key.default is NO_DEFAULT
    email = spec.attribute("email")
    assert email.type == CoreType("varchar", length=100)
    assert not email.in_key and email.lineage is None
    assert spec.foreign_keys == () and spec.indexes == ()


def test_tutorial_subject_enum(tutorial):
    sex = tutorial.specs["Subject"].attribute("sex")
    assert sex.type == CoreType("enum", values=("M", "F", "unknown"))
    assert tutorial.specs["Subject"].attribute("date_of_birth").type == CoreType("date")


def test_tutorial_session_dependencies(tutorial):
    spec = tutorial.specs["Session"]
    assert names(spec) == ["subject_id", "session_date", "researcher_id", "session_notes"]
    assert spec.primary_key == ("subject_id", "session_date")
    assert spec.attribute("subject_id").lineage == "lab.subject.subject_id"
    assert spec.attribute("session_date").lineage == "lab.session.session_date"
    researcher = spec.attribute("researcher_id")
    assert not researcher.in_key and not researcher.nullable
    assert researcher.lineage == "lab.researcher.researcher_id"
    assert spec.foreign_keys == (
        ForeignKeySpec(TableRef(SCHEMA, "subject"), (("subject_id", "subject_id"),), in_key=True),
        ForeignKeySpec(
            TableRef(SCHEMA, "researcher"), (("researcher_id", "researcher_id"),), in_key=False
        ),
    )


def test_tutorial_recording_inherits_through_two_levels(tutorial):
    spec = tutorial.specs["Recording"]
    assert spec.primary_key == ("subject_id", "session_date", "recording_id")
    assert spec.attribute("subject_id").lineage == "lab.subject.subject_id"
    assert spec.attribute("session_date").lineage == "lab.session.session_date"
    assert spec.attribute("session_date").type == CoreType("date")
    duration = spec.attribute("duration")
    assert duration.type == CoreType("decimal", precision=5, scale=1)
    assert duration.comment == "recording duration (seconds)"
    assert spec.foreign_keys[0].attr_map == (
        ("subject_id", "subject_id"),
        ("session_date", "session_date"),
    )


# ---------------------------------------------------------------------------------------------
# The University schema (fixtures/university/README.md)


@pytest.fixture
def university() -> Registry:
    registry = Registry("university")
    registry.declare(
        "Student",
        """
        student_id : int64
        ---
        first_name : varchar(40)
        last_name : varchar(40)
        sex : enum('F','M','U')
        date_of_birth : date
        home_address : varchar(120)
        home_city : varchar(60)
        home_state : char(2)
        home_zip : char(10)
        home_phone : varchar(20)
        """,
    )
    registry.declare(
        "Department",
        """
        dept : varchar(6)
        ---
        dept_name : varchar(200)
        dept_address : varchar(200)
        dept_phone : varchar(20)
        """,
    )
    registry.declare(
        "StudentMajor",
        """
        -> Student
        ---
        -> Department
        declare_date : date
        """,
        stored="student_major",
    )
    registry.declare(
        "Course",
        """
        -> Department
        course : int64
        ---
        course_name : varchar(200)
        credits : decimal(3,1)
        """,
    )
    registry.declare(
        "Term",
        """
        term_year : int16
        term : enum('Spring','Summer','Fall')
        """,
    )
    registry.declare(
        "Section",
        """
        -> Course
        -> Term
        section : char(1)
        ---
        auditorium : varchar(12)
        """,
    )
    registry.declare(
        "CurrentTerm",
        """
        omega = 0 : int8
        ---
        -> Term
        """,
        stored="current_term",
    )
    registry.declare(
        "Enroll",
        """
        -> Student
        -> Section
        """,
    )
    registry.declare(
        "LetterGrade",
        """
        grade : char(2)
        ---
        points : decimal(3,2)
        """,
        tier="lookup",
        stored="#letter_grade",
    )
    registry.declare(
        "Grade",
        """
        -> Enroll
        ---
        -> LetterGrade
        """,
    )
    return registry


def test_university_keys(university):
    specs = university.specs
    assert specs["StudentMajor"].primary_key == ("student_id",)
    assert specs["Course"].primary_key == ("dept", "course")
    assert specs["Term"].primary_key == ("term_year", "term")
    assert names(specs["Term"]) == ["term_year", "term"]
    assert specs["Section"].primary_key == ("dept", "course", "term_year", "term", "section")
    assert specs["Enroll"].primary_key == (
        "student_id",
        "dept",
        "course",
        "term_year",
        "term",
        "section",
    )
    assert specs["Grade"].primary_key == specs["Enroll"].primary_key
    assert names(specs["Grade"])[-1] == "grade"
    assert specs["LetterGrade"].tier == "lookup"


def test_university_lineage(university):
    specs = university.specs
    assert specs["StudentMajor"].attribute("dept").lineage == "university.department.dept"
    assert specs["Enroll"].attribute("dept").lineage == "university.department.dept"
    assert specs["Enroll"].attribute("section").lineage == "university.section.section"
    assert specs["Grade"].attribute("grade").lineage == "university.#letter_grade.grade"
    assert specs["Grade"].attribute("term").type == CoreType(
        "enum", values=("Spring", "Summer", "Fall")
    )


def test_university_current_term_default_in_key(university):
    spec = university.specs["CurrentTerm"]
    omega = spec.attribute("omega")
    assert omega.in_key and omega.default == 0 and isinstance(omega.default, int)
    assert [a.in_key for a in spec.attributes] == [True, False, False]
    assert spec.foreign_keys[0].in_key is False


def test_university_grade_foreign_keys(university):
    spec = university.specs["Grade"]
    assert [fk.parent.name for fk in spec.foreign_keys] == ["enroll", "#letter_grade"]
    assert spec.foreign_keys[0].child_attrs == spec.primary_key


def test_attribute_shared_by_two_paths_with_same_lineage(university):
    spec = university.declare(
        "CourseSection",
        """
        -> Course
        -> Section
        """,
        stored="course_section",
    )
    assert names(spec) == ["dept", "course", "term_year", "term", "section"]
    assert [fk.child_attrs for fk in spec.foreign_keys] == [
        ("dept", "course"),
        ("dept", "course", "term_year", "term", "section"),
    ]


# ---------------------------------------------------------------------------------------------
# Grammar forms


def test_table_comment_and_comment_lines():
    spec = parse("""
        # A table: with 'quotes' # and hashes
        a : int32   # first
        # a comment line between attributes

        ---
        # another
        b : varchar(10)
        """)
    assert spec.comment == "A table: with 'quotes' # and hashes"
    assert names(spec) == ["a", "b"]
    assert spec.attribute("a").comment == "first"


def test_only_first_line_is_table_comment():
    spec = parse("a : int32\n# not the table comment\n")
    assert spec.comment == ""


def test_definition_without_divider_is_all_key():
    spec = parse("a : int32\nb : char(3)")
    assert spec.primary_key == ("a", "b")


@pytest.mark.parametrize("divider", ["---", "------------", "___", "---  # secondary"])
def test_divider_spellings(divider):
    spec = parse(f"a : int32\n{divider}\nb : int32")
    assert spec.primary_key == ("a",)


def test_tier_copied():
    assert parse("a : int32", tier="computed").tier == "computed"


def test_defaults_of_each_kind():
    spec = parse("""
        id : int32
        ---
        count = 5 : int64
        neg = -3 : int8
        ratio = 0.25 : float64
        price = 12.50 : decimal(6,2)
        flag = true : bool
        off = 0 : bool
        name = 'it''s' : varchar(20)
        dq = "a 'b' # c" : varchar(20)   # the hash in quotes is not a comment
        bare = unknown : enum('M', 'F', 'unknown')
        day = '2024-01-15' : date
        ts = '2024-01-15 10:30:00' : datetime
        created = current_timestamp : datetime
        ident = '6ba7b810-9dad-11d1-80b4-00c04fd430c8' : uuid
        doc = '{"a": 1}' : json
        note = null : varchar(100)
        nothing : int32
        """)
    value = {a.name: a.default for a in spec.attributes}
    assert value["count"] == 5 and value["neg"] == -3
    assert value["ratio"] == 0.25 and isinstance(value["ratio"], float)
    assert value["price"] == Decimal("12.50") and isinstance(value["price"], Decimal)
    assert value["flag"] is True and value["off"] is False
    assert value["name"] == "it's"
    assert value["dq"] == "a 'b' # c"
    assert spec.attribute("dq").comment == "the hash in quotes is not a comment"
    assert value["bare"] == "unknown"
    assert value["day"] == datetime.date(2024, 1, 15)
    assert value["ts"] == datetime.datetime(2024, 1, 15, 10, 30)
    assert value["created"] == SqlDefault("CURRENT_TIMESTAMP")
    assert value["ident"] == uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    assert value["doc"] == '{"a": 1}'
    assert value["note"] is None and spec.attribute("note").nullable
    assert value["nothing"] is NO_DEFAULT and not spec.attribute("nothing").nullable
    assert not spec.attribute("count").nullable


def test_hash_inside_enum_is_not_a_comment():
    spec = parse("a : int32\n---\nb = 'x#y' : enum('x#y', 'z')  # real comment")
    assert spec.attribute("b").type.values == ("x#y", "z")
    assert spec.attribute("b").comment == "real comment"
    assert spec.attribute("b").default == "x#y"


def test_native_type_spellings_are_mapped():
    spec = parse("a : int unsigned\n---\nb : double\nc : longblob")
    assert [a.type.kind for a in spec.attributes] == ["int64", "float64", "bytes"]


@pytest.mark.parametrize(
    ("spelling", "core"),
    [
        ("int", "int32"),
        ("integer", "int32"),
        ("tinyint", "int8"),
        ("smallint", "int16"),
        ("tinyint unsigned", "int16"),
        ("int(11)", "int32"),
        ("bigint unsigned", "int64"),
        ("float", "float32"),
        ("float(24)", "float32"),
        ("float(25)", "float64"),
        ("double", "float64"),
        ("double(10,2)", "float64"),
        ("real", "float32"),
        ("year", "int16"),
        ("decimal", "decimal(10,0)"),
        ("numeric(5)", "decimal(5,0)"),
        ("longblob", "bytes"),
        ("mediumtext", "text"),
        ("timestamp(3)", "datetime(3)"),
    ],
)
def test_native_spellings_map_to_the_core_type_holding_their_values(spelling, core):
    assert str(parse(f"a : int32\n---\nb : {spelling}").attribute("b").type) == core


@pytest.mark.parametrize(
    ("spelling", "core"),
    [
        ("int auto_increment", "int32"),
        ("INT UNSIGNED AUTO_INCREMENT", "int64"),
        ("int16 auto_increment", "int16"),
        ("serial", "int64"),
    ],
)
def test_auto_increment_is_a_database_default(spelling, core):
    attr = parse(f"id : {spelling}  # numbered\n---\nv : int32").attribute("id")
    assert str(attr.type) == core and attr.comment == "numbered"
    assert attr.default == AUTO_INCREMENT and attr.auto_increment and attr.has_default


@pytest.mark.parametrize(
    ("definition", "fragment"),
    [
        ("id : varchar(4) auto_increment", "auto_increment needs an integer type"),
        ("id = 1 : int auto_increment", "cannot have a default"),
        ("k : int32\n---\nid : int auto_increment", "must be in the primary key"),
    ],
)
def test_error_misplaced_auto_increment(definition, fragment):
    expect_error(definition, fragment)


def test_nullable_foreign_key_below_divider(tutorial):
    spec = tutorial.declare(
        "Note",
        """
        note_id : int32
        ---
        -> [nullable] Researcher
        """,
    )
    researcher = spec.attribute("researcher_id")
    assert researcher.nullable and researcher.default is None and not researcher.in_key
    assert researcher.lineage == "lab.researcher.researcher_id"
    assert spec.foreign_keys[0].nullable and not spec.foreign_keys[0].unique


def test_unique_foreign_key_adds_unique_index(tutorial):
    spec = tutorial.declare(
        "Badge",
        """
        badge_id : int32
        ---
        -> [unique] Researcher
        """,
    )
    assert spec.foreign_keys[0].unique and not spec.foreign_keys[0].nullable
    assert spec.indexes == (IndexSpec(("researcher_id",), unique=True),)


@pytest.mark.parametrize("options", ["nullable, unique", "unique,nullable", "NULLABLE , Unique"])
def test_nullable_unique_foreign_key(tutorial, options):
    spec = tutorial.declare("Desk", f"desk_id : int32\n---\n-> [{options}] Researcher")
    fk = spec.foreign_keys[0]
    assert fk.nullable and fk.unique
    assert spec.indexes == (IndexSpec(("researcher_id",), unique=True),)


def test_proj_renames_foreign_key(tutorial):
    spec = tutorial.declare(
        "Supervision",
        """
        -> Researcher.proj(supervisor_id='researcher_id')
        -> Researcher
        ---
        -> Session.proj(first_date = "session_date")  # renames one of two key attributes
        """,
    )
    assert names(spec) == ["supervisor_id", "researcher_id", "subject_id", "first_date"]
    assert spec.primary_key == ("supervisor_id", "researcher_id")
    supervisor = spec.attribute("supervisor_id")
    assert supervisor.lineage == "lab.researcher.researcher_id"
    assert supervisor.type == CoreType("int32")
    assert spec.foreign_keys[0].attr_map == (("supervisor_id", "researcher_id"),)
    assert spec.foreign_keys[2].attr_map == (
        ("subject_id", "subject_id"),
        ("first_date", "session_date"),
    )
    assert spec.attribute("first_date").lineage == "lab.session.session_date"


def test_inherited_attribute_keeps_parent_comment():
    registry = Registry()
    registry.declare("Rig", "rig : varchar(8)  # rig name")
    spec = registry.declare("Run", "-> Rig\nrun : int32")
    assert spec.attribute("rig").comment == "rig name"
    assert spec.attribute("rig").default is NO_DEFAULT


def test_qualified_reference_and_trailing_comment():
    registry = Registry()
    other = parse_definition(
        "rig : int32",
        ref=TableRef("other", "rig"),
        tier="lookup",
        class_name="Rig",
        resolve=registry.resolve,
    )
    registry.specs["lab.Rig"] = other
    spec = registry.declare("Run", "-> lab.Rig  # a rig from another schema\nrun : int32")
    assert spec.foreign_keys[0].parent == TableRef("other", "rig")
    assert spec.attribute("rig").lineage == "other.rig.rig"


def test_part_table_references_master():
    registry = Registry()
    master = registry.declare("Scan", "scan_id : int32", tier="imported", stored="_scan")
    registry.specs["master"] = master
    part = registry.declare(
        "Channel", "-> master\nchannel : int16", tier="part", stored="_scan__channel"
    )
    assert part.tier == "part"
    assert part.primary_key == ("scan_id", "channel")
    assert part.foreign_keys[0].parent == TableRef(SCHEMA, "_scan")
    assert part.attribute("scan_id").lineage == "lab._scan.scan_id"


def test_resolve_receives_reference_text_only(tutorial):
    seen: list[str] = []

    def resolve(text: str) -> TableSpec:
        seen.append(text)
        return tutorial.specs[text]

    parse_definition(
        "k : int32\n---\n-> [nullable] Researcher.proj(boss='researcher_id')  # x",
        ref=TableRef(SCHEMA, "t"),
        tier="manual",
        class_name="T",
        resolve=resolve,
    )
    assert seen == ["Researcher"]


def test_indexes():
    spec = parse("""
        a : int32
        ---
        b : int32
        c : varchar(10)
        index(b, c)
        unique index (c)   # one per value
        INDEX(c)
        index(b, c)
        """)
    assert spec.indexes == (
        IndexSpec(("b", "c")),
        IndexSpec(("c",), unique=True),
        IndexSpec(("c",)),
    )


def test_index_may_precede_its_attributes():
    spec = parse("a : int32\n---\nindex(b)\nb : int32")
    assert spec.indexes == (IndexSpec(("b",)),)


def test_attribute_named_like_index_keyword():
    spec = parse("index : int32\n---\nindex_x : int32\nunique_id : int32")
    assert names(spec) == ["index", "index_x", "unique_id"]
    assert spec.indexes == ()


# ---------------------------------------------------------------------------------------------
# Errors: each names the class, the line number and text, and what was expected


def expect_error(
    definition: str, *fragments: str, registry: Registry | None = None, class_name: str = "Thing"
) -> str:
    with pytest.raises(DefinitionError) as info:
        parse(definition, registry, class_name=class_name)
    message = str(info.value)
    assert message.startswith(f"{class_name} definition")
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_error_unknown_type_lists_core_types():
    expect_error(
        "a : int32\n---\nb : integr",
        "line 3",
        "'b : integr'",
        "unknown type 'integr'",
        "int8, int16, int32, int64",
        "varchar(n)",
    )


def test_error_missing_colon():
    expect_error(
        "a : int32\n---\nb int32",
        "line 3",
        "'b int32'",
        "missing ':'",
        "name [= default] : type [# comment]",
    )


def test_error_underscore_names_are_reserved():
    expect_error("a : int32\n---\n_hidden : bool", "line 3", "reserved for platform-managed")


@pytest.mark.parametrize("name", ["Bad", "1abc", "with-dash", "two words"])
def test_error_bad_attribute_name(name):
    expect_error(
        f"a : int32\n{name} : int32",
        "line 2",
        f"invalid attribute name {name!r}",
        "lowercase snake_case starting with a letter",
    )


def test_error_foreign_key_to_undeclared_table():
    expect_error(
        "-> Subjekt\nsession_date : date",
        "line 1",
        "'-> Subjekt'",
        "foreign key to undeclared table 'Subjekt'",
        "before Session",
        class_name="Session",
    )


def test_error_duplicate_attribute():
    expect_error(
        "a : int32\n---\nb : int32\n\nb : int64",
        "line 5",
        "'b : int64'",
        "duplicate attribute 'b'",
        "line 3",
    )


def test_error_own_attribute_duplicates_inherited(tutorial):
    expect_error(
        "-> Subject\nsubject_id : int32",
        "line 2",
        "duplicate attribute 'subject_id'",
        registry=tutorial,
    )


def test_error_namesake_with_different_lineage(tutorial):
    tutorial.declare("Cage", "subject_id : int32")
    expect_error(
        "-> Subject\n-> Cage",
        "line 2",
        "'-> Cage'",
        "attribute 'subject_id'",
        "lab.subject.subject_id",
        "lab.cage.subject_id",
        ".proj(",
        registry=tutorial,
    )


def test_error_null_default_in_primary_key():
    expect_error(
        "a = null : int32\n---\nb : int32",
        "line 1",
        "'a = null : int32'",
        "primary-key attribute 'a' cannot default to null",
    )


@pytest.mark.parametrize("definition", ["---\nb : int32", "# only a comment\n", ""])
def test_no_primary_key_declares_a_singleton(definition):
    spec = parse(definition)
    assert spec.primary_key == ("_singleton",)
    singleton = spec.attribute("_singleton")
    assert singleton.is_hidden and singleton.default is True and singleton.type.kind == "bool"
    assert singleton.lineage == "lab.thing._singleton"
    assert names(spec)[1:] == (["b"] if "b :" in definition else [])


def test_error_index_over_unknown_attributes():
    expect_error(
        "a : int32\n---\nb : int32\nindex(b, nope)",
        "line 4",
        "'index(b, nope)'",
        "unknown attribute(s) 'nope'",
        "attributes are: a, b",
    )


@pytest.mark.parametrize(
    "line", ["index()", "index(a b)", "index(A)", "unique index(a, a)", "index(a"]
)
def test_error_malformed_index(line):
    expect_error(f"a : int32\n---\n{line}", "line 3", "index")


def test_error_proj_renames_unknown_attribute(tutorial):
    expect_error(
        "-> Researcher.proj(boss='boss_id')\nk : int32",
        "line 1",
        "proj() renames 'boss_id'",
        "primary key is: researcher_id",
        registry=tutorial,
    )


def test_error_proj_renames_secondary_attribute(tutorial):
    expect_error(
        "-> Researcher.proj(mail='email')",
        "renames 'email'",
        "not a primary-key attribute",
        registry=tutorial,
    )


@pytest.mark.parametrize("args", ["boss=researcher_id", "'researcher_id'", "Boss='researcher_id'"])
def test_error_proj_malformed(tutorial, args):
    expect_error(
        f"-> Researcher.proj({args})", "line 1", "new_name='parent_attribute'", registry=tutorial
    )


def test_error_proj_renames_twice(tutorial):
    expect_error("-> Session.proj(a='subject_id', a='session_date')", "twice", registry=tutorial)


def test_error_unknown_foreign_key_option(tutorial):
    expect_error(
        "k : int32\n---\n-> [optional] Researcher",
        "line 3",
        "unknown foreign key option 'optional'",
        "nullable, unique",
        registry=tutorial,
    )


def test_error_nullable_foreign_key_in_primary_key(tutorial):
    expect_error("-> [nullable] Researcher", "line 1", "cannot be [nullable]", registry=tutorial)


def test_error_malformed_foreign_key(tutorial):
    expect_error("-> Researcher extra", "line 1", "expected -> [options] Table", registry=tutorial)


def test_error_second_divider():
    expect_error("a : int32\n---\nb : int32\n---", "line 4", "second --- divider")


def test_error_divider_with_trailing_text():
    expect_error("a : int32\n--- b : int32", "line 2", "three or more dashes")


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("b = abc : int32", "not a int32 value (expected an integer)"),
        ("b = 300 : int8", "out of range -128..127"),
        ("b = 1e400 : float64", "out of range"),
        ("b = 'x' : float32", "expected a number"),
        ("b = 1.234 : decimal(4,2)", "more than 2 digits after the point"),
        ("b = 123.4 : decimal(4,2)", "more than 2 digits before the point"),
        ("b = maybe : bool", "expected true or false"),
        ("b = 'X' : enum('M', 'F')", "members are M, F"),
        ("b = 'toolong' : char(3)", "longer than 3 characters"),
        ("b = '2024-13-01' : date", "not a date value"),
        ("b = CURRENT_TIMESTAMP : date", "CURRENT_TIMESTAMP is a default for datetime"),
        ("b = 'x' : bytes", "bytes attributes can only default to null"),
        ("b = '{bad' : json", "not a json value"),
        ("b = 'nope' : uuid", "not a uuid value"),
        ("b = : int32", "missing default value after '='"),
    ],
)
def test_error_bad_defaults(line, fragment):
    expect_error(f"a : int32\n---\n{line}", "line 3", fragment)


@pytest.mark.parametrize("kind", ["json", "bytes"])
def test_error_unindexable_type_in_primary_key(kind):
    expect_error(f"a : {kind}", "line 1", f"a {kind} attribute cannot be in the primary key")


def test_error_unknown_tier():
    with pytest.raises(DefinitionError, match="unknown tier 'bogus'"):
        parse("a : int32", tier="bogus")


def test_line_numbers_count_from_first_nonblank_line():
    message = expect_error("\n\n   a : int32\n   b : nonsense\n", "line 2", "'b : nonsense'")
    assert "line 2 " in message
