"""Errors of the pandas API: what cannot be pushed down, and misuse in pandas' own terms."""

from __future__ import annotations

from frames.errors import QueryError


class NotPushedDownError(QueryError, NotImplementedError):
    """A pandas method or argument frames cannot compute in the database.

    The message names the pushed-down alternative, or says to call ``to_pandas()`` first and
    continue in pandas: frames never computes a result in Python behind the user's back.
    """


class AlignmentError(QueryError, ValueError):
    """Two columns or frames of different rows combined (pandas would align them by index)."""


class MergeError(QueryError, ValueError):
    """Keys that pandas refuses to merge on (pandas' ``MergeError``: keys of different
    types, overlapping columns without suffixes)."""


class PandasTypeError(QueryError, TypeError):
    """An operation on values of types pandas refuses it for (``'a' - 1``, ``x & 2``)."""


def not_pushed_down(what: str, instead: str) -> NotPushedDownError:
    """The error for ``what``, naming what to do ``instead``."""
    return NotPushedDownError(f"{what} cannot be computed in the database; {instead}")


def needs_pandas(what: str, detail: str = "") -> NotPushedDownError:
    """The error for a method that needs the data in Python: call ``to_pandas()`` first."""
    reason = f" ({detail})" if detail else ""
    return NotPushedDownError(
        f"{what} runs Python code on every row{reason}, which frames does not do behind your "
        f"back; call .to_pandas() first and use pandas' {what} on the result"
    )
