"""Table classes rebuilt from the database's metadata (``Schema.make_classes``,
``dj.virtual_schema``): a class of its tier for every table, part tables nested in their
masters."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from frames.api.table import Computed, Imported, Lookup, Manual, Part, Table
from frames.declare.describe import definition_text
from frames.declare.naming import class_name_of, master_of
from frames.declare.spec import TableRef

if TYPE_CHECKING:
    from frames.api.schema import Schema

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
