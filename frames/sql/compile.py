"""Compile a plan to SQL text with bound parameters, cached by plan shape.

Two plans that differ only in their bound values (:class:`~frames.plan.values.Param`) have equal
shapes, so the SQL compiled for one serves the other: only the parameter values are collected
again, by one walk over the plan in a fixed order.

Values are bound as each dialect stores them (a ``uuid`` as text, or as its 16 bytes on MySQL),
and the columns of a result are selected in a form every driver reads exactly (a ``float32`` as
a double and a byte-stored ``uuid`` as its canonical text on MySQL).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import uuid
from dataclasses import dataclass
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
        return [driver_value(params[i].value, self.dialect) for i in self.positions]


def driver_value(value: Any, dialect: Dialect) -> Any:
    """``value`` as the driver of ``dialect`` binds it: a UUID as text, or as its 16 bytes
    where the dialect stores uuids as bytes (MySQL)."""
    if isinstance(value, uuid.UUID):
        return value.bytes if dialect.uuid_bytes else str(value)
    return value


def render(statement: exp.Expression, dialect: Dialect) -> CompiledQuery:
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


@functools.cache
def _operand_fields(cls: type) -> tuple[str, ...]:
    """The fields of a plan class that may hold parameters (all but the derived heading)."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "heading")


def collect_params(node: Node) -> tuple[list[Param], tuple[int, ...]]:
    """Every parameter occurrence in canonical order, and which occurrences share an object."""
    params = _params(node)
    first: dict[int, int] = {}
    sharing = tuple(first.setdefault(id(p), i) for i, p in enumerate(params))
    return params, sharing


def compile_plan(node: Node, dialect: str, mode: Mode = "rows") -> tuple[str, list[Any]]:
    """SQL text and parameter values for ``node`` on ``dialect``.

    ``mode``: ``'rows'`` selects the heading's attributes to be read (see the module
    documentation); ``'insert'`` selects them as stored, for ``INSERT ... SELECT``;
    ``'count'`` counts the rows; ``'exists'`` returns one row if there is any.
    """
    params, sharing = collect_params(node)
    compiled = _compile_cached(node, dialect, mode, sharing)
    return compiled.sql, compiled.bind(params)


@functools.lru_cache(maxsize=2048)
def _compile_cached(node: Node, dialect: str, mode: Mode,
                    sharing: tuple[int, ...]) -> CompiledQuery:
    return compile_shape(node, dialect, mode, sharing)


def compile_shape(node: Node, dialect: str, mode: Mode,
                  sharing: tuple[int, ...] | None = None) -> CompiledQuery:
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
                exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias))))
        else:
            query = exp.select(exp.alias_(exp.Exists(this=inner), "e", quoted=True))
    return render(query, target)


def _readable_columns(columns: dict[str, exp.Expression], node: Node,
                      target: Dialect) -> dict[str, exp.Expression]:
    """The output columns of ``node`` that ``target``'s driver would not read exactly, each
    selected in a form it does: float32 as double, uuids stored as bytes as their text."""
    readable: dict[str, exp.Expression] = {}
    for attr in node.heading:
        if attr.type.kind == "float32" and target.float32_output_cast:
            to = exp.DataType.build(target.float32_output_cast, dialect=target.sqlglot)
            readable[attr.name] = exp.Cast(this=columns[attr.name], to=to)
        elif attr.type.kind == "uuid" and target.uuid_bytes:
            readable[attr.name] = uuid_text(columns[attr.name])
    return readable
