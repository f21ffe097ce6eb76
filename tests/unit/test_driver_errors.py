"""Every error class of the three drivers maps to a specific frames error (one module does it:
frames.backends.driver_errors), found by walking the drivers' exception hierarchies."""

from __future__ import annotations

import duckdb
import psycopg2
import psycopg2.errorcodes
import psycopg2.errors
import pymysql
import pymysql.constants.CR
import pymysql.constants.ER
import pymysql.err
import pytest

from frames import errors
from frames.backends.driver_errors import error_class, is_driver_error, translate


def _subclasses(cls: type) -> list[type]:
    found, pending = [], [cls]
    while pending:
        item = pending.pop()
        found.append(item)
        pending.extend(item.__subclasses__())
    return found


DUCKDB_CLASSES = _subclasses(duckdb.Error)
SQLSTATES = sorted(
    code
    for name, code in vars(psycopg2.errorcodes).items()
    if name.isupper() and not name.startswith("CLASS_") and isinstance(code, str)
)
PSYCOPG2_CLASSES = [cls for cls in _subclasses(psycopg2.Error) if cls.__module__ == "psycopg2"]
MYSQL_ERRNOS = sorted(
    {
        number
        for module in (pymysql.constants.ER, pymysql.constants.CR)
        for name, number in vars(module).items()
        if name.isupper() and isinstance(number, int) and number >= 1000
    }
)
PYMYSQL_CLASSES = [cls for cls in vars(pymysql.err).values() if isinstance(cls, type)]
PYMYSQL_CLASSES = [cls for cls in PYMYSQL_CLASSES if issubclass(cls, pymysql.err.MySQLError)]


def _specific(cls: type) -> bool:
    return issubclass(cls, errors.FramesError) and cls is not errors.FramesError


def _mysql_error(errno: int) -> pymysql.err.MySQLError:
    """The exception pymysql raises for a server error ``errno`` (its own mapping)."""
    try:
        pymysql.err.raise_mysql_exception(b"\xff" + errno.to_bytes(2, "little") + b"#HY000message")
    except pymysql.err.MySQLError as error:
        return error
    raise AssertionError("pymysql raised nothing")


def test_the_walk_finds_the_drivers_classes() -> None:
    assert len(DUCKDB_CLASSES) > 30 and len(SQLSTATES) > 250
    assert len(MYSQL_ERRNOS) > 400 and len(PYMYSQL_CLASSES) >= 10


@pytest.mark.parametrize("cls", DUCKDB_CLASSES, ids=lambda c: c.__name__)
def test_every_duckdb_error_class_is_mapped(cls: type) -> None:
    error = cls("Some Error: something failed")
    assert is_driver_error("duckdb", error)
    assert _specific(error_class("duckdb", error)), cls


class _Coded(psycopg2.DatabaseError):
    """A server error with a given SQLSTATE (psycopg2 has no class for warnings)."""

    def __init__(self, code: str) -> None:
        super().__init__("something failed")
        self._code = code

    @property
    def pgcode(self) -> str:  # type: ignore[override]
        return self._code


@pytest.mark.parametrize("code", SQLSTATES)
def test_every_sqlstate_is_mapped(code: str) -> None:
    try:
        error: Exception = psycopg2.errors.lookup(code)("something failed")
    except KeyError:  # a warning or success code: no exception class of its own
        error = _Coded(code)
    assert is_driver_error("postgres", error)
    assert _specific(error_class("postgres", error)), code


@pytest.mark.parametrize("cls", PSYCOPG2_CLASSES, ids=lambda c: c.__name__)
def test_every_psycopg2_class_without_sqlstate_is_mapped(cls: type) -> None:
    assert _specific(error_class("postgres", cls("something failed"))), cls


@pytest.mark.parametrize("errno", MYSQL_ERRNOS)
def test_every_mysql_errno_is_mapped(errno: int) -> None:
    error = _mysql_error(errno)
    assert is_driver_error("mysql", error)
    assert _specific(error_class("mysql", error)), errno


@pytest.mark.parametrize("cls", PYMYSQL_CLASSES, ids=lambda c: c.__name__)
def test_every_pymysql_class_is_mapped(cls: type) -> None:
    assert _specific(error_class("mysql", cls("something failed"))), cls


@pytest.mark.parametrize(
    ("dialect", "error", "expected"),
    [
        ("duckdb", duckdb.ConstraintException('Duplicate key "id: 1"'), errors.DuplicateError),
        ("duckdb", duckdb.ConstraintException("violates foreign key"), errors.IntegrityError),
        (
            "duckdb",
            duckdb.ConstraintException("NOT NULL constraint failed"),
            errors.MissingAttributeError,
        ),
        (
            "duckdb",
            duckdb.BinderException('Referenced column "x" not found'),
            errors.UnknownAttributeError,
        ),
        ("duckdb", duckdb.BinderException("Cannot compare values"), errors.QueryError),
        ("duckdb", duckdb.CatalogException("Table x does not exist"), errors.MissingTableError),
        ("duckdb", duckdb.OutOfRangeException("Overflow"), errors.UndefinedValueError),
        ("duckdb", duckdb.TransactionException("write-write conflict"), errors.TransactionError),
        ("duckdb", duckdb.OutOfMemoryException("out of memory"), errors.ServerError),
        ("postgres", psycopg2.errors.lookup("23505")("dup"), errors.DuplicateError),
        ("postgres", psycopg2.errors.lookup("23503")("fk"), errors.IntegrityError),
        ("postgres", psycopg2.errors.lookup("22012")("div"), errors.UndefinedValueError),
        ("postgres", psycopg2.errors.lookup("42883")("op"), errors.QueryError),
        ("postgres", psycopg2.errors.lookup("40P01")("deadlock"), errors.TransactionError),
        ("postgres", psycopg2.errors.lookup("42P07")("exists"), errors.DefinitionError),
        ("postgres", psycopg2.errors.lookup("57P01")("shutdown"), errors.LostConnectionError),
        (
            "postgres",
            psycopg2.InterfaceError("connection already closed"),
            errors.LostConnectionError,
        ),
        (
            "postgres",
            ValueError("A string literal cannot contain NUL (0x00) characters."),
            errors.DataError,
        ),
        ("mysql", _mysql_error(1062), errors.DuplicateError),
        ("mysql", _mysql_error(1451), errors.IntegrityError),
        ("mysql", _mysql_error(4025), errors.DataError),
        ("mysql", _mysql_error(1074), errors.DefinitionError),
        ("mysql", _mysql_error(1059), errors.DefinitionError),
        ("mysql", _mysql_error(1102), errors.DefinitionError),
        ("mysql", _mysql_error(1213), errors.TransactionError),
        ("mysql", _mysql_error(1055), errors.QueryError),
        ("mysql", _mysql_error(2013), errors.LostConnectionError),
        ("mysql", pymysql.err.InterfaceError(0, ""), errors.LostConnectionError),
    ],
)
def test_known_errors_map_to_their_meaning(dialect: str, error: Exception, expected: type) -> None:
    assert error_class(dialect, error) is expected


def test_messages_are_text_with_context_not_driver_tuples() -> None:
    error = translate("mysql", _mysql_error(1451), "delete from lab.subject")
    assert str(error).startswith("delete from lab.subject: message")
    assert "(1451" not in str(error)


def test_other_value_errors_are_not_driver_errors() -> None:
    assert not is_driver_error("postgres", ValueError("a bug in frames"))
    assert not is_driver_error("duckdb", ValueError("A string literal cannot contain NUL"))
    assert not is_driver_error("postgres", errors.DataError("frames' own"))
