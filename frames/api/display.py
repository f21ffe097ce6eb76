"""DataJoint-style previews of query results: the text ``repr`` and the Jupyter HTML table.

Both forms take the first rows of a result (already fetched and converted to Python values) and
the total row count, so that showing a table costs one limited query and one count.

The text form follows DataJoint's layout: a header line whose primary-key attributes are marked
with ``*``, a separator line, one line per row, ``...`` when rows are left out, then a blank line
and ``Total: N``. Each column is as wide as its longest entry plus four spaces, capped at
``config['display.width']``; longer values are cut and end in ``…``. Lines carry no trailing
spaces.
"""

from __future__ import annotations

import datetime
import decimal
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from frames.plan.heading import Heading
from frames.settings import config

ELLIPSIS = "…"
_PADDING = 4  # spaces DataJoint adds to the widest entry of a column
_MORE_ROWS = "   ..."
_CONTROL = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
_CSS_CLASS = "frames-table"
_STYLE = f"""<style>
.{_CSS_CLASS} table {{border-collapse: collapse;}}
.{_CSS_CLASS} th, .{_CSS_CLASS} td {{padding: 4px 8px; border: 1px solid #f0e0e0;
  text-align: left; font-family: monospace;}}
.{_CSS_CLASS} th {{background: #a0a0a0; color: #ffffff; font-weight: normal;}}
.{_CSS_CLASS} th.key {{color: #000000; font-weight: bold;}}
.{_CSS_CLASS} td {{max-width: 32em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap;}}
.{_CSS_CLASS} tbody tr:nth-child(even) {{background: #f3f1ff;}}
</style>"""


def format_value(value: Any) -> str:
    """The display text of one value.

    Parameters
    ----------
    value : object
        A Python value as returned by ``to_dicts``.

    Returns
    -------
    str
        ``None`` for NULL; ISO dates (``2024-01-15``, ``2024-01-15 10:30:00``); decimals with
        their scale and without exponent (``450.0``); floats by their shortest spelling at 15
        significant digits (``0.1 + 0.2`` shows ``0.3``); JSON values as JSON text; ``=BLOB=``
        for bytes, as DataJoint shows them; anything else by ``str``.

    Examples
    --------
    >>> from decimal import Decimal
    >>> format_value(Decimal("450.0")), format_value(0.1 + 0.2), format_value(None)
    ('450.0', '0.3', 'None')
    """
    if value is None or isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "=BLOB="
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def format_text(
    heading: Heading,
    rows: Sequence[Mapping[str, Any]],
    total: int | None,
    limit: int | None = None,
    failure: str | None = None,
    width: int | None = None,
) -> str:
    """The text preview of a result, as ``repr()`` of a query shows it.

    Parameters
    ----------
    heading : Heading
        The heading of the result; key attributes are marked with ``*``.
    rows : sequence of dict
        The first rows of the result, as ``to_dicts`` returns them.
    total : int or None
        The number of rows in the whole result; None leaves the total out (rows beyond
        ``limit`` still show ``...``), as ``config['display.show_tuple_count'] = False`` asks.
    limit : int, optional
        Rows to show at most; ``config['display.limit']`` by default.
    failure : str, optional
        Why the rows cannot be shown (a value the database cannot compute, such as a division
        by zero); it replaces the total.
    width : int, optional
        Characters of a cell at most; ``config['display.width']`` by default.

    Returns
    -------
    str
        Header, separator, rows, ``...`` if ``total`` exceeds the rows shown, a blank line and
        ``Total: N`` (or the failure).

    Examples
    --------
    >>> from frames.declare.spec import Attribute
    >>> from frames.declare.types import parse_type
    >>> heading = Heading((
    ...     Attribute("subject_id", parse_type("int32"), in_key=True),
    ...     Attribute("species", parse_type("varchar(32)")),
    ... ))
    >>> print(format_text(heading, [{"subject_id": 1, "species": "mouse"}], total=3))
    *subject_id    species
    +------------+ +---------+
    1              mouse
       ...
    <BLANKLINE>
    Total: 3
    """
    shown = rows[: _limit(limit)]
    cap = config["display.width"] if width is None else width
    names = heading.names
    cells = [[format_value(row[name]).translate(_CONTROL) for name in names] for row in shown]
    widths = [
        min(max([len(name), *(len(line[column]) for line in cells)]) + _PADDING, cap)
        for column, name in enumerate(names)
    ]
    key = set(heading.primary_key)
    labels = ["*" + name if name in key else name for name in names]
    lines = [
        _text_line(labels, widths),
        " ".join("+" + "-" * (width - 2) + "+" for width in widths),
        *(_text_line(line, widths) for line in cells),
    ]
    if _more(rows, shown, total):
        lines.append(_MORE_ROWS)
    footer = _footer(total, failure)
    return "\n".join(lines + ["", footer] if footer else lines)


def format_html(
    heading: Heading,
    rows: Sequence[Mapping[str, Any]],
    total: int | None,
    limit: int | None = None,
    failure: str | None = None,
) -> str:
    """The HTML preview of a result, as Jupyter shows a query.

    Parameters
    ----------
    heading : Heading
        The heading of the result; key attribute headers get the ``key`` class (bold), and
        attribute comments show as tooltips.
    rows : sequence of dict
        The first rows of the result, as ``to_dicts`` returns them.
    total : int or None
        The number of rows in the whole result (None: not shown).
    limit : int, optional
        Rows to show at most; ``config['display.limit']`` by default.
    failure : str, optional
        Why the rows cannot be shown; it replaces the total.

    Returns
    -------
    str
        A scoped ``<style>`` (first, as in DataJoint's HTML), then a
        ``<div class="frames-table">`` holding the ``<table>``,
        ``<p>...</p>`` if ``total`` exceeds the rows shown, and ``<p>Total: N</p>``. Every name,
        comment and value is HTML-escaped.
    """
    shown = rows[: _limit(limit)]
    names = heading.names
    head = "".join(
        "<th{cls}{title}>{name}</th>".format(
            cls=' class="key"' if attr.in_key else "",
            title=f' title="{html.escape(attr.comment)}"' if attr.comment else "",
            name=html.escape(attr.name),
        )
        for attr in heading
    )
    body = "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape(format_value(row[name]))}</td>" for name in names)
        + "</tr>"
        for row in shown
    )
    more = "<p>...</p>\n" if _more(rows, shown, total) else ""
    footer = _footer(total, failure)
    footer = f"<p>{html.escape(footer)}</p>\n" if footer else ""
    return (  # the style first, as DataJoint's HTML starts
        f'{_STYLE}\n<div class="{_CSS_CLASS}">\n'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
        f"{more}{footer}</div>"
    )


def _footer(total: int | None, failure: str | None) -> str:
    if failure is not None:
        return f"Rows cannot be shown: {failure}"
    return "" if total is None else f"Total: {total}"


def _more(rows: Sequence[Any], shown: Sequence[Any], total: int | None) -> bool:
    """Whether rows are left out: more were given than shown, or the total says so."""
    return len(rows) > len(shown) or (total is not None and total > len(shown))


def _format_float(value: float) -> str:
    """``repr`` of a float, or its 15-significant-digit spelling when that is shorter."""
    text = repr(value)
    short = format(value, ".15g")
    if len(short) >= len(text):
        return text
    return short if "." in short or "e" in short else short + ".0"


def _limit(limit: int | None) -> int:
    return config["display.limit"] if limit is None else limit


def _text_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """Cells padded (or cut with an ellipsis) to their column widths, without trailing spaces."""
    return " ".join(_fit(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 1] + ELLIPSIS
    return text.ljust(width)
