"""``dj.Schema``: a database schema and the class decorator that declares its tables."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterator
from typing import Any

import networkx as nx

from frames.api.bases import SchemaBase
from frames.api.catalog import (
    dependency_graph,
    forget_schema,
    forget_table,
    register_spec,
    stored_spec,
    stored_specs,
)
from frames.api.catalog import table_spec as table_spec
from frames.api.connection import Connection, conn
from frames.api.datajoint_declare import resolve_reference
from frames.api.delete import confirm
from frames.api.dj_heading import Heading
from frames.api.jobs import Job, job_table_name
from frames.api.lineage_catalog import (
    get_schema_lineages,
    heal_table_lineage,
    lineage_table_exists,
    rebuild_schema_lineage,
)
from frames.api.populate import auto_populated_spec
from frames.api.spawn import spawn_classes
from frames.api.table import FreeTable, Lookup, Part, Table
from frames.declare.naming import (
    MAX_TABLE_NAME_LENGTH,
    TIER_PREFIXES,
    table_name,
    tier_of,
)
from frames.declare.parser import parse_definition
from frames.declare.spec import TableRef, TableSpec
from frames.declare.storage import (
    FOREIGN_KEY_CATALOG,
    LINEAGE_CATALOG,
)
from frames.errors import (
    AccessError,
    DataError,
    DefinitionError,
    FramesError,
    MissingDefinitionError,
    MissingTableError,
    QueryError,
    ServerError,
)
from frames.sql.ddl import (
    any_row_sql,
    create_foreign_key_catalog_sql,
    create_table_sql,
    drop_catalog_sql,
    drop_lineage_sql,
    drop_table_sql,
    foreign_key_catalog_inserts,
    lineage_catalog_sql,
    qualified_name,
)

logger = logging.getLogger(__name__)


class Schema(SchemaBase):
    """A schema (PostgreSQL/DuckDB schema, MySQL database) whose tables are Python classes.

    Parameters
    ----------
    schema_name : str, optional
        Name of the schema; created if missing (unless ``create_schema=False``). Without a name
        the schema is inactive: decorated classes wait until :meth:`activate` names it.
    context : dict, optional
        Namespace in which ``->`` references are resolved (default: the decorating module).
    connection : Connection, optional
        Default: the process-wide connection (``FRAMES_DATABASE_URL`` or in-memory DuckDB).
    create_schema : bool
        ``False``: a missing schema is an error instead of being created.
    create_tables : bool, optional
        ``False``: decorating a class whose table is missing is an error (default: create it).
    add_objects : dict, optional
        More names for the declaration context.

    Examples
    --------
    >>> import frames as dj
    >>> schema = dj.Schema('lab', connection=dj.connect('duckdb://'))  # dj.Schema('lab'): default
    >>> @schema
    ... class Subject(dj.Manual):
    ...     definition = '''
    ...     subject_id : int32
    ...     ---
    ...     species : varchar(32)
    ...     '''
    >>> Subject.insert1({'subject_id': 1, 'species': 'mouse'})  # the number of rows inserted
    1
    >>> Subject.to_dicts()
    [{'subject_id': 1, 'species': 'mouse'}]
    """

    def __init__(
        self,
        schema_name: str | None = None,
        context: dict[str, Any] | None = None,
        *,
        connection: Connection | None = None,
        create_schema: bool = True,
        create_tables: bool | None = None,
        add_objects: dict[str, Any] | None = None,
    ):
        if schema_name is not None and not isinstance(schema_name, str):
            raise FramesError(f"Schema name must be a string, not {type(schema_name).__name__}")
        self.database: str | None = None
        self.context = context
        self.connection = connection
        self.create_schema = create_schema
        self.create_tables = create_tables
        self.add_objects = add_objects
        self.declare_list: list[tuple[type[Table], dict[str, Any]]] = []
        self._classes: dict[TableRef, type[Table]] = {}
        if schema_name:
            self.activate(schema_name)

    def is_activated(self) -> bool:
        """True once the schema is bound to a database schema (see :meth:`activate`)."""
        return self.database is not None

    def activate(
        self,
        schema_name: str | None = None,
        *,
        connection: Connection | None = None,
        create_schema: bool | None = None,
        create_tables: bool | None = None,
        add_objects: dict[str, Any] | None = None,
    ) -> None:
        """Bind this schema to the database schema ``schema_name`` (created if missing unless
        ``create_schema=False``) and declare the classes decorated while it was inactive.

        Raises
        ------
        FramesError
            Without a name on an inactive schema, or with another name than an active one's.
        MissingTableError
            If the schema does not exist and may not be created.
        """
        if schema_name is None:
            if self.exists:
                return
            raise FramesError("Please provide a schema_name to activate the schema.")
        if self.database is not None and self.exists:
            if self.database == schema_name:
                return
            raise FramesError(f"The schema is already activated for schema {self.database}.")
        if connection is not None:
            self.connection = connection
        if self.connection is None:
            self.connection = conn()
        self.database = schema_name
        if create_schema is not None:
            self.create_schema = create_schema
        if create_tables is not None:
            self.create_tables = create_tables
        if add_objects:
            self.add_objects = add_objects
        if not self.exists:
            if not self.create_schema:
                raise MissingTableError(
                    f"Database `{schema_name}` has not yet been declared. Set argument "
                    "create_schema=True to create it."
                )
            try:
                self.connection.backend.create_schema(schema_name)
            except AccessError:
                raise AccessError(
                    f"Schema `{schema_name}` does not exist and could not be "
                    "created. Check permissions."
                ) from None
        for cls, context in self.declare_list:
            self._decorate_master(cls, {**context, **(self.add_objects or {})})

    @property
    def exists(self) -> bool:
        """True if the schema exists in the database (the schema must be activated)."""
        connection, database = self._bound
        return connection.backend.schema_exists(database)

    def _assert_exists(self) -> None:
        if not self.exists:
            raise MissingTableError(f"Schema `{self.database}` has not been created.")

    @property
    def dialect_name(self) -> str:
        """The backend's dialect."""
        return self._bound[0].dialect

    def __repr__(self) -> str:
        """DataJoint's ``Schema `name```, then the connection."""
        return f"Schema `{self.database}` on {self.connection!r}"

    # -- declaring ----------------------------------------------------------------------------
    def __call__(self, cls: type[Table] | None = None, *, context: dict[str, Any] | None = None):
        """Declare ``cls`` (and its part tables) in this schema; use as ``@schema``.

        On an inactive schema the class waits for :meth:`activate`.
        """
        if cls is None:
            return lambda c: self(c, context=context)
        if context is None:
            context = self.context
        if context is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            context = {**caller.f_globals, **caller.f_locals} if caller is not None else {}
        if isinstance(cls, type) and issubclass(cls, Part):
            raise DefinitionError(
                f"part table {cls.__name__} must be declared as a nested class "
                "of its master table; the schema decorator is applied to the "
                "master only"
            )
        if self.is_activated():
            self._decorate_master(cls, {**context, **(self.add_objects or {})})
        else:
            self.declare_list.append((cls, context))
        return cls

    def _decorate_master(self, cls: type[Table], context: dict[str, Any]) -> None:
        """Declare ``cls`` and then its part tables (also those it inherits), all or nothing.

        If a part cannot be declared, or a Lookup's ``contents`` cannot be inserted, the
        tables this call created are dropped again, with their lineage rows (see
        :meth:`_undo_declarations`), and the error is raised.
        """
        created: list[TableSpec] = []
        try:
            self._declare(cls, {**context, "self": cls, cls.__name__: cls}, created=created)
            for name in _ordered_dir(cls):
                part = getattr(cls, name) if name[:1].isupper() else None
                if isinstance(part, type) and issubclass(part, Part) and part is not cls:
                    self._declare(
                        part,
                        {**context, "master": cls, "self": part, cls.__name__: cls},
                        master=cls,
                        created=created,
                    )
        except BaseException:
            self._undo_declarations(created)
            raise

    def _undo_declarations(self, created: list[TableSpec]) -> None:
        """Drop the tables of ``created`` (declared by a failed :meth:`_decorate_master`), last
        first, with their lineage and foreign-key catalog rows, and forget their classes.

        A catalog table (``~lineage``, DuckDB's ``~foreign_keys``) left empty is dropped too:
        the failed declaration may have created it. DDL cannot be rolled back on MySQL, so the
        tables are dropped rather than left to a transaction.
        """
        if not created:
            return
        connection = self._bound[0]
        backend = connection.backend
        dialect = connection.sql_dialect
        schema = created[0].ref.schema
        try:
            with connection.atomic():
                for spec in reversed(created):
                    if backend.table_exists(spec.ref):
                        for statement in drop_table_sql(spec, dialect):
                            backend.execute(statement)
                    if backend.table_exists(TableRef(schema, LINEAGE_CATALOG)):
                        for statement in drop_lineage_sql(spec, dialect):
                            backend.execute(statement)
                for hidden in (LINEAGE_CATALOG, FOREIGN_KEY_CATALOG):
                    ref = TableRef(schema, hidden)
                    if backend.table_exists(ref) and not backend.fetch_rows(
                        any_row_sql(ref, dialect)
                    ):
                        backend.execute(drop_catalog_sql(ref, dialect))
        except FramesError as error:  # the original error matters more; say what is left
            logger.warning(
                "could not drop the tables of a failed declaration (%s): %s",
                ", ".join(str(spec.ref) for spec in created),
                error,
            )
            return
        for spec in created:
            forget_table(connection, spec.ref)
            cls = self._classes.pop(spec.ref, None)
            if cls is not None:
                cls._spec = None

    def _declare(
        self,
        cls: type[Table],
        context: dict[str, Any],
        master: type[Table] | None = None,
        created: list[TableSpec] | None = None,
    ) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Table)) or cls.tier == "":
            raise DefinitionError(
                f"{getattr(cls, '__name__', cls)!r} must subclass dj.Manual, "
                "dj.Lookup, dj.Imported, dj.Computed or dj.Part"
            )
        master_spec = master._spec if master is not None else None  # declared before its parts
        try:
            name = table_name(
                cls.__name__, cls.tier, master_spec.ref.name if master_spec is not None else None
            )
        except ValueError as error:
            raise DefinitionError(str(error)) from None
        if len(name) > MAX_TABLE_NAME_LENGTH:
            raise DefinitionError(
                f"Table name `{name}` of class {cls.__name__} exceeds the max "
                f"length of {MAX_TABLE_NAME_LENGTH}; give the class a shorter "
                "name"
            )
        connection, database = self._bound
        ref = TableRef(database, name)
        definition = getattr(cls, "definition", "")
        if not isinstance(definition, str):
            definition = ""

        def resolve(text: str) -> TableSpec:
            return self._resolve(text, context, master)

        if connection.backend.table_exists(ref):
            # the database is the truth for existing tables (DataJoint reads no definition then)
            spec = self.stored_spec(ref)
            heal_table_lineage(connection, spec)
        elif not definition.strip():
            raise MissingDefinitionError(f"table {cls.__name__} needs a definition string")
        elif not self._creates_tables():
            raise MissingTableError(f"table {ref} does not exist and create_tables=False")
        else:
            spec = auto_populated_spec(
                parse_definition(
                    definition, ref=ref, tier=cls.tier, class_name=cls.__name__, resolve=resolve
                ),
                connection._config,
            )
            if created is not None:
                created.append(spec)
            self._create(spec)
        self._adopt(cls, spec, master, context)
        if "Table definition:" not in (cls.__doc__ or ""):
            cls.__doc__ = (cls.__doc__ or "") + "\nTable definition:\n\n" + definition
        if issubclass(cls, Lookup):
            contents = list(cls().contents or ())
            if contents:
                cls().insert(contents, skip_duplicates=True)

    def _creates_tables(self) -> bool:
        """Whether missing tables are created (``create_tables``, default True)."""
        return self.create_tables is not False

    def _adopt(
        self,
        cls: type[Table],
        spec: TableSpec,
        master: type[Table] | None,
        context: dict[str, Any] | None = None,
    ) -> None:
        """Bind ``cls`` to its stored table (``context``: where its definition's names were
        resolved)."""
        connection = self._bound[0]
        cls._spec = spec
        cls._heading = Heading.of_table(spec, connection, context=context)
        cls._schema = self
        if master is not None:
            assert issubclass(cls, Part)  # only parts are declared with a master
            cls.master = master
        self._classes[spec.ref] = cls
        register_spec(connection, spec)

    def stored_specs(self) -> dict[TableRef, TableSpec]:
        """The specs of the schema's tables as the database describes them, with lineage
        (see :func:`stored_specs`)."""
        return stored_specs(*self._bound)

    def stored_spec(self, ref: TableRef) -> TableSpec:
        """The spec of one existing table of this schema (see :func:`stored_specs`)."""
        return stored_spec(self._bound[0], ref)

    def make_classes(self, into: dict[str, Any] | None = None) -> None:
        """Create a class for every table of the schema that no class in ``into`` stands for.

        The classes are rebuilt from the database's metadata (masters with their parts nested)
        and put into ``into``: by default the schema's context, else the caller's namespace.
        """
        if into is None:
            if self.context is not None:
                into = self.context
            else:
                frame = inspect.currentframe()
                caller = frame.f_back if frame is not None else None
                into = caller.f_locals if caller is not None else {}
        self._missing_classes(into, set())

    def spawn_missing_classes(self, context: dict[str, Any] | None = None) -> dict[str, type]:
        """Create a class for every table of the schema that has none, from its metadata.

        The classes (masters with their parts nested) are put into ``context`` — by default the
        caller's namespace — and returned by class name.
        """
        if context is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            context = caller.f_locals if caller is not None else {}
        return self._missing_classes(context, set(self._classes))

    def _missing_classes(self, into: dict[str, Any], skip: set[TableRef]) -> dict[str, type]:
        """Spawn classes for the tables not in ``skip`` that no class in ``into`` stands for,
        and put them into ``into`` (never replacing a name it has)."""
        self._assert_exists()
        present = {ref for value in list(into.values()) for ref in _table_refs(value)}
        classes = {
            name: cls
            for name, cls in spawn_classes(self, skip=present | skip).items()
            if name not in into
        }
        into.update(classes)
        return classes

    def _resolve(self, text: str, context: dict[str, Any], master: type[Table] | None) -> TableSpec:
        if master is not None:
            context = {"master": master, **context}
        return resolve_reference(text, context)

    def _create(self, spec: TableSpec) -> None:
        try:
            self._create_tables(spec)
        except (AccessError, ServerError):
            raise
        except (DataError, DefinitionError, QueryError) as error:  # refused DDL
            raise DefinitionError(
                f"table {spec.ref}: the database refused its declaration: {error}; change the "
                "definition (names and enum members within the backend's limits)"
            ) from error

    def _create_tables(self, spec: TableSpec) -> None:
        connection = self._bound[0]
        dialect = connection.sql_dialect
        backend = connection.backend
        with connection.atomic():
            if spec.foreign_keys:
                for statement in create_foreign_key_catalog_sql(spec.ref.schema, dialect):
                    backend.execute(statement)
                for statement, row in foreign_key_catalog_inserts(spec, dialect):
                    backend.execute(statement, row)
            for statement in create_table_sql(spec, dialect) + lineage_catalog_sql(spec, dialect):
                backend.execute(statement)

    # -- inspection and removal ---------------------------------------------------------------
    def list_tables(self) -> list[str]:
        """Stored names of the tables in this schema, parents before children (hidden ``~``
        tables excluded)."""
        self._assert_exists()
        connection, database = self._bound
        names = connection.backend.list_tables(database)
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        graph.add_edges_from(
            (fk.parent.name, child.name)
            for child, fk in connection.backend.foreign_keys()
            if child.schema == fk.parent.schema == database
            and child.name in graph
            and fk.parent.name in graph
        )
        return list(nx.lexicographical_topological_sort(graph))

    def get_table(self, name: str) -> Table:
        """The table called ``name`` as a :class:`~frames.api.table.FreeTable`.

        ``name`` is a stored name (``'session__trial'``) or a class name (``'Session'``); the
        tier prefix (``#``, ``_``, ``__``) may be left out.

        Raises
        ------
        MissingTableError
            If the schema has no such table.
        """
        self._assert_exists()
        stored = self._find_table_name(name)
        if stored is None:
            raise MissingTableError(
                f"Table `{_snake(name)}` does not exist in schema `{self.database}`."
            )
        connection, database = self._bound
        return FreeTable(
            connection, qualified_name(TableRef(database, stored), connection.sql_dialect)
        )

    def __getitem__(self, name: str) -> Table:
        """``schema['Session']``: :meth:`get_table`."""
        return self.get_table(name)

    def __iter__(self) -> Iterator[Table]:
        """Every table of the schema as a :class:`~frames.api.table.FreeTable`, parents
        first."""
        self._assert_exists()
        for name in self.list_tables():
            yield self.get_table(name)

    def __contains__(self, name: str) -> bool:
        """True if the schema has a table called ``name`` (as in :meth:`get_table`)."""
        return self._find_table_name(name) is not None

    def _find_table_name(self, name: str) -> str | None:
        """The stored name of table ``name`` (snake or Camel case, tier prefix optional)."""
        name = _snake(name)
        tables = self.list_tables()
        for candidate in (name, *(prefix + name for prefix in TIER_PREFIXES.values())):
            if candidate in tables:
                return candidate
        return None

    @property
    def lineage_table_exists(self) -> bool:
        """True if the schema has DataJoint's ``~lineage`` table."""
        self._assert_exists()
        return lineage_table_exists(*self._bound)

    @property
    def lineage(self) -> dict[str, str]:
        """``'schema.table.attribute'`` → its lineage, for every attribute of the schema that
        has one, as the database records it."""
        self._assert_exists()
        return get_schema_lineages(*self._bound)

    def rebuild_lineage(self) -> None:
        """Rewrite DataJoint's ``~lineage`` table of this schema from its foreign keys.

        For schemas declared before lineage was recorded, or whose records went stale; upstream
        schemas are read from the database, so their tables need no rebuild first.
        """
        self._assert_exists()
        rebuild_schema_lineage(*self._bound)

    @property
    def jobs(self) -> list[Any]:
        """The :class:`~frames.api.jobs.Job` tables of this schema's auto-populated tables that
        have one (jobs tables are declared on first use of ``Table.jobs``)."""
        return schema_jobs(self)

    def drop(self, prompt: bool | None = None) -> None:
        """Drop the schema with all its tables and data (asks unless ``prompt=False``).

        A schema that does not exist is left alone.

        Raises
        ------
        AccessError
            If the database user may not drop it.
        """
        if not self.exists:
            logger.info("Schema named `%s` does not exist. Doing nothing.", self.database)
            return
        if not confirm(f"Proceed to delete entire schema `{self.database}`?", prompt):
            logger.warning("Drop cancelled.")
            return
        connection, database = self._bound
        try:
            connection.backend.drop_schema(database)
        except AccessError:
            raise AccessError(
                f"An attempt to drop schema `{self.database}` has failed. Check permissions."
            ) from None
        forget_schema(connection, database)
        for cls in self._classes.values():
            cls._spec = None
        self._classes.clear()

    def _dependency_graph(self) -> nx.DiGraph:
        return dependency_graph(self._bound[0])


def _ordered_dir(cls: type) -> list[str]:
    """Attribute names of ``cls`` and its bases in declaration order, bases first."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        names.extend(name for name in vars(klass) if name not in names)
    return names


def _snake(name: str) -> str:
    """A class name (``'SessionTrial'``) as a stored name's root (``'session_trial'``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() if name[:1].isupper() else name


def _table_refs(value: Any) -> list[TableRef]:
    """The tables a namespace value stands for: a declared table class and its parts."""
    if not (isinstance(value, type) and issubclass(value, Table)):
        return []
    spec = type.__getattribute__(value, "_spec")
    refs = [spec.ref] if spec is not None else []
    for name in _ordered_dir(value):
        part = getattr(value, name, None) if name[:1].isupper() else None
        if part is not value and isinstance(part, type) and issubclass(part, Part):
            part_spec = type.__getattribute__(part, "_spec")
            if part_spec is not None:
                refs.append(part_spec.ref)
    return refs


def schema_jobs(schema: Schema) -> list[Job]:
    """The :class:`Job` tables of the auto-populated tables of ``schema`` whose jobs table
    exists (they are declared on first use of ``Table.jobs``)."""
    connection, database = schema._bound
    backend = connection.backend
    names = [
        name
        for name in schema.list_tables()
        if tier_of(name) in ("imported", "computed")
        and backend.table_exists(TableRef(database, job_table_name(name)))
    ]
    if any(TableRef(database, name) not in schema._classes for name in names):
        spawn_classes(schema, skip=set(schema._classes))
    return [Job(schema._classes[TableRef(database, name)]()) for name in names]
