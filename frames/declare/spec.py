"""Declarative description of a table: what a definition string means, independent of SQL.

:class:`TableSpec` is produced by :mod:`frames.declare.parser` from a definition string, or by a
backend's introspection from an existing database table, and consumed by :mod:`frames.sql.ddl`
(CREATE statements) and by the query layer (headings, lineage, foreign keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from frames.declare.types import CoreType


class _NoDefault:
    """Marker type: the attribute has no default and must be given on insert."""

    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()


@dataclass(frozen=True)
class SqlDefault:
    """A default given as an SQL keyword (``CURRENT_TIMESTAMP``) rather than a literal value."""

    keyword: str


#: The default of an ``auto_increment`` attribute: the database numbers the rows that omit it.
AUTO_INCREMENT = SqlDefault("AUTO_INCREMENT")


@dataclass(frozen=True)
class Attribute:
    """One attribute of a heading.

    Attributes
    ----------
    name : str
    type : CoreType
    nullable : bool
        True for ``= null`` attributes and attributes of ``-> [nullable]`` foreign keys.
    default : object
        A Python value (``None`` for ``= null``), a :class:`SqlDefault`, or ``NO_DEFAULT``.
    comment : str
    in_key : bool
        True for primary-key attributes.
    lineage : str or None
        ``schema.table.attr`` where the values originate: inherited through foreign keys; a key
        attribute declared in its own table is its own origin; other attributes have none.
    codec : str or None
        The codec type as declared (``'<blob>'``, ``'<graph>'``): values are encoded by it
        before they are stored in a column of ``type`` (the codec chain's storage type) and
        decoded when fetched (:mod:`frames.codecs`). ``None`` for plain core types.
    """

    name: str
    type: CoreType
    nullable: bool = False
    default: object = NO_DEFAULT
    comment: str = ""
    in_key: bool = False
    lineage: str | None = None
    codec: str | None = None

    @property
    def has_default(self) -> bool:
        """True if an insert may omit this attribute."""
        return self.default is not NO_DEFAULT or self.nullable

    @property
    def is_blob(self) -> bool:
        """True if the values are stored as bytes: ``bytes`` and codecs such as ``<blob>`` (as
        DataJoint's ``Attribute.is_blob``)."""
        return self.type.kind == "bytes"

    @property
    def declared_type(self) -> str:
        """The type as a definition spells it: the codec (``<blob>``) or the core type."""
        return self.codec or str(self.type)

    @property
    def auto_increment(self) -> bool:
        """True if the database numbers rows that omit this attribute (``auto_increment``)."""
        return self.default == AUTO_INCREMENT

    @property
    def is_hidden(self) -> bool:
        """True for attributes that the platform manages (names starting with ``_``): stored,
        but not shown or matched by queries."""
        return self.name.startswith("_")


@dataclass(frozen=True)
class TableRef:
    """Where a table is stored: its schema (database) and its storage name."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ForeignKeySpec:
    """A ``->`` dependency.

    ``attr_map`` pairs each child attribute with the parent primary-key attribute it references,
    in the parent's key order (renamed by ``-> Parent.proj(new='old')``).
    """

    parent: TableRef
    attr_map: tuple[tuple[str, str], ...]
    in_key: bool
    nullable: bool = False
    unique: bool = False

    @property
    def child_attrs(self) -> tuple[str, ...]:
        """The referencing attributes in this (child) table."""
        return tuple(child for child, _ in self.attr_map)

    @property
    def parent_attrs(self) -> tuple[str, ...]:
        """The referenced primary-key attributes of the parent table."""
        return tuple(parent for _, parent in self.attr_map)


@dataclass(frozen=True)
class IndexSpec:
    """A secondary index: ``index(a, b)`` or ``unique index(a, b)``."""

    attrs: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    """Everything a definition string declares about one table."""

    ref: TableRef
    attributes: tuple[Attribute, ...]
    comment: str = ""
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    indexes: tuple[IndexSpec, ...] = ()
    tier: str = "manual"

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Names of the primary-key attributes, in declaration order."""
        return tuple(a.name for a in self.attributes if a.in_key)

    def attribute(self, name: str) -> Attribute:
        """The attribute called ``name`` (``KeyError`` if absent)."""
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)
