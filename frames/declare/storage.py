"""How frames records declarations in the database itself (DataJoint 2.x conventions).

* Column comments carry the declared core type: ``:int32:recording duration``. A comment without
  the ``:type:`` prefix belongs to a column declared outside frames (a native type).
* On PostgreSQL and MySQL, each schema has DataJoint 2.x's hidden table :data:`LINEAGE_CATALOG`
  with the lineage of every attribute that has one, which DataJoint reads for semantic matching
  (frames itself derives lineage from the foreign keys).
* Where the engine does not declare foreign keys (DuckDB, see DESIGN.md), each schema has a hidden
  table :data:`FOREIGN_KEY_CATALOG` holding one row per foreign key, so that the database stays
  the single source of truth for dependencies and lineage.
"""

from __future__ import annotations

import re

from frames.declare.types import CoreType, parse_type

#: DataJoint 2.x's hidden per-schema table of attribute lineage.
LINEAGE_CATALOG = "~lineage"

#: Columns of :data:`LINEAGE_CATALOG` (all ``NOT NULL``; the first two are its primary key),
#: with their SQL types and DataJoint's column comments.
LINEAGE_CATALOG_COLUMNS = (
    ("table_name", "VARCHAR(64)", "table name within the schema"),
    ("attribute_name", "VARCHAR(64)", "attribute name"),
    ("lineage", "VARCHAR(255)", "origin: schema.table.attribute"),
)

#: Dialects on which DataJoint 2.x opens schemas, and so where frames keeps its lineage table.
LINEAGE_CATALOG_DIALECTS = ("postgres", "mysql")

#: Hidden per-schema table of foreign keys on engines that do not declare them.
FOREIGN_KEY_CATALOG = "~foreign_keys"

#: Columns of :data:`FOREIGN_KEY_CATALOG`, all text except ``ordinal`` (int) and the flags (bool).
#: ``child_attrs`` / ``parent_attrs`` are comma-separated attribute names in matching order.
FOREIGN_KEY_CATALOG_COLUMNS = (
    ("child", "text"),
    ("ordinal", "int"),
    ("parent_schema", "text"),
    ("parent", "text"),
    ("child_attrs", "text"),
    ("parent_attrs", "text"),
    ("in_key", "bool"),
    ("nullable", "bool"),
    ("is_unique", "bool"),
)


def encode_comment(declared: CoreType | str, comment: str) -> str:
    """The column comment that records the declared type (a core type, or a codec such as
    ``<blob>``) and the user's ``comment``."""
    return f":{declared}:{comment}"


def comment_codec(text: str | None) -> str | None:
    """The codec a column comment records (``':<blob>:raw trace'`` -> ``'<blob>'``), if any."""
    match = _CODEC_TYPE.match(text or "")
    return match.group(1) if match else None


def decode_comment(text: str | None) -> tuple[CoreType | None, str]:
    """Split a column comment into (declared core type or ``None``, user comment).

    A ``:type:`` prefix that is no core type of frames — a DataJoint codec such as ``<blob>``
    or ``<attach@store>`` — is removed from the comment as DataJoint does, leaving the type to
    the column's native type (``None`` here).

    Examples
    --------
    >>> decode_comment(":decimal(5,1):recording duration")
    (CoreType(kind='decimal', precision=5, scale=1, length=None, values=()), 'recording duration')
    >>> decode_comment(":<blob>:raw trace")
    (None, 'raw trace')
    >>> decode_comment("a plain comment")
    (None, 'a plain comment')
    """
    if not text:
        return None, ""
    if not text.startswith(":"):
        return None, text
    # The type may itself contain colons (enum members): take the first split that parses.
    end = text.find(":", 1)
    while end != -1:
        try:
            return parse_type(text[1:end]), text[end + 1 :]
        except ValueError:
            end = text.find(":", end + 1)
    codec = _FOREIGN_TYPE.match(text)
    return (None, codec.group(1)) if codec else (None, text)


#: DataJoint's reading of a type prefix: ``:<anything but a colon>:comment``.
_FOREIGN_TYPE = re.compile(r":[^:]+:(.*)", re.S)
#: A codec type prefix: ``:<name>:`` or ``:<name@store>:``.
_CODEC_TYPE = re.compile(r":(<[^:<>]+>):")
