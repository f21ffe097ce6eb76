"""DataJoint's ``datajoint.heading``: a query's heading as DataJoint 2.x shows it.

``q.heading`` (and ``Table.heading``) is a :class:`Heading`: ``names``, ``primary_key`` and
``secondary_attributes`` as lists, ``attributes`` a dict of :class:`Attribute` (DataJoint's
named tuple, with ``default_attribute_properties`` as its fields), iteration over the names,
``heading[name]`` an :class:`Attribute`, and DataJoint's declaration-like ``repr``. It is a view:
the query engine works on the immutable :class:`frames.plan.heading.Heading` of the plan
(``q.plan.heading``, also :attr:`Heading.plan`), and the attributes are converted only when
DataJoint's API asks for them.

The differences from DataJoint, on purpose: ``Attribute.type`` is the core type as a definition
writes it (``int32``, ``bool``, ``uuid``, ``decimal(5,1)``) or the codec (``<blob@store>``) on
every backend, where DataJoint reports the database's column type (``int``, ``tinyint``,
``binary(16)``); a computed attribute of a projection has the type frames infers for it and no
``attribute_expression``. ``Heading(table_info=...)`` reads the table from the database as
DataJoint does, lineage included from the schema's ``~lineage`` table where it has one.

After ``frames.install_as_datajoint()`` this module is ``datajoint.heading``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from frames.api.catalog import stored_spec
from frames.api.lineage_catalog import get_table_lineages, lineage_table_exists
from frames.codecs.registry import Codec, lookup_codec
from frames.codecs.schema_codec import SchemaCodec
from frames.declare.defaults import default_literal
from frames.declare.spec import Attribute as CoreAttribute
from frames.declare.spec import TableRef, TableSpec
from frames.errors import DefinitionError, FramesError, MissingTableError, UnknownAttributeError
from frames.plan.heading import Heading as PlanHeading

if TYPE_CHECKING:
    from frames.api.connection import Connection


class _Fields(NamedTuple):
    """DataJoint's attribute fields, with the values a computed attribute gets."""

    name: str | None = None
    type: str = "expression"
    original_type: str | None = None
    in_key: bool = False
    nullable: bool = False
    default: str | None = None
    comment: str = "calculated attribute"
    autoincrement: bool = False
    numeric: bool | None = None
    string: bool | None = None
    uuid: bool = False
    json: bool | None = None
    is_blob: bool = False
    is_hidden: bool = False
    codec: Codec | None = None
    store: str | None = None
    unsupported: bool = False
    attribute_expression: str | None = None
    dtype: Any = object
    lineage: str | None = None


#: DataJoint's attribute fields and the values a computed attribute gets.
default_attribute_properties: dict[str, Any] = dict(_Fields._field_defaults)


class Attribute(_Fields):
    """One attribute as DataJoint describes it (a named tuple of
    :data:`default_attribute_properties`).

    ``type`` is the declared type (see the module's notes), ``codec`` the
    :class:`~frames.codecs.Codec` of a codec attribute and ``store`` its store (``''`` for the
    default store of ``<name@>``), ``lineage`` where the values originate.
    """

    def todict(self) -> dict[str, Any]:
        """The fields as a dict."""
        return dict(self._asdict())

    @property
    def original_name(self) -> str | None:
        """The attribute's name before a projection renamed it."""
        if self.attribute_expression is None:
            return self.name
        return self.attribute_expression.strip('`"')

    @property
    def is_hash_object(self) -> bool:
        """True if the values are stored in hash-addressed object storage: ``<hash@>``, and
        ``<blob@store>``/``<attach@store>`` (inline ``<blob>`` values live in the column)."""
        if not self.codec:
            return False
        name = getattr(self.codec, "name", "")
        return name == "hash" or (name in ("blob", "attach") and self.store is not None)

    @property
    def is_schema_object(self) -> bool:
        """True if the values are stored in schema-addressed object storage: any
        :class:`~frames.codecs.SchemaCodec` (``<object@>``, ``<npy@>``, custom subclasses)."""
        return isinstance(self.codec, SchemaCodec)


class _MissingCodec(Codec, register=False):
    """Stands for a codec a stored table uses but no class defines: the heading still opens,
    and using the codec raises."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self) -> FramesError:
        return DefinitionError(
            f"codec <{self.name}> is not registered: define a subclass of frames.Codec with "
            f"name = {self.name!r} before reading or writing its attributes"
        )

    def get_dtype(self, is_store: bool) -> str:
        raise self._fail()

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        raise self._fail()

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        raise self._fail()


def _codec(spec: str) -> tuple[Codec, str | None]:
    try:
        return lookup_codec(spec)
    except DefinitionError:
        name, _, store = spec.strip("<>").partition("@")
        return _MissingCodec(name), (store if "@" in spec else None)


def _numpy_type(attr: CoreAttribute) -> type:
    """DataJoint's ``dtype``: ``int64`` for integers that cannot be NULL, ``float64`` for
    floats, ``object`` for everything else."""
    category = attr.type.category
    if category == "float":
        return np.float64
    if category == "integer" and not attr.nullable and attr.codec is None:
        return np.int64
    return object


def as_datajoint_attribute(attr: CoreAttribute) -> Attribute:
    """The DataJoint :class:`Attribute` of one of frames' attributes."""
    codec, store = _codec(attr.codec) if attr.codec else (None, None)
    numeric = attr.type.is_numeric and codec is None
    is_blob = attr.type.kind == "bytes"
    return Attribute(
        name=attr.name,
        type=attr.declared_type,
        original_type=None if attr.codec else str(attr.type),
        in_key=attr.in_key,
        nullable=attr.nullable,
        default=default_literal(attr),
        comment=attr.comment,
        autoincrement=attr.auto_increment,
        numeric=numeric,
        string=attr.type.category == "string" and codec is None,
        uuid=attr.type.kind == "uuid",
        json=attr.type.kind == "json",
        is_blob=is_blob,
        is_hidden=attr.is_hidden,
        codec=codec,
        store=store,
        unsupported=not (is_blob or numeric),
        attribute_expression=None,
        dtype=_numpy_type(attr),
        lineage=attr.lineage,
    )


class Heading:
    """The attributes of a query or table as DataJoint's ``Heading`` offers them.

    Parameters
    ----------
    attribute_specs : iterable of dict, optional
        Attributes given field by field (:data:`default_attribute_properties`).
    table_info : dict, optional
        ``conn``, ``database``, ``table_name`` (and ``context``) of a stored table: its
        attributes are read from the database when first needed.
    lineage_available : bool
        Whether the attributes' lineage is known (for ``attribute_specs``).

    Examples
    --------
    >>> h = Heading([dict(default_attribute_properties, name="id", in_key=True),
    ...              dict(default_attribute_properties, name="x")])
    >>> h.names, h.primary_key, list(h), "x" in h
    (['id', 'x'], ['id'], ['id', 'x'], True)
    """

    def __init__(
        self,
        attribute_specs: Iterable[dict[str, Any]] | None = None,
        table_info: dict[str, Any] | None = None,
        lineage_available: bool = True,
    ) -> None:
        self.indexes: dict[tuple[str, ...], dict[str, bool]] | None = None
        self.table_info = table_info
        self._table_status: dict[str, Any] | None = None
        self._lineage_available = lineage_available
        self._plan: PlanHeading | None = None
        self._all: dict[str, Attribute] | None = None
        if attribute_specs is not None:
            self._all = {spec["name"]: Attribute(**spec) for spec in attribute_specs}

    @classmethod
    def of_plan(cls, plan: PlanHeading) -> Heading:
        """The view of a query's plan heading."""
        heading = cls()
        heading._plan = plan
        return heading

    @classmethod
    def of_table(
        cls,
        spec: TableSpec,
        connection: Connection,
        plan: PlanHeading | None = None,
        context: dict[str, Any] | None = None,
    ) -> Heading:
        """The heading of the stored table ``spec``, with its ``table_info``.

        ``plan`` is the heading its queries use (by default the spec's attributes less the
        hidden ones).
        """
        heading = cls(table_info=_table_info(connection, spec.ref, context))
        heading._set_table(spec, plan or PlanHeading.of_table(spec.attributes))
        return heading

    def _set_table(self, spec: TableSpec, plan: PlanHeading) -> None:
        self._plan = plan
        self._all = None
        self._table_status = {"name": spec.ref.name, "comment": spec.comment}
        self.indexes = {
            index.attrs: {
                "unique": index.unique,
                "nullable": any(spec.attribute(name).nullable for name in index.attrs),
            }
            for index in spec.indexes
        }

    def _load(self) -> None:
        """Read the table of ``table_info`` from the database, as DataJoint does: lineage from
        the schema's ``~lineage`` table where there is one (frames' lineage otherwise)."""
        if self.table_info is None:
            raise MissingTableError(
                "this Heading has neither attributes nor a table to read them from: give "
                "attribute_specs or table_info"
            )
        connection = self.table_info["conn"]
        ref = TableRef(self.table_info["database"], self.table_info["table_name"])
        spec = stored_spec(connection, ref)
        if lineage_table_exists(connection, ref.schema):
            recorded = get_table_lineages(connection, ref.schema, ref.name)
            spec = replace(
                spec,
                attributes=tuple(replace(a, lineage=recorded.get(a.name)) for a in spec.attributes),
            )
        self._set_table(spec, PlanHeading.of_table(spec.attributes))

    # -- frames' side -------------------------------------------------------------------------
    @property
    def plan(self) -> PlanHeading:
        """frames' plan heading of the same attributes (what queries are built from)."""
        if self._plan is None:
            if self._all is not None:
                raise MissingTableError(
                    "a Heading made of attribute specifications describes no table or query; "
                    "use Heading(table_info=...) or a query's heading"
                )
            self._load()
        assert self._plan is not None
        return self._plan

    # -- DataJoint's API ----------------------------------------------------------------------
    @property
    def lineage_available(self) -> bool:
        """Whether the attributes' lineage is known (for semantic matching)."""
        return self._lineage_available

    @property
    def table_status(self) -> dict[str, Any] | None:
        """``name`` and ``comment`` of the stored table (``None`` for a query's heading)."""
        if self.table_info is None:
            return None
        if self._table_status is None:
            self._load()
        return self._table_status

    @property
    def _attributes(self) -> dict[str, Attribute]:
        """Every attribute by name, hidden ones (``_name``) included."""
        if self._all is None:
            plan = self.plan
            self._all = {
                a.name: as_datajoint_attribute(a) for a in (*plan.attributes, *plan.hidden)
            }
        return self._all

    @property
    def attributes(self) -> dict[str, Attribute]:
        """The visible attributes by name, in order."""
        return {k: v for k, v in self._attributes.items() if not v.is_hidden}

    @property
    def names(self) -> list[str]:
        """The visible attribute names."""
        if self._all is None:
            return list(self.plan.names)
        return [k for k, v in self._all.items() if not v.is_hidden]

    @property
    def primary_key(self) -> list[str]:
        """The primary-key attribute names."""
        if self._all is None:
            return list(self.plan.primary_key)
        return [k for k, v in self.attributes.items() if v.in_key]

    @property
    def secondary_attributes(self) -> list[str]:
        """The names of the attributes outside the primary key."""
        key = set(self.primary_key)
        return [k for k in self.names if k not in key]

    @property
    def blobs(self) -> list[str]:
        """Names of the attributes stored as bytes."""
        return [k for k, v in self.attributes.items() if v.is_blob]

    @property
    def non_blobs(self) -> list[str]:
        """Names of the attributes neither bytes nor JSON."""
        return [k for k, v in self.attributes.items() if not (v.is_blob or v.json)]

    @property
    def hash_objects(self) -> list[str]:
        """Names of the attributes in hash-addressed object storage."""
        return [k for k, v in self.attributes.items() if v.is_hash_object]

    @property
    def schema_objects(self) -> list[str]:
        """Names of the attributes in schema-addressed object storage."""
        return [k for k, v in self.attributes.items() if v.is_schema_object]

    @property
    def new_attributes(self) -> list[str]:
        """Names of the attributes with an ``attribute_expression``."""
        return [k for k, v in self.attributes.items() if v.attribute_expression is not None]

    @property
    def has_autoincrement(self) -> bool:
        """True if an attribute is numbered by the database (``auto_increment``)."""
        return any(v.autoincrement for v in self.attributes.values())

    @property
    def as_dtype(self) -> np.dtype:
        """A numpy structured dtype of the heading (see :attr:`Attribute.dtype`)."""
        attributes = self.attributes
        return np.dtype(
            {"names": list(attributes), "formats": [v.dtype for v in attributes.values()]}
        )

    def determines(self, other: Heading) -> bool:
        """True if every primary-key attribute of ``other`` is an attribute of this heading."""
        names = set(self.names)
        return all(name in names for name in other.primary_key)

    def join(self, other: Heading, nullable_pk: bool = False) -> Heading:
        """The heading of the join with ``other``, with DataJoint 2.x's primary key: the key of
        the side that determines the other (this side first), else the union of both keys."""
        if nullable_pk:
            a_b = b_a = False
        else:
            a_b, b_a = self.determines(other), other.determines(self)
        if a_b or b_a:
            first, second = (self, other) if a_b else (other, self)
            rows = [first[n].todict() for n in (*first.primary_key, *first.secondary_attributes)]
            rows += [second[n].todict() for n in second.names if n not in first.attributes]
        else:
            own_key, other_key = set(self.primary_key), set(other.primary_key)
            rows = (
                [self[n].todict() for n in self.primary_key]
                + [
                    dict(other[n].todict(), in_key=True)
                    for n in other.primary_key
                    if n not in own_key
                ]
                + [self[n].todict() for n in self.secondary_attributes if n not in other_key]
                + [other[n].todict() for n in other.secondary_attributes if n not in own_key]
            )
        return Heading(rows, lineage_available=self.lineage_available and other.lineage_available)

    def __getitem__(self, name: str) -> Attribute:
        try:
            return self.attributes[name]
        except KeyError:
            raise UnknownAttributeError(
                f"no attribute {name!r} in the heading. Attributes: {', '.join(self.names)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        if self._all is None:
            return name in self.plan
        return name in self.attributes

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        """The heading as DataJoint prints it: one line per attribute, ``---`` after the key."""
        lines = []
        comment = (self._table_status or {}).get("comment")
        if comment:
            lines.append(f"# {comment}")
        in_key = True
        for v in self.attributes.values():
            if in_key and not v.in_key:
                lines.append("---")
                in_key = False
            name = v.name if v.default is None else f"{v.name}={v.default}"
            kind = v.type + (" auto_increment" if v.autoincrement else "")
            lines.append(f"{name:<20} : {kind:<28} # {v.comment}")
        return "".join(line + "\n" for line in lines)


def _table_info(
    connection: Connection, ref: TableRef, context: dict[str, Any] | None
) -> dict[str, Any]:
    return {"conn": connection, "database": ref.schema, "table_name": ref.name, "context": context}
