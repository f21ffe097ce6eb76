"""Tags that let an error raised inside one SQL statement name the expression that caused it.

frames compiles an expression whose value can be undefined — a division whose divisor is zero,
``sqrt`` of a negative number, ``ln`` of zero, a ``CAST`` of text that spells no number — into
guarded SQL that makes the database raise an error for exactly those rows (see
:mod:`frames.sql.emit`), on every backend alike. SQL cannot carry the user's expression text
(values and names typed by the user are never pasted into SQL), so the guard carries a tag: a
number standing for the expression's description, kept here. When the error comes back, the
driver's message holds the tag (:func:`described` finds it) and the error names the expression.

The tag is derived from the description's text alone (a 40-bit digest), never from the order in
which expressions were compiled: the same query compiles to the same SQL in every process, so
statement caches, query plans and the SQL snapshots of the tests stay stable.

Each dialect spells the error its own way (a field of :class:`frames.sql.dialects.Dialect`):
DuckDB's ``error('frames-undefined-7')``, PostgreSQL's failed cast of that text to an integer,
and on MariaDB/MySQL, which cannot ``SIGNAL`` inside a ``SELECT``, the overflow of
``9223372036854775807 + 7340007``, whose message quotes the expression.

>>> tag = tag_of("division by zero in 'x / y'")
>>> described(f"Invalid Input Error: {TEXT_PREFIX}{tag}")
"division by zero in 'x / y'"
"""

from __future__ import annotations

import hashlib
import re
import threading

#: Prefix of the text tags (DuckDB, PostgreSQL).
TEXT_PREFIX = "frames-undefined-"
#: The number added to a tag in MySQL's overflowing sum, so that the sum is recognisable.
NUMBER_OFFSET = 7_340_000
#: The largest BIGINT, the left operand of MySQL's overflowing sum.
BIGINT_MAX = 9223372036854775807
#: Bytes of the digest a tag is made of (40 bits: collisions are practically impossible, and
#: the tag plus :data:`NUMBER_OFFSET` is far below ``BIGINT_MAX``).
_TAG_BYTES = 5
_PATTERN = re.compile(rf"{TEXT_PREFIX}(\d+)|{BIGINT_MAX} \+ (\d+)")
_lock = threading.Lock()
_descriptions: dict[int, str] = {}


def tag_of(description: str) -> int:
    """The tag standing for ``description``: the same tag for the same text, in every process.

    >>> tag_of("ln of a number that is not positive in 'ln(x)'") == tag_of(
    ...     "ln of a number that is not positive in 'ln(x)'"
    ... )
    True
    """
    digest = hashlib.blake2b(description.encode(), digest_size=_TAG_BYTES).digest()
    tag = int.from_bytes(digest, "big")
    with _lock:
        # Another description with the same digest (never seen in practice) takes the next
        # free number, so that no tag ever names two descriptions.
        while _descriptions.setdefault(tag, description) != description:
            tag += 1
    return tag


def described(message: str) -> str | None:
    """The description whose tag a driver's error ``message`` carries, or None."""
    match = _PATTERN.search(message)
    if match is None:
        return None
    text, number = match.groups()
    tag = int(text) if text is not None else int(number) - NUMBER_OFFSET
    return _descriptions.get(tag)
