"""Undefined values made errors, the same on every backend, naming the expression.

The SQL standard and PostgreSQL raise an error for a value that does not exist; DuckDB returns
infinity or NaN and MariaDB NULL. frames pins PostgreSQL's answer on every backend: an operation
whose value is undefined is compiled into guarded SQL,

    CASE WHEN <check> = 0 THEN <operation> END

where ``<check>`` is 0 for the rows on which the operation is defined (or its operands NULL)
and raises an error for the others. The dialect spells the raising
(:attr:`frames.sql.dialects.Dialect.undefined_check`: DuckDB's ``error()``, a failed cast on
PostgreSQL, a BIGINT overflow on MariaDB, which cannot ``SIGNAL`` inside a ``SELECT``); the
error carries a tag (:mod:`frames.undefined`) standing for the description made here, so that
the :class:`~frames.errors.UndefinedValueError` names the expression.

Undefined, as in PostgreSQL:

* ``x / 0``, ``x % 0``, ``mod(x, 0)``: division by zero;
* ``sqrt(x)`` for ``x < 0``; ``ln(x)``, ``log10(x)`` for ``x <= 0``;
* ``power(0, y)`` for ``y < 0``, ``power(x, y)`` for ``x < 0`` and ``y`` not whole;
* ``exp(x)`` beyond ``ln`` of the largest double, and any floating-point result that overflows
  (checked where the dialect's floats overflow to infinity, see
  :attr:`~frames.sql.dialects.Dialect.nonfinite_check`; the others raise by themselves);
* ``CAST`` of text to a number, a date or a datetime that the text does not spell, in the
  one form every backend reads alike (:data:`TEXT_FORMATS`: digits with an optional sign, a
  decimal point and, for floats, an exponent; ISO dates ``2024-06-01`` and datetimes
  ``2024-06-01 12:30:00.5``; no surrounding spaces), or whose value is out of the target's
  range (MariaDB would return 0, NULL or the nearest value, with a warning);
* integer and decimal overflow, which every backend raises by itself (not tagged: the
  engine's message names the operation).
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable

import sqlglot
from sqlglot import exp

from frames import undefined
from frames.declare.types import INTEGER_RANGES, CoreType
from frames.plan.values import Agg, Case, Cast, Col, Expr, Func, Lit, Op, Param
from frames.sql.dialects import Dialect

#: ln of the largest double: ``exp`` of more overflows.
EXP_LIMIT = 709.782712893384
_CONDITION = "frames_undefined_condition"
_ZERO = exp.Literal.number(0)


def _zero_divisor(args: list[exp.Expr]) -> exp.Expr:
    return exp.EQ(this=args[1].copy(), expression=_ZERO.copy())


def _negative(args: list[exp.Expr]) -> exp.Expr:
    return exp.LT(this=args[0].copy(), expression=_ZERO.copy())


def _not_positive(args: list[exp.Expr]) -> exp.Expr:
    return exp.LTE(this=args[0].copy(), expression=_ZERO.copy())


def _power_domain(args: list[exp.Expr]) -> exp.Expr:
    base, power = args
    zero_to_negative = exp.and_(
        exp.EQ(this=base.copy(), expression=_ZERO.copy()),
        exp.LT(this=power.copy(), expression=_ZERO.copy()),
    )
    negative_to_fraction = exp.and_(
        exp.LT(this=base.copy(), expression=_ZERO.copy()),
        exp.NEQ(this=power.copy(), expression=exp.Floor(this=power.copy())),
    )
    return exp.or_(zero_to_negative, negative_to_fraction)


def _exp_overflow(args: list[exp.Expr]) -> exp.Expr:
    return exp.GT(this=args[0].copy(), expression=exp.Literal.number(repr(EXP_LIMIT)))


#: Operation → (when it is undefined, given its emitted operands; what the error says).
RULES: dict[str, tuple[Callable[[list[exp.Expr]], exp.Expr], str]] = {
    "/": (_zero_divisor, "division by zero"),
    "%": (_zero_divisor, "division by zero"),
    "mod": (_zero_divisor, "division by zero"),
    "sqrt": (_negative, "square root of a negative number"),
    "ln": (_not_positive, "logarithm of a number that is not positive"),
    "log10": (_not_positive, "logarithm of a number that is not positive"),
    "power": (
        _power_domain,
        "power without a real value (0 to a negative power, or a negative "
        "number to a fractional one)",
    ),
    "exp": (_exp_overflow, "overflow (the result exceeds the largest double)"),
}


_SIGN = "[-+]{0,1}"
_NUMBER = "([0-9]+([.][0-9]*){0,1}|[.][0-9]+)"
#: Type category → the text a ``CAST`` to it accepts (POSIX regular expressions without ``?``,
#: which would read as a placeholder in SQL text).
TEXT_FORMATS = {
    "integer": f"^{_SIGN}[0-9]{{1,38}}$",
    "decimal": f"^{_SIGN}{_NUMBER}$",
    "float": f"^{_SIGN}{_NUMBER}([eE]{_SIGN}[0-9]+){{0,1}}$",
    "date": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "datetime": "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    "([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6}){0,1}){0,1}){0,1}$",
}


def text_cast_condition(
    dialect: Dialect, text: exp.Expr, cast: exp.Cast, target: CoreType
) -> exp.Expr:
    """True where ``cast`` (of the SQL ``text``) to ``target`` has no value: ``text`` is not
    in :data:`TEXT_FORMATS`, or the number it spells is out of range, or the date it spells
    does not exist."""
    pattern = exp.Literal.string(TEXT_FORMATS[target.category])
    unreadable = exp.Not(
        this=exp.Anonymous(this=dialect.regexp_function, expressions=[text.copy(), pattern])
    )
    beyond = _beyond(dialect, text, cast, target)
    return exp.Case(ifs=[exp.If(this=unreadable, true=exp.true())], default=beyond)


def _beyond(dialect: Dialect, text: exp.Expr, cast: exp.Cast, target: CoreType) -> exp.Expr:
    """For text in the target's format: true where its value does not fit the target."""

    def as_decimal(scale: int) -> exp.Expr:
        to = CoreType("decimal", precision=38, scale=scale)
        return exp.Cast(
            this=text.copy(),
            to=exp.DataType.build(dialect.cast_type(to), dialect=dialect.sqlglot),
        )

    if target.category == "integer":
        low, high = INTEGER_RANGES[target.kind]
        return exp.Not(
            this=exp.Between(
                this=as_decimal(0),
                low=exp.Literal.number(low),
                high=exp.Literal.number(high),
            )
        )
    if target.category == "decimal":
        scale = target.scale or 0
        limit = decimal.Decimal(10) ** ((target.precision or 10) - scale)
        return exp.GTE(
            this=exp.Abs(this=as_decimal(scale)), expression=exp.Literal.number(str(limit))
        )
    if target.category in ("date", "datetime"):
        return exp.Not(this=_calendar_date(dialect, text))
    return exp.false()


def _calendar_date(dialect: Dialect, text: exp.Expr) -> exp.Expr:
    """True where the ``YYYY-MM-DD`` that ``text`` starts with is a day of the calendar
    (years 1 to 9999; February 29 in leap years), computed without casting the text, which
    raises on DuckDB and PostgreSQL and gives NULL on MariaDB."""
    integer = exp.DataType.build(dialect.cast_type(CoreType("int32")), dialect=dialect.sqlglot)

    def part(start: int, length: int) -> exp.Expr:
        piece = exp.Substring(
            this=text.copy(), start=exp.Literal.number(start), length=exp.Literal.number(length)
        )
        return exp.Cast(this=piece, to=integer.copy())

    def number(value: int) -> exp.Expr:
        return exp.Literal.number(value)

    year, month, day = part(1, 4), part(6, 2), part(9, 2)
    leap = exp.and_(
        exp.EQ(this=exp.Mod(this=year.copy(), expression=number(4)), expression=number(0)),
        exp.or_(
            exp.NEQ(this=exp.Mod(this=year.copy(), expression=number(100)), expression=number(0)),
            exp.EQ(this=exp.Mod(this=year.copy(), expression=number(400)), expression=number(0)),
        ),
    )
    february = exp.Case(ifs=[exp.If(this=leap, true=number(29))], default=number(28))
    short = exp.In(this=month.copy(), expressions=[number(m) for m in (4, 6, 9, 11)])
    days = exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=month.copy(), expression=number(2)), true=february),
            exp.If(this=short, true=number(30)),
        ],
        default=number(31),
    )
    return exp.and_(
        exp.Between(this=year, low=number(1), high=number(9999)),
        exp.Between(this=month, low=number(1), high=number(12)),
        exp.Between(this=day, low=number(1), high=days),
    )


def guarded(dialect: Dialect, value: exp.Expr, condition: exp.Expr, description: str) -> exp.Expr:
    """``value`` where ``condition`` does not hold; an error naming ``description`` where it
    does (``condition`` NULL counts as not holding)."""
    check = _check(dialect.undefined_check, undefined.tag_of(description), dialect.sqlglot)
    for placeholder in list(check.find_all(exp.Column)):
        if placeholder.name == _CONDITION:
            placeholder.replace(exp.Paren(this=condition))
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=check, expression=_ZERO.copy()), true=value)])


def finite(dialect: Dialect, value: exp.Expr, description: str) -> exp.Expr:
    """``value``, a floating-point result, checked not to have overflowed to infinity (or NaN)
    where the dialect's floats do that instead of raising."""
    if dialect.nonfinite_check is None:
        return value
    test = sqlglot.parse_one(dialect.nonfinite_check.format(value=_CONDITION), read=dialect.sqlglot)
    for placeholder in list(test.find_all(exp.Column)):
        if placeholder.name == _CONDITION:
            placeholder.replace(value.copy())
    return guarded(dialect, value, test, description)


@functools.lru_cache(maxsize=1024)
def _parsed_check(template: str, tag: int, read: str) -> exp.Expr:
    text = template.format(
        condition=_CONDITION,
        tag=f"{undefined.TEXT_PREFIX}{tag}",
        number=undefined.NUMBER_OFFSET + tag,
    )
    return sqlglot.parse_one(text, read=read)


def _check(template: str, tag: int, read: str) -> exp.Expr:
    return _parsed_check(template, tag, read).copy()


# -- descriptions ------------------------------------------------------------------------------

_INFIX = {
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "%": "%",
    "=": "=",
    "<>": "<>",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
    "and": "AND",
    "or": "OR",
    "like": "LIKE",
    "concat": "||",
}


def describe(expr: Expr) -> str:
    """``expr`` written back as a fragment (``x / (y - 2)``), for error messages; a bound
    value is ``?`` (the description is compiled once for every value of the query's shape)."""
    if isinstance(expr, Col):
        return expr.name
    if isinstance(expr, Param):  # compiled SQL serves every value of its shape: not named
        return "?"
    if isinstance(expr, Lit):
        return _value(expr.value)
    if isinstance(expr, Op):
        args = [_operand(arg) for arg in expr.args]
        if expr.op in _INFIX:
            return f" {_INFIX[expr.op]} ".join(args)
        if expr.op == "neg":
            return f"-{args[0]}"
        if expr.op == "not":
            return f"NOT {args[0]}"
        if expr.op == "is_null":
            return f"{args[0]} IS NULL"
        if expr.op == "in":
            return f"{args[0]} IN ({', '.join(args[1:])})"
        return f"{args[0]} BETWEEN {args[1]} AND {args[2]}"
    if isinstance(expr, Func):
        if expr.name in ("finite", "text_cast"):
            return describe(expr.args[0])
        return f"{expr.name}({', '.join(describe(arg) for arg in expr.args)})"
    if isinstance(expr, Agg):
        inner = "*" if expr.arg is None else describe(expr.arg)
        return f"{expr.name}({'DISTINCT ' if expr.distinct else ''}{inner})"
    if isinstance(expr, Cast):
        if isinstance(expr.arg, Col) and _is_widening(expr.type):
            return expr.arg.name  # frames' own widening (frames.plan.normalize)
        return f"CAST({describe(expr.arg)} AS {expr.type})"
    if isinstance(expr, Case):
        whens = " ".join(f"WHEN {describe(c)} THEN {describe(v)}" for c, v in expr.whens)
        return f"CASE {whens} ELSE {describe(expr.default)} END"
    return repr(expr)


def _is_widening(core: CoreType) -> bool:
    return core.kind == "int64" or (core.kind == "decimal" and core.precision == 38)


def _operand(expr: Expr) -> str:
    text = describe(expr)
    return f"({text})" if isinstance(expr, Op) and expr.op in _INFIX else text


def _value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    return repr(str(value))
