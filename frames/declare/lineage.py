"""Lineage from foreign keys: where each attribute's values originate.

An attribute inherited through a foreign key has the lineage of the parent attribute it
references (followed transitively, through renames); a primary-key attribute declared in its own
table is its own origin (``schema.table.attr``); any other attribute has none. Computing it from
the foreign keys stored in the database keeps lineage correct for tables frames did not declare.
"""

from __future__ import annotations

from dataclasses import replace

from frames.declare.spec import TableRef, TableSpec


def origin(ref: TableRef, attr: str) -> str:
    """The lineage string of ``attr`` declared in ``ref``."""
    return f"{ref.schema}.{ref.name}.{attr}"


def with_lineage(
    specs: dict[TableRef, TableSpec], known: dict[TableRef, TableSpec] | None = None
) -> dict[TableRef, TableSpec]:
    """``specs`` with every attribute's lineage derived from the specs' foreign keys.

    ``known`` specs already carry their final lineage (tables declared earlier) and serve as
    parents. A parent found in neither is taken at its word: an attribute referencing it gets
    the parent attribute's own origin.
    """
    done: dict[TableRef, TableSpec] = dict(known or {})

    def resolve(ref: TableRef, stack: tuple[TableRef, ...] = ()) -> TableSpec | None:
        if ref in done:
            return done[ref]
        spec = specs.get(ref)
        if spec is None or ref in stack:
            return None
        inherited: dict[str, str] = {}
        for fk in spec.foreign_keys:
            parent = resolve(fk.parent, (*stack, ref))
            for child_attr, parent_attr in fk.attr_map:
                source = parent.attribute(parent_attr).lineage if parent is not None else None
                inherited.setdefault(child_attr, source or origin(fk.parent, parent_attr))
        attributes = tuple(
            replace(a, lineage=inherited.get(a.name) or (origin(ref, a.name) if a.in_key else None))
            for a in spec.attributes
        )
        done[ref] = replace(spec, attributes=attributes)
        return done[ref]

    return {ref: resolved for ref in specs if (resolved := resolve(ref)) is not None}
