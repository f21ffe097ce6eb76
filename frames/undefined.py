"""Tags that let an error raised inside one SQL statement name the expression that caused it.

frames compiles an expression whose value can be undefined — a division whose divisor is zero,
``sqrt`` of a negative number, ``ln`` of zero, a ``CAST`` of text that spells no number — into
guarded SQL that makes the database raise an error for exactly those rows (see
:mod:`frames.sql.emit`), on every backend alike. SQL cannot carry the user's expression text
(values and names typed by the user are never pasted into SQL), so the guard carries a tag: a
number standing for the expression's description, kept here. When the error comes back, the
driver's message holds the tag (:func:`described` finds it) and the error names the expression.

Each dialect spells the error its own way (a field of :class:`frames.sql.dialects.Dialect`):
DuckDB's ``error('frames-undefined-7')``, PostgreSQL's failed cast of that text to an integer,
and on MariaDB/MySQL, which cannot ``SIGNAL`` inside a ``SELECT``, the overflow of
``9223372036854775807 + 7340007``, whose message quotes the expression.

>>> tag = tag_of("division by zero in 'x / y'")
>>> described(f"Invalid Input Error: {TEXT_PREFIX}{tag}")
"division by zero in 'x / y'"
"""

from __future__ import annotations

import re
import threading

#: Prefix of the text tags (DuckDB, PostgreSQL).
TEXT_PREFIX = "frames-undefined-"
#: The number added to a tag in MySQL's overflowing sum, so that the sum is recognisable.
NUMBER_OFFSET = 7_340_000
#: The largest BIGINT, the left operand of MySQL's overflowing sum.
BIGINT_MAX = 9223372036854775807
_PATTERN = re.compile(rf"{TEXT_PREFIX}(\d+)|{BIGINT_MAX} \+ (\d+)")
_lock = threading.Lock()
_descriptions: list[str] = []
_tags: dict[str, int] = {}


def tag_of(description: str) -> int:
    """The tag standing for ``description`` (the same tag for the same text)."""
    with _lock:
        tag = _tags.get(description)
        if tag is None:
            tag = _tags[description] = len(_descriptions)
            _descriptions.append(description)
        return tag


def described(message: str) -> str | None:
    """The description whose tag a driver's error ``message`` carries, or None."""
    match = _PATTERN.search(message)
    if match is None:
        return None
    text, number = match.groups()
    tag = int(text) if text is not None else int(number) - NUMBER_OFFSET
    return _descriptions[tag] if 0 <= tag < len(_descriptions) else None
