"""Plan expressions → sqlglot expressions for one dialect.

Semantics that differ between engines are pinned here, the same way for every backend: ``/`` is
floating division, ``avg`` averages in floating point, ``stddev``/``variance`` are the sample
statistics, ``||`` concatenation yields NULL when an operand is NULL, and an undefined value
(division by zero, ``sqrt`` of a negative number, ...) raises an error naming the expression
(:mod:`frames.sql.guards`).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable

from sqlglot import exp

from frames.plan.values import (
    INT64,
    PANDAS_FUNCTIONS,
    TEXT,
    UUID,
    Agg,
    Case,
    Cast,
    Col,
    Expr,
    Func,
    Lit,
    Op,
    Over,
    Param,
)
from frames.sql import guards
from frames.sql.dialects import Dialect
from frames.sql.guards import describe

Resolver = Callable[[str], exp.Expr]
ParamSlot = Callable[[Param], exp.Expr]

_BINARY = {
    "+": exp.Add,
    "-": exp.Sub,
    "*": exp.Mul,
    "=": exp.EQ,
    "<>": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
    "like": exp.Like,
}
#: Where the canonical text of a uuid has its dashes (1-based, as SQL's INSERT() counts).
_UUID_DASHES = (9, 14, 19, 24)
_AGGREGATES = {
    "sum": exp.Sum,
    "min": exp.Min,
    "max": exp.Max,
    "stddev": exp.StddevSamp,
    "variance": exp.Variance,
}


class ExprEmitter:
    """Emits plan expressions for ``dialect``; columns via ``resolve``, parameters via ``slot``."""

    def __init__(self, dialect: Dialect, slot: ParamSlot):
        self.dialect = dialect
        self.slot = slot

    def float_cast(self, value: exp.Expr) -> exp.Expr:
        """``CAST(value AS <float type>)``."""
        return exp.Cast(
            this=value, to=exp.DataType.build(self.dialect.float_cast, dialect=self.dialect.sqlglot)
        )

    def emit(self, expr: Expr, resolve: Resolver) -> exp.Expr:
        """The sqlglot expression for ``expr`` with columns resolved by ``resolve``."""
        if isinstance(expr, Col):
            return resolve(expr.name).copy()
        if isinstance(expr, Param):
            return self.slot(expr)
        if isinstance(expr, Lit):
            return literal(expr.value)
        if isinstance(expr, Op):
            return self._op(expr, resolve)
        if isinstance(expr, Agg):
            return self._aggregate(expr, resolve)
        if isinstance(expr, Func) and expr.name == "date_add":
            return self._date_add(expr, self.emit(expr.args[0], resolve))
        if isinstance(expr, Over):
            return self._window(expr, resolve)
        if isinstance(expr, Func) and expr.name in PANDAS_FUNCTIONS:
            return self._pandas_function(expr.name, [self.emit(a, resolve) for a in expr.args])
        if isinstance(expr, Func):
            args = [self.emit(arg, resolve) for arg in expr.args]
            if expr.name == "finite":
                return guards.finite(self.dialect, args[0], f"overflow in {describe(expr)}")
            if expr.name == "text_cast":
                return self._text_cast(expr, args[0])
            if expr.name in guards.RULES:
                return self._guarded(expr, self._function(expr, args), args)
            return self._function(expr, args)
        if isinstance(expr, Case):
            ifs = [
                exp.If(this=self.emit(c, resolve), true=self.emit(v, resolve))
                for c, v in expr.whens
            ]
            return exp.Case(ifs=ifs, default=self.emit(expr.default, resolve))
        if isinstance(expr, Cast):
            return exp.Cast(
                this=self.emit(expr.arg, resolve),
                to=exp.DataType.build(
                    self.dialect.cast_type(expr.type), dialect=self.dialect.sqlglot
                ),
            )
        raise TypeError(f"cannot emit {expr!r}")

    def _function(self, expr: Func, args: list[exp.Expr]) -> exp.Expr:
        if expr.name == "log10":
            return exp.Anonymous(this="LOG10", expressions=[a.copy() for a in args])
        if expr.name in ("uuid_text", "uuid_from_text"):
            return self._uuid_conversion(expr.name, args[0])
        if expr.name == "current_date":
            return exp.CurrentDate()
        if expr.name == "current_timestamp":
            return exp.CurrentTimestamp()
        args = [a.copy() for a in args]
        if expr.name == "round" and len(args) == 2 and self.dialect.round_cast:
            args[0] = exp.Cast(
                this=args[0],
                to=exp.DataType.build(self.dialect.round_cast, dialect=self.dialect.sqlglot),
            )
        return exp.func(expr.name, *args, dialect="postgres")

    def _text_cast(self, expr: Func, cast: exp.Expr) -> exp.Expr:
        """The ``CAST`` of text ``cast``, raising where the text spells no value of the type."""
        target = expr.args[0].type  # type: ignore[attr-defined]
        assert isinstance(cast, exp.Cast)
        condition = guards.text_cast_condition(self.dialect, cast.this, cast, target)
        description = f"text that is not a {target} in {describe(expr)}"
        return guards.guarded(self.dialect, cast, condition, description)

    def _guarded(self, expr: Op | Func, value: exp.Expr, args: list[exp.Expr]) -> exp.Expr:
        """``value``, the SQL of ``expr``, raising where ``expr`` is undefined (see
        :mod:`frames.sql.guards`)."""
        condition, what = guards.RULES[expr.op if isinstance(expr, Op) else expr.name]
        return guards.guarded(self.dialect, value, condition(args), f"{what} in {describe(expr)}")

    def _op(self, expr: Op, resolve: Resolver) -> exp.Expr:
        args = [self.emit(arg, resolve) for arg in expr.args]
        op = expr.op
        if op == "%":
            value: exp.Binary = exp.Mod(
                this=parenthesized(args[0].copy()), expression=parenthesized(args[1].copy())
            )
            return self._guarded(expr, value, args)
        if op in _BINARY:
            return _BINARY[op](this=parenthesized(args[0]), expression=parenthesized(args[1]))
        if op == "/":
            value = exp.Div(
                this=self.float_cast(args[0].copy()), expression=parenthesized(args[1].copy())
            )
            return self._guarded(expr, value, args)
        if op == "neg":
            return exp.Neg(this=parenthesized(args[0]))
        if op == "and":
            return exp.and_(*self.conjuncts(list(expr.args), args))
        if op == "or":
            listed = _membership(expr, args)
            return listed if listed is not None else exp.Paren(this=exp.or_(*args))
        if op == "not":
            return exp.Not(this=parenthesized(args[0]))
        if op == "is_null":
            return exp.Is(this=parenthesized(args[0]), expression=exp.Null())
        if op == "in":
            if len(args) == 1:
                return exp.false()  # no candidates: nothing is in the empty list
            return exp.In(this=parenthesized(args[0]), expressions=args[1:])
        if op == "between":
            return exp.Between(
                this=parenthesized(args[0]),
                low=parenthesized(args[1]),
                high=parenthesized(args[2]),
            )
        if op == "concat":
            return exp.DPipe(this=args[0], expression=args[1], safe=True)
        raise TypeError(f"unknown operator {op!r}")

    def _pandas_function(self, name: str, args: list[exp.Expr]) -> exp.Expr:
        """The functions of :data:`~frames.plan.values.PANDAS_FUNCTIONS`."""
        if name == "strpos":
            return exp.StrPosition(this=args[0], substr=args[1])
        if name in ("reverse", "replace"):
            return exp.Anonymous(this=name.upper(), expressions=args)
        function = self.dialect.date_part_functions.get(name)
        if function is not None:
            return exp.Anonymous(this=function, expressions=args)
        part = {"weekday": "ISODOW", "dayofyear": "DOY"}.get(name, name.upper())
        value: exp.Expr = exp.Extract(this=exp.var(part), expression=args[0])
        if name == "second":  # PostgreSQL's seconds have a fraction
            value = exp.Floor(this=value)
        integer = exp.Cast(
            this=value,
            to=exp.DataType.build(self.dialect.cast_type(INT64), dialect=self.dialect.sqlglot),
        )
        return (
            exp.Sub(this=integer, expression=exp.Literal.number(1))
            if name == "weekday"
            else integer
        )

    def _window(self, expr: Over, resolve: Resolver) -> exp.Expr:
        """``fn OVER (PARTITION BY ... ORDER BY ... ROWS BETWEEN ...)``."""
        fn = expr.fn
        if isinstance(fn, Func):
            args = [self.emit(arg, resolve) for arg in fn.args]
            if fn.name == "lag":
                call: exp.Expr = exp.Lag(this=args[0], offset=args[1])
            elif fn.name == "lead":
                call = exp.Lead(this=args[0], offset=args[1])
            else:
                call = exp.Anonymous(this=fn.name.upper(), expressions=args)
        else:
            call = self.emit(fn, resolve)
        order: list[exp.Ordered] = []
        for key, descending, nulls_first in expr.order:
            value = self.emit(key, resolve)
            if not self.dialect.window_nulls_clause and nulls_first == descending:
                # NULLs sort first ascending here: a leading key puts them where asked
                null = exp.Is(this=parenthesized(value.copy()), expression=exp.Null())
                order.append(exp.Ordered(this=null, desc=nulls_first, nulls_first=not nulls_first))
                nulls_first = not descending
            order.append(exp.Ordered(this=value, desc=descending, nulls_first=nulls_first))
        window = exp.Window(
            this=call,
            partition_by=[self.emit(p, resolve) for p in expr.partition] or None,
            order=exp.Order(expressions=order) if order else None,
        )
        if expr.frame is not None:
            window.set("spec", _frame(*expr.frame))
        return window

    def conjuncts(self, items: list[Expr | None], emitted: list[exp.Expr]) -> list[exp.Expr]:
        """The ``emitted`` SQL of AND-ed ``items``, with the exclusions of one column
        (``a <> 1 AND NOT (a = 2) AND ...``) merged into one ``a NOT IN (1, 2, ...)`` (the
        same meaning, for values that are not NULL; DuckDB's memory grows with the square of
        the number of separate exclusions). ``None`` items are not expressions (kept)."""
        kept: list[exp.Expr] = []
        excluded: dict[str, tuple[exp.Expr, list[exp.Expr]]] = {}
        for item, sql in zip(items, emitted, strict=True):
            name = exclusion(item) if item is not None else None
            comparison = sql.this if isinstance(sql, exp.Not) else sql
            while isinstance(comparison, exp.Paren):
                comparison = comparison.this
            if name is None or not isinstance(comparison, (exp.NEQ, exp.EQ)):
                kept.append(sql)
                continue
            column, values = excluded.setdefault(name, (comparison.this, []))
            values.append(comparison.expression)
        for column, values in excluded.values():
            listed = exp.In(this=column, expressions=values)
            kept.append(
                exp.Not(this=listed)
                if len(values) > 1
                else exp.NEQ(this=column, expression=values[0])
            )
        return kept

    def _date_add(self, expr: Func, value: exp.Expr) -> exp.Expr:
        """``value + INTERVAL amount unit`` (the amount and the unit are literals)."""
        amount, unit = (arg.value for arg in expr.args[1:])  # type: ignore[attr-defined]
        return exp.DateAdd(
            this=value, expression=exp.Literal.number(amount), unit=exp.Var(this=str(unit).upper())
        )

    def _uuid_conversion(self, name: str, arg: exp.Expr) -> exp.Expr:
        """``uuid_text`` (a uuid's canonical text) or ``uuid_from_text`` (the uuid a text
        spells) for the dialect's uuid storage."""
        if self.dialect.uuid_bytes:
            if name == "uuid_text":
                return uuid_text(arg)
            digits = exp.Anonymous(
                this="REPLACE", expressions=[arg, exp.Literal.string("-"), exp.Literal.string("")]
            )
            return exp.Unhex(this=digits)
        target = TEXT if name == "uuid_text" else UUID
        return exp.Cast(
            this=arg,
            to=exp.DataType.build(self.dialect.cast_type(target), dialect=self.dialect.sqlglot),
        )

    def _aggregate(self, expr: Agg, resolve: Resolver) -> exp.Expr:
        if expr.arg is None:
            return exp.Count(this=exp.Star())
        arg = self.emit(expr.arg, resolve)
        if expr.distinct:
            arg = exp.Distinct(expressions=[arg])
        if expr.name == "count":
            return exp.Count(this=arg)
        if expr.name == "avg":
            return exp.Avg(this=self.float_cast(arg) if not expr.distinct else arg)
        if expr.name in ("stddev", "variance") and not expr.distinct:
            arg = self.float_cast(arg)  # MariaDB keeps 4 decimals of an integer's statistics
        return _AGGREGATES[expr.name](this=arg)


def exclusion(expr: Expr) -> str | None:
    """The column ``expr`` excludes a value of — ``a <> 1`` or ``NOT (a = 1)`` — or None."""
    if isinstance(expr, Op) and expr.op == "not" and isinstance(expr.args[0], Op):
        inner = expr.args[0]
        if inner.op != "=":
            return None
    elif isinstance(expr, Op) and expr.op == "<>":
        inner = expr
    else:
        return None
    column, value = inner.args
    if isinstance(column, Col) and isinstance(value, (Param, Lit)) and value.value is not None:
        return column.name
    return None


def _membership(expr: Op, args: list[exp.Expr]) -> exp.Expr | None:
    """``a = 1 OR a = 2 OR ...`` (one column, values) as ``a IN (1, 2, ...)``: the same
    meaning, which engines plan far better when long (DuckDB's memory grows with the square of
    the length of ``NOT (a = 1 OR a = 2 ...)``)."""
    if len(args) < 2:
        return None
    values = []
    for item, sql in zip(expr.args, args, strict=True):
        if not (
            isinstance(item, Op)
            and item.op == "="
            and isinstance(item.args[0], Col)
            and item.args[0] == expr.args[0].args[0]  # type: ignore[attr-defined]
            and isinstance(item.args[1], (Param, Lit))
            and item.args[1].value is not None
            and isinstance(sql, exp.EQ)
        ):
            return None
        values.append(sql.expression)
    return exp.In(this=args[0].this, expressions=values)


def uuid_text(stored: exp.Expr) -> exp.Expr:
    """The canonical (lowercase, dashed) text of a uuid stored as 16 bytes.

    Spelled with ``HEX`` and ``INSERT``, which MySQL and MariaDB share (MariaDB 10.11 has no
    ``BIN_TO_UUID``); NULL stays NULL.
    """
    text: exp.Expr = exp.Hex(this=stored)
    for position in _UUID_DASHES:
        text = exp.Anonymous(
            this="INSERT",
            expressions=[
                text,
                exp.Literal.number(position),
                exp.Literal.number(0),
                exp.Literal.string("-"),
            ],
        )
    return exp.Lower(this=text)


def literal(value: object) -> exp.Expr:
    """An SQL literal for a number, boolean or NULL written in a fragment."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, decimal.Decimal)):
        return exp.Literal.number(str(value))
    if isinstance(value, float):
        return exp.Literal.number(repr(value))
    raise TypeError(f"{value!r} must be bound as a parameter, not written into SQL")


def _frame(start: int | None, end: int | None) -> exp.WindowSpec:
    """``ROWS BETWEEN start AND end`` for row offsets from the current row (None: unbounded)."""

    def bound(offset: int | None, unbounded: str) -> tuple[object, str | None]:
        if offset is None:
            return "UNBOUNDED", unbounded
        if offset == 0:
            return "CURRENT ROW", None
        side = "PRECEDING" if offset < 0 else "FOLLOWING"
        return exp.Literal.number(abs(offset)), side

    start_value, start_side = bound(start, "PRECEDING")
    end_value, end_side = bound(end, "FOLLOWING")
    return exp.WindowSpec(
        kind="ROWS", start=start_value, start_side=start_side, end=end_value, end_side=end_side
    )


def parenthesized(node: exp.Expr) -> exp.Expr:
    """``node``, in parentheses if it is an operation (so that it stays one operand)."""
    if isinstance(node, (exp.Binary, exp.Not, exp.Neg, exp.Is, exp.In, exp.Between)):
        return exp.Paren(this=node)
    return node
