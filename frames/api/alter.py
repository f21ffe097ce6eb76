"""``Table.alter()``: change a stored table to match its class's edited ``definition``.

The new definition is parsed in the table's declaration context (for a part, ``master`` is its
master), compared with the stored table and turned into ``ALTER TABLE`` statements
(:mod:`frames.sql.alter`); with ``prompt`` they are shown and run only when confirmed. The
class then reads its table again.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from frames.api.catalog import forget_table, table_spec
from frames.api.dj_heading import Heading
from frames.declare.parser import parse_definition
from frames.errors import DefinitionError, TransactionError
from frames.logging import logger
from frames.sql.alter import alter_table_sql
from frames.utils import user_choice

if TYPE_CHECKING:
    from types import FrameType

    from frames.api.table import Table
    from frames.declare.spec import TableSpec


def _caller_namespace() -> dict[str, Any]:
    """The globals and locals of the first caller outside frames (DataJoint's default context)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("frames."):
        frame = frame.f_back
    return {**frame.f_globals, **frame.f_locals} if frame is not None else {}


def _new_spec(table: Table, context: dict[str, Any] | None, old: TableSpec) -> TableSpec:
    """The spec the class's current ``definition`` declares, with ``old``'s hidden attributes
    (the job metadata of auto-populated tables), which no definition names."""
    cls = type(table)
    schema = cls._schema
    definition = getattr(cls, "definition", "")
    if schema is None or not isinstance(definition, str) or not definition.strip():
        raise DefinitionError(f"{table._name}.alter(): the class has no definition to alter to")
    namespace = dict(context if context is not None else schema.context or _caller_namespace())
    master = cls.master if cls.tier == "part" else None
    namespace.update({"self": cls, cls.__name__: cls})
    if master is not None:
        namespace.update({"master": master, master.__name__: master})
    new = parse_definition(
        definition,
        ref=table.ref,
        tier=cls.tier,
        class_name=cls.__name__,
        resolve=lambda text: schema._resolve(text, namespace, master),
    )
    hidden = tuple(a for a in old.attributes if a.is_hidden)
    return dataclasses.replace(new, attributes=new.attributes + hidden)


def alter_table(table: Table, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
    """Alter ``table`` to its class's ``definition``; see :meth:`Table.alter`.

    Raises
    ------
    TransactionError
        Inside a transaction (DDL would commit it on MySQL).
    NotImplementedError
        If the primary key, the foreign keys or the indexes would change.
    """
    connection = table._connection
    if connection.in_transaction:
        raise TransactionError(
            "Cannot update table declaration inside a transaction, e.g. "
            "from inside a populate/make call"
        )
    forget_table(connection, table.ref)
    old = table_spec(connection, table.ref)
    statements = alter_table_sql(old, _new_spec(table, context, old), connection.sql_dialect)
    if not statements:
        if prompt:
            logger.warning("Nothing to alter.")
        return
    if prompt and user_choice(";\n".join(statements) + "\n\nExecute?") != "yes":
        return
    with connection.atomic():
        for statement in statements:
            connection.backend.execute(statement)
    forget_table(connection, table.ref)
    spec = table_spec(connection, table.ref)
    cls = type(table)
    cls._spec = spec
    cls._heading = Heading.of_table(spec, connection)
    if prompt:
        logger.info("Table altered")
