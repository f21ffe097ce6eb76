"""Table classes rebuilt from the database: ``dj.virtual_schema``, ``dj.VirtualModule`` and
``Schema.make_classes``.

Every table of a schema — declared by frames, by DataJoint or by hand following DataJoint's
conventions — becomes a class of its tier whose heading, keys, foreign keys and lineage come
from the database's own metadata; part tables are nested in their masters.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from frames.api.connection import Connection
from frames.api.schema import Schema
from frames.api.table import Computed, Imported, Lookup, Manual, Part, Table
from frames.declare.defaults import default_literal
from frames.declare.naming import class_name_of, master_of
from frames.declare.spec import Attribute, ForeignKeySpec, IndexSpec, TableRef, TableSpec

_TIER_CLASSES: dict[str, type[Table]] = {
    "manual": Manual,
    "lookup": Lookup,
    "imported": Imported,
    "computed": Computed,
    "part": Part,
}


def _definition_body(definition: str) -> Callable[[dict[str, Any]], None]:
    """The class body of a generated table class: its ``definition`` string."""

    def body(namespace: dict[str, Any]) -> None:
        namespace["definition"] = definition

    return body


def definition_text(spec: TableSpec) -> str:
    """A definition string equivalent to ``spec``, as DataJoint would write it.

    Attributes keep their stored order; the attributes of a foreign key become one ``->`` line
    where its first attribute stands (keys that share it follow in their declared order);
    defaults, comments and secondary indexes are kept; hidden attributes are left out.

    Examples
    --------
    >>> from frames.declare.spec import Attribute, TableRef, TableSpec
    >>> from frames.declare.types import CoreType
    >>> print(definition_text(TableSpec(TableRef("lab", "rig"), (
    ...     Attribute("rig", CoreType("int16"), in_key=True),
    ...     Attribute("active", CoreType("bool"), default=True, comment="in use")))), end="")
    rig : int16
    ---
    active = true : bool  # in use
    """
    covered: set[str] = set()
    written: set[int] = set()
    key_lines: list[str] = []
    other_lines: list[str] = []
    for attr in spec.attributes:
        if attr.is_hidden:  # the platform's columns (_singleton, job metadata) are not declared
            continue
        for number, fk in enumerate(spec.foreign_keys):
            if number not in written and attr.name in fk.child_attrs:
                (key_lines if fk.in_key else other_lines).append(_foreign_key_line(spec, fk))
                written.add(number)
                covered.update(fk.child_attrs)
        if attr.name not in covered:
            comment = f"  # {attr.comment}" if attr.comment else ""
            auto = " auto_increment" if attr.auto_increment else ""
            (key_lines if attr.in_key else other_lines).append(
                f"{attr.name}{_default(attr)} : {attr.declared_type}{auto}{comment}"
            )
    implied = {IndexSpec(fk.child_attrs, unique=True) for fk in spec.foreign_keys if fk.unique}
    other_lines.extend(
        f"{'unique ' if index.unique else ''}index({', '.join(index.attrs)})"
        for index in spec.indexes
        if index not in implied
    )
    head = [f"# {spec.comment}"] if spec.comment else []
    return "\n".join([*head, *key_lines, "---", *other_lines]) + "\n"


def _foreign_key_line(spec: TableSpec, fk: ForeignKeySpec) -> str:
    parent = class_name_of(fk.parent.name)
    master = master_of(fk.parent.name)
    if master is not None:
        parent = f"{class_name_of(master)}.{parent}"
    if fk.parent.schema != spec.ref.schema:
        parent = f"{fk.parent.schema}.{parent}"
    options = [o for o, on in (("nullable", fk.nullable), ("unique", fk.unique)) if on]
    renames = ", ".join(f"{c}='{p}'" for c, p in fk.attr_map if c != p)
    line = "-> " + (f"[{', '.join(options)}] " if options else "") + parent
    return line + (f".proj({renames})" if renames else "")


def _default(attr: Attribute) -> str:
    """`` = value`` as a definition writes the attribute's default (empty if it has none)."""
    literal = default_literal(attr)
    return "" if literal is None else f" = {literal}"


def spawn_classes(schema: Schema, skip: set[TableRef] | None = None) -> dict[str, type[Table]]:
    """Classes for the tables of ``schema`` not in ``skip``, masters first, parts nested."""
    skip = skip or set()
    specs = {ref: spec for ref, spec in schema.stored_specs().items() if ref not in skip}
    classes: dict[str, type[Table]] = {}
    masters: dict[str, type[Table]] = {}
    for ref, spec in sorted(specs.items(), key=lambda item: master_of(item[0].name) is not None):
        name = class_name_of(ref.name)
        cls = types.new_class(
            name, (_TIER_CLASSES[spec.tier],), exec_body=_definition_body(definition_text(spec))
        )
        master_name = master_of(ref.name)
        master = masters.get(master_name) if master_name else None
        schema._adopt(cls, spec, master)
        if master is not None:
            setattr(master, name, cls)
        else:
            masters[ref.name] = cls
            classes[name] = cls
    return classes


class VirtualModule(types.ModuleType):
    """A module whose attributes are classes for every table of an existing schema.

    Parameters
    ----------
    module_name : str
        The module's name.
    schema_name : str
        The database schema to open.
    create_schema : bool
        Create the schema if it is missing (default: error).
    create_tables : bool
        Allow declaring new tables in it (default: no).
    connection : Connection, optional
        Default: ``dj.conn()``.
    add_objects : dict, optional
        More names to put into the module.

    The module's ``schema`` attribute is the :class:`~frames.api.schema.Schema`.
    """

    def __init__(
        self,
        module_name: str,
        schema_name: str,
        *,
        create_schema: bool = False,
        create_tables: bool = False,
        connection: Connection | None = None,
        add_objects: dict[str, Any] | None = None,
    ):
        super().__init__(module_name, f"Tables of schema {schema_name!r}, from the database")
        schema = Schema(
            schema_name,
            connection=connection,
            create_schema=create_schema,
            create_tables=create_tables,
        )
        self.__dict__.update(add_objects or {})
        self.__dict__["schema"] = schema
        schema.make_classes(into=self.__dict__)


def virtual_schema(
    schema_name: str,
    *,
    connection: Connection | None = None,
    create_schema: bool = False,
    create_tables: bool = False,
    add_objects: dict[str, Any] | None = None,
) -> VirtualModule:
    """A :class:`VirtualModule` named like the schema it opens.

    Examples
    --------
    >>> lab = dj.virtual_schema('lab')          # doctest: +SKIP
    >>> lab.Session * lab.Subject               # doctest: +SKIP
    """
    return VirtualModule(
        schema_name,
        schema_name,
        connection=connection,
        create_schema=create_schema,
        create_tables=create_tables,
        add_objects=add_objects,
    )
