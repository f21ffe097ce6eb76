"""Headings: the ordered, typed attributes of a relation and its primary key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

import pyarrow as pa

from frames.declare.spec import Attribute
from frames.declare.types import arrow_type
from frames.errors import UnknownAttributeError


@dataclass(frozen=True)
class Heading:
    """An ordered tuple of :class:`~frames.declare.spec.Attribute`; key attributes come first.

    Headings are immutable; every operator derives its result heading from its operands'.
    What derives from the attributes alone (names, key, Arrow schema, hash) is computed once per
    heading: small queries reuse their table's heading on every call.

    A stored table's heading also lists its ``hidden`` attributes (names starting with ``_``,
    such as the job metadata of auto-populated tables): queries neither show nor match them,
    and derived headings drop them.
    """

    attributes: tuple[Attribute, ...]
    hidden: tuple[Attribute, ...] = field(default=(), repr=False, compare=False, hash=False)
    _index: dict[str, Attribute] = field(init=False, repr=False, compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, Attribute] = {}
        for attr in self.attributes:
            if attr.name in index:
                raise ValueError(f"attribute {attr.name!r} appears twice in a heading")
            index[attr.name] = attr
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_hash", hash(self.attributes))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def of_table(cls, attributes: Iterable[Attribute]) -> Heading:
        """The heading queries of a stored table see: its attributes less the hidden ones."""
        stored = tuple(attributes)
        return cls(
            tuple(a for a in stored if not a.is_hidden), tuple(a for a in stored if a.is_hidden)
        )

    # -- access -------------------------------------------------------------------------------
    @cached_property
    def names(self) -> tuple[str, ...]:
        """All attribute names in order."""
        return tuple(a.name for a in self.attributes)

    @cached_property
    def primary_key(self) -> tuple[str, ...]:
        """Primary-key attribute names in order."""
        return tuple(a.name for a in self.attributes if a.in_key)

    @cached_property
    def secondary(self) -> tuple[str, ...]:
        """Names of the attributes outside the primary key."""
        return tuple(a.name for a in self.attributes if not a.in_key)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.attributes)

    def __len__(self) -> int:
        return len(self.attributes)

    def __getitem__(self, name: str) -> Attribute:
        try:
            return self._index[name]
        except KeyError:
            raise UnknownAttributeError(self.unknown_message(name)) from None

    def get(self, name: str) -> Attribute | None:
        """The attribute called ``name`` or ``None``."""
        return self._index.get(name)

    def unknown_message(self, name: str, where: str = "") -> str:
        """A message for an unknown attribute that lists the valid ones."""
        prefix = f"{where}: " if where else ""
        return f"{prefix}no attribute {name!r}. Attributes: {', '.join(self.names) or '(none)'}"

    def check(self, names: Iterable[str], where: str = "") -> None:
        """Raise :class:`UnknownAttributeError` for the first name not in the heading."""
        for name in names:
            if name not in self._index:
                raise UnknownAttributeError(self.unknown_message(name, where))

    # -- derivation ---------------------------------------------------------------------------
    def select(self, names: Iterable[str]) -> Heading:
        """The sub-heading of ``names``, in this heading's order."""
        wanted = set(names)
        return Heading(tuple(a for a in self.attributes if a.name in wanted))

    def with_key(self, key: Iterable[str]) -> Heading:
        """The same attributes with exactly ``key`` as primary key, key attributes first."""
        key_set = set(key)
        attrs = [replace(a, in_key=a.name in key_set) for a in self.attributes]
        return Heading(tuple(sorted(attrs, key=lambda a: not a.in_key)))

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema results with this heading are carried in."""
        return self._arrow_schema

    @cached_property
    def _arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(a.name, arrow_type(a.type)) for a in self.attributes])
