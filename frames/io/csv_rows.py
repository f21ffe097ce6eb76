"""The rows of a CSV file, for ``Table.insert(pathlib.Path(...))`` as DataJoint 2.x offers it.

The first line names the attributes; every further record is a row. CSV holds text only, so
what a field means follows its attribute's type: the values stay strings, converted and checked
by the insert as any other string value would be, except where text needs reading first:

- an empty field of an attribute that is not text (a number, date, ``bool``, ``uuid``, ...)
  is a missing value: the row takes the attribute's default (``NULL`` if it is nullable), as
  DataJoint writes ``DEFAULT`` for it; an empty field of a text attribute is the empty string;
- a ``bool`` field reads ``true``/``false``/``1``/``0`` in any case.

Each row remembers the line of the file it starts on (a quoted value may span lines), so that
errors can name the file, the line and the attribute.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from typing import Any

from frames.errors import DataError
from frames.plan.heading import Heading

_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False}


@dataclass(frozen=True)
class CsvRows:
    """The rows of a CSV file, each with the line it starts on.

    Attributes
    ----------
    path : str
        The file as the caller named it.
    rows : list of dict
        One dict per record, keyed by the header's names.
    lines : list of int
        The (1-based) line of the file each row starts on.
    """

    path: str
    rows: list[dict[str, Any]]
    lines: list[int]

    def places(self) -> list[str]:
        """Each row's place in the file, as error messages name it: ``'file.csv' line 7``."""
        return [f"{self.path!r} line {line}" for line in self.lines]


def read_csv_rows(path: str | os.PathLike[str], heading: Heading, name: str) -> CsvRows:
    """The rows of the CSV file at ``path`` for a table with ``heading`` (named ``name``).

    Raises
    ------
    DataError
        If the file cannot be read (missing, not UTF-8), its header repeats a name, or a record
        has more or fewer fields than the header; naming the file and the line.
    """
    shown = os.fspath(path)
    where = f"{name}.insert({shown!r})"
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return CsvRows(shown, [], [])
            _check_header(header, where)
            rows: list[dict[str, Any]] = []
            lines: list[int] = []
            start = reader.line_num + 1
            for record in reader:
                if record:  # blank lines are skipped, as csv.DictReader skips them
                    if len(record) != len(header):
                        raise DataError(
                            f"{where}: line {start} has {len(record)} fields but the header "
                            f"names {len(header)} ({', '.join(header)})"
                        )
                    rows.append(_row(header, record, heading))
                    lines.append(start)
                start = reader.line_num + 1
    except OSError as error:
        raise DataError(f"{where}: cannot read the CSV file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{where}: the CSV file is not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise DataError(f"{where}: the CSV file is malformed: {error}") from None
    return CsvRows(shown, rows, lines)


def _check_header(header: list[str], where: str) -> None:
    seen: set[str] = set()
    for field in header:
        if field in seen:
            raise DataError(f"{where}: the header (line 1) names {field!r} twice")
        seen.add(field)


def _row(header: list[str], record: list[str], heading: Heading) -> dict[str, Any]:
    """The record as a dict: empty fields of non-text attributes left out, booleans read."""
    row: dict[str, Any] = {}
    for field, text in zip(header, record, strict=True):
        attr = heading[field] if field in heading else None
        category = attr.type.category if attr is not None and not attr.codec else "string"
        if category != "string" and text == "":
            continue  # the attribute's default, as DataJoint's DEFAULT for an empty value
        if category == "bool":
            row[field] = _BOOL_TEXT.get(text.strip().lower(), text)
        else:
            row[field] = text
    return row
