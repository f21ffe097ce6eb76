"""Exception hierarchy of frames.

Every error frames raises derives from :class:`FramesError`. Messages say what is wrong, where
(which table, attribute, row or fragment) and, where one exists, how to fix it.

The hierarchy contains DataJoint 2.x's (``datajoint.errors``), so code that catches DataJoint's
classes catches frames' errors of the same meaning: :data:`DataJointError` is
:class:`FramesError`; ``QueryError`` is the parent of ``QuerySyntaxError``, ``AccessError``,
``DuplicateError``, ``IntegrityError``, ``UnknownAttributeError`` and ``MissingAttributeError``;
``LostConnectionError``, ``MissingTableError``, ``MissingExternalFile``, ``BucketInaccessible``
and ``ThreadSafetyError`` derive from the base. frames' own finer classes (``DefinitionError``,
``FragmentError``, ``DataError``, ``UndefinedValueError``, ``ServerError``,
``UnsupportedArgumentError``, ...) sit inside that tree. Every error of the database drivers is
translated into one of these classes by :mod:`frames.backends.driver_errors`.
"""

from __future__ import annotations


class FramesError(Exception):
    """Base class of every frames error (DataJoint's ``DataJointError``)."""

    def suggest(self, *args: object) -> FramesError:
        """The same error with ``args`` appended to its arguments (DataJoint's API)."""
        return self.__class__(*(self.args + args))


DataJointError = FramesError
"""DataJoint's name of the base class: ``except dj.DataJointError`` catches every frames error."""


class DefinitionError(FramesError):
    """A table definition string is malformed or refers to something that does not exist."""


class MissingDefinitionError(DefinitionError, NotImplementedError):
    """A table class to declare has no ``definition`` string (DataJoint: NotImplementedError)."""


class QueryError(FramesError):
    """A query cannot be built or run: operands that cannot combine, a failed statement."""


class QuerySyntaxError(QueryError):
    """A statement or SQL fragment is not valid SQL."""


class AccessError(QueryError):
    """The database user lacks the privilege the operation needs."""


class UnknownAttributeError(QueryError, KeyError):
    """An attribute name does not exist in the heading it was looked up in."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class FragmentError(QuerySyntaxError):
    """A user SQL fragment cannot be parsed or is not allowed (statements, subqueries, ...)."""


class DataError(FramesError, ValueError):
    """A value supplied for insertion does not fit its attribute (type, range, enum, null)."""


class MissingAttributeError(QueryError, DataError):
    """A row to insert lacks a required attribute or carries one the table does not have."""


class UndefinedValueError(DataError):
    """A computed value is undefined: division by zero, ``sqrt``/``ln`` outside their domain,
    a failed ``CAST`` or an overflow in a computed attribute or a restriction.

    Every backend raises it for the same expressions (as the SQL standard and PostgreSQL do),
    naming the expression; DuckDB would return infinity or NaN and MariaDB NULL instead.
    """


class DuplicateError(QueryError):
    """A row to insert has the primary key (or a unique index value) of an existing row."""


class IntegrityError(QueryError):
    """A write would break referential integrity (a missing parent, a still-referenced row)."""


class ServerError(QueryError):
    """The database failed for a reason of its own, not because of the query or its values:
    an internal error, memory or disk exhausted, a statement cancelled by the administrator,
    a server shutting down. The statement was rolled back; retry, or ask the administrator."""


class MissingTableError(FramesError):
    """A table or schema does not exist in the database."""


class FetchError(FramesError):
    """A fetch could not return what was asked (e.g. ``fetch1`` on zero or several rows)."""


class ArgumentTypeError(QueryError, TypeError):
    """An argument of the wrong Python type (a number where attribute names are expected, a
    string where an integer is); ``except TypeError`` catches it too."""


class UnsupportedArgumentError(FramesError, ValueError):
    """An argument that DataJoint accepts has a value frames cannot honour here (it would be
    ignored); the message names the argument and what to use instead."""


class TransactionError(FramesError):
    """A transaction was misused (nested) or failed (lost connection) and was rolled back."""


class TransactionConflictError(TransactionError):
    """The database rolled a transaction (or statement) back because it conflicted with a
    concurrent one: a deadlock, a serialisation failure, a lock wait timeout, a write-write
    conflict. Running it again may succeed; frames retries where it can do so safely."""


class DatabaseConnectionError(FramesError):
    """The database could not be reached or the connection URL is invalid."""


class LostConnectionError(DatabaseConnectionError):
    """The connection to the server was lost and could not be restored."""


class LostTransactionError(LostConnectionError, TransactionError):
    """The connection was lost during a transaction, which the server rolled back; frames has
    reconnected and the transaction can be run again."""


class MissingExternalFile(FramesError):
    """A file or object that a stored attribute refers to is no longer accessible."""


class BucketInaccessible(FramesError):
    """An object-store bucket cannot be reached with the configured credentials."""


class ThreadSafetyError(FramesError):
    """Process-wide state (``dj.config``, ``dj.conn()``) was used in thread-safe mode."""


__all__ = [
    "FramesError",
    "DataJointError",
    "QuerySyntaxError",
    "AccessError",
    "LostConnectionError",
    "MissingExternalFile",
    "BucketInaccessible",
    "ThreadSafetyError",
    "DefinitionError",
    "MissingDefinitionError",
    "UnknownAttributeError",
    "FragmentError",
    "QueryError",
    "DataError",
    "UndefinedValueError",
    "MissingAttributeError",
    "DuplicateError",
    "IntegrityError",
    "MissingTableError",
    "FetchError",
    "TransactionError",
    "TransactionConflictError",
    "LostTransactionError",
    "DatabaseConnectionError",
    "ServerError",
]
