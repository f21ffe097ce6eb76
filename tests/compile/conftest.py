"""Snapshots of the SQL each dialect gets.

The ``snapshot`` fixture compares statements with the expected SQL in
``tests/compile/snapshots/<test function>/<parameters>.sql``: one human-readable file per test
and dialect (the parameters are the test's id, e.g. ``duckdb`` or ``duckdb-antijoin``), each
statement ending with ``;``, the bound parameters (if any) in a ``-- params:`` line above them.
A query compiles to one line; its file shows the ``SELECT`` one clause and one subquery per line,
indented by nesting (:func:`layout` only adds line breaks and indentation, in place of a single
space or after an opening parenthesis, so the file still pins every character of the SQL).

A snapshot is an expected value: a new or changed one is read and checked by hand before it is
committed. ``pytest tests/compile --update-snapshots`` rewrites the files of the tests it runs
(and names them) instead of comparing; without the option a missing file fails the test.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"


_CLAUSE = re.compile(
    r" (?=(?:FROM|WHERE|GROUP BY|HAVING|ORDER BY|LIMIT|LEFT JOIN|CROSS JOIN|UNION) )"
    r"|(?<!LEFT)(?<!CROSS) (?=JOIN )|(?<=UNION) (?=SELECT )|(?<=UNION ALL) (?=SELECT )"
    r"|(?<=\()(?=SELECT )"
)
_QUOTES = "'\"`"


def layout(sql: str) -> str:
    """A one-line ``SELECT`` with each clause and subquery on a line of its own, indented two
    spaces per open parenthesis (outside quoted text); other statements are returned as they are.

    >>> print(layout("SELECT a FROM (SELECT a FROM t WHERE b = '(x FROM y') AS s"))
    SELECT a
    FROM (
      SELECT a
      FROM t
      WHERE b = '(x FROM y') AS s
    """
    if "\n" in sql or not sql.startswith("SELECT "):
        return sql
    quote, breaks = None, {m.start() for m in _CLAUSE.finditer(sql)}
    level, out = 0, []
    for i, char in enumerate(sql):
        if quote is None and i in breaks:
            out.append("\n" + "  " * level)
            if char == " ":
                continue
        if quote:
            quote = None if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char == "(":
            level += 1
        elif char == ")":
            level -= 1
        out.append(char)
    return "".join(out)


def render(statements: Sequence[str], params: Sequence[Any] | None = None) -> str:
    """The text of a snapshot file: ``params`` as a comment, then each statement (laid out by
    :func:`layout`) and ``;``."""
    lines = [f"-- params: {list(params)!r}"] if params else []
    shown = [f"{layout(statement.rstrip())};" for statement in statements]
    return "\n\n".join(lines + shown) + "\n"


class Snapshot:
    """The expected SQL of one test instance, in :attr:`path`."""

    def __init__(self, path: Path, update: bool) -> None:
        self.path = path
        self.update = update

    def check(self, statements: str | Sequence[str], params: Sequence[Any] | None = None) -> None:
        """Assert that ``statements`` (one or a list) with ``params`` are the snapshot's SQL;
        under ``--update-snapshots`` write them to the file instead."""
        if isinstance(statements, str):
            statements = [statements]
        actual = render(statements, params)
        expected = self.path.read_text(encoding="utf-8") if self.path.exists() else None
        if actual == expected:
            return
        shown = self.path.relative_to(SNAPSHOTS.parent.parent.parent)
        if self.update:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(actual, encoding="utf-8")
            warnings.warn(f"rewrote {shown}: review it before committing", stacklevel=2)
            return
        if expected is None:
            message = (
                f"no snapshot {shown}; create it with --update-snapshots and check it by hand:\n"
                f"{actual}"
            )
        else:
            diff = difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), str(shown), "compiled", lineterm=""
            )
            message = (
                "the SQL differs from the snapshot (if the change is intended, rerun with "
                "--update-snapshots and review the file):\n" + "\n".join(diff)
            )
        pytest.fail(message, pytrace=False)


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """The :class:`Snapshot` of the running test instance."""
    node = request.node
    parameters = node.name[len(node.originalname) :].strip("[]") or "snapshot"
    path = SNAPSHOTS / node.originalname / f"{parameters}.sql"
    return Snapshot(path, request.config.getoption("update_snapshots"))
