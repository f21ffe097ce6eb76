"""Every error of the three database drivers, translated into frames' errors in one place.

No driver exception leaves frames: each backend runs its statements through
:meth:`frames.backends.common.SqlBackend._call`, which hands what the driver raised to
:func:`translate`. The translation is by the most precise information each driver gives:

* DuckDB (``duckdb.Error`` and its subclasses): the exception class, refined by the message
  where DuckDB uses one class for several causes (a ``ConstraintException`` is a duplicate key,
  a missing parent or a NULL; a ``BinderException`` an unknown column or a type mismatch).
* PostgreSQL (``psycopg2.Error``): the SQLSTATE of the error, exact code first, then its
  two-character class (every class of the standard is listed); errors psycopg2 raises itself,
  without a SQLSTATE, by their class. psycopg2 also refuses a string holding a NUL character with
  a plain ``ValueError`` before anything reaches the server: that becomes a :class:`DataError`.
* MySQL / MariaDB (``pymysql.Error``): the server's error number (client errors 2000-2999 are
  connection failures), then pymysql's class.

The message keeps the driver's own (its first paragraph: DuckDB appends a caret diagram of the
SQL, pymysql an ``(errno, text)`` tuple) after the caller's context (``insert into s.t``), with
a hint where the frames class has one. An undefined value that frames' guarded SQL raises
(:mod:`frames.undefined`) is reported as :class:`~frames.errors.UndefinedValueError` naming
the expression.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import duckdb
import psycopg2
import psycopg2.errorcodes
import psycopg2.errors
import pymysql

from frames import undefined
from frames.errors import (
    AccessError,
    DatabaseConnectionError,
    DataError,
    DefinitionError,
    DuplicateError,
    FramesError,
    IntegrityError,
    LostConnectionError,
    MissingAttributeError,
    MissingTableError,
    QueryError,
    QuerySyntaxError,
    ServerError,
    TransactionError,
    UndefinedValueError,
    UnknownAttributeError,
)

ErrorClass = type[FramesError]

# -- DuckDB ------------------------------------------------------------------------------------

#: DuckDB's exception classes (by name, most specific first as the hierarchy is walked).
_DUCKDB_CLASSES: dict[str, ErrorClass] = {
    "ConstraintException": DataError,  # refined by _duckdb_constraint
    "IntegrityError": IntegrityError,
    "OutOfRangeException": UndefinedValueError,
    "ConversionException": DataError,
    "TypeMismatchException": DataError,
    "DataError": DataError,
    "InvalidInputException": DataError,
    "SequenceException": DataError,
    "ParserException": QuerySyntaxError,
    "SyntaxException": QuerySyntaxError,
    "BinderException": QueryError,  # refined by _duckdb_binder
    "InvalidTypeException": QueryError,
    "CatalogException": QueryError,  # refined by _duckdb_catalog
    "ProgrammingError": QueryError,
    "NotImplementedException": QueryError,
    "NotSupportedError": QueryError,
    "DependencyException": IntegrityError,
    "PermissionException": AccessError,
    "TransactionException": TransactionError,
    "SerializationException": TransactionError,
    "ConnectionException": LostConnectionError,
    "FatalException": LostConnectionError,
    "ResourceInUseException": DatabaseConnectionError,
    "HTTPException": DatabaseConnectionError,
    "IOException": DatabaseConnectionError,
    "OutOfMemoryException": ServerError,
    "InterruptException": ServerError,
    "InternalException": ServerError,
    "InternalError": ServerError,
    "OperationalError": ServerError,
    "DatabaseError": ServerError,
    "Error": ServerError,
}


def _duckdb_class(exc: BaseException) -> ErrorClass:
    for cls in type(exc).__mro__:
        found = _DUCKDB_CLASSES.get(cls.__name__)
        if found is not None and cls.__module__.lstrip("_").startswith("duckdb"):
            refine = _DUCKDB_REFINE.get(cls.__name__)
            return refine(str(exc).lower()) if refine else found
    return ServerError


def _duckdb_constraint(message: str) -> ErrorClass:
    if "foreign key" in message:
        return IntegrityError
    if "duplicate key" in message or "unique constraint" in message:
        return DuplicateError
    if "not null constraint" in message:
        return MissingAttributeError
    return DataError


def _duckdb_binder(message: str) -> ErrorClass:
    if ("column" in message and "not found" in message) or "referenced column" in message:
        return UnknownAttributeError
    return QueryError


def _duckdb_catalog(message: str) -> ErrorClass:
    if "does not exist" in message:
        return MissingTableError
    if "already exists" in message:
        return DefinitionError
    return QueryError


_DUCKDB_REFINE: dict[str, Callable[[str], ErrorClass]] = {
    "ConstraintException": _duckdb_constraint,
    "BinderException": _duckdb_binder,
    "CatalogException": _duckdb_catalog,
}

# -- PostgreSQL --------------------------------------------------------------------------------

#: SQLSTATE → frames error: exact codes first, then the two-character classes (all of them).
_SQLSTATE: dict[str, ErrorClass] = {
    # exact codes
    "23505": DuplicateError,
    "23502": MissingAttributeError,
    "23514": DataError,
    "22012": UndefinedValueError,
    "2201E": UndefinedValueError,
    "2201F": UndefinedValueError,
    "22003": UndefinedValueError,
    "2BP01": IntegrityError,
    "42501": AccessError,
    "42601": QuerySyntaxError,
    "42703": UnknownAttributeError,
    "42P01": MissingTableError,
    "42704": MissingTableError,
    "42P06": DefinitionError,
    "42P07": DefinitionError,
    "42701": DefinitionError,
    "42710": DefinitionError,
    "42P16": DefinitionError,
    "42611": DefinitionError,
    "42622": DefinitionError,
    "42830": DefinitionError,
    "42939": DefinitionError,
    "42P17": DefinitionError,
    "55P03": TransactionError,
    "57014": ServerError,
    # classes
    "00": ServerError,  # successful completion: never raised
    "01": ServerError,  # warning: never raised
    "02": ServerError,  # no data
    "03": QuerySyntaxError,  # SQL statement not yet complete
    "08": LostConnectionError,  # connection exception
    "09": ServerError,  # triggered action exception
    "0A": QueryError,  # feature not supported
    "0B": TransactionError,  # invalid transaction initiation
    "0F": ServerError,  # locator exception
    "0L": AccessError,  # invalid grantor
    "0P": AccessError,  # invalid role specification
    "0Z": ServerError,  # diagnostics exception
    "10": ServerError,  # XQuery error
    "20": ServerError,  # case not found (PL/pgSQL)
    "21": QueryError,  # cardinality violation
    "22": DataError,  # data exception
    "23": IntegrityError,  # integrity constraint violation
    "24": ServerError,  # invalid cursor state
    "25": TransactionError,  # invalid transaction state
    "26": QuerySyntaxError,  # invalid SQL statement name
    "27": IntegrityError,  # triggered data change violation
    "28": AccessError,  # invalid authorization specification
    "2B": AccessError,  # dependent privilege descriptors still exist
    "2D": TransactionError,  # invalid transaction termination
    "2F": ServerError,  # SQL routine exception
    "34": QuerySyntaxError,  # invalid cursor name
    "38": ServerError,  # external routine exception
    "39": ServerError,  # external routine invocation exception
    "3B": TransactionError,  # savepoint exception
    "3D": MissingTableError,  # invalid catalog name (no such database)
    "3F": MissingTableError,  # invalid schema name
    "40": TransactionError,  # transaction rollback: deadlock, serialization failure
    "42": QuerySyntaxError,  # syntax error or access rule violation
    "44": IntegrityError,  # WITH CHECK OPTION violation
    "53": ServerError,  # insufficient resources
    "54": QueryError,  # program limit exceeded
    "55": TransactionError,  # object not in prerequisite state (locks, objects in use)
    "57": LostConnectionError,  # operator intervention: shutdown (57014 cancel: above)
    "58": ServerError,  # system error
    "72": TransactionError,  # snapshot too old
    "F0": ServerError,  # configuration file error
    "HV": ServerError,  # foreign data wrapper error
    "P0": ServerError,  # PL/pgSQL error
    "XX": ServerError,  # internal error
}
# A type mismatch (``varchar = integer``) is an error in the query, not a syntax error.
_SQLSTATE.update(dict.fromkeys(("42883", "42804", "42846", "42725", "42P18"), QueryError))

#: psycopg2's own classes, for errors without a SQLSTATE (raised by the client library).
_PSYCOPG2_CLASSES: dict[str, ErrorClass] = {
    "InterfaceError": LostConnectionError,  # "connection already closed"
    "OperationalError": LostConnectionError,  # "server closed the connection unexpectedly"
    "DataError": DataError,
    "IntegrityError": IntegrityError,
    "InternalError": ServerError,
    "ProgrammingError": QueryError,
    "NotSupportedError": QueryError,
    "DatabaseError": ServerError,
    "Error": ServerError,
}


@functools.cache
def _sqlstate_of_class() -> dict[type, str]:
    """psycopg2's exception class of each SQLSTATE → that SQLSTATE."""
    codes = {}
    for name, code in vars(psycopg2.errorcodes).items():
        if name.isupper() and not name.startswith("CLASS_") and isinstance(code, str):
            try:
                codes[psycopg2.errors.lookup(code)] = code
            except KeyError:
                continue
    return codes


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a psycopg2 error ('' for errors psycopg2 raises itself)."""
    return getattr(exc, "pgcode", None) or _sqlstate_of_class().get(type(exc), "")


def _postgres_class(exc: BaseException) -> ErrorClass:
    if isinstance(exc, ValueError):  # psycopg2 refuses NUL characters in strings
        return DataError
    code = sqlstate(exc)
    found = _SQLSTATE.get(code) or _SQLSTATE.get(code[:2])
    if found is not None:
        return found
    for cls in type(exc).__mro__:
        if cls.__module__.startswith("psycopg2") and cls.__name__ in _PSYCOPG2_CLASSES:
            return _PSYCOPG2_CLASSES[cls.__name__]
    return ServerError


# -- MySQL / MariaDB ---------------------------------------------------------------------------


def _errnos(error_class: ErrorClass, *numbers: int) -> dict[int, ErrorClass]:
    return dict.fromkeys(numbers, error_class)


#: Server error numbers (MySQL 8 and MariaDB 10.11) → frames error.
_ERRNO: dict[int, ErrorClass] = {
    **_errnos(DuplicateError, 1022, 1062, 1169, 1557, 1586),
    **_errnos(IntegrityError, 1216, 1217, 1451, 1452, 1701, 3730, 1761, 1762),
    **_errnos(MissingAttributeError, 1048, 1263, 1364, 1423),
    **_errnos(UndefinedValueError, 1365, 1690),
    **_errnos(
        DataError,
        1171,
        1230,
        1264,
        1265,
        1292,
        1300,
        1301,
        1366,
        1367,
        1406,
        1411,
        1416,
        1441,
        3140,
        3141,
        3146,
        3819,
        4025,
        4078,
    ),
    **_errnos(
        DefinitionError,
        1005,
        1007,
        1050,
        1059,
        1060,
        1061,
        1063,
        1067,
        1068,
        1069,
        1070,
        1071,
        1072,
        1074,
        1075,
        1089,
        1090,
        1091,
        1097,
        1101,
        1102,
        1103,
        1113,
        1117,
        1118,
        1166,
        1170,
        1215,
        1239,
        1280,
        1291,
        1425,
        1426,
        1427,
        1822,
        1824,
        1826,
        3780,
    ),
    **_errnos(MissingTableError, 1049, 1051, 1109, 1146, 1932),
    **_errnos(UnknownAttributeError, 1054),
    **_errnos(QuerySyntaxError, 1064, 1065, 1149, 1582, 1583, 1630),
    **_errnos(
        QueryError,
        1052,
        1055,
        1056,
        1057,
        1066,
        1104,
        1111,
        1116,
        1140,
        1222,
        1235,
        1241,
        1242,
        1248,
        1250,
        1267,
        1270,
        1271,
        1305,
        1463,
    ),
    **_errnos(AccessError, 1044, 1142, 1143, 1227, 1290, 1370, 1410, 1792),
    **_errnos(TransactionError, 1180, 1181, 1205, 1213, 1399, 1400, 1568, 1614, 1637),
    **_errnos(LostConnectionError, 1053, 1152, 1153, 1154, 1158, 1159, 1160, 1161, 1927),
    **_errnos(DatabaseConnectionError, 1040, 1043, 1045, 1081, 1129, 1130, 1203),
    **_errnos(ServerError, 1021, 1030, 1036, 1037, 1038, 1041, 1105, 1114, 1317, 1969, 3024),
}
#: Client errors (2000-2999): these lose the connection; the others fail to make it.
_LOST = (2006, 2013, 2055)
#: pymysql's classes, for error numbers the table does not list.
_PYMYSQL_CLASSES: dict[str, ErrorClass] = {
    "DataError": DataError,
    "IntegrityError": IntegrityError,
    "ProgrammingError": QueryError,
    "NotSupportedError": QueryError,
    "OperationalError": QueryError,
    "InternalError": ServerError,
    "InterfaceError": LostConnectionError,  # "(0, '')": the connection is closed
    "DatabaseError": ServerError,
    "MySQLError": ServerError,
    "Error": ServerError,
}


def mysql_errno(exc: BaseException) -> int | None:
    """The server's (or client's) error number of a pymysql error, if it has one."""
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _mysql_class(exc: BaseException) -> ErrorClass:
    errno = mysql_errno(exc)
    if errno is not None:
        if errno in _ERRNO:
            return _ERRNO[errno]
        if 2000 <= errno < 3000:
            return LostConnectionError if errno in _LOST else DatabaseConnectionError
    for cls in type(exc).__mro__:
        if cls.__module__.startswith("pymysql") and cls.__name__ in _PYMYSQL_CLASSES:
            return _PYMYSQL_CLASSES[cls.__name__]
    return ServerError


# -- the translation ---------------------------------------------------------------------------

_CLASSIFIERS: dict[str, Callable[[BaseException], ErrorClass]] = {
    "duckdb": _duckdb_class,
    "postgres": _postgres_class,
    "mysql": _mysql_class,
}
#: What each driver raises (psycopg2 also a ValueError for a NUL character, see the module).
DRIVER_ERRORS: dict[str, tuple[type[BaseException], ...]] = {
    "duckdb": (duckdb.Error,),
    "postgres": (psycopg2.Error, ValueError),
    "mysql": (pymysql.Error,),
}
_NUL_MESSAGE = "cannot contain NUL"

#: How to go on, by frames class (the most specific class that has one).
_HINTS: dict[ErrorClass, str] = {
    DuplicateError: "use skip_duplicates=True to keep the existing rows, or "
    "replace=True to overwrite them",
    TransactionError: "the transaction was rolled back; run it again",
    UndefinedValueError: "change the expression, or restrict the query to rows where it is defined",
    ServerError: "the statement was rolled back; retry, or ask the database's administrator",
    LostConnectionError: "the connection was lost; frames reconnects on the next call "
    "outside a transaction",
}


def is_driver_error(dialect: str, exc: BaseException) -> bool:
    """True if ``exc`` is an error of ``dialect``'s driver (and not frames' own)."""
    if isinstance(exc, FramesError):
        return False
    if isinstance(exc, ValueError):
        return dialect == "postgres" and _NUL_MESSAGE in str(exc)
    return isinstance(exc, DRIVER_ERRORS[dialect])


def error_class(dialect: str, exc: BaseException) -> ErrorClass:
    """The frames error class for ``exc``, an error of ``dialect``'s driver."""
    return _CLASSIFIERS[dialect](exc)


def driver_message(dialect: str, exc: BaseException) -> str:
    """The driver's message on one line: the text of pymysql's ``(errno, text)``, the first
    paragraph of DuckDB's (without the caret diagram), PostgreSQL's primary message with its
    detail and hint (without the ``LINE n:`` excerpt)."""
    if dialect == "mysql" and len(getattr(exc, "args", ())) >= 2:
        text = str(exc.args[1])
    elif dialect == "postgres" and getattr(exc, "diag", None) is not None:
        diag = exc.diag  # type: ignore[attr-defined]
        parts = [diag.message_primary, diag.message_detail, diag.message_hint]
        text = ". ".join(p.rstrip(".") for p in parts if p) or str(exc)
    else:
        text = str(exc).strip().split("\n\n")[0]
    if dialect == "postgres" and _NUL_MESSAGE in text:
        text = (
            "a string holds a NUL character (\\x00), which PostgreSQL cannot store or compare; "
            "remove it from the value"
        )
    return " ".join(text.split())


def translate(dialect: str, exc: BaseException, context: str = "") -> FramesError:
    """The frames error for ``exc``, raised by ``dialect``'s driver, its message prefixed by
    ``context``.

    Examples
    --------
    >>> import duckdb
    >>> error = translate("duckdb", duckdb.ConstraintException(
    ...     "Constraint Error: Duplicate key \\"id: 1\\" violates primary key constraint"),
    ...     "insert into lab.subject")
    >>> type(error).__name__
    'DuplicateError'
    """
    message = driver_message(dialect, exc)
    expression = undefined.described(message)
    if expression is not None:
        return UndefinedValueError(
            f"{context + ': ' if context else ''}{expression}; {_HINTS[UndefinedValueError]}"
        )
    cls = error_class(dialect, exc)
    if cls is UndefinedValueError:  # raised by the engine itself: its message names the cause
        message = f"a computed value is undefined or overflows ({message})"
    hint = next((text for kind, text in _HINTS.items() if issubclass(cls, kind)), "")
    text = f"{context}: {message}" if context else message
    return cls(f"{text}; {hint}" if hint and not re.search(r"\bretry\b", text) else text)
