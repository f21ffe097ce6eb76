"""``dj.Schema``: a database schema and the class decorator that declares its tables."""

from __future__ import annotations

import inspect
from typing import Any

import networkx as nx

from frames.api.connection import Connection, conn
from frames.api.populate import auto_populated_spec
from frames.api.table import Lookup, Part, Table
from frames.backends.introspect import introspect_with_parents
from frames.declare.lineage import with_lineage
from frames.declare.naming import class_name_of, table_name, tier_of
from frames.declare.parser import parse_definition
from frames.declare.spec import TableRef, TableSpec
from frames.declare.storage import FOREIGN_KEY_CATALOG_COLUMNS
from frames.errors import DefinitionError, MissingTableError
from frames.plan.heading import Heading
from frames.sql.ddl import (
    create_foreign_key_catalog_sql,
    create_table_sql,
    foreign_key_catalog_rows,
    lineage_catalog_sql,
)
from frames.sql.dialects import Dialect


class Schema:
    """A schema (PostgreSQL/DuckDB schema, MySQL database) whose tables are Python classes.

    Parameters
    ----------
    schema_name : str
        Name of the schema; created if missing (unless ``create_schema=False``).
    context : dict, optional
        Namespace in which ``->`` references are resolved (default: the decorating module).
    connection : Connection, optional
        Default: the process-wide connection (``FRAMES_DATABASE_URL`` or in-memory DuckDB).

    Examples
    --------
    >>> schema = dj.Schema('lab')            # doctest: +SKIP
    >>> @schema
    ... class Subject(dj.Manual):
    ...     definition = '''
    ...     subject_id : int32
    ...     ---
    ...     species : varchar(32)
    ...     '''
    """

    def __init__(self, schema_name: str, context: dict[str, Any] | None = None, *,
                 connection: Connection | None = None, create_schema: bool = True,
                 create_tables: bool = True):
        if not isinstance(schema_name, str) or not schema_name:
            raise ValueError("Schema needs a name, e.g. dj.Schema('my_lab')")
        self.database = schema_name
        self.context = context
        self.connection = connection or conn()
        self.create_tables = create_tables
        backend = self.connection.backend
        if not backend.schema_exists(schema_name):
            if not create_schema:
                raise MissingTableError(f"schema {schema_name!r} does not exist and "
                                        "create_schema=False")
            backend.create_schema(schema_name)
        self._classes: dict[TableRef, type[Table]] = {}

    @property
    def dialect_name(self) -> str:
        """The backend's dialect."""
        return self.connection.dialect

    def __repr__(self) -> str:
        return f"Schema({self.database!r}, connection={self.connection!r})"

    # -- declaring ----------------------------------------------------------------------------
    def __call__(self, cls: type[Table] | None = None, *, context: dict[str, Any] | None = None):
        """Declare ``cls`` (and its part tables) in this schema; use as ``@schema``."""
        if cls is None:
            return lambda c: self(c, context=context)
        if context is None:
            context = self.context
        if context is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            context = {**caller.f_globals, **caller.f_locals} if caller is not None else {}
        self._declare(cls, context)
        return cls

    def _declare(self, cls: type[Table], context: dict[str, Any],
                 master: type[Table] | None = None) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Table)) or cls.tier == "":
            raise DefinitionError(f"{getattr(cls, '__name__', cls)!r} must subclass dj.Manual, "
                                  "dj.Lookup, dj.Imported, dj.Computed or dj.Part")
        if master is None and cls.tier == "part":
            raise DefinitionError(f"part table {cls.__name__} must be declared as a nested class "
                                  "of its master table")
        try:
            name = table_name(cls.__name__, cls.tier,
                              master._spec.ref.name if master is not None else None)
        except ValueError as error:
            raise DefinitionError(str(error)) from None
        ref = TableRef(self.database, name)
        definition = getattr(cls, "definition", "")
        if not isinstance(definition, str) or not definition.strip():
            raise DefinitionError(f"table {cls.__name__} needs a definition string")

        def resolve(text: str) -> TableSpec:
            return self._resolve(text, context, master)

        spec = parse_definition(definition, ref=ref, tier=cls.tier, class_name=cls.__name__,
                                resolve=resolve)
        if self.connection.backend.table_exists(ref):
            spec = self.stored_spec(ref)  # the database is the truth for existing tables
        elif not self.create_tables:
            raise MissingTableError(f"table {ref} does not exist and create_tables=False")
        else:
            spec = auto_populated_spec(spec)
            self._create(spec)
        self._adopt(cls, spec, master)
        if issubclass(cls, Lookup) and cls.contents:
            cls().insert(list(cls.contents), skip_duplicates=True)
        for attr in list(vars(cls).values()):
            if isinstance(attr, type) and issubclass(attr, Part) and attr is not cls:
                self._declare(attr, {**context, cls.__name__: cls}, master=cls)

    def _adopt(self, cls: type[Table], spec: TableSpec, master: type[Table] | None) -> None:
        """Bind ``cls`` to its stored table."""
        cls._spec = spec
        cls._heading = Heading.of_table(spec.attributes)
        cls._schema = self
        if master is not None:
            cls.master = master
        self._classes[spec.ref] = cls
        register_spec(self.connection, spec)

    def stored_specs(self) -> dict[TableRef, TableSpec]:
        """The specs of the schema's tables as the database describes them, with lineage.

        Foreign keys are followed into upstream schemas (read from the database too) so that
        lineage reaches its origin; the result holds this schema's tables only.
        """
        stored = introspect_with_parents(self.connection.backend, self.database)
        known = {r: spec for r, spec in _registry(self.connection).items() if r not in stored}
        return {ref: spec for ref, spec in with_lineage(stored, known).items()
                if ref.schema == self.database}

    def stored_spec(self, ref: TableRef) -> TableSpec:
        """The spec of one existing table of this schema (see :meth:`stored_specs`)."""
        resolved = self.stored_specs()
        if ref not in resolved:
            raise MissingTableError(f"table {ref} does not exist")
        return resolved[ref]

    def spawn_missing_classes(self, context: dict[str, Any] | None = None) -> dict[str, type]:
        """Create a class for every table of the schema that has none, from its metadata.

        The classes (masters with their parts nested) are put into ``context`` — by default the
        caller's namespace — and returned by class name.
        """
        from frames.api.virtual import spawn_classes

        if context is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            context = caller.f_locals if caller is not None else {}
        classes = spawn_classes(self, skip=set(self._classes))
        context.update(classes)
        return classes

    def _resolve(self, text: str, context: dict[str, Any], master: type[Table] | None
                 ) -> TableSpec:
        if text == "master":
            if master is None:
                raise LookupError("'-> master' is only valid in a part table")
            return master._spec  # type: ignore[return-value]
        head, *rest = text.split(".")
        target: Any = context.get(head)
        for part in rest:
            target = getattr(target, part, None)
        if isinstance(target, type) and issubclass(target, Table) and target._spec is not None:
            return target._spec
        if isinstance(target, Table):
            return type(target)._spec  # type: ignore[return-value]
        raise LookupError(text)

    def _create(self, spec: TableSpec) -> None:
        dialect = self.connection.sql_dialect
        backend = self.connection.backend
        with self.connection.atomic():
            if not dialect.declares_foreign_keys and spec.foreign_keys:
                for statement in create_foreign_key_catalog_sql(spec.ref.schema, dialect):
                    backend.execute(statement)
                names = ", ".join(f'"{c}"' for c, _ in FOREIGN_KEY_CATALOG_COLUMNS)
                marks = ", ".join("?" for _ in FOREIGN_KEY_CATALOG_COLUMNS)
                for row in foreign_key_catalog_rows(spec):
                    backend.execute(f'INSERT INTO "{spec.ref.schema}"."~foreign_keys" ({names}) '
                                    f"VALUES ({marks})", row)
            for statement in create_table_sql(spec, dialect) + lineage_catalog_sql(spec, dialect):
                backend.execute(statement)

    # -- inspection and removal ---------------------------------------------------------------
    def list_tables(self) -> list[str]:
        """Stored names of the tables in this schema."""
        return self.connection.backend.list_tables(self.database)

    @property
    def jobs(self) -> list[Any]:
        """The :class:`~frames.api.jobs.Job` tables of this schema's auto-populated tables that
        have one (jobs tables are declared on first use of ``Table.jobs``)."""
        from frames.api.jobs import schema_jobs

        return schema_jobs(self)

    def drop(self, prompt: bool | None = None) -> None:
        """Drop the schema with all its tables and data (asks unless ``prompt=False``)."""
        from frames.api.delete import confirm

        if not confirm(f"Drop schema {self.database!r} with all its tables and data?", prompt):
            print("Drop cancelled.")
            return
        self.connection.backend.drop_schema(self.database)
        forget_schema(self.connection, self.database)
        for cls in self._classes.values():
            cls._spec = None
        self._classes.clear()

    def _dependency_graph(self) -> nx.DiGraph:
        return dependency_graph(self.connection)

    def __iter__(self):
        return iter(self._classes.values())


# -- the per-connection registry of table specs ----------------------------------------------

def register_spec(connection: Connection, spec: TableSpec) -> None:
    """Remember ``spec`` for the cascade and the diagram of ``connection``."""
    _registry(connection)[spec.ref] = spec


def forget_schema(connection: Connection, schema: str) -> None:
    """Forget every spec of ``schema`` (after it is dropped)."""
    registry = _registry(connection)
    for ref in [r for r in registry if r.schema == schema]:
        del registry[ref]


def forget_table(connection: Connection, ref: TableRef) -> None:
    """Forget the spec of ``ref`` (after it is dropped)."""
    _registry(connection).pop(ref, None)


def _registry(connection: Connection) -> dict[TableRef, TableSpec]:
    registry = getattr(connection, "_specs", None)
    if registry is None:
        registry = {}
        connection._specs = registry  # type: ignore[attr-defined]
    return registry


def table_spec(connection: Connection, ref: TableRef) -> TableSpec:
    """The spec of ``ref``: declared in this process or read from the database."""
    registry = _registry(connection)
    if ref not in registry:
        for spec in connection.backend.introspect(ref.schema):
            registry.setdefault(spec.ref, spec)
    if ref not in registry:
        raise MissingTableError(f"table {ref} does not exist")
    return registry[ref]


def dependency_graph(connection: Connection) -> nx.DiGraph:
    """Tables as nodes (their full names, quoted as the backend quotes: ``"lab"."subject"``,
    ```lab`.`subject```) and foreign keys as parent → child edges.

    Each edge lists every foreign key between its two tables (``fks``); ``primary`` and
    ``renamed`` say whether any of them is in the child's key or renames attributes.
    """
    graph = nx.DiGraph()
    dialect = connection.sql_dialect
    for spec in list(_registry(connection).values()):
        _add_node(graph, spec.ref, dialect)
    for child, fk in connection.backend.foreign_keys():
        _add_node(graph, child, dialect)
        _add_node(graph, fk.parent, dialect)
        edge = (dialect.full_name(fk.parent.schema, fk.parent.name),
                dialect.full_name(child.schema, child.name))
        renamed = any(c != p for c, p in fk.attr_map)
        if graph.has_edge(*edge):  # a second foreign key between the same two tables
            data = graph.edges[edge]
            data["fks"].append(fk)
            data["primary"] = data["primary"] or fk.in_key
            data["renamed"] = data["renamed"] or renamed
        else:
            graph.add_edge(*edge, primary=fk.in_key, renamed=renamed, fks=[fk])
    return graph


def _add_node(graph: nx.DiGraph, ref: TableRef, dialect: Dialect) -> None:
    label = class_name_of(ref.name)
    if tier_of(ref.name) == "part":
        from frames.declare.naming import master_of

        label = f"{class_name_of(master_of(ref.name) or '')}.{label}"
    graph.add_node(dialect.full_name(ref.schema, ref.name), label=label, tier=tier_of(ref.name),
                   schema=ref.schema, ref=ref)

