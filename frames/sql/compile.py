"""Compile a plan to SQL text with bound parameters, cached by plan shape.

Two plans that differ only in their bound values (:class:`~frames.plan.values.Param`) have equal
shapes, so the SQL compiled for one serves the other. The first compile of a shape also records
where its parameters sit (a path of fields and tuple positions to each); a later plan of that
shape has its values read along those paths, in the order one walk over the plan would find them,
without walking it again. Equal shapes have equal structure (same node classes, same tuple
lengths, a parameter exactly where the other has one), so the recorded paths fit every plan of
the shape.

Values are bound as each dialect stores them (a ``uuid`` as text, or as its 16 bytes on MySQL),
and the columns of a result are selected in a form every driver reads exactly (a ``float32`` as
a double and a byte-stored ``uuid`` as its canonical text on MySQL).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlglot import exp

from frames.plan.nodes import Cond, Node
from frames.plan.rewrite import rewrite
from frames.plan.values import Expr, Param
from frames.sql.dialects import Dialect, get_dialect
from frames.sql.emit import uuid_text
from frames.sql.lower import Lowering

Mode = Literal["rows", "count", "exists", "insert"]
_PLACEHOLDER = re.compile(r"\$p(\d+)|%\(p(\d+)\)s|:p(\d+)")


@dataclass(frozen=True)
class CompiledQuery:
    """SQL text with ``?`` placeholders and, for each, the index of its parameter occurrence."""

    sql: str
    positions: tuple[int, ...]
    dialect: Dialect

    def bind(self, params: list[Param]) -> list[Any]:
        """Driver values for the placeholders, from the plan's parameter occurrences."""
        dialect = self.dialect
        values = [params[i].value for i in self.positions]
        return [driver_value(v, dialect) if isinstance(v, uuid.UUID) else v for v in values]


def driver_value(value: Any, dialect: Dialect) -> Any:
    """``value`` as the driver of ``dialect`` binds it: a UUID as text, or as its 16 bytes
    where the dialect stores uuids as bytes (MySQL)."""
    if isinstance(value, uuid.UUID):
        return value.bytes if dialect.uuid_bytes else str(value)
    return value


def render(statement: exp.Expr, dialect: Dialect) -> CompiledQuery:
    """``statement`` as SQL text of ``dialect``, its numbered placeholders replaced by ``?``."""
    positions: list[int] = []

    def placeholder(match: re.Match[str]) -> str:
        positions.append(int(next(g for g in match.groups() if g is not None)))
        return "?"

    text = statement.sql(dialect=dialect.sqlglot)
    return CompiledQuery(_PLACEHOLDER.sub(placeholder, text), tuple(positions), dialect)


def _params(node: Node) -> list[Param]:
    """Every parameter occurrence in ``node``, depth first in field order."""
    found: list[Param] = []
    _collect(node, found)
    return found


def _collect(obj: Any, found: list[Param]) -> None:
    if isinstance(obj, Param):
        found.append(obj)
    elif isinstance(obj, tuple):
        for item in obj:
            _collect(item, found)
    elif isinstance(obj, (Node, Cond, Expr)):
        for name in _operand_fields(type(obj)):
            _collect(getattr(obj, name), found)


_OPERAND_FIELDS: dict[type, tuple[str, ...]] = {}


def _operand_fields(cls: type) -> tuple[str, ...]:
    """The fields of a plan class that may hold parameters (all but the derived heading)."""
    fields = _OPERAND_FIELDS.get(cls)
    if fields is None:
        fields = tuple(f.name for f in dataclasses.fields(cls) if f.name != "heading")
        _OPERAND_FIELDS[cls] = fields
    return fields


def collect_params(node: Node) -> tuple[list[Param], tuple[int, ...]]:
    """Every parameter occurrence in canonical order, and which occurrences share an object."""
    params = _params(node)
    return params, _sharing(params)


def _sharing(params: list[Param]) -> tuple[int, ...]:
    """For each parameter occurrence, the index of the first occurrence of the same object."""
    first: dict[int, int] = {}
    return tuple([first.setdefault(id(p), i) for i, p in enumerate(params)])


Step = Callable[[Any], Any]


def _param_paths(node: Node) -> tuple[tuple[Step, ...], ...]:
    """For each parameter occurrence of ``node`` (in :func:`_params` order), the steps that
    lead to it from the root: one attribute getter per run of fields, one item getter per
    tuple position."""
    paths: list[tuple[Step, ...]] = []
    _trace(node, [], paths)
    return tuple(paths)


def _trace(obj: Any, route: list[str | int], paths: list[tuple[Step, ...]]) -> None:
    """Record the route to every parameter under ``obj`` (``route`` leads to ``obj``)."""
    if isinstance(obj, Param):
        paths.append(_steps(route))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            _trace(item, [*route, i], paths)
    elif isinstance(obj, (Node, Cond, Expr)):
        for name in _operand_fields(type(obj)):
            _trace(getattr(obj, name), [*route, name], paths)


def _steps(route: list[str | int]) -> tuple[Step, ...]:
    """``route`` as getters: consecutive field names joined into one dotted attribute getter."""
    steps: list[Step] = []
    names: list[str] = []
    for hop in route:
        if isinstance(hop, str):
            names.append(hop)
            continue
        if names:
            steps.append(operator.attrgetter(".".join(names)))
            names = []
        steps.append(operator.itemgetter(hop))
    if names:
        steps.append(operator.attrgetter(".".join(names)))
    return tuple(steps)


@dataclass
class _Shape:
    """What the cache keeps for one plan shape on one dialect and mode: where its parameters
    sit and, per sharing of parameter objects, the compiled query."""

    paths: tuple[tuple[Step, ...], ...]
    compiled: dict[tuple[int, ...], CompiledQuery] = field(default_factory=dict)

    def params(self, node: Node) -> list[Param]:
        """The parameter occurrences of ``node`` (a plan of this shape), in canonical order."""
        found = []
        for steps in self.paths:
            value: Any = node
            for step in steps:
                value = step(value)
            found.append(value)
        return found


def compile_plan(node: Node, dialect: str, mode: Mode = "rows") -> tuple[str, list[Any]]:
    """SQL text and parameter values for ``node`` on ``dialect``.

    ``mode``: ``'rows'`` selects the heading's attributes to be read (see the module
    documentation); ``'insert'`` selects them as stored, for ``INSERT ... SELECT``;
    ``'count'`` counts the rows; ``'exists'`` returns one row if there is any.
    """
    shape = _compile_cached(node, dialect, mode)
    params = shape.params(node)
    sharing = _sharing(params)
    compiled = shape.compiled.get(sharing)
    if compiled is None:
        compiled = shape.compiled.setdefault(sharing, compile_shape(node, dialect, mode, sharing))
    return compiled.sql, compiled.bind(params)


@functools.lru_cache(maxsize=2048)
def _compile_cached(node: Node, dialect: str, mode: Mode) -> _Shape:
    """The cache entry of ``node``'s shape (its queries are compiled as they are needed)."""
    return _Shape(_param_paths(node))


def compile_shape(
    node: Node, dialect: str, mode: Mode, sharing: tuple[int, ...] | None = None
) -> CompiledQuery:
    """Compile without the cache (``sharing`` from :func:`collect_params`)."""
    target = get_dialect(dialect)
    params = _params(node)
    if sharing is None:
        sharing = collect_params(node)[1]
    index = {id(p): sharing[i] for i, p in enumerate(params)}
    lowering = Lowering(target, index)
    block = lowering.lower(rewrite(node))
    if mode == "rows":
        block.columns.update(_readable_columns(block.columns, node, target))
    if mode in ("rows", "insert"):
        query = lowering.select(block, node.heading.names)
    else:
        if block.sealed:
            block = lowering.wrap(block, node.heading.names)
        block.columns = {}
        block.order = []
        inner = lowering.select(block)
        if mode == "count":
            alias = lowering.alias()
            query = exp.select(exp.alias_(exp.Count(this=exp.Star()), "n", quoted=True)).from_(
                exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias)))
            )
        else:
            query = exp.select(exp.alias_(exp.Exists(this=inner), "e", quoted=True))
    return render(query, target)


def _readable_columns(
    columns: dict[str, exp.Expr], node: Node, target: Dialect
) -> dict[str, exp.Expr]:
    """The output columns of ``node`` that ``target``'s driver would not read exactly, each
    selected in a form it does: float32 as double, uuids stored as bytes as their text."""
    readable: dict[str, exp.Expr] = {}
    for attr in node.heading:
        if attr.type.kind == "float32" and target.float32_output_cast:
            to = exp.DataType.build(target.float32_output_cast, dialect=target.sqlglot)
            readable[attr.name] = exp.Cast(this=columns[attr.name], to=to)
        elif attr.type.kind == "uuid" and target.uuid_bytes:
            readable[attr.name] = uuid_text(columns[attr.name])
    return readable
