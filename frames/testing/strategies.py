"""Hypothesis strategies for frames: random schemas, data and query trees.

Public, so that users can test their own pipelines the way frames tests itself::

    from hypothesis import given, strategies as st
    from frames.testing import strategies as fst

    @given(fst.schemas())
    def test_declares(schema_def): ...

The pieces:

* :func:`schemas` — a :class:`SchemaDef` of 2–4 tables related by foreign keys (in the key and
  outside it, nullable, renamed with ``-> Parent.proj(new='old')``), with namesakes (the same
  attribute name in unrelated tables) and nullable attributes of the core types that compare
  exactly: integers of every width, decimals, varchar (unicode, quotes, backslashes), dates,
  booleans and enums. :meth:`SchemaDef.declare` declares it on a connection.
* :func:`table_data` — rows for every table of a schema that satisfy its keys and foreign keys:
  NULLs, duplicated secondary values, empty tables, boundary integers and decimals.
* :func:`query_trees` — random queries over declared tables, built with the public operators
  (``&``, ``-``, ``*``, ``.join(left=True)``, ``+``, ``.proj``, ``.aggr``, ``dj.U``, ``dj.Top``)
  and every kind of condition (dicts with NULLs and unknown keys, SQL strings, lists, ``AndList``,
  ``Not``, queries, booleans, ``None``), up to depth 6. Each comes with the Python text that
  rebuilds it, for failure reports.
* :func:`condition_fragments` / :func:`value_fragments` / :func:`aggregate_fragments` — SQL
  fragment text together with the expression it means, to check the fragment parser.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

import frames as dj
from frames.declare.spec import Attribute
from frames.declare.types import INTEGER_RANGES, CoreType, parse_type
from frames.plan.heading import Heading
from frames.plan.values import Agg, Col, Expr, Func, Lit, Op

#: Library bugs found by the property tests and not fixed yet, each kept as a strict-xfail
#: regression test in ``tests/properties/test_regressions.py``. The strategies steer around
#: these cases only while they are listed here; delete an entry when its bug is fixed, so that
#: the generated cases cover it again.
KNOWN_GAPS: dict[str, str] = {}

# -- core types and values ---------------------------------------------------------------------

#: Type spellings of secondary attributes in generated schemas (all compare exactly).
SECONDARY_TYPES = (
    "int8",
    "int16",
    "int32",
    "int64",
    "decimal(5,2)",
    "decimal(12,4)",
    "varchar(12)",
    "date",
    "bool",
    "enum('lo', 'mid', 'hi')",
    "enum('b', 'a''x', 'c')",
    "uuid",
)
#: Type spellings of primary-key attributes in generated schemas.
KEY_TYPES = (
    "int16",
    "int32",
    "int64",
    "varchar(8)",
    "date",
    "decimal(5,2)",
    "enum('lo', 'mid', 'hi')",
)
#: Characters of generated strings: quotes, backslash, SQL comment and wildcard characters,
#: accented and CJK letters, an emoji (four bytes in UTF-8) and a space.
STRING_ALPHABET = "abAB '\"\\;-%_éü中🙂"
DATE_MIN, DATE_MAX = datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)
NULL_PROBABILITY_WEIGHTS = (1, 3)  # NULL vs a value, for nullable attributes


def decimal_bound(core: CoreType) -> decimal.Decimal:
    """The largest value of a ``decimal(p, s)`` (at most 18 integer digits for wide ones)."""
    p, s = core.precision or 10, core.scale or 0
    return decimal.Decimal("9" * max(min(p - s, 18), 1) + ("." + "9" * s if s else ""))


def _scaled(n: int, scale: int) -> decimal.Decimal:
    """``n * 10**-scale`` exactly, with ``scale`` digits after the point."""
    return decimal.Decimal(f"{n}E-{scale}")


@functools.lru_cache(maxsize=256)
def values_of(core: CoreType) -> st.SearchStrategy[Any]:
    """Non-NULL values of ``core`` as frames returns them, favouring boundaries and repeats."""
    kind = core.kind
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        return st.one_of(
            st.sampled_from([low, high, 0, -1, 1]), st.integers(-3, 6), st.integers(low, high)
        )
    if kind == "decimal":
        s = core.scale or 0
        bound = decimal_bound(core)
        steps = int(bound.scaleb(s, decimal.Context(prec=60)))
        return st.one_of(
            st.sampled_from([bound, -bound, _scaled(0, s), _scaled(1, s), _scaled(-1, s)]),
            st.integers(-400, 400).map(functools.partial(_scaled, scale=s)),
            st.integers(-steps, steps).map(functools.partial(_scaled, scale=s)),
        )
    if kind in ("varchar", "char", "text"):
        size = min(core.length or 6, 6)
        return st.one_of(
            st.sampled_from(["", "a", "b", "it's", 'say "hi"', "x%_", "Ab"]),
            st.text(STRING_ALPHABET, max_size=size),
        )
    if kind == "enum":
        return st.sampled_from(core.values)
    if kind == "date":
        return st.one_of(
            st.sampled_from(
                [DATE_MIN, DATE_MAX, datetime.date(2000, 2, 29), datetime.date(2024, 1, 1)]
            ),
            st.dates(DATE_MIN, DATE_MAX),
        )
    if kind == "bool":
        return st.booleans()
    if kind == "uuid":
        return st.one_of(
            st.sampled_from([uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID(int=2**127)]),
            st.uuids(),
        )
    raise ValueError(f"no value strategy for {core}")


@functools.lru_cache(maxsize=1024)
def maybe_null(values: st.SearchStrategy[Any], nullable: bool) -> st.SearchStrategy[Any]:
    """``values``, or also ``None`` when ``nullable``."""
    return st.one_of(st.none(), values, values, values) if nullable else values


def is_exact(core: CoreType) -> bool:
    """True for the types generated queries compare, group and order by."""
    return core.category in ("integer", "decimal", "string", "date", "bool", "uuid")


# -- schemas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttrDef:
    """An attribute declared in a table's own definition."""

    name: str
    type: str
    nullable: bool = False


@dataclass(frozen=True)
class ForeignKeyDef:
    """``-> [nullable] Parent[.proj(new='old', ...)]``; ``renames`` holds (new, old) pairs."""

    parent: str
    renames: tuple[tuple[str, str], ...] = ()
    nullable: bool = False

    def line(self) -> str:
        options = "[nullable] " if self.nullable else ""
        proj = ""
        if self.renames:
            proj = ".proj(" + ", ".join(f"{new}='{old}'" for new, old in self.renames) + ")"
        return f"-> {options}{self.parent}{proj}"


@dataclass(frozen=True)
class ResolvedAttr:
    """An attribute of a table's heading, with where its values come from."""

    name: str
    type: str
    nullable: bool
    in_key: bool
    origin: tuple[str, str] | None  # (table, attribute) of the lineage, None for plain ones
    source: ForeignKeyDef | None = None  # the foreign key that brings it

    @property
    def core(self) -> CoreType:
        return parse_type(self.type)


@dataclass(frozen=True)
class TableDef:
    """One table: key foreign keys, own key attributes, secondary foreign keys and attributes."""

    name: str
    key_fks: tuple[ForeignKeyDef, ...] = ()
    key_attrs: tuple[AttrDef, ...] = ()
    fks: tuple[ForeignKeyDef, ...] = ()
    attrs: tuple[AttrDef, ...] = ()

    def definition(self) -> str:
        lines = [fk.line() for fk in self.key_fks]
        lines += [f"{a.name} : {a.type}" for a in self.key_attrs]
        lines.append("---")
        lines += [fk.line() for fk in self.fks]
        lines += [f"{a.name}{' = null' if a.nullable else ''} : {a.type}" for a in self.attrs]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SchemaDef:
    """Tables in declaration order (parents before children)."""

    tables: tuple[TableDef, ...]

    def table(self, name: str) -> TableDef:
        return next(t for t in self.tables if t.name == name)

    def attributes(self, name: str) -> tuple[ResolvedAttr, ...]:
        """The heading of table ``name``: key first, as declared."""
        return _resolve(self, name)

    def python_source(self) -> str:
        """The table classes as Python source, for failure reports."""
        out = []
        for t in self.tables:
            body = "\n".join("        " + line for line in t.definition().splitlines())
            out.append(
                f"@schema\nclass {t.name}(dj.Manual):\n    definition = '''\n{body}\n    '''"
            )
        return "\n".join(out)

    @contextmanager
    def declare(self, connection: dj.Connection, name: str | None = None) -> Iterator[Declared]:
        """Declare the tables in a fresh schema on ``connection``; drop it afterwards.

        ``name`` defaults to a unique ``frames_prop_<hex>``.
        """
        schema = dj.Schema(name or f"frames_prop_{uuid.uuid4().hex[:12]}", connection=connection)
        try:
            context: dict[str, Any] = {}
            classes: dict[str, type[dj.Table]] = {}
            for t in self.tables:
                cls = type(
                    t.name, (dj.Manual,), {"definition": t.definition(), "__module__": __name__}
                )
                schema(cls, context=context)
                context[t.name] = cls
                classes[t.name] = cls
            yield Declared(self, schema, classes)
        finally:
            schema.drop(prompt=False)


def _resolve(schema: SchemaDef, name: str) -> tuple[ResolvedAttr, ...]:
    table = schema.table(name)
    out: list[ResolvedAttr] = []

    def inherit(fk: ForeignKeyDef, in_key: bool) -> None:
        renames = {old: new for new, old in fk.renames}
        for attr in _resolve(schema, fk.parent):
            if not attr.in_key:
                continue
            out.append(
                ResolvedAttr(
                    renames.get(attr.name, attr.name),
                    attr.type,
                    fk.nullable,
                    in_key,
                    attr.origin,
                    fk,
                )
            )

    for fk in table.key_fks:
        inherit(fk, True)
    out += [ResolvedAttr(a.name, a.type, False, True, (name, a.name)) for a in table.key_attrs]
    for fk in table.fks:
        inherit(fk, False)
    out += [ResolvedAttr(a.name, a.type, a.nullable, False, None) for a in table.attrs]
    return tuple(out)


@dataclass
class Declared:
    """A :class:`SchemaDef` declared on a connection: the schema and its table classes."""

    schema_def: SchemaDef
    schema: dj.Schema
    classes: dict[str, type[dj.Table]]

    def refs(self) -> dict[str, Any]:
        return {name: cls._spec.ref for name, cls in self.classes.items()}  # type: ignore

    filled: set[str] = field(default_factory=set)

    def clear(self) -> None:
        """Delete every row, children first (tables this object filled; others are empty).

        A plain ``DELETE`` per table (fast; the test data needs no cascade), or ``delete_quick``
        where the backend cannot name tables.
        """
        backend = self.schema._bound[0].backend
        qualified = getattr(backend, "qualified", None)
        for name in reversed(list(self.classes)):
            if name in self.filled:
                if qualified is not None:
                    backend.execute(f"DELETE FROM {qualified(self.classes[name]().ref)}")
                else:
                    self.classes[name]().delete_quick()
                self.filled.discard(name)

    def load(self, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Replace the contents of every table by ``rows`` (table name → list of dicts)."""
        self.clear()
        for name, cls in self.classes.items():
            if rows.get(name):
                self.filled.add(name)
                cls().insert([dict(r) for r in rows[name]])

    def reference_tables(
        self, rows: Mapping[str, Sequence[Mapping[str, Any]]]
    ) -> dict[Any, list[dict[str, Any]]]:
        """``rows`` keyed by table reference, for :func:`frames.testing.reference.evaluate`."""
        refs = self.refs()
        return {refs[name]: [dict(r) for r in table_rows] for name, table_rows in rows.items()}


#: A fixed schema with every feature the generated queries exercise: a chain of foreign keys
#: in the key, renamed nullable foreign keys (``partner_id`` in two tables, so that NULLs meet
#: NULLs in semijoins, antijoins and joins), namesakes without lineage (``note``, ``day``),
#: nullable attributes of every exact type and an enum member with a quote; ``Rating``, keyed by
#: a parent and an attribute of its own, joins the other tables with neither operand determining
#: the other (the join's key is then both operands' keys).
RICH_SCHEMA = SchemaDef(
    (
        TableDef(
            "Subject",
            key_attrs=(AttrDef("subject_id", "int32"),),
            attrs=(
                AttrDef("species", "enum('mouse', 'rat''s', 'fly')"),
                AttrDef("weight", "decimal(5,2)", True),
                AttrDef("note", "varchar(12)", True),
            ),
        ),
        TableDef(
            "Session",
            key_fks=(ForeignKeyDef("Subject"),),
            key_attrs=(AttrDef("session", "int16"),),
            fks=(ForeignKeyDef("Subject", (("partner_id", "subject_id"),), nullable=True),),
            attrs=(
                AttrDef("day", "date"),
                AttrDef("flag", "bool", True),
                AttrDef("note", "varchar(12)"),
            ),
        ),
        TableDef(
            "Trial",
            key_fks=(ForeignKeyDef("Session"),),
            key_attrs=(AttrDef("trial", "int8"),),
            attrs=(AttrDef("score", "int64", True), AttrDef("amount", "decimal(12,4)", True)),
        ),
        TableDef(
            "Pairing",
            key_attrs=(AttrDef("id", "varchar(8)"),),
            fks=(
                ForeignKeyDef("Subject", (("partner_id", "subject_id"),), nullable=True),
                ForeignKeyDef("Session"),
            ),
            attrs=(AttrDef("kind", "enum('lo', 'mid', 'hi')"), AttrDef("day", "date", True)),
        ),
        TableDef(
            "Rating",
            key_fks=(ForeignKeyDef("Subject"),),
            key_attrs=(AttrDef("rater", "varchar(8)"),),
            attrs=(AttrDef("stars", "int16", True), AttrDef("note", "varchar(12)", True)),
        ),
    )
)

_TABLE_NAMES = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")
_SHARED_KEY_NAMES = ("id", "k")
_SECONDARY_NAMES = ("val", "note", "amount", "day", "flag", "kind", "size", "label")


@st.composite
def schemas(draw: Callable, min_tables: int = 2, max_tables: int = 4) -> SchemaDef:
    """Random schemas of related tables (see the module documentation)."""
    count = draw(st.integers(min_tables, max_tables))
    tables: list[TableDef] = []
    for index in range(count):
        name = _TABLE_NAMES[index]
        used: set[str] = set()
        key_fks: list[ForeignKeyDef] = []
        fks: list[ForeignKeyDef] = []
        if tables:
            for parent in draw(st.lists(st.sampled_from([t.name for t in tables]), max_size=2)):
                in_key = draw(st.booleans())
                nullable = not in_key and draw(st.booleans())
                fk = _foreign_key(draw, SchemaDef(tuple(tables)), parent, used, nullable)
                (key_fks if in_key else fks).append(fk)
        key_attrs = []
        own_keys = draw(st.integers(0 if key_fks else 1, 2))
        for position in range(own_keys):
            shared = draw(st.booleans())
            candidates = [n for n in _SHARED_KEY_NAMES if n not in used] if shared else []
            attr_name = candidates[0] if candidates else f"{name.lower()}{position or ''}_id"
            if attr_name in used:
                attr_name = f"{name.lower()}_k{position}"
            used.add(attr_name)
            key_attrs.append(AttrDef(attr_name, draw(st.sampled_from(KEY_TYPES))))
        attrs = []
        for attr_name in draw(st.lists(st.sampled_from(_SECONDARY_NAMES), max_size=3, unique=True)):
            if attr_name in used:
                continue
            used.add(attr_name)
            attrs.append(
                AttrDef(attr_name, draw(st.sampled_from(SECONDARY_TYPES)), draw(st.booleans()))
            )
        tables.append(TableDef(name, tuple(key_fks), tuple(key_attrs), tuple(fks), tuple(attrs)))
    return SchemaDef(tuple(tables))


def _foreign_key(
    draw: Callable, so_far: SchemaDef, parent: str, used: set[str], nullable: bool
) -> ForeignKeyDef:
    renames = []
    for attr in _resolve(so_far, parent):
        if not attr.in_key:
            continue
        if attr.name in used or draw(st.integers(0, 3)) == 0:
            new = f"{parent.lower()}_{attr.name}"
            suffix = 2
            while new in used:
                new = f"{parent.lower()}_{attr.name}{suffix}"
                suffix += 1
            renames.append((new, attr.name))
            used.add(new)
        else:
            used.add(attr.name)
    return ForeignKeyDef(parent, tuple(renames), nullable)


# -- data --------------------------------------------------------------------------------------

Rows = dict[str, list[dict[str, Any]]]


@st.composite
def table_data(draw: Callable, schema: SchemaDef, max_rows: int = 4) -> Rows:
    """Rows for every table of ``schema`` that satisfy its primary and foreign keys."""
    data: Rows = {}
    for table in schema.tables:
        attrs = schema.attributes(table.name)
        key = [a.name for a in attrs if a.in_key]
        fks = list(table.key_fks) + list(table.fks)
        if any(not fk.nullable and not data[fk.parent] for fk in fks):
            data[table.name] = []
            continue
        pools = {a.name: draw(_pool(a.core)) for a in attrs if a.source is None}
        row_strategy = _row(schema, table, attrs, fks, data, pools)
        least = draw(st.sampled_from([0, 1, 2, 2, 3, 3, 3, 3]))  # empty an eighth of the time
        data[table.name] = draw(
            st.lists(
                row_strategy,
                min_size=min(least, max_rows),
                max_size=max_rows,
                unique_by=functools.partial(_key_tuple, key=key),
            )
        )
    return data


def _key_tuple(row: Mapping[str, Any], key: Sequence[str]) -> tuple:
    return tuple((type(row[k]).__name__, row[k]) for k in key)


def _row(
    schema: SchemaDef,
    table: TableDef,
    attrs: Sequence[ResolvedAttr],
    fks: Sequence[ForeignKeyDef],
    data: Rows,
    pools: Mapping[str, list],
) -> st.SearchStrategy[dict[str, Any]]:
    own = {
        attr.name: maybe_null(
            st.one_of(st.sampled_from(pools[attr.name]), values_of(attr.core)), attr.nullable
        )
        for attr in attrs
        if attr.source is None
    }
    references = []
    for fk in fks:
        parent_key = tuple(a.name for a in schema.attributes(fk.parent) if a.in_key)
        renames = {old: new for new, old in fk.renames}
        references.append((fk.nullable, parent_key, renames, tuple(data[fk.parent])))
    return _row_of(tuple(a.name for a in attrs), tuple(references), own)


@st.composite
def _row_of(
    draw: Callable, names: tuple[str, ...], references: tuple, own: Mapping[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for nullable, parent_key, renames, parents in references:
        if nullable and (not parents or draw(st.booleans())):
            parent_row = dict.fromkeys(parent_key)
        else:
            parent_row = draw(st.sampled_from(parents))
        for name in parent_key:
            out[renames.get(name, name)] = parent_row[name]
    for name, values in own.items():
        out[name] = draw(values)
    return {name: out[name] for name in names}


@functools.lru_cache(maxsize=256)
def _pool(core: CoreType) -> st.SearchStrategy[list[Any]]:
    return st.lists(values_of(core), min_size=1, max_size=3)


# -- SQL fragments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fragment:
    """SQL fragment text and the expression it means (over the attributes it names)."""

    text: str
    expr: Expr


def sql_literal(value: Any) -> str:
    """``value`` written as an ANSI SQL literal, as a user would type it in a fragment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'"
    if isinstance(value, uuid.UUID):
        return f"'{value}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no literal for {value!r}")


def _attrs(heading: Heading, test: Callable[[Attribute], bool]) -> list[Attribute]:
    return [a for a in heading if test(a)]


def _numeric(a: Attribute) -> bool:
    return a.type.category in ("integer", "decimal")


def _comparable(a: Attribute) -> bool:
    return is_exact(a.type)


def _group(a: CoreType) -> str:
    """Types whose values can be compared with each other."""
    if a.category in ("integer", "decimal"):
        return "number"
    if a.kind == "enum":
        return f"enum{a.values}"
    return a.category


class _Fragments:
    """Draws fragments over one heading, with literal values from ``value_source``."""

    def __init__(
        self,
        draw: Callable,
        heading: Heading,
        value_source: Callable[[CoreType], st.SearchStrategy[Any]],
    ):
        self.draw = draw
        self.heading = heading
        self.value_source = value_source

    def value(self, core: CoreType) -> Any:
        return self.draw(self.value_source(core))

    def pick(self, attrs: Sequence[Attribute]) -> Attribute:
        return self.draw(st.sampled_from(list(attrs)))

    def condition(self, depth: int = 2) -> Fragment:
        attrs = _attrs(self.heading, _comparable)
        kinds = (
            ["true"]
            if not attrs
            else ["compare", "compare", "columns", "null", "in", "between", "like", "bool", "arith"]
        )
        if depth > 0:
            kinds += ["and", "or", "not"]
        kind = self.draw(st.sampled_from(kinds))
        method = getattr(self, "_c_" + kind)
        result = method(attrs, depth)
        return (
            result
            if result is not None
            else self._c_compare(attrs, depth)
            if attrs
            else self._c_true(attrs, depth)
        )

    def _c_true(self, attrs: list[Attribute], depth: int) -> Fragment:
        value = self.draw(st.booleans())
        return Fragment(sql_literal(value), Lit(value))

    def _c_compare(self, attrs: list[Attribute], depth: int) -> Fragment:
        attr = self.pick(attrs)
        ops = ["=", "<>"] if attr.type.kind == "bool" else ["=", "<>", "<", "<=", ">", ">="]
        op = self.draw(st.sampled_from(ops))
        value = self.value(attr.type)
        spelled = "!=" if op == "<>" and self.draw(st.booleans()) else op
        return Fragment(
            f"{attr.name} {spelled} {sql_literal(value)}", Op(op, (Col(attr.name), Lit(value)))
        )

    def _c_columns(self, attrs: list[Attribute], depth: int) -> Fragment | None:
        first = self.pick(attrs)
        partners = [
            a
            for a in attrs
            if a.name != first.name
            and _group(a.type) == _group(first.type)
            and first.type.kind != "bool"
        ]
        if not partners:
            return None
        second = self.pick(partners)
        op = self.draw(st.sampled_from(["=", "<>", "<", ">="]))
        return Fragment(
            f"{first.name} {op} {second.name}", Op(op, (Col(first.name), Col(second.name)))
        )

    def _c_null(self, attrs: list[Attribute], depth: int) -> Fragment:
        attr = self.pick(list(self.heading))
        if self.draw(st.booleans()):
            return Fragment(f"{attr.name} IS NULL", Op("is_null", (Col(attr.name),)))
        return Fragment(f"{attr.name} IS NOT NULL", Op("not", (Op("is_null", (Col(attr.name),)),)))

    def _c_in(self, attrs: list[Attribute], depth: int) -> Fragment:
        attr = self.pick(attrs)
        values = self.draw(st.lists(self.value_source(attr.type), min_size=1, max_size=3))
        negate = self.draw(st.booleans())
        text = f"{attr.name} {'NOT IN' if negate else 'IN'} ({', '.join(map(sql_literal, values))})"
        expr: Expr = Op("in", (Col(attr.name), *(Lit(v) for v in values)))
        return Fragment(text, Op("not", (expr,)) if negate else expr)

    def _c_between(self, attrs: list[Attribute], depth: int) -> Fragment | None:
        candidates = [a for a in attrs if a.type.kind not in ("enum", "bool")]
        if not candidates:
            return None
        attr = self.pick(candidates)
        low, high = self.value(attr.type), self.value(attr.type)
        return Fragment(
            f"{attr.name} BETWEEN {sql_literal(low)} AND {sql_literal(high)}",
            Op("between", (Col(attr.name), Lit(low), Lit(high))),
        )

    def _c_like(self, attrs: list[Attribute], depth: int) -> Fragment | None:
        candidates = [a for a in attrs if a.type.kind in ("varchar", "char", "text")]
        if not candidates:
            return None
        attr = self.pick(candidates)
        pattern = self.draw(st.text("ab%_ A'é", max_size=4))
        negate = self.draw(st.booleans())
        expr: Expr = Op("like", (Col(attr.name), Lit(pattern)))
        return Fragment(
            f"{attr.name} {'NOT LIKE' if negate else 'LIKE'} {sql_literal(pattern)}",
            Op("not", (expr,)) if negate else expr,
        )

    def _c_bool(self, attrs: list[Attribute], depth: int) -> Fragment | None:
        candidates = [a for a in attrs if a.type.kind == "bool"]
        if not candidates:
            return None
        attr = self.pick(candidates)
        form = self.draw(st.sampled_from(["bare", "not", "eq"]))
        if form == "bare":
            return Fragment(attr.name, Col(attr.name))
        if form == "not":
            return Fragment(f"NOT {attr.name}", Op("not", (Col(attr.name),)))
        value = self.draw(st.booleans())
        return Fragment(
            f"{attr.name} = {sql_literal(value)}", Op("=", (Col(attr.name), Lit(value)))
        )

    def _c_arith(self, attrs: list[Attribute], depth: int) -> Fragment | None:
        numbers = [a for a in attrs if _numeric(a)]
        if not numbers:
            return None
        left = self.arithmetic(numbers)
        op = self.draw(st.sampled_from(["<", ">=", "=", "<>"]))
        value = self.draw(st.integers(-5, 5))
        return Fragment(f"({left.text}) {op} {value}", Op(op, (left.expr, Lit(value))))

    def _combine(self, op: str, depth: int) -> Fragment:
        first, second = self.condition(depth - 1), self.condition(depth - 1)
        return Fragment(
            f"({first.text}) {op.upper()} ({second.text})", Op(op, (first.expr, second.expr))
        )

    def _c_and(self, attrs: list[Attribute], depth: int) -> Fragment:
        return self._combine("and", depth)

    def _c_or(self, attrs: list[Attribute], depth: int) -> Fragment:
        return self._combine("or", depth)

    def _c_not(self, attrs: list[Attribute], depth: int) -> Fragment:
        inner = self.condition(depth - 1)
        return Fragment(f"NOT ({inner.text})", Op("not", (inner.expr,)))

    # -- values -------------------------------------------------------------------------------
    def arithmetic(self, numbers: Sequence[Attribute]) -> Fragment:
        """``a + b``, ``a - 1``, ``a * 2``, ``-a`` over integer and decimal attributes."""
        first = self.pick(numbers)
        form = self.draw(st.sampled_from(["+", "-", "*", "neg", "+lit"]))
        if form == "neg":
            return Fragment(f"-{first.name}", Op("neg", (Col(first.name),)))
        if form == "+lit":
            value = self.draw(st.integers(-3, 3))
            return Fragment(f"{first.name} + {value}", Op("+", (Col(first.name), Lit(value))))
        second = self.pick(numbers)
        return Fragment(
            f"{first.name} {form} {second.name}", Op(form, (Col(first.name), Col(second.name)))
        )

    def computed(self) -> Fragment:
        """A value expression for ``proj(new=...)``."""
        attrs = _attrs(self.heading, _comparable)
        numbers = [a for a in attrs if _numeric(a)]
        strings = [a for a in attrs if a.type.kind in ("varchar", "char", "text")]
        kinds = ["condition"]
        if numbers:
            kinds += [
                "divide",
                "divide_columns",
                "coalesce",
                "modulo",
                "nullif",
                "scale",
                "arith",
                "arith",
                "abs",
                "real",
            ]
        if strings:
            kinds += ["concat", "length", "case", "concat_literal"]
        kind = self.draw(st.sampled_from(kinds))
        if kind == "condition":
            return self.condition(1)
        if kind == "real":  # outside their domain these have no value: an UndefinedValueError
            attr = self.pick(numbers)
            name = self.draw(st.sampled_from(["sqrt", "ln", "power"]))
            if name == "power":
                exponent = self.draw(st.sampled_from([-1, 2, decimal.Decimal("0.5")]))
                return Fragment(
                    f"power({attr.name}, {exponent})",
                    Func("power", (Col(attr.name), Lit(exponent))),
                )
            return Fragment(f"{name}({attr.name})", Func(name, (Col(attr.name),)))
        if kind == "divide_columns":  # division by zero has no value (an UndefinedValueError)
            first, second = self.pick(numbers), self.pick(numbers)
            return Fragment(
                f"{first.name} / {second.name}", Op("/", (Col(first.name), Col(second.name)))
            )
        if kind == "modulo":
            attr = self.pick(numbers)
            divisor = self.draw(st.sampled_from([2, 3, -4, 7, 0]))
            return Fragment(f"{attr.name} % {divisor}", Op("%", (Col(attr.name), Lit(divisor))))
        if kind == "nullif":
            attr = self.pick(numbers)
            value = self.draw(st.integers(-1, 1))
            return Fragment(
                f"nullif({attr.name}, {value})", Func("nullif", (Col(attr.name), Lit(value)))
            )
        if kind == "scale":
            attr = self.pick(numbers)
            factor = self.draw(st.sampled_from(["1.5", "0.25", "-2.0"]))
            return Fragment(
                f"{attr.name} * {factor}", Op("*", (Col(attr.name), Lit(decimal.Decimal(factor))))
            )
        if kind == "case":
            attr = self.pick(strings)
            name = self.draw(st.sampled_from(["lower", "upper"]))
            return Fragment(f"{name}({attr.name})", Func(name, (Col(attr.name),)))
        if kind == "concat_literal":
            attr = self.pick(strings)
            text = self.draw(st.sampled_from(["-", "'", "é"]))
            return Fragment(
                f"{attr.name} || {sql_literal(text)}", Op("concat", (Col(attr.name), Lit(text)))
            )
        if kind == "arith":
            return self.arithmetic(numbers)
        if kind == "divide":
            attr = self.pick(numbers)
            divisor = self.draw(st.sampled_from([2, 3, -4, 7, 0]))
            return Fragment(f"{attr.name} / {divisor}", Op("/", (Col(attr.name), Lit(divisor))))
        if kind == "coalesce":
            attr = self.pick(numbers)
            value = self.draw(st.integers(-2, 2))
            return Fragment(
                f"coalesce({attr.name}, {value})", Func("coalesce", (Col(attr.name), Lit(value)))
            )
        if kind == "abs":
            attr = self.pick(numbers)
            return Fragment(f"abs({attr.name})", Func("abs", (Col(attr.name),)))
        if kind == "concat":
            first, second = self.pick(strings), self.pick(strings)
            return Fragment(
                f"{first.name} || {second.name}", Op("concat", (Col(first.name), Col(second.name)))
            )
        attr = self.pick(strings)
        return Fragment(f"length({attr.name})", Func("length", (Col(attr.name),)))

    def aggregate(self, source: Heading) -> Fragment:
        """An aggregate over attributes of ``source`` (count, sum, avg, min, max)."""
        exact = _attrs(source, _comparable)
        numbers = [a for a in exact if _numeric(a)]
        ordered = [a for a in exact if a.type.kind != "bool"]
        kinds = ["count*", "count*"]
        if exact:
            kinds += ["count", "count_distinct"]
        if numbers:
            kinds += ["sum", "avg", "sum"]
        if ordered:
            kinds += ["min", "max"]
        kind = self.draw(st.sampled_from(kinds))
        if kind == "count*":
            return Fragment("count(*)", Agg("count", None))
        if kind in ("count", "count_distinct"):
            attr = self.pick(exact)
            distinct = kind == "count_distinct"
            return Fragment(
                f"count({'DISTINCT ' if distinct else ''}{attr.name})",
                Agg("count", Col(attr.name), distinct),
            )
        attr = self.pick(numbers if kind in ("sum", "avg") else ordered)
        return Fragment(f"{kind}({attr.name})", Agg(kind, Col(attr.name)))


@st.composite
def _fragment(
    draw: Callable,
    heading: Heading,
    kind: str,
    value_source: Callable[[CoreType], st.SearchStrategy[Any]],
) -> Fragment:
    fragments = _Fragments(draw, heading, value_source)
    if kind == "condition":
        return fragments.condition()
    if kind == "value":
        return fragments.computed()
    return fragments.aggregate(heading)


def condition_fragments(
    heading: Heading, value_source: Callable[[CoreType], st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[Fragment]:
    """Boolean fragments over ``heading``: comparisons, IS [NOT] NULL, [NOT] IN, BETWEEN,
    [NOT] LIKE, boolean attributes, arithmetic, AND / OR / NOT."""
    return _fragment(heading, "condition", value_source or values_of)


def value_fragments(heading: Heading) -> st.SearchStrategy[Fragment]:
    """Computed-attribute fragments over ``heading`` (arithmetic, /, coalesce, abs, ||, ...)."""
    return _fragment(heading, "value", values_of)


def aggregate_fragments(heading: Heading) -> st.SearchStrategy[Fragment]:
    """Aggregate fragments over ``heading`` (count, sum, avg, min, max)."""
    return _fragment(heading, "aggregate", values_of)


# -- query trees -------------------------------------------------------------------------------


@dataclass
class Built:
    """A generated query and the Python text that builds it."""

    query: Any
    text: str

    @property
    def heading(self) -> Heading:
        return self.query.plan.heading


def _plan_heading(cls: type[dj.Table]) -> Heading:
    """The plan heading of a declared table class."""
    assert cls._heading is not None, f"{cls.__name__} is not declared"
    return cls._heading.plan


@dataclass
class Catalog:
    """What query trees are built from: table classes and the values stored in them."""

    classes: Mapping[str, type[dj.Table]]
    rows: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    #: Numbers of the fresh attribute names (``x1``, ``x2``...) of the trees built from here.
    names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def pool(self, core: CoreType) -> list[Any]:
        """Values stored in attributes of type ``core`` (so that conditions match rows)."""
        out = []
        for name, cls in self.classes.items():
            heading = _plan_heading(cls)
            for attr in heading:
                if attr.type == core:
                    out += [
                        r[attr.name]
                        for r in self.rows.get(name, ())
                        if r.get(attr.name) is not None
                    ]
        return out


OPERATORS = (
    "restrict",
    "antirestrict",
    "proj",
    "join",
    "left_join",
    "aggr",
    "distinct",
    "group_by",
    "union",
    "top",
)


class _Trees:
    def __init__(self, draw: Callable, catalog: Catalog, operators: Sequence[str]):
        self.draw = draw
        self.catalog = catalog
        self.operators = list(operators)

    def fresh(self) -> str:
        return f"x{next(self.catalog.names)}"

    def values(self, core: CoreType) -> st.SearchStrategy[Any]:
        pool = self.catalog.pool(core)
        if pool:
            return st.one_of(st.sampled_from(pool), st.sampled_from(pool), values_of(core))
        return values_of(core)

    def fragments(self, heading: Heading) -> _Fragments:
        return _Fragments(self.draw, heading, self.values)

    # -- trees ----------------------------------------------------------------------------------
    def tree(self, depth: int) -> Built:
        if depth <= 1:
            return self.leaf()
        op = self.draw(st.sampled_from([*self.operators, "leaf"]))
        if op == "leaf":
            return self.leaf()
        return getattr(self, "_" + op)(depth)

    def leaf(self) -> Built:
        name = self.draw(st.sampled_from(sorted(self.catalog.classes)))
        return Built(self.catalog.classes[name](), name)

    def _restrict(self, depth: int) -> Built:
        return self._restrict_with(self.tree(depth - 1), depth // 2)

    def _restrict_with(self, child: Built, depth: int) -> Built:
        arg, text = self.condition(child.heading, depth)
        query = child.query & arg
        if query.plan is child.query.plan:
            return child  # restricted by something true: the same query
        return Built(query, f"({child.text} & {text})")

    def _antirestrict(self, depth: int) -> Built:
        child = self.tree(depth - 1)
        arg, text = self.condition(child.heading, depth // 2)
        return Built(child.query - arg, f"({child.text} - {text})")

    def _proj(self, depth: int) -> Built:
        child = self.tree(depth - 1)
        return self.project(child)

    def project(self, child: Built) -> Built:
        heading = child.heading
        secondary = list(heading.secondary)
        form = self.draw(st.sampled_from(["subset", "all", "drop", "key"]))
        args: list[str] = []
        if form == "subset":
            args = self.draw(st.lists(st.sampled_from(secondary), unique=True)) if secondary else []
        elif form == "all":
            args = ["..."]
        elif form == "drop" and secondary:
            args = ["-" + self.draw(st.sampled_from(secondary))]
        named: dict[str, str] = {}
        kept = (
            set(heading.names) if form in ("all", "drop") else set(args) | set(heading.primary_key)
        )
        for old in (
            self.draw(st.lists(st.sampled_from(list(heading.names)), max_size=2, unique=True))
            if heading.names
            else []
        ):
            if old in kept or old in heading.primary_key:
                if self.draw(st.integers(0, 3)) == 0:
                    named[self.fresh()] = f"({old})"  # a copy
                else:
                    named[self.fresh()] = old  # a rename
        for _ in range(self.draw(st.integers(0, 2))):
            named[self.fresh()] = self.fragments(heading).computed().text
        text_args = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in named.items()]
        return Built(child.query.proj(*args, **named), f"{child.text}.proj({', '.join(text_args)})")

    def reconcile(self, left: Heading, right: Built) -> Built:
        """Rename ``right``'s namesakes of ``left`` whose lineage differs (the .proj() fix)."""
        heading = right.heading
        bad = [
            n
            for n in heading.names
            if n in left and (left[n].lineage is None or left[n].lineage != heading[n].lineage)
        ]
        if not bad:
            return right
        named = {self.fresh(): n for n in bad}
        args = ", ".join(f"{k}={v!r}" for k, v in named.items())
        return Built(right.query.proj(..., **named), f"{right.text}.proj(..., {args})")

    def _join(self, depth: int) -> Built:
        left = self.tree(depth - 1)
        right = self.reconcile(left.heading, self.tree(depth // 2))
        return Built(left.query * right.query, f"({left.text} * {right.text})")

    def _left_join(self, depth: int) -> Built:
        left = self.tree(depth - 1)
        parents = [
            name
            for name, cls in sorted(self.catalog.classes.items())
            if all(
                n in left.heading
                and left.heading[n].lineage is not None
                and left.heading[n].lineage == _plan_heading(cls)[n].lineage
                for n in _plan_heading(cls).primary_key
            )
        ]
        if parents and self.draw(st.integers(0, 3)) > 0:
            name = self.draw(st.sampled_from(parents))
            right = Built(self.catalog.classes[name](), name)
            if self.draw(st.booleans()):
                right = self._restrict_with(right, depth // 2)
        else:
            right = self.tree(depth // 2)
        right = self.reconcile(left.heading, right)
        if not all(n in left.heading for n in right.heading.primary_key):
            return Built(left.query * right.query, f"({left.text} * {right.text})")
        return Built(
            left.query.join(right.query, left=True), f"{left.text}.join({right.text}, left=True)"
        )

    def _aggr(self, depth: int) -> Built:
        group = self.tree(depth - 1)
        if any(group.heading[n].lineage is None for n in group.heading.primary_key):
            return self._group_by_on(group)  # a key without lineage matches nothing
        source = self.aggregated(group, depth // 2)
        exclude = self.draw(st.booleans())
        namespace = Heading(
            tuple(group.heading) + tuple(a for a in source.heading if a.name not in group.heading)
        )
        fragments = self.fragments(namespace)
        arguments = source.heading
        named = {
            self.fresh(): fragments.aggregate(arguments).text
            for _ in range(self.draw(st.integers(1, 3)))
        }
        secondary = list(group.heading.secondary)
        keep = self.draw(st.sampled_from(["none", "all", "some"]))
        args: list[Any] = []
        if keep == "all":
            args = [...]
        elif keep == "some" and secondary:
            args = self.draw(st.lists(st.sampled_from(secondary), unique=True, max_size=2))
        query = group.query.aggr(source.query, *args, exclude_nonmatching=exclude, **named)
        text_args = ["..." if a is ... else repr(a) for a in args]
        text_args += [f"{k}={v!r}" for k, v in named.items()]
        if exclude:
            text_args.append("exclude_nonmatching=True")
        return Built(query, f"{group.text}.aggr({source.text}, {', '.join(text_args)})")

    def aggregated(self, group_query: Built, depth: int) -> Built:
        """A query to aggregate per row of ``group``: it has ``group``'s whole primary key."""
        group = group_query.heading
        key = group.primary_key
        children = [
            name
            for name, cls in sorted(self.catalog.classes.items())
            if all(
                n in _plan_heading(cls)
                and _plan_heading(cls)[n].lineage is not None
                and _plan_heading(cls)[n].lineage == group[n].lineage
                for n in key
            )
        ]
        if children and self.draw(st.integers(0, 2)) > 0:
            name = self.draw(st.sampled_from(children))
            source = Built(self.catalog.classes[name](), name)
            if self.draw(st.booleans()):  # matches filtered out: the group stays, count 0
                source = self._restrict_with(source, depth - 1)
            return self.reconcile(group, source)
        source = self.reconcile(group, self.tree(depth))
        if all(n in source.heading for n in key):
            return source
        # Join the source with the group's keys, as DataJoint's error message suggests.
        return Built(
            group_query.query.proj() * source.query, f"({group_query.text}.proj() * {source.text})"
        )

    def _grouping_attrs(self, heading: Heading) -> list[str]:
        names = [a.name for a in heading if is_exact(a.type)]
        return self.draw(st.lists(st.sampled_from(names), unique=True, max_size=2)) if names else []

    def _distinct(self, depth: int) -> Built:
        child = self.tree(depth - 1)
        attrs = self._grouping_attrs(child.heading)
        return Built(
            dj.U(*attrs) & child.query, f"(dj.U({', '.join(map(repr, attrs))}) & {child.text})"
        )

    def _group_by(self, depth: int) -> Built:
        return self._group_by_on(self.tree(depth - 1))

    def _group_by_on(self, child: Built) -> Built:
        attrs = self._grouping_attrs(child.heading)
        fragments = self.fragments(child.heading)
        named: dict[str, Any] = {  # Any: mypy cannot tell it holds no exclude_nonmatching
            self.fresh(): fragments.aggregate(child.heading).text
            for _ in range(self.draw(st.integers(1, 2)))
        }
        text_args = [repr(a) for a in attrs]
        return Built(
            dj.U(*attrs).aggr(child.query, **named),
            f"dj.U({', '.join(text_args)}).aggr({child.text}, "
            f"{', '.join(f'{k}={v!r}' for k, v in named.items())})",
        )

    def _union(self, depth: int) -> Built:
        base = self.tree(max(depth - 2, 1))
        if any(base.heading[n].lineage is None for n in base.heading.primary_key):
            return base  # a key without lineage (dj.U('a') & q) cannot be matched in a union
        secondary = list(base.heading.secondary)
        # Half of the unions are of key-only operands (a set union, duplicates removed).
        chosen = (
            self.draw(st.lists(st.sampled_from(secondary), unique=True))
            if secondary and self.draw(st.booleans())
            else []
        )
        split = self.draw(st.integers(0, len(chosen)))
        left_attrs, right_attrs = chosen[:split], chosen[split:]
        left_cond, left_text = self.condition(base.heading, 1)
        right_cond, right_text = self.condition(base.heading, 1)
        named = {self.fresh(): n for n in right_attrs} if self.draw(st.booleans()) else {}
        right_plain = [] if named else right_attrs
        left = (base.query & left_cond).proj(*left_attrs)
        right = (base.query & right_cond).proj(*right_plain, **named)
        right_args = [repr(a) for a in right_plain] + [f"{k}={v!r}" for k, v in named.items()]
        text = (
            f"(({base.text} & {left_text}).proj({', '.join(map(repr, left_attrs))}) + "
            f"({base.text} & {right_text}).proj({', '.join(right_args)}))"
        )
        return Built(left + right, text)

    def _top(self, depth: int) -> Built:
        child = self.tree(depth - 1)
        top, text = self.top(child.heading)
        return Built(child.query & top, f"({child.text} & {text})")

    def top(self, heading: Heading) -> tuple[Any, str]:
        names = [a.name for a in heading if is_exact(a.type)]
        nullable = [n for n in names if heading[n].nullable]
        order: list[str] = []
        if names and self.draw(st.booleans()):
            # Nullable attributes first, half of the time: where NULLs sort matters.
            first = nullable if nullable and self.draw(st.booleans()) else names
            chosen = [self.draw(st.sampled_from(first))]
            chosen += self.draw(st.lists(st.sampled_from(names), unique=True, max_size=1))
            for name in dict.fromkeys(chosen):
                order.append(name + (" DESC" if self.draw(st.booleans()) else ""))
        else:
            order = ["KEY" + (" DESC" if self.draw(st.booleans()) else "")]
        limit = self.draw(st.one_of(st.none(), st.integers(0, 3)))
        offset = self.draw(st.integers(0, 2))
        return (
            dj.Top(limit, order_by=order, offset=offset),
            f"dj.Top({limit!r}, order_by={order!r}, offset={offset})",
        )

    # -- conditions -----------------------------------------------------------------------------
    def condition(self, heading: Heading, depth: int, nested: int = 0) -> tuple[Any, str]:
        """A restriction argument for a query with ``heading``, and its Python text."""
        kinds = [
            "dict",
            "dict",
            "string",
            "string",
            "string",
            "list",
            "andlist",
            "not",
            "bool",
            "none",
        ]
        if depth > 0:
            kinds += ["query", "query", "query"]
        if nested > 1:
            kinds = [k for k in kinds if k not in ("list", "andlist", "not")]
        kind = self.draw(st.sampled_from(kinds))
        if kind == "dict":
            return self.dict_condition(heading)
        if kind == "string":
            fragment = self.fragments(heading).condition()
            return fragment.text, repr(fragment.text)
        if kind in ("list", "andlist"):
            items = [
                self.condition(heading, depth - 1, nested + 1)
                for _ in range(self.draw(st.integers(0 if kind == "list" else 1, 3)))
            ]
            args = [arg for arg, _ in items]
            body = ", ".join(text for _, text in items)
            if kind == "andlist":
                return dj.AndList(args), f"dj.AndList([{body}])"
            return args, f"[{body}]"
        if kind == "not":
            arg, text = self.condition(heading, depth - 1, nested + 1)
            return dj.Not(arg), f"dj.Not({text})"
        if kind == "bool":
            value = self.draw(st.booleans())
            return value, repr(value)
        if kind == "none":
            return None, "None"
        other = self.reconcile(heading, self.tree(max(depth, 1)))
        return other.query, other.text

    def dict_condition(self, heading: Heading) -> tuple[dict[str, Any], str]:
        exact = [a for a in heading if is_exact(a.type)]
        least = 1 if self.draw(st.integers(0, 3)) else 0  # an empty dict a quarter of the time
        chosen = (
            self.draw(
                st.lists(
                    st.sampled_from(exact), unique_by=lambda a: a.name, min_size=least, max_size=3
                )
            )
            if exact
            else []
        )
        out: dict[str, Any] = {}
        for attr in chosen:
            nullable = attr.nullable or self.draw(st.integers(0, 5)) == 0
            out[attr.name] = self.draw(maybe_null(self.values(attr.type), nullable))
        if self.draw(st.integers(0, 4)) == 0:
            out["not_an_attribute"] = 1  # ignored: keys outside the heading
        return out, repr(out)


@st.composite
def query_trees(
    draw: Callable, catalog: Catalog, max_depth: int = 6, operators: Sequence[str] = OPERATORS
) -> Built:
    """A random query over ``catalog`` of depth at most ``max_depth`` (see the module doc)."""
    # Counted down, so that the simplest choices Hypothesis favours make deep trees (their
    # restrictions by empty dicts vanish while shrinking).
    return _Trees(draw, catalog, operators).tree(max_depth - draw(st.integers(0, max_depth - 1)))


@st.composite
def restrictions(
    draw: Callable, catalog: Catalog, heading: Heading, depth: int = 2
) -> tuple[Any, str]:
    """A restriction argument for a query with ``heading`` (any kind) and its Python text."""
    return _Trees(draw, catalog, OPERATORS).condition(heading, depth)


@st.composite
def dict_restrictions(
    draw: Callable, catalog: Catalog, heading: Heading
) -> tuple[dict[str, Any], str]:
    """A dict restriction for a query with ``heading`` and its Python text."""
    return _Trees(draw, catalog, OPERATORS).dict_condition(heading)


@st.composite
def string_restrictions(draw: Callable, catalog: Catalog, heading: Heading) -> Fragment:
    """An SQL string restriction for a query with ``heading``."""
    return _Trees(draw, catalog, OPERATORS).fragments(heading).condition()
