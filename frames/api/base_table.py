"""``Table``, the base of the table classes (the tiers are in :mod:`frames.api.table`), and
``FreeTable``, a stored table without a class.

A declared table class behaves like a query (``Subject & {'sex': 'M'}``, ``Subject.insert(...)``,
``Subject.to_dicts()``): class-level access to a query method binds it to a fresh instance. The
methods that write or inspect a table are carried out by the modules of their own (insert,
delete, update, alter, validate, relatives).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import FunctionType
from typing import TYPE_CHECKING, Any, ClassVar

from frames.api.alter import alter_table
from frames.api.bases import TableBase
from frames.api.catalog import dependency_graph, table_spec
from frames.api.coerce import dict_condition
from frames.api.delete import cascade_delete, delete_quick, drop_tables
from frames.api.dj_heading import Heading
from frames.api.insert import dataframe_rows, insert_rows
from frames.api.populating import insert_allowed
from frames.api.query import QueryExpression
from frames.api.relatives import neighbours, parts, related
from frames.api.unmatched import unmatched_keys
from frames.api.update import update_row
from frames.api.validate import ValidationResult, validate_rows
from frames.declare.describe import definition_text
from frames.declare.naming import master_of, table_name, tier_of
from frames.declare.spec import TableRef, TableSpec
from frames.errors import DataError, MissingTableError
from frames.logging import logger
from frames.objectstore.staged import staged_insert1
from frames.plan.heading import Heading as PlanHeading
from frames.plan.nodes import Node, Restrict, make_restrict, make_table
from frames.plan.nodes import Top as TopNode
from frames.sql.ddl import create_table_sql, qualified_name

if TYPE_CHECKING:
    from frames.api.connection import Connection
    from frames.api.schema import Schema


_CLASS_BOUND = frozenset(
    name
    for name, value in vars(QueryExpression).items()
    if not name.startswith("_") and isinstance(value, (FunctionType, property))
) | {
    "insert",
    "insert1",
    "delete",
    "delete_quick",
    "drop",
    "drop_quick",
    "describe",
    "declare_sql",
    "populate",
    "progress",
    "key_source",
    "jobs",
    "_dependency_graph",
    "full_table_name",
    "class_name",
    "parents",
    "children",
    "ancestors",
    "descendants",
    "parts",
    "is_declared",
    "insert_dataframe",
    "validate",
    "update1",
    "alter",
    "connection",
}


class TableMeta(type):
    """Lets a declared table class act as its own instance in expressions and method calls."""

    def __getattribute__(cls, name: str) -> Any:
        value = super().__getattribute__(name)
        if (
            name in _CLASS_BOUND
            and isinstance(value, (FunctionType, property))
            and type.__getattribute__(cls, "_spec") is not None
        ):
            return getattr(cls(), name)
        return value

    @property
    def table_name(cls) -> str | None:
        """The stored table name, also of a class not (or no longer) declared: from the class
        name and tier, as DataJoint derives it (``None`` for a part without its master)."""
        spec = type.__getattribute__(cls, "_spec")
        if spec is not None:
            return spec.ref.name
        tier = type.__getattribute__(cls, "tier")
        if not tier:
            return None
        master = type.__getattribute__(cls, "master") if tier == "part" else None
        if tier == "part" and master is None:
            return None
        return table_name(cls.__name__, tier, master.table_name if master else None)

    @property
    def database(cls) -> str | None:
        """The schema (database) of the class's table, read on the class as DataJoint sets it
        there when decorating: ``None`` before the class is declared."""
        spec = type.__getattribute__(cls, "_spec")
        return spec.ref.schema if spec is not None else None

    def __getattr__(cls, name: str) -> Any:
        """Class-level ``Table.attr`` gives the attribute's column, as on an instance."""
        if name.startswith("_") or type.__getattribute__(cls, "_spec") is None:
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        return getattr(cls(), name)

    def __getitem__(cls, item: Any) -> Any:
        return cls._instance()[item]

    def _instance(cls) -> Table:
        return cls()

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
    table = make_table(spec.ref, get(cls, "_heading").plan)
    cond = dict_condition(row, table.heading, f"{get(cls, '__name__')} & ...")
    restricted: Table = object.__new__(cls)  # type: ignore[arg-type]
    restricted._plan = make_restrict(table, cond)
    restricted._connection = schema.connection
    unmatched = unmatched_keys(row, table.heading)
    if unmatched is not None:
        restricted._unmatched = unmatched
    return restricted


class Table(QueryExpression, TableBase, metaclass=TableMeta):
    """Base of all table tiers. Subclass a tier and decorate with a schema to declare."""

    definition: ClassVar[str] = ""
    tier: ClassVar[str] = ""
    #: Set on the class when a schema declares it (on the instance for FreeTable and Job).
    _spec: TableSpec | None = None
    _schema: ClassVar[Schema | None] = None
    _heading: Heading | None = None
    #: The keys of a dict this table is restricted by that names none of its attributes
    #: (ignored by queries, refused by delete and drop: :mod:`frames.api.unmatched`).
    _unmatched: tuple[str, ...] | None = None

    def __init__(self) -> None:
        cls = type(self)
        if cls._spec is None or cls._schema is None or cls._heading is None:
            return  # not declared (yet): every use raises, see __getattr__
        super().__init__(make_table(cls._spec.ref, cls._heading.plan), cls._schema._bound[0])

    def __getattr__(self, name: str) -> Any:
        """An instance of a class no (activated) schema has declared fails on first use."""
        if "_plan" not in self.__dict__ and not name.startswith("__"):  # copy probes dunders
            raise self._unconfigured()
        return super().__getattr__(name)

    def _unconfigured(self) -> MissingTableError:
        return MissingTableError(
            f"Table class {type(self).__name__} is not properly configured: decorate it "
            "with an activated schema (@schema) before using it"
        )

    @property
    def _declared_spec(self) -> TableSpec:
        """The table's spec; the error of any first use where no schema has declared it."""
        if self._spec is None:
            raise self._unconfigured()
        return self._spec

    @property
    def _name(self) -> str:
        return type(self).__name__

    def restrict(self, condition: Any, semantic_check: bool = True) -> QueryExpression:
        """Rows satisfying ``condition`` (see :meth:`QueryExpression.restrict`).

        A dict in ``condition`` that names none of the table's attributes restricts nothing,
        as in DataJoint; the result remembers it, so that ``delete()``, ``delete_quick()`` and
        ``drop()`` refuse to act on every row because of a misspelt key.
        """
        restricted = super().restrict(condition, semantic_check)
        if self._unmatched is None and isinstance(restricted, Table):
            unmatched = unmatched_keys(condition, self._plan.heading)
            if unmatched is not None:
                restricted._unmatched = unmatched
        return restricted

    @property
    def heading(self) -> Heading:
        """The table's heading, with its ``table_info`` (that of a projection of the table is
        the query's)."""
        own = self._heading
        if own is not None and own.plan is self._plan.heading:
            return own
        return super().heading

    def _derive(self, plan: Node) -> QueryExpression:
        """A restriction of a table is still that table (``(Session & key).delete()``)."""
        base = self._plan  # restrictions of a restriction merge into one (make_restrict)
        while isinstance(base, (Restrict, TopNode)):
            base = base.child
        node = plan
        while isinstance(node, (Restrict, TopNode)) and node is not base:
            node = node.child
        if node is not base:
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
    def class_name(self) -> str:
        """The name of the table's class."""
        return type(self).__name__

    @property
    def database(self) -> str:
        """The schema (database) holding this table."""
        return self._spec.ref.schema  # type: ignore[union-attr]

    @property
    def ref(self) -> TableRef:
        """Schema and stored name."""
        return self._spec.ref  # type: ignore[union-attr]

    @property
    def connection(self) -> Connection:
        """The connection this table's schema uses."""
        return self._connection

    @property
    def full_table_name(self) -> str:
        """The quoted ``"schema"."table"`` name (DataJoint's ``full_table_name``), in the
        connection's quoting (backticks on MySQL)."""
        return qualified_name(self.ref, self._connection.sql_dialect)

    @property
    def is_declared(self) -> bool:
        """True if the table exists in the database."""
        return self._connection.backend.table_exists(self.ref)

    def _dependency_graph(self) -> Any:
        """The dependency graph of this table's connection (for :class:`frames.Diagram`)."""
        return dependency_graph(self._connection)

    def _relative(self, full_table_name: str) -> FreeTable:
        """The table stored as ``full_table_name``, on this table's connection (for the
        ``as_objects`` results of :mod:`frames.api.relatives`)."""
        return FreeTable(self.connection, full_table_name)

    def parents(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        """The tables this one references, as in DataJoint.

        Parameters
        ----------
        primary : bool, optional
            ``True``: only through foreign keys in the primary key; ``False``: only through
            foreign keys with a secondary attribute; ``None`` (default): all.
        as_objects : bool
            :class:`~frames.api.free_table.FreeTable` objects instead of full table names.
        foreign_key_info : bool
            Pairs of (table, properties) with the foreign key's ``attr_map`` (child → parent
            attribute), ``primary``, ``aliased`` and ``multi``.
        """
        return neighbours(self, "parents", primary, as_objects, foreign_key_info)

    def children(
        self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False
    ) -> list[Any]:
        """The tables that reference this one (arguments as in :meth:`parents`)."""
        return neighbours(self, "children", primary, as_objects, foreign_key_info)

    def ancestors(self, as_objects: bool = False) -> list[Any]:
        """This table and every table it depends on, parents before children."""
        return related(self, "ancestors", as_objects)

    def descendants(self, as_objects: bool = False) -> list[Any]:
        """This table and every table that depends on it, parents before children."""
        return related(self, "descendants", as_objects)

    def parts(self, as_objects: bool = False) -> list[Any]:
        """The part tables of this master (full names, or tables with ``as_objects``)."""
        return parts(self, as_objects)

    def describe(self, context: dict[str, Any] | None = None, printout: bool = False) -> str:
        """The table's definition text, rebuilt from the stored table as DataJoint's
        ``describe()`` writes it (foreign keys as ``->`` lines, defaults, comments, indexes).

        ``context`` is accepted for DataJoint's signature; parents are named by their classes'
        names (``schema.Class`` in another schema). ``printout`` also logs the text.
        """
        definition = definition_text(self._declared_spec)
        if printout:
            logger.info("\n%s", definition)
        return definition

    def declare_sql(self) -> list[str]:
        """The DDL statements that declare this table on its connection's backend."""
        return create_table_sql(self._declared_spec, self._connection.sql_dialect)

    # -- writes -------------------------------------------------------------------------------
    def insert(
        self,
        rows: Any,
        replace: bool = False,
        skip_duplicates: bool = False,
        ignore_extra_fields: bool = False,
        allow_direct_insert: bool | None = None,
        chunk_size: int | None = None,
    ) -> int:
        """Insert rows atomically: all of them or, on any error, none.

        Parameters
        ----------
        rows : list of dict / tuple / numpy record, numpy record array, pandas or polars
            DataFrame, pyarrow Table, a query, or a ``pathlib.Path`` of a CSV file
            A query is inserted server-side with ``INSERT ... SELECT``. A CSV file's header
            names the attributes; its text values are converted by the attribute types (an
            empty field of a non-text attribute takes the default) and errors name the file's
            line (:mod:`frames.io.csv_rows`).
        replace : bool
            Overwrite rows whose primary key exists.
        skip_duplicates : bool
            Keep existing rows whose primary key exists.
        ignore_extra_fields : bool
            Ignore attributes the table does not have (default: error).
        allow_direct_insert : bool
            Insert into an Imported or Computed table outside its ``make()``.
        chunk_size : int, optional
            Insert this many rows per transaction (not for a query).

        Returns
        -------
        int
            The number of rows written (DataJoint returns ``None``; code written for it
            ignores the value).
        """
        filled_by_make = tier_of(master_of(self.table_name) or self.table_name) in (
            "imported",
            "computed",
        )
        if filled_by_make and not allow_direct_insert and not insert_allowed(self.table_name):
            raise DataError(
                f"{self._name}: inserts into an auto-populated table can only be done inside "
                "its make method during a populate call. To override, set keyword argument "
                "allow_direct_insert=True."
            )
        return insert_rows(
            self,
            rows,
            replace=replace,
            skip_duplicates=skip_duplicates,
            ignore_extra_fields=ignore_extra_fields,
            chunk_size=chunk_size,
        )

    def insert1(self, row: Any, **kwargs: Any) -> int:
        """Insert one row (a dict, a numpy record or a sequence in heading order)."""
        return self.insert((row,), **kwargs)

    @property
    def staged_insert1(self) -> Any:
        """A context manager that writes ``<object@>`` values straight into their store, then
        inserts the row (DataJoint's ``staged_insert1``)::

            with Recording.staged_insert1 as staged:
                staged.rec["recording_id"] = 1
                with staged.open("raw", ".dat") as f:
                    f.write(data)

        The objects written are removed again if the block raises.
        """
        return staged_insert1(self)

    def insert_dataframe(
        self, df: Any, index_as_pk: bool | None = None, **insert_kwargs: Any
    ) -> int:
        """Insert a pandas DataFrame, its index read as the primary key when it is one.

        ``index_as_pk``: ``None`` (default) uses the index if its names are the primary key's
        and drops an unnamed index; ``True`` requires the index to be the primary key;
        ``False`` ignores the index. Other arguments go to :meth:`insert`.
        """
        return self.insert(dataframe_rows(self, df, index_as_pk), **insert_kwargs)

    def validate(self, rows: Any, *, ignore_extra_fields: bool = False) -> ValidationResult:
        """Check ``rows`` (also a CSV file's path) as :meth:`insert` would, without inserting;
        every problem is listed."""
        return validate_rows(self, rows, ignore_extra_fields=ignore_extra_fields)

    def update1(self, row: Mapping[str, Any]) -> None:
        """Update the secondary attributes of one existing row (``None``: the default).

        ``row`` gives the full primary key and the attributes to change. Meant for corrections:
        the normal way to change data is to delete and insert entire rows.
        """
        update_row(self, row)

    def delete(
        self, transaction: bool = True, prompt: bool | None = None, part_integrity: str = "enforce"
    ) -> int:
        """Delete these rows and, in the same transaction, every row that depends on them.

        Parameters
        ----------
        transaction : bool
            Run the whole delete in one transaction (default). Inside a transaction of the
            caller's, ``prompt=False`` joins it, or pass ``transaction=False``.
        prompt : bool, optional
            Show the rows per table and ask before committing; default ``config['safemode']``.
        part_integrity : {"enforce", "ignore", "cascade"}
            ``"enforce"``: refuse to delete part rows without their master rows;
            ``"ignore"``: allow it; ``"cascade"``: delete the masters (and all their parts) too.

        Returns
        -------
        int
            The number of rows deleted from this table (0 if cancelled).
        """
        return cascade_delete(
            self, transaction=transaction, prompt=prompt, part_integrity=part_integrity
        )

    def delete_quick(self, get_count: bool = False) -> int | None:
        """Delete these rows without cascading or asking; fails if other rows reference them.

        Returns the number of rows deleted if ``get_count``, else ``None``.
        """
        return delete_quick(self, get_count=get_count)

    def drop(self, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        """Drop this table and every table that depends on it (asks as :meth:`delete` does).

        ``part_integrity="enforce"`` refuses to drop a part table without its master.
        """
        drop_tables(self, prompt=prompt, part_integrity=part_integrity)

    def drop_quick(self) -> None:
        """Drop this table only, without asking (fails if other tables depend on it)."""
        drop_tables(self, prompt=False, part_integrity="ignore", cascade=False)

    def alter(self, prompt: bool = True, context: dict[str, Any] | None = None) -> None:
        """Change the stored table to match the class's edited ``definition``.

        Secondary attributes can be added, dropped, changed, moved, or renamed (a comment
        opening with ``{old_name}``), and the table comment changed; not the primary key,
        foreign keys or indexes. ``prompt`` shows the statements and asks first. ``context``
        resolves the definition's references (default: the schema's context, else the
        caller's namespace).
        """
        alter_table(self, prompt=prompt, context=context)


# What ``cls() & row`` runs for a dict: a class overriding any of these restricts through it.
_RESTRICTION_METHODS: tuple[tuple[str, Any], ...] = tuple(
    (name, type.__getattribute__(Table, name))
    for name in ("__init__", "__and__", "restrict", "_derive", "_name")
)


class FreeTable(Table):
    """A stored table without a class of its own, named by its full name.

    Examples
    --------
    >>> FreeTable(conn, "lab.subject")      # doctest: +SKIP
    >>> FreeTable(conn, '"lab"."subject"')  # doctest: +SKIP
    """

    def __init__(self, conn: Connection, full_table_name: str) -> None:
        schema, dot, name = full_table_name.replace("`", "").replace('"', "").partition(".")
        if not dot:
            raise MissingTableError(
                f"FreeTable({full_table_name!r}): name the table as 'schema.table' (quoted or not)"
            )
        self._spec = table_spec(conn, TableRef(schema, name))
        self._heading = Heading.of_table(self._spec, conn, plan=PlanHeading(self._spec.attributes))
        QueryExpression.__init__(self, make_table(self._spec.ref, self._heading.plan), conn)

    @property
    def _name(self) -> str:
        return f"FreeTable({self.full_table_name})"

    def __repr__(self) -> str:
        return f"FreeTable({self.full_table_name})\n" + super().__repr__()
