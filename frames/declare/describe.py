"""A :class:`~frames.declare.spec.TableSpec` written back as a definition string, as
DataJoint's ``Table.describe()`` writes it."""

from __future__ import annotations

from frames.declare.defaults import default_literal
from frames.declare.naming import class_name_of, master_of
from frames.declare.spec import Attribute, ForeignKeySpec, IndexSpec, TableSpec


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
