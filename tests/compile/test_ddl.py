"""DDL per dialect: exact statements for a representative table, and execution on each engine.

The snapshot tests need no database: their expected SQL is in ``snapshots/`` (see conftest.py
for ``--update-snapshots``). The execution tests run the DDL of the tutorial's tables, the
University schema and the snapshot tables on each backend through the shared ``backend``
fixture (tests/conftest.py: the test databases, ``FRAMES_REQUIRE_BACKENDS``).
"""

from __future__ import annotations

import datetime
import textwrap
import uuid
from decimal import Decimal

import pytest

import frames.sql.ddl as ddl_module
from frames.backends.base import Backend
from frames.declare.parser import parse_definition
from frames.declare.spec import Attribute, IndexSpec, TableRef, TableSpec
from frames.declare.storage import FOREIGN_KEY_CATALOG_COLUMNS, encode_comment
from frames.declare.types import CoreType
from frames.sql.ddl import (
    create_foreign_key_catalog_sql,
    create_table_sql,
    drop_table_sql,
    enum_type_name,
    foreign_key_catalog_inserts,
    foreign_key_catalog_rows,
    index_name,
)
from frames.sql.dialects import DIALECTS, DUCKDB, MYSQL, POSTGRES, Dialect

# ---------------------------------------------------------------------------------------------
# Specs


RIG = """
# rigs: 'quoted' \\ backslash
rig : varchar(8)   # rig's name
key : int16
---
order = 0 : int32  # display order
"""

EVENT = r"""
# events on a rig
-> Rig.proj(rig_name='rig', rig_key='key')
date : date
---
-> [nullable, unique] Rig
group = 'a''b\c' : varchar(10)  # group's label \ path
label = "x#y" : enum('x#y', 'it''s', 'z')
weight = -1.5 : decimal(4,2)
flag = true : bool
started = CURRENT_TIMESTAMP : datetime
since = '2024-01-01' : date
note = null : varchar(100)
index(date, flag)
unique index(group, label)
"""

TUTORIAL = [
    (
        "Researcher",
        "researcher",
        """
        researcher_id : int32
        ---
        researcher_name : varchar(100)
        email : varchar(100)
        """,
    ),
    (
        "Subject",
        "subject",
        """
        subject_id : int32
        ---
        species : varchar(32)
        date_of_birth : date
        sex : enum('M', 'F', 'unknown')
        """,
    ),
    (
        "Session",
        "session",
        """
        -> Subject
        session_date : date
        ---
        -> Researcher
        session_notes : varchar(255)
        """,
    ),
    (
        "Recording",
        "recording",
        """
        -> Session
        recording_id : int16
        ---
        duration : decimal(5,1) # recording duration (seconds)
        quality : enum('good', 'fair', 'poor')
        """,
    ),
]

UNIVERSITY = [
    ("Student", "student", "student_id : int64\n---\nsex : enum('F','M','U')"),
    ("Department", "department", "dept : varchar(6)\n---\ndept_name : varchar(200)"),
    ("StudentMajor", "student_major", "-> Student\n---\n-> Department\ndeclare_date : date"),
    ("Course", "course", "-> Department\ncourse : int64\n---\ncredits : decimal(3,1)"),
    ("Term", "term", "term_year : int16\nterm : enum('Spring','Summer','Fall')"),
    ("Section", "section", "-> Course\n-> Term\nsection : char(1)\n---\nauditorium : varchar(12)"),
    ("CurrentTerm", "current_term", "omega = 0 : int8\n---\n-> Term"),
    ("Enroll", "enroll", "-> Student\n-> Section"),
    ("LetterGrade", "#letter_grade", "grade : char(2)\n---\npoints : decimal(3,2)"),
    ("Grade", "grade", "-> Enroll\n---\n-> LetterGrade"),
]


def declare(schema: str, tables: list[tuple[str, str, str]]) -> list[TableSpec]:
    """Parse ``(class, stored name, definition)`` in order, resolving by class name."""
    specs: dict[str, TableSpec] = {}
    for class_name, stored, definition in tables:
        tier = "lookup" if stored.startswith("#") else "manual"
        specs[class_name] = parse_definition(
            definition,
            ref=TableRef(schema, stored),
            tier=tier,
            class_name=class_name,
            resolve=specs.__getitem__,
        )
    return list(specs.values())


def snapshot_specs(schema: str = "ks") -> list[TableSpec]:
    return declare(schema, [("Rig", "#rig", RIG), ("Event", "event", EVENT)])


@pytest.fixture
def dialect(backend_name: str) -> Dialect:
    """The dialect of the test's backend (no connection: the snapshots need no database)."""
    return DIALECTS[backend_name]


# ---------------------------------------------------------------------------------------------
# Snapshots


def test_create_and_drop_statements(dialect: Dialect, snapshot) -> None:
    """Every statement that creates and drops the two tables: quoting of names, comments and
    defaults, enums, foreign keys, indexes (snapshots/test_create_and_drop_statements/)."""
    rig, event = snapshot_specs()
    snapshot.check(
        create_table_sql(rig, dialect)
        + create_table_sql(event, dialect)
        + drop_table_sql(event, dialect)
        + drop_table_sql(rig, dialect)
    )


def test_table_without_comment_has_no_comment_clause():
    researcher = declare("tut", TUTORIAL[:1])[0]
    assert create_table_sql(researcher, MYSQL)[0].endswith(
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    )
    assert not any(s.startswith("COMMENT ON TABLE") for s in create_table_sql(researcher, DUCKDB))


OTHER_TYPES = """
    id = '6ba7b810-9dad-11d1-80b4-00c04fd430c8' : uuid
    ---
    doc = null : json
    blob = null : bytes
    big = 9000000000 : int64
    ratio = 0.25 : float32
    at = '2024-01-15 10:30:00.25' : datetime(3)
    """


def test_other_column_types_and_defaults(dialect: Dialect, snapshot) -> None:
    """uuid, json, bytes, int64, float32 and datetime(3) columns with defaults."""
    (spec,) = declare("s", [("T", "t", OTHER_TYPES)])
    snapshot.check(create_table_sql(spec, dialect))


def test_auto_increment_per_dialect(dialect: Dialect, snapshot) -> None:
    """AUTO_INCREMENT on MySQL, an identity column on PostgreSQL, a sequence on DuckDB (dropped
    with the table)."""
    (spec,) = declare("s", [("Auto", "#auto", "id : int auto_increment\n---\nv : int32")])
    snapshot.check(create_table_sql(spec, dialect) + drop_table_sql(spec, dialect))


def test_postgres_indexes_foreign_keys_that_no_index_leads():
    specs = declare(
        "s",
        [
            ("A", "a", "a_id : int32"),
            ("M", "m", "m_id : int32"),
            ("Leading", "leading", "-> A\nq_id : int32"),
            ("Trailing", "trailing", "b_id : int32\n-> A"),
            ("Secondary", "secondary", "c_id : int32\n---\n-> M\n-> [unique] A"),
            ("Covered", "covered", "d_id : int32\n---\n-> M\nnote : varchar(8)\nindex(m_id, note)"),
        ],
    )
    created = {
        spec.ref.name: [s for s in create_table_sql(spec, POSTGRES) if "INDEX" in s]
        for spec in specs
    }
    assert created["leading"] == []
    assert created["trailing"] == ['CREATE INDEX "idx_trailing_a_id" ON "s"."trailing" ("a_id")']
    assert created["secondary"] == [
        'CREATE UNIQUE INDEX "uq_secondary_a_id" ON "s"."secondary" ("a_id")',
        'CREATE INDEX "idx_secondary_m_id" ON "s"."secondary" ("m_id")',
    ]
    assert created["covered"] == [
        'CREATE INDEX "idx_covered_m_id_note" ON "s"."covered" ("m_id", "note")'
    ]
    for dialect in (MYSQL, DUCKDB):  # InnoDB indexes foreign keys; DuckDB declares none
        assert not any("INDEX" in s for s in create_table_sql(specs[3], dialect))


# ---------------------------------------------------------------------------------------------
# Names, the catalog


def test_enum_type_follows_lineage_to_the_declaring_table():
    specs = {spec.ref.name: spec for spec in declare("uni", UNIVERSITY)}
    assert enum_type_name(specs["term"], "term") == '"uni"."term:term"'
    assert enum_type_name(specs["section"], "term") == '"uni"."term:term"'
    assert enum_type_name(specs["grade"], "term") == '"uni"."term:term"'
    section_sql = create_table_sql(specs["section"], POSTGRES)
    assert not any(s.startswith("CREATE TYPE") for s in section_sql)
    assert '"term" "uni"."term:term" NOT NULL' in section_sql[0]
    assert drop_table_sql(specs["section"], POSTGRES) == ['DROP TABLE "uni"."section"']


def test_enum_type_of_renamed_foreign_key_is_the_parents():
    (term,) = declare("uni", UNIVERSITY[4:5])
    child = parse_definition(
        "-> Term.proj(season='term')",
        ref=TableRef("other", "plan"),
        tier="manual",
        class_name="Plan",
        resolve={"Term": term}.__getitem__,
    )
    assert enum_type_name(child, "season") == '"uni"."term:term"'


def test_long_names_are_shortened_deterministically():
    table = "__" + "very_long_computed_table_name_" * 2
    spec = TableSpec(
        TableRef("s", table),
        (
            Attribute(
                "a_rather_long_attribute_name",
                CoreType("enum", values=("x",)),
                in_key=True,
                lineage=f"s.{table}.a_rather_long_attribute_name",
            ),
            Attribute("another_long_attribute_name", CoreType("int32")),
        ),
    )
    type_name = enum_type_name(spec, "a_rather_long_attribute_name")
    stored = type_name.split(".", 1)[1].strip('"')
    assert len(stored.encode()) == 63 and stored.startswith(table[:20])
    assert type_name == enum_type_name(spec, "a_rather_long_attribute_name")
    one = index_name(spec, IndexSpec(("another_long_attribute_name",)))
    other = index_name(spec, IndexSpec(("another_long_attribute_name",), unique=True))
    assert len(one.encode()) <= 63 and one != other


def test_foreign_key_catalog_sql_duckdb_only():
    assert create_foreign_key_catalog_sql("lab", DUCKDB) == [
        textwrap.dedent("""\
        CREATE TABLE IF NOT EXISTS "lab"."~foreign_keys" (
          "child" TEXT NOT NULL,
          "ordinal" INTEGER NOT NULL,
          "parent_schema" TEXT NOT NULL,
          "parent" TEXT NOT NULL,
          "child_attrs" TEXT NOT NULL,
          "parent_attrs" TEXT NOT NULL,
          "in_key" BOOLEAN NOT NULL,
          "nullable" BOOLEAN NOT NULL,
          "is_unique" BOOLEAN NOT NULL,
          PRIMARY KEY ("child", "ordinal")
        )""")
    ]
    assert create_foreign_key_catalog_sql("lab", POSTGRES) == []
    assert create_foreign_key_catalog_sql("lab", MYSQL) == []


def test_foreign_key_catalog_rows():
    _, event = snapshot_specs()
    assert foreign_key_catalog_rows(event) == [
        ("event", 1, "ks", "#rig", "rig_name,rig_key", "rig,key", True, False, False),
        ("event", 2, "ks", "#rig", "rig,key", "rig,key", False, True, True),
    ]
    assert len(foreign_key_catalog_rows(event)[0]) == len(FOREIGN_KEY_CATALOG_COLUMNS)
    assert foreign_key_catalog_rows(snapshot_specs()[0]) == []


# ---------------------------------------------------------------------------------------------
# Execution on each engine


class Database:
    """An open backend and the test's (fresh) schema, for executing DDL statement by statement."""

    def __init__(self, backend: Backend, schema: str) -> None:
        self.backend = backend
        self.dialect = DIALECTS[backend.dialect]
        self.schema = schema

    def run(self, sql: str, params: tuple = ()) -> None:
        self.backend.execute(sql, params)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.backend.fetch_rows(sql, params)

    def column_comment(self, table: str, column: str) -> str:
        return self.rows(COMMENT_QUERIES[self.dialect.name], (self.schema, table, column))[0][0]

    def tables(self) -> set[str]:
        rows = self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            (self.schema,),
        )
        return {row[0] for row in rows}


COMMENT_QUERIES = {
    "duckdb": "SELECT comment FROM duckdb_columns() "
    "WHERE schema_name = ? AND table_name = ? AND column_name = ?",
    "postgres": "SELECT col_description(c.oid, a.attnum) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_attribute a ON a.attrelid = c.oid "
    "WHERE n.nspname = ? AND c.relname = ? AND a.attname = ?",
    "mysql": "SELECT column_comment FROM information_schema.columns "
    "WHERE table_schema = ? AND table_name = ? AND column_name = ?",
}


@pytest.fixture
def database(backend: Backend, schema_name: str) -> Database:
    """The test's backend (the shared ``backend`` fixture) with its schema created; the
    ``schema_name`` fixture drops it afterwards."""
    backend.create_schema(schema_name)
    return Database(backend, schema_name)


def create_all(db: Database, specs: list[TableSpec]) -> None:
    """Create the tables as a schema would, recording foreign keys in the catalog on DuckDB."""
    for sql in create_foreign_key_catalog_sql(db.schema, db.dialect):
        db.run(sql)
    for spec in specs:
        for sql in create_table_sql(spec, db.dialect):
            db.run(sql)
        for sql, row in foreign_key_catalog_inserts(spec, db.dialect):
            db.run(sql, row)


def drop_all(db: Database, specs: list[TableSpec]) -> None:
    for spec in reversed(specs):
        for sql in drop_table_sql(spec, db.dialect):
            db.run(sql)


def test_tutorial_tables_execute(database):
    db = database
    specs = declare(db.schema, TUTORIAL)
    create_all(db, specs)
    assert db.tables() >= {"researcher", "subject", "session", "recording"}
    assert db.column_comment("recording", "duration") == encode_comment(
        CoreType("decimal", precision=5, scale=1), "recording duration (seconds)"
    )
    assert db.column_comment("subject", "sex") == ":enum('M', 'F', 'unknown'):"
    table = f"{ddl_module.quote_identifier(db.schema, db.dialect)}.subject"
    born = datetime.date(2024, 1, 15)
    db.run(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", (1, "mouse", born, "M"))
    with pytest.raises(Exception, match="(?i)enum|truncat"):
        db.run(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", (2, "mouse", born, "X"))
    with pytest.raises(Exception, match="(?i)null"):
        db.run(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", (3, "mouse", None, "M"))
    drop_all(db, specs)
    assert not db.tables() & {"researcher", "subject", "session", "recording"}


def test_university_tables_execute_with_shared_enums(database):
    db = database
    specs = declare(db.schema, UNIVERSITY)
    create_all(db, specs)
    schema = ddl_module.quote_identifier(db.schema, db.dialect)
    db.run(f"INSERT INTO {schema}.term VALUES (?, ?)", (2024, "Fall"))
    db.run(f"INSERT INTO {schema}.current_term (term_year, term) VALUES (?, ?)", (2024, "Fall"))
    assert db.rows(f"SELECT omega, term FROM {schema}.current_term") == [(0, "Fall")]
    if db.dialect.declares_foreign_keys:
        with pytest.raises(Exception, match="(?i)foreign key"):
            db.run(f"INSERT INTO {schema}.current_term VALUES (?, ?, ?)", (1, 2024, "Spring"))
    else:
        catalog = f'SELECT child, ordinal, parent FROM {schema}."~foreign_keys" ORDER BY 1, 2'
        assert db.rows(catalog)[:3] == [
            ("course", 1, "department"),
            ("current_term", 1, "term"),
            ("enroll", 1, "student"),
        ]
        assert len(db.rows(catalog)) == sum(len(spec.foreign_keys) for spec in specs)
    drop_all(db, specs)
    assert db.tables() & {spec.ref.name for spec in specs} == set()
    if not db.dialect.declares_foreign_keys:
        assert db.rows(catalog) == []
    if db.dialect.enum_as_named_type:
        assert (
            db.rows(
                "SELECT typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = ? AND t.typtype = 'e'",
                (db.schema,),
            )
            == []
        )


def test_snapshot_tables_execute_with_defaults_and_quoting(database):
    db = database
    specs = snapshot_specs(db.schema)
    create_all(db, specs)
    schema = ddl_module.quote_identifier(db.schema, db.dialect)
    q = lambda name: ddl_module.quote_identifier(name, db.dialect)  # noqa: E731
    db.run(f"INSERT INTO {schema}.{q('#rig')} ({q('rig')}, {q('key')}) VALUES (?, ?)", ("r1", 7))
    columns = f"{q('rig_name')}, {q('rig_key')}, {q('date')}"
    db.run(
        f"INSERT INTO {schema}.{q('event')} ({columns}) VALUES (?, ?, ?)",
        ("r1", 7, datetime.date(2024, 6, 1)),
    )
    row = db.rows(
        f"SELECT {q('group')}, {q('label')}, {q('weight')}, {q('flag')}, "
        f"{q('since')}, {q('note')}, {q('order')} FROM {schema}.{q('event')} "
        f"CROSS JOIN {schema}.{q('#rig')}"
    )[0]
    assert row == ("a'b\\c", "x#y", Decimal("-1.50"), True, datetime.date(2024, 1, 1), None, 0)
    assert db.column_comment("event", "group") == ":varchar(10):group's label \\ path"
    assert db.column_comment("event", "label") == ":enum('x#y', 'it''s', 'z'):"
    with pytest.raises(Exception, match="(?i)duplicate|unique|constraint"):
        db.run(
            f"INSERT INTO {schema}.{q('event')} ({columns}) VALUES (?, ?, ?)",
            ("r1", 7, datetime.date(2024, 6, 2)),
        )  # same (group, label) defaults
    db.run(f"DELETE FROM {schema}.{q('event')}")
    drop_all(db, specs)
    assert db.tables() & {"#rig", "event"} == set()


def test_other_types_execute(database):
    db = database
    specs = declare(db.schema, [("T", "t", OTHER_TYPES)])
    create_all(db, specs)
    q = lambda name: ddl_module.quote_identifier(name, db.dialect)  # noqa: E731
    db.run(f"INSERT INTO {q(db.schema)}.t (big) VALUES (?)", (1,))
    row = db.rows(f"SELECT {q('id')}, {q('at')} FROM {q(db.schema)}.t")[0]
    stored = uuid.UUID(bytes=row[0]) if db.dialect.uuid_bytes else row[0]  # MySQL: BINARY(16)
    assert str(stored) == "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    assert row[1] == datetime.datetime(2024, 1, 15, 10, 30, 0, 250000)
    assert db.column_comment("t", "at") == ":datetime(3):"
    drop_all(db, specs)
    assert "t" not in db.tables()
