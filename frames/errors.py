"""Exception hierarchy of frames.

Every error frames raises derives from :class:`FramesError`. Messages say what is wrong, where
(which table, attribute, row or fragment) and, where one exists, how to fix it.
"""

from __future__ import annotations


class FramesError(Exception):
    """Base class of every frames error."""


class DefinitionError(FramesError):
    """A table definition string is malformed or refers to something that does not exist."""


class UnknownAttributeError(FramesError, KeyError):
    """An attribute name does not exist in the heading it was looked up in."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class FragmentError(FramesError):
    """A user SQL fragment cannot be parsed or is not allowed (statements, subqueries, ...)."""


class QueryError(FramesError):
    """An operator was applied to operands it cannot combine (e.g. unmatched namesakes)."""


class DataError(FramesError, ValueError):
    """A value supplied for insertion does not fit its attribute (type, range, enum, null)."""


class MissingAttributeError(DataError):
    """A row to insert lacks a required attribute or carries one the table does not have."""


class DuplicateError(FramesError):
    """A row to insert has the primary key (or a unique index value) of an existing row."""


class IntegrityError(FramesError):
    """A write would break referential integrity (a missing parent, a still-referenced row)."""


class MissingTableError(FramesError):
    """A table or schema does not exist in the database."""


class FetchError(FramesError):
    """A fetch could not return what was asked (e.g. ``fetch1`` on zero or several rows)."""


class TransactionError(FramesError):
    """A transaction was misused (nested) or failed (lost connection) and was rolled back."""


class DatabaseConnectionError(FramesError):
    """The database could not be reached or the connection URL is invalid."""

__all__ = [
    "FramesError",
    "DefinitionError",
    "UnknownAttributeError",
    "FragmentError",
    "QueryError",
    "DataError",
    "MissingAttributeError",
    "DuplicateError",
    "IntegrityError",
    "MissingTableError",
    "FetchError",
    "TransactionError",
    "DatabaseConnectionError",
]
