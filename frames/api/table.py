"""Table classes: the tiers users subclass (Manual, Lookup, Imported, Computed, Part).

A table class is declared by decorating it with a :class:`~frames.api.schema.Schema`. The class
itself behaves like a query (``Subject & {'sex': 'M'}``, ``Subject.insert(...)``,
``Subject.to_dicts()``): class-level access to a query method binds it to a fresh instance.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import FunctionType
from typing import TYPE_CHECKING, Any, ClassVar

from frames.api.coerce import dict_condition
from frames.api.populate import AutoPopulate
from frames.api.query import QueryExpression
from frames.declare.naming import master_of, tier_of
from frames.declare.spec import TableRef, TableSpec
from frames.errors import DataError, MissingTableError
from frames.plan.heading import Heading
from frames.plan.nodes import Node, Restrict, make_restrict, make_table
from frames.plan.nodes import Top as TopNode
from frames.sql.ddl import qualified_name

if TYPE_CHECKING:
    from frames.api.schema import Schema

_CLASS_BOUND = frozenset(
    name for name, value in vars(QueryExpression).items()
    if not name.startswith("_") and isinstance(value, (FunctionType, property))
) | {"insert", "insert1", "delete", "delete_quick", "drop", "drop_quick", "describe",
     "declare_sql", "populate", "progress", "key_source", "jobs", "_dependency_graph",
     "full_table_name", "table_name", "parents", "children"}


class TableMeta(type):
    """Lets a declared table class act as its own instance in expressions and method calls."""

    def __getattribute__(cls, name: str) -> Any:
        value = super().__getattribute__(name)
        if name in _CLASS_BOUND and isinstance(value, (FunctionType, property)) \
                and type.__getattribute__(cls, "_spec") is not None:
            return getattr(cls(), name)
        return value

    def __getattr__(cls, name: str) -> Any:
        """Class-level ``Table.attr`` gives the attribute's column, as on an instance."""
        if name.startswith("_") or type.__getattribute__(cls, "_spec") is None:
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        return getattr(cls(), name)

    def __getitem__(cls, item: Any) -> Any:
        return cls._instance()[item]

    def _instance(cls) -> Table:
        return cls()  # type: ignore[return-value]

    def __and__(cls, other: Any) -> QueryExpression:
        if isinstance(other, Mapping):  # ``Table & key``, the most frequent restriction
            restricted = _restrict_by_dict(cls, other)
            if restricted is not None:
                return restricted
        return cls._instance() & other

    def __rand__(cls, other: Any) -> QueryExpression:
        return other & cls._instance()

    def __sub__(cls, other: Any) -> QueryExpression:
        return cls._instance() - other

    def __mul__(cls, other: Any) -> QueryExpression:
        return cls._instance() * other

    def __rmul__(cls, other: Any) -> QueryExpression:
        return other * cls._instance()

    def __add__(cls, other: Any) -> QueryExpression:
        return cls._instance() + other

    def __len__(cls) -> int:
        return len(cls._instance())

    def __bool__(cls) -> bool:
        return True

    def __iter__(cls) -> Any:
        return iter(cls._instance())

    def __contains__(cls, item: Any) -> bool:
        return item in cls._instance()


def _restrict_by_dict(cls: TableMeta, row: Mapping[str, Any]) -> Table | None:
    """``cls & row`` built directly from the class's declaration, or ``None`` where only an
    instance can build it (an undeclared class, whose instance raises the error; a class that
    overrides how instances are made or restricted).

    The result is the instance ``cls() & row`` gives (an instance of ``cls`` holding the
    restricted plan and the schema's connection) without making and copying an unrestricted
    instance, and without the metaclass's attribute hook on every class attribute read.
    """
    get = type.__getattribute__
    spec = get(cls, "_spec")
    schema = get(cls, "_schema")
    if spec is None or schema is None:
        return None
    for name, method in _RESTRICTION_METHODS:
        if get(cls, name) is not method:
            return None
    table = make_table(spec.ref, get(cls, "_heading"))
    cond = dict_condition(row, table.heading, f"{get(cls, '__name__')} & ...")
    restricted: Table = object.__new__(cls)  # type: ignore[arg-type]
    restricted._plan = make_restrict(table, cond)
    restricted._connection = schema.connection
    return restricted


class Table(QueryExpression, metaclass=TableMeta):
    """Base of all table tiers. Subclass a tier and decorate with a schema to declare."""

    definition: ClassVar[str] = ""
    tier: ClassVar[str] = ""
    _spec: ClassVar[TableSpec | None] = None
    _schema: ClassVar[Schema | None] = None
    _heading: ClassVar[Heading | None] = None

    def __init__(self) -> None:
        cls = type(self)
        if cls._spec is None or cls._schema is None:
            raise MissingTableError(
                f"table class {cls.__name__} is not declared: decorate it with a schema "
                "(@schema) before using it"
            )
        super().__init__(make_table(cls._spec.ref, cls._heading), cls._schema.connection)

    @property
    def _name(self) -> str:
        return type(self).__name__

    def _derive(self, plan: Node) -> QueryExpression:
        """A restriction of a table is still that table (``(Session & key).delete()``)."""
        node = plan
        while isinstance(node, (Restrict, TopNode)) and node is not self._plan:
            node = node.child
        if node is not self._plan:
            return super()._derive(plan)
        restricted = copy.copy(self)
        restricted._plan = plan
        return restricted

    # -- identity -----------------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        """The stored table name (``#letter_grade``, ``__activity``, ``session__trial``)."""
        return self._spec.ref.name  # type: ignore[union-attr]

    @property
    def database(self) -> str:
        """The schema (database) holding this table."""
        return self._spec.ref.schema  # type: ignore[union-attr]

    @property
    def ref(self) -> TableRef:
        """Schema and stored name."""
        return self._spec.ref  # type: ignore[union-attr]

    @property
    def full_table_name(self) -> str:
        """The quoted ``"schema"."table"`` name (DataJoint's ``full_table_name``), in the
        connection's quoting (backticks on MySQL)."""
        return qualified_name(self.ref, self._connection.sql_dialect)

    def _dependency_graph(self) -> Any:
        """The dependency graph of this table's connection (for :class:`frames.Diagram`)."""
        from frames.api.schema import dependency_graph

        return dependency_graph(self._connection)

    def parents(self, primary: bool | None = None) -> list[str]:
        """Full names of the tables this one references (``primary``: only through its key,
        ``False``: only through secondary attributes)."""
        return self._neighbours(self._dependency_graph().in_edges, primary, 0)

    def children(self, primary: bool | None = None) -> list[str]:
        """Full names of the tables that reference this one (``primary`` as in :meth:`parents`)."""
        return self._neighbours(self._dependency_graph().out_edges, primary, 1)

    def _neighbours(self, edges: Any, primary: bool | None, side: int) -> list[str]:
        node = self.full_table_name
        return sorted(edge[side] for edge in edges(node, data=True)
                      if primary is None or edge[2]["primary"] == primary)

    def describe(self) -> str:
        """The table's definition text, as it is declared."""
        return type(self).definition.strip("\n")

    def declare_sql(self) -> list[str]:
        """The DDL statements that declare this table on its connection's backend."""
        from frames.sql.ddl import create_table_sql

        return create_table_sql(self._spec, self._connection.sql_dialect)

    # -- writes -------------------------------------------------------------------------------
    def insert(self, rows: Any, *, replace: bool = False, skip_duplicates: bool = False,
               ignore_extra_fields: bool = False, allow_direct_insert: bool | None = None,
               chunk_size: int | None = None) -> int:
        """Insert rows atomically: all of them or, on any error, none.

        Parameters
        ----------
        rows : list of dict / tuple, pandas or polars DataFrame, pyarrow Table, or a query
            A query is inserted server-side with ``INSERT ... SELECT``.
        replace : bool
            Overwrite rows whose primary key exists.
        skip_duplicates : bool
            Keep existing rows whose primary key exists.
        ignore_extra_fields : bool
            Ignore attributes the table does not have (default: error).

        Returns
        -------
        int
            The number of rows written.
        """
        from frames.api.insert import insert_rows
        from frames.api.populate import insert_allowed

        filled_by_make = tier_of(master_of(self.table_name) or self.table_name) in (
            "imported", "computed")
        if filled_by_make and not allow_direct_insert and not insert_allowed(self.table_name):
            raise DataError(
                f"{self._name} is filled by populate(): insert into it from its make() method, "
                "or pass allow_direct_insert=True to insert by hand")
        return insert_rows(self, rows, replace=replace, skip_duplicates=skip_duplicates,
                           ignore_extra_fields=ignore_extra_fields)

    def insert1(self, row: Any, **kwargs: Any) -> int:
        """Insert one row (a dict or a tuple in heading order)."""
        return self.insert([row], **kwargs)

    def delete(self, prompt: bool | None = None) -> dict[str, int]:
        """Delete these rows and, in the same transaction, every row that depends on them.

        Asks for confirmation before committing unless ``prompt=False`` or
        ``config['safemode']`` is off. Returns the number of rows deleted per table.
        """
        from frames.api.delete import cascade_delete

        return cascade_delete(self, prompt=prompt)

    def delete_quick(self) -> int:
        """Delete these rows without cascading; fails if other rows still reference them."""
        from frames.api.delete import delete_quick

        return delete_quick(self)

    def drop(self, prompt: bool | None = None) -> None:
        """Drop this table and every table that depends on it."""
        from frames.api.delete import drop_tables

        drop_tables(self, prompt=prompt)

    def drop_quick(self) -> None:
        """Drop this table only (fails if other tables depend on it)."""
        from frames.api.delete import drop_tables

        drop_tables(self, prompt=False, cascade=False)


# What ``cls() & row`` runs for a dict: a class overriding any of these restricts through it.
_RESTRICTION_METHODS: tuple[tuple[str, Any], ...] = tuple(
    (name, type.__getattribute__(Table, name))
    for name in ("__init__", "__and__", "restrict", "_derive", "_name"))


class Manual(Table):
    """Data entered by hand or by external tools."""

    tier = "manual"


class Lookup(Table):
    """Small reference tables; ``contents`` is inserted once when the table is declared."""

    tier = "lookup"
    contents: ClassVar[Any] = ()


class Imported(AutoPopulate, Table):
    """Data loaded from outside files by ``make()``, filled with ``populate()``."""

    tier = "imported"


class Computed(AutoPopulate, Table):
    """Results computed from other tables by ``make()``, filled with ``populate()``."""

    tier = "computed"


class Part(Table):
    """A part of its master's entity, declared as a nested class of the master."""

    tier = "part"
    master: ClassVar[type[Table] | None] = None
