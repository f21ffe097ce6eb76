"""DDL per dialect: exact statements for a representative table, and execution on each engine.

The snapshot tests need no database. The execution tests run the DDL of the tutorial's tables,
the University schema and the snapshot tables on DuckDB (in process), PostgreSQL
(127.0.0.1:5432, user postgres, db test) and MariaDB/MySQL (127.0.0.1:3306, user root, db test);
a server that is unreachable is skipped, unless ``FRAMES_REQUIRE_BACKENDS=all``.
"""

from __future__ import annotations

import datetime
import doctest
import os
import textwrap
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import frames.sql.ddl as ddl_module
from frames.declare.parser import parse_definition
from frames.declare.spec import Attribute, IndexSpec, TableRef, TableSpec
from frames.declare.storage import FOREIGN_KEY_CATALOG_COLUMNS, encode_comment
from frames.declare.types import CoreType
from frames.sql.ddl import (
    create_foreign_key_catalog_sql,
    create_table_sql,
    drop_table_sql,
    enum_type_name,
    foreign_key_catalog_rows,
    index_name,
)
from frames.sql.dialects import DUCKDB, MYSQL, POSTGRES, Dialect

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


def statements(text: str) -> list[str]:
    """Statements separated by lines holding only ``;``."""
    return [part.strip("\n") for part in textwrap.dedent(text).split("\n;\n") if part.strip()]


def test_docstring_examples_run():
    assert doctest.testmod(ddl_module).failed == 0


# ---------------------------------------------------------------------------------------------
# Snapshots


def test_duckdb_snapshot():
    rig, event = snapshot_specs()
    assert create_table_sql(rig, DUCKDB) == statements("""
        CREATE TABLE "ks"."#rig" (
          "rig" VARCHAR(8) NOT NULL,
          "key" SMALLINT NOT NULL,
          "order" INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY ("rig", "key")
        )
        ;
        COMMENT ON TABLE "ks"."#rig" IS 'rigs: ''quoted'' \\ backslash'
        ;
        COMMENT ON COLUMN "ks"."#rig"."rig" IS ':varchar(8):rig''s name'
        ;
        COMMENT ON COLUMN "ks"."#rig"."key" IS ':int16:'
        ;
        COMMENT ON COLUMN "ks"."#rig"."order" IS ':int32:display order'
        """)
    assert create_table_sql(event, DUCKDB) == statements("""
        CREATE TABLE "ks"."event" (
          "rig_name" VARCHAR(8) NOT NULL,
          "rig_key" SMALLINT NOT NULL,
          "date" DATE NOT NULL,
          "rig" VARCHAR(8) DEFAULT NULL,
          "key" SMALLINT DEFAULT NULL,
          "group" VARCHAR(10) NOT NULL DEFAULT 'a''b\\c',
          "label" ENUM('x#y', 'it''s', 'z') NOT NULL DEFAULT 'x#y',
          "weight" DECIMAL(4,2) NOT NULL DEFAULT -1.50,
          "flag" BOOLEAN NOT NULL DEFAULT TRUE,
          "started" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "since" DATE NOT NULL DEFAULT '2024-01-01',
          "note" VARCHAR(100) DEFAULT NULL,
          PRIMARY KEY ("rig_name", "rig_key", "date")
        )
        ;
        COMMENT ON TABLE "ks"."event" IS 'events on a rig'
        ;
        COMMENT ON COLUMN "ks"."event"."rig_name" IS ':varchar(8):rig''s name'
        ;
        COMMENT ON COLUMN "ks"."event"."rig_key" IS ':int16:'
        ;
        COMMENT ON COLUMN "ks"."event"."date" IS ':date:'
        ;
        COMMENT ON COLUMN "ks"."event"."rig" IS ':varchar(8):rig''s name'
        ;
        COMMENT ON COLUMN "ks"."event"."key" IS ':int16:'
        ;
        COMMENT ON COLUMN "ks"."event"."group" IS ':varchar(10):group''s label \\ path'
        ;
        COMMENT ON COLUMN "ks"."event"."label" IS ':enum(''x#y'', ''it''''s'', ''z''):'
        ;
        COMMENT ON COLUMN "ks"."event"."weight" IS ':decimal(4,2):'
        ;
        COMMENT ON COLUMN "ks"."event"."flag" IS ':bool:'
        ;
        COMMENT ON COLUMN "ks"."event"."started" IS ':datetime:'
        ;
        COMMENT ON COLUMN "ks"."event"."since" IS ':date:'
        ;
        COMMENT ON COLUMN "ks"."event"."note" IS ':varchar(100):'
        ;
        CREATE UNIQUE INDEX "uq_event_rig_key" ON "ks"."event" ("rig", "key")
        ;
        CREATE INDEX "idx_event_date_flag" ON "ks"."event" ("date", "flag")
        ;
        CREATE UNIQUE INDEX "uq_event_group_label" ON "ks"."event" ("group", "label")
        """)
    assert drop_table_sql(rig, DUCKDB) == ['DROP TABLE "ks"."#rig"']
    assert drop_table_sql(event, DUCKDB) == [
        'DROP TABLE "ks"."event"',
        'DELETE FROM "ks"."~foreign_keys" WHERE "child" = \'event\'',
    ]


def test_postgres_snapshot():
    rig, event = snapshot_specs()
    assert create_table_sql(rig, POSTGRES) == create_table_sql(rig, DUCKDB)
    assert create_table_sql(event, POSTGRES)[:2] == statements("""
        CREATE TYPE "ks"."event:label" AS ENUM ('x#y', 'it''s', 'z')
        ;
        CREATE TABLE "ks"."event" (
          "rig_name" VARCHAR(8) NOT NULL,
          "rig_key" SMALLINT NOT NULL,
          "date" DATE NOT NULL,
          "rig" VARCHAR(8) DEFAULT NULL,
          "key" SMALLINT DEFAULT NULL,
          "group" VARCHAR(10) NOT NULL DEFAULT 'a''b\\c',
          "label" "ks"."event:label" NOT NULL DEFAULT 'x#y',
          "weight" DECIMAL(4,2) NOT NULL DEFAULT -1.50,
          "flag" BOOLEAN NOT NULL DEFAULT TRUE,
          "started" TIMESTAMP(0) NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "since" DATE NOT NULL DEFAULT '2024-01-01',
          "note" VARCHAR(100) DEFAULT NULL,
          PRIMARY KEY ("rig_name", "rig_key", "date"),
          FOREIGN KEY ("rig_name", "rig_key") REFERENCES "ks"."#rig" ("rig", "key") \
ON UPDATE CASCADE ON DELETE RESTRICT,
          FOREIGN KEY ("rig", "key") REFERENCES "ks"."#rig" ("rig", "key") \
ON UPDATE CASCADE ON DELETE RESTRICT
        )
        """)
    # comments and indexes are spelled as on DuckDB
    assert create_table_sql(event, POSTGRES)[2:] == create_table_sql(event, DUCKDB)[1:]
    assert drop_table_sql(event, POSTGRES) == [
        'DROP TABLE "ks"."event"',
        'DROP TYPE IF EXISTS "ks"."event:label"',
    ]
    assert drop_table_sql(rig, POSTGRES) == ['DROP TABLE "ks"."#rig"']


def test_mysql_snapshot():
    rig, event = snapshot_specs()
    options = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    assert create_table_sql(rig, MYSQL) == statements(f"""
        CREATE TABLE `ks`.`#rig` (
          `rig` VARCHAR(8) NOT NULL COMMENT ':varchar(8):rig''s name',
          `key` SMALLINT NOT NULL COMMENT ':int16:',
          `order` INTEGER NOT NULL DEFAULT 0 COMMENT ':int32:display order',
          PRIMARY KEY (`rig`, `key`)
        ) {options} COMMENT='rigs: ''quoted'' \\\\ backslash'
        """)
    assert create_table_sql(event, MYSQL) == statements(f"""
        CREATE TABLE `ks`.`event` (
          `rig_name` VARCHAR(8) NOT NULL COMMENT ':varchar(8):rig''s name',
          `rig_key` SMALLINT NOT NULL COMMENT ':int16:',
          `date` DATE NOT NULL COMMENT ':date:',
          `rig` VARCHAR(8) DEFAULT NULL COMMENT ':varchar(8):rig''s name',
          `key` SMALLINT DEFAULT NULL COMMENT ':int16:',
          `group` VARCHAR(10) NOT NULL DEFAULT 'a''b\\\\c' \
COMMENT ':varchar(10):group''s label \\\\ path',
          `label` ENUM('x#y', 'it''s', 'z') NOT NULL DEFAULT 'x#y' \
COMMENT ':enum(''x#y'', ''it''''s'', ''z''):',
          `weight` DECIMAL(4,2) NOT NULL DEFAULT -1.50 COMMENT ':decimal(4,2):',
          `flag` BOOLEAN NOT NULL DEFAULT TRUE COMMENT ':bool:',
          `started` DATETIME(0) NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT ':datetime:',
          `since` DATE NOT NULL DEFAULT '2024-01-01' COMMENT ':date:',
          `note` VARCHAR(100) DEFAULT NULL COMMENT ':varchar(100):',
          PRIMARY KEY (`rig_name`, `rig_key`, `date`),
          FOREIGN KEY (`rig_name`, `rig_key`) REFERENCES `ks`.`#rig` (`rig`, `key`) \
ON UPDATE CASCADE ON DELETE RESTRICT,
          FOREIGN KEY (`rig`, `key`) REFERENCES `ks`.`#rig` (`rig`, `key`) \
ON UPDATE CASCADE ON DELETE RESTRICT
        ) {options} COMMENT='events on a rig'
        ;
        CREATE UNIQUE INDEX `uq_event_rig_key` ON `ks`.`event` (`rig`, `key`)
        ;
        CREATE INDEX `idx_event_date_flag` ON `ks`.`event` (`date`, `flag`)
        ;
        CREATE UNIQUE INDEX `uq_event_group_label` ON `ks`.`event` (`group`, `label`)
        """)
    assert drop_table_sql(event, MYSQL) == ["DROP TABLE `ks`.`event`"]


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


def test_other_column_types_and_defaults():
    (spec,) = declare("s", [("T", "t", OTHER_TYPES)])
    columns = {
        dialect.name: create_table_sql(spec, dialect)[0].splitlines()[1:-2]
        for dialect in (DUCKDB, POSTGRES, MYSQL)
    }
    assert columns["duckdb"] == [
        """  "id" UUID NOT NULL DEFAULT '6ba7b810-9dad-11d1-80b4-00c04fd430c8',""",
        '  "doc" JSON DEFAULT NULL,',
        '  "blob" BLOB DEFAULT NULL,',
        '  "big" BIGINT NOT NULL DEFAULT 9000000000,',
        '  "ratio" REAL NOT NULL DEFAULT 0.25,',
        """  "at" TIMESTAMP NOT NULL DEFAULT '2024-01-15 10:30:00.250000',""",
    ]
    assert columns["postgres"][1:3] == [
        '  "doc" JSONB DEFAULT NULL,',
        '  "blob" BYTEA DEFAULT NULL,',
    ]
    assert columns["postgres"][5] == (
        """  "at" TIMESTAMP(3) NOT NULL DEFAULT '2024-01-15 10:30:00.250000',"""
    )
    assert [line.split(" COMMENT ")[0] for line in columns["mysql"]] == [
        "  `id` BINARY(16) NOT NULL DEFAULT X'6ba7b8109dad11d180b400c04fd430c8'",
        "  `doc` JSON DEFAULT NULL",
        "  `blob` LONGBLOB DEFAULT NULL",
        "  `big` BIGINT NOT NULL DEFAULT 9000000000",
        "  `ratio` FLOAT NOT NULL DEFAULT 0.25",
        "  `at` DATETIME(3) NOT NULL DEFAULT '2024-01-15 10:30:00.250000'",
    ]


def test_auto_increment_per_dialect():
    (spec,) = declare("s", [("Auto", "#auto", "id : int auto_increment\n---\nv : int32")])
    assert (
        create_table_sql(spec, MYSQL)[0]
        .splitlines()[1]
        .startswith("  `id` INTEGER NOT NULL AUTO_INCREMENT COMMENT")
    )
    assert create_table_sql(spec, POSTGRES)[0].splitlines()[1] == (
        '  "id" INTEGER NOT NULL GENERATED BY DEFAULT AS IDENTITY,'
    )
    duck = create_table_sql(spec, DUCKDB)
    assert duck[0] == 'CREATE SEQUENCE "s"."#auto:id:seq"'
    assert duck[1].splitlines()[1] == (
        """  "id" INTEGER NOT NULL DEFAULT nextval('"s"."#auto:id:seq"'),"""
    )
    assert drop_table_sql(spec, DUCKDB) == [
        'DROP TABLE "s"."#auto"',
        'DROP SEQUENCE IF EXISTS "s"."#auto:id:seq"',
    ]
    assert drop_table_sql(spec, POSTGRES) == ['DROP TABLE "s"."#auto"']


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
    """A raw driver connection with a throwaway schema, for executing DDL."""

    def __init__(self, dialect: Dialect, connection: Any, placeholder: str) -> None:
        self.dialect = dialect
        self.connection = connection
        self.placeholder = placeholder
        self.schema = f"frames_ddl_{uuid.uuid4().hex[:10]}"

    def run(self, sql: str, params: tuple = ()) -> None:
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", self.placeholder) if params else sql, params or None)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", self.placeholder), params)
        return [tuple(row) for row in cursor.fetchall()]

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
    "WHERE n.nspname = %s AND c.relname = %s AND a.attname = %s",
    "mysql": "SELECT column_comment FROM information_schema.columns "
    "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
}


def _connect(name: str) -> Database:
    if name == "duckdb":
        import duckdb

        return Database(DUCKDB, duckdb.connect(), "?")
    if name == "postgres":
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=3
        )
        connection.autocommit = True
        return Database(POSTGRES, connection, "%s")
    import pymysql

    connection = pymysql.connect(
        host="127.0.0.1",
        port=3306,
        user="root",
        password="",
        database="test",
        autocommit=True,
        connect_timeout=3,
    )
    return Database(MYSQL, connection, "%s")


def _required(name: str) -> bool:
    wanted = os.environ.get("FRAMES_REQUIRE_BACKENDS", "")
    return wanted == "all" or name in wanted.split(",")


@pytest.fixture(params=["duckdb", "postgres", "mysql"])
def database(request) -> Iterator[Database]:
    name = request.param
    try:
        db = _connect(name)
    except Exception as exc:  # any driver error means: no server here
        if _required(name):
            pytest.fail(f"{name} server required by FRAMES_REQUIRE_BACKENDS is unreachable: {exc}")
        pytest.skip(f"{name} server not reachable at 127.0.0.1: {exc}")
    db.run(f"CREATE SCHEMA {ddl_module.quote_identifier(db.schema, db.dialect)}")
    try:
        yield db
    finally:
        drop = "DROP SCHEMA {} CASCADE" if name != "mysql" else "DROP DATABASE {}"
        db.run(drop.format(ddl_module.quote_identifier(db.schema, db.dialect)))
        db.connection.close()


def create_all(db: Database, specs: list[TableSpec]) -> None:
    """Create the tables as a schema would, recording foreign keys in the catalog on DuckDB."""
    catalog = f'{ddl_module.quote_identifier(db.schema, db.dialect)}."~foreign_keys"'
    for sql in create_foreign_key_catalog_sql(db.schema, db.dialect):
        db.run(sql)
    for spec in specs:
        for sql in create_table_sql(spec, db.dialect):
            db.run(sql)
        if not db.dialect.declares_foreign_keys:
            for row in foreign_key_catalog_rows(spec):
                db.run(f"INSERT INTO {catalog} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


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
                "ON n.oid = t.typnamespace WHERE n.nspname = %s AND t.typtype = 'e'",
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
