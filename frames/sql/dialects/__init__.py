"""Per-backend SQL behaviour as declarative data (sqlglot-style), in one place.

Everything that differs between DuckDB, PostgreSQL and MySQL/MariaDB — type spellings, how a
division or an average is pinned so that every backend returns the same value and type, how
identifiers are quoted — is a field of :class:`Dialect`, not an ``if dialect`` in the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frames.declare.types import CoreType
from frames.undefined import BIGINT_MAX


@dataclass(frozen=True)
class Dialect:
    """SQL facts about one backend.

    Attributes
    ----------
    name : str
        frames' name: ``duckdb``, ``postgres``, ``mysql``.
    sqlglot : str
        sqlglot's dialect name used to render SQL text.
    types : dict
        Core type kind → SQL spelling template (``{p}`` precision, ``{s}`` scale, ``{n}`` length).
    float_cast : str
        Type to cast to for true (floating) division and averages.
    enum_as_named_type : bool
        PostgreSQL declares enums as named types; others inline ``ENUM(...)`` or use a CHECK.
    declares_foreign_keys : bool
        False where frames enforces references itself (DuckDB).
    inline_comments : bool
        MySQL puts column comments inline; others use ``COMMENT ON``.
    string_collation : str or None
        Column collation that makes string comparison case- and accent-sensitive.
    float32_output_cast : str or None
        Type float32 results are selected as, where the wire format would lose digits
        (MySQL renders FLOAT with six significant digits).
    cast_types : dict
        Core type kind → type name for ``CAST`` where it differs from the column type
        (MySQL casts only to SIGNED, CHAR, DOUBLE, DECIMAL, DATE, DATETIME, ...).
    round_cast : str or None
        Exact type the first argument of ``round(x, n)`` is cast to, so that every backend
        rounds half away from zero (PostgreSQL has no ``round(double, int)``; MySQL rounds
        doubles half to even).
    unique_grouping_names : bool
        GROUP BY must not list two columns of the same name from different tables (MariaDB
        resolves grouped columns in HAVING, and in conditions it pushes into a grouped derived
        table, by name and reports them ambiguous): such groupings read a derived table.
    uuid_bytes : bool
        ``uuid`` values are stored as their 16 bytes (MySQL's ``BINARY(16)``, as DataJoint
        stores them) instead of in a native UUID type: bound as ``UUID.bytes``, written in DDL
        as hex literals and selected as their canonical text. Bytes compare in the order of
        the canonical text, as the native types do.
    enum_order_by_position : bool
        Enums can lose their type, and with it their declaration order, inside a query (a
        MySQL UNION turns them into strings, which sort alphabetically): ``ORDER BY`` reads
        each value's position among the members (``FIELD(value, 'lo', 'mid', 'hi')``).
    auto_increment_clause : str or None
        What follows the column type of an ``auto_increment`` attribute (MySQL's
        ``AUTO_INCREMENT``, PostgreSQL's identity); ``None``: the column defaults to the next
        value of a sequence of its own (DuckDB).
    indexes_foreign_keys : bool
        The engine indexes the columns of a foreign key by itself (MySQL), or declares none
        (DuckDB); ``False`` (PostgreSQL): the DDL adds an index for each foreign key whose
        columns do not lead the primary key or another index.
    fragment_dialect : str
        How user SQL fragments are read on this backend when ``config['fragment_dialect']``
        is ``'auto'``: as the backend itself reads SQL, as DataJoint passes fragments to it
        (``'mysql'``: double-quoted strings; ``'ansi'``: double-quoted identifiers).
    identifier_quote : str
        The character that quotes identifiers in SQL text and in DataJoint's full table names
        (`` `lab`.`subject` `` on MySQL, ``"lab"."subject"`` elsewhere).
    alter_column_positions : bool
        ``ALTER TABLE`` places columns (``AFTER x``) and changes a column in one clause
        (``MODIFY``/``CHANGE``), so an altered table keeps its definition's column order (MySQL).
    alter_drops_indexes : bool
        A table's secondary indexes must be dropped before ``ALTER TABLE`` changes its columns
        and created again after (DuckDB refuses to alter a table that has indexes).
    nulls_largest : bool
        ``ORDER BY`` puts NULLs where the largest values go (PostgreSQL, DuckDB: last
        ascending); False where NULL is the smallest value (MySQL: first ascending).
    window_nulls_clause : bool
        A window's ``ORDER BY`` takes ``NULLS FIRST``/``NULLS LAST``; otherwise (MySQL) a
        leading ``x IS NULL`` key places them.
    date_part_functions : dict
        Date parts read by a function of their own instead of ``EXTRACT`` (MySQL has no
        ``ISODOW`` or ``DOY``): ``weekday`` (Monday is 0) and ``dayofyear``.
    undefined_check : str
        An integer expression that is 0 unless ``{condition}`` holds, and raises an error
        quoting a tag (``{tag}``: ``'frames-undefined-7'``, ``{number}``: the tag plus
        :data:`frames.undefined.NUMBER_OFFSET`) where it does: how an undefined value (a
        division by zero, ...) is made an error inside one statement (:mod:`frames.sql.guards`).
        It must not raise while planning: PostgreSQL folds a constant failed cast, so its
        text depends on the condition.
    regexp_function : str
        A function ``f(text, pattern)`` true (non-zero) where ``text`` matches the POSIX
        regular expression ``pattern`` (MariaDB has no ``REGEXP_LIKE``; PostgreSQL's ``~``
        is the function ``textregexeq``).
    row_in_lists : bool
        A list of multi-attribute keys restricts as one ``(a, b) IN ((?, ?), ...)``
        (DuckDB needs memory growing with the square of the length of ``NOT ((a = ? AND
        b = ?) OR ...)``); False where the engine expands a long row list recursively and runs
        out of stack (PostgreSQL): the OR of ANDs, which it reads flat.
    nonfinite_check : str or None
        A condition true where ``{value}``, a floating-point result, is infinite or NaN, for
        engines whose floats overflow to infinity instead of raising (DuckDB); None where an
        overflow raises by itself.
    """

    name: str
    sqlglot: str
    types: dict[str, str] = field(default_factory=dict)
    float_cast: str = "DOUBLE"
    enum_as_named_type: bool = False
    declares_foreign_keys: bool = True
    inline_comments: bool = False
    string_collation: str | None = None
    round_cast: str | None = None
    cast_types: dict[str, str] = field(default_factory=dict)
    float32_output_cast: str | None = None
    unique_grouping_names: bool = False
    uuid_bytes: bool = False
    enum_order_by_position: bool = False
    auto_increment_clause: str | None = None
    indexes_foreign_keys: bool = True
    fragment_dialect: str = "ansi"
    identifier_quote: str = '"'
    alter_column_positions: bool = False
    alter_drops_indexes: bool = False
    nulls_largest: bool = True
    window_nulls_clause: bool = True
    date_part_functions: dict[str, str] = field(default_factory=dict)
    undefined_check: str = "CASE WHEN {condition} THEN ERROR('{tag}') ELSE 0 END"
    regexp_function: str = "REGEXP_MATCHES"
    row_in_lists: bool = True
    nonfinite_check: str | None = None

    def nulls_first(self, descending: bool) -> bool:
        """Where the engine itself puts NULLs: first ascending on MySQL (NULL is smallest),
        last ascending on PostgreSQL and DuckDB."""
        return descending == self.nulls_largest

    def quote(self, name: str) -> str:
        """``name`` as a quoted identifier (the quote character inside it doubled)."""
        q = self.identifier_quote
        return q + name.replace(q, q + q) + q

    def full_name(self, schema: str, table: str) -> str:
        """DataJoint's ``full_table_name``: the quoted schema and table joined by a dot."""
        return f"{self.quote(schema)}.{self.quote(table)}"

    def sql_type(self, t: CoreType, enum_type_name: str | None = None) -> str:
        """The column type for core type ``t`` (``enum_type_name`` for named enum types)."""
        if t.kind == "enum":
            if self.enum_as_named_type:
                if enum_type_name is None:
                    raise ValueError("an enum column on this backend needs its named type")
                return enum_type_name
            members = ", ".join("'" + v.replace("'", "''") + "'" for v in t.values)
            return self.types["enum"].format(members=members)
        template = self.types[t.kind]
        return template.format(p=t.precision, s=t.scale, n=t.length, fsp=t.precision or 0)

    def cast_type(self, t: CoreType) -> str:
        """The type name to ``CAST`` a value to core type ``t``."""
        if t.kind in self.cast_types:
            return self.cast_types[t.kind]
        if t.kind == "enum":
            return self.sql_type(CoreType("text"))
        return self.sql_type(t)


_COMMON_TYPES = {
    "int8": "SMALLINT",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float32": "REAL",
    "float64": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "decimal": "DECIMAL({p},{s})",
    "char": "CHAR({n})",
    "varchar": "VARCHAR({n})",
    "text": "TEXT",
    "date": "DATE",
    "uuid": "UUID",
}

DUCKDB = Dialect(
    name="duckdb",
    sqlglot="duckdb",
    types={
        **_COMMON_TYPES,
        "int8": "TINYINT",
        "float64": "DOUBLE",
        "enum": "ENUM({members})",
        "datetime": "TIMESTAMP",
        "json": "JSON",
        "bytes": "BLOB",
    },
    float_cast="DOUBLE",
    declares_foreign_keys=False,
    alter_drops_indexes=True,
    nonfinite_check="NOT ISFINITE({value})",
)

POSTGRES = Dialect(
    name="postgres",
    sqlglot="postgres",
    types={
        **_COMMON_TYPES,
        "datetime": "TIMESTAMP({fsp})",
        "json": "JSONB",
        "bytes": "BYTEA",
    },
    float_cast="DOUBLE PRECISION",
    enum_as_named_type=True,
    round_cast="NUMERIC",
    auto_increment_clause="GENERATED BY DEFAULT AS IDENTITY",
    indexes_foreign_keys=False,
    undefined_check="CAST(CASE WHEN {condition} THEN '{tag}' ELSE '0' END AS INTEGER)",
    regexp_function="TEXTREGEXEQ",
    row_in_lists=False,
)

MYSQL = Dialect(
    name="mysql",
    sqlglot="mysql",
    fragment_dialect="mysql",
    types={
        **_COMMON_TYPES,
        "int8": "TINYINT",
        "float32": "FLOAT",
        "float64": "DOUBLE",
        "bool": "BOOLEAN",
        "text": "LONGTEXT",
        "enum": "ENUM({members})",
        "datetime": "DATETIME({fsp})",
        "uuid": "BINARY(16)",
        "json": "JSON",
        "bytes": "LONGBLOB",
    },
    float_cast="DOUBLE",
    inline_comments=True,
    string_collation="utf8mb4_bin",
    round_cast="DECIMAL(65, 30)",
    float32_output_cast="DOUBLE",
    unique_grouping_names=True,
    cast_types={
        **{kind: "SIGNED" for kind in ("int8", "int16", "int32", "int64", "bool")},
        **{kind: "CHAR" for kind in ("char", "varchar", "text", "enum", "json")},
        "float32": "DOUBLE",
        "float64": "DOUBLE",
        "bytes": "BINARY",
    },
    uuid_bytes=True,
    enum_order_by_position=True,
    auto_increment_clause="AUTO_INCREMENT",
    identifier_quote="`",
    alter_column_positions=True,
    nulls_largest=False,
    window_nulls_clause=False,
    date_part_functions={"weekday": "WEEKDAY", "dayofyear": "DAYOFYEAR"},
    undefined_check=f"CASE WHEN {{condition}} THEN {BIGINT_MAX} + {{number}} ELSE 0 END",
    regexp_function="REGEXP_INSTR",
)

DIALECTS = {d.name: d for d in (DUCKDB, POSTGRES, MYSQL)}
ALIASES = {"postgresql": "postgres", "mariadb": "mysql"}


def get_dialect(name: str) -> Dialect:
    """The :class:`Dialect` called ``name`` (``postgresql``/``mariadb`` accepted as aliases)."""
    key = ALIASES.get(name, name)
    try:
        return DIALECTS[key]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None
