"""An existing schema as a module of table classes: ``dj.virtual_schema``, ``dj.VirtualModule``.

The classes are rebuilt from the database by :mod:`frames.api.spawn`, as for
``Schema.make_classes``: every table of a schema — declared by frames, by DataJoint or by hand
following DataJoint's conventions — becomes a class of its tier whose heading, keys, foreign
keys and lineage come from the database's own metadata; part tables are nested in their masters.
"""

from __future__ import annotations

import types
from typing import Any

from frames.api.connection import Connection
from frames.api.schema import Schema
from frames.api.spawn import spawn_classes as spawn_classes
from frames.declare.describe import definition_text as definition_text


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
