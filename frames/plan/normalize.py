"""Typing of comparisons, applied to every expression users write (fragments, dicts, columns).

* A string compared with a typed attribute is converted to that type in Python
  (``session_date > '2024-06-01'`` compares dates on every backend).
* Enum attributes compare as text, except for equality and IN, which keep the enum (and its
  index) and drop candidates that are not members — PostgreSQL and DuckDB reject a comparison
  with a non-member instead of finding nothing. ``min``/``max`` of an enum are the text
  minimum/maximum everywhere.
* Integer arithmetic is 64-bit: narrower operands of ``+ - * %``, unary minus and ``abs`` are
  widened, as :func:`~frames.plan.values.infer_type` promises (DuckDB and PostgreSQL would
  compute ``int16 + int16`` in 16 bits and overflow). Likewise the decimal operands of ``*`` are
  widened to ``decimal(38, s)``: DuckDB multiplies decimals of up to 18 digits in 64 bits and
  overflows although the product's type has 38 digits.
* Comparisons and arithmetic need operands of one family — numbers, strings (enums included),
  dates and datetimes, booleans, uuids, bytes — as PostgreSQL insists and MySQL does not (it
  compares ``'12abc' = 12`` as numbers): ``name = 1`` or ``name + 1`` for a string ``name``
  raises :class:`Incomparable`, on every backend. A boolean compares with the integers 0 and 1
  as with false and true (DataJoint's boolean is MySQL's tinyint). ``LIKE`` reads integers,
  dates and datetimes as their text (the same ISO text on every backend).
* A ``CAST`` of text to a number, a date or a datetime is marked ``text_cast(...)``: text
  that does not spell a value of the type raises on every backend (MariaDB would return 0).
* The outermost floating-point arithmetic of an expression (``+ - * /``, unary minus,
  ``exp``, ``power``) is marked ``finite(...)``: an overflow raises there on every backend
  (:mod:`frames.sql.guards`).
* A ``uuid`` read as text — ``CAST(x AS text)``, ``LIKE``, ``||`` — is its canonical text, and
  text cast to ``uuid`` is parsed (the functions ``uuid_text``/``uuid_from_text``, which each
  dialect spells for its storage: MySQL keeps uuids as 16 bytes). ``min``/``max`` of a uuid
  compare that text (PostgreSQL has no ``min(uuid)``), which orders as the stored values do.
"""

from __future__ import annotations

import datetime

from frames.declare.spec import Attribute
from frames.declare.types import CoreType
from frames.declare.values import convert_value
from frames.plan.heading import Heading
from frames.plan.values import (
    INT64,
    MAX_SCALE_PRECISION,
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
    Param,
    infer_type,
)

_COMPARISONS = ("=", "<>", "<", "<=", ">", ">=", "in", "between", "like")
_ARITHMETIC = ("+", "-", "*", "%", "neg")
_NARROW_INTEGERS = ("int8", "int16", "int32")
#: Aggregates of numbers only (MySQL would sum strings as the numbers they start with).
_NUMERIC_AGGREGATES = ("sum", "avg", "stddev", "variance")
#: Categories a CAST from text parses, checked by frames (``text_cast``, see
#: :mod:`frames.sql.guards`).
_PARSED_FROM_TEXT = ("integer", "float", "decimal", "date", "datetime")
#: Functions whose floating-point result can overflow.
_OVERFLOWING = ("exp", "power")


def never_equal(value: Expr) -> Expr:
    """The truth value of ``value = <non-member>``: NULL where ``value`` is NULL, else false.

    Written ``(value IS NULL) AND NULL``, which is exactly that under three-valued logic.
    """
    return Op("and", (Op("is_null", (value,)), Lit(None)))


class InvalidLiteral(ValueError):
    """A literal that cannot be converted to the attribute it is compared with."""

    def __init__(self, value: object, attr: Attribute, error: Exception):
        super().__init__(f"{value!r} is not a valid {attr.type} for {attr.name!r}: {error}")
        self.value = value


_COMPARE = (
    "compare a string with a string ('1'), or convert one side with "
    "CAST(... AS int64 / varchar(n) / date)"
)
_NUMBERS = (
    "it takes numbers: convert with CAST(... AS int64 / decimal(p,s) / float64), or count "
    "true conditions with sum(CASE WHEN ... THEN 1 ELSE 0 END)"
)


class Incomparable(InvalidLiteral):
    """Operands of different families (a string and a number) in a comparison, or operands that
    are not numbers in arithmetic or ``sum``/``avg``."""

    def __init__(self, op: str, operands: list[tuple[Expr, CoreType]], hint: str = _COMPARE):
        name = op.upper() if op.isalpha() else op
        ValueError.__init__(
            self,
            f"{name} cannot take "
            + " and ".join(_described(expr, core) for expr, core in operands)
            + f"; {hint}",
        )
        literal = next((e for e, _ in operands if isinstance(e, (Lit, Param))), None)
        self.value = literal.value if literal is not None else ""


def _described(expr: Expr, core: CoreType) -> str:
    if isinstance(expr, Col):
        return f"attribute {expr.name!r} ({core})"
    if isinstance(expr, (Lit, Param)):
        return f"the {_FAMILY_NAMES.get(_family(core), _family(core))} {expr.value!r}"
    return f"a {core} expression"


#: Type categories that compare with each other.
_FAMILIES = {"integer": "number", "float": "number", "decimal": "number", "datetime": "date"}
_FAMILY_NAMES = {"string": "string", "number": "number", "date": "date"}
#: Categories LIKE reads as their text.
_LIKE_AS_TEXT = ("integer", "date", "datetime")


def _family(core: CoreType) -> str:
    return _FAMILIES.get(core.category, core.category)


def normalize(expr: Expr, heading: Heading) -> Expr:
    """``expr`` with comparisons typed as the module describes.

    Raises
    ------
    InvalidLiteral
        A string compared with a typed attribute does not convert (``day > 'yesterday'``).
    Incomparable
        Operands of different families (see the module).
    """
    return _Normalizer(heading).visit(expr)


class _Normalizer:
    def __init__(self, heading: Heading):
        self.heading = heading
        self._types: dict[str, CoreType] | None = None

    def visit(self, expr: Expr) -> Expr:
        if isinstance(expr, Op):
            args = tuple(self.visit(arg) for arg in expr.args)
            if expr.op in ("like", "concat"):
                args = tuple(self._uuid_as_text(arg) for arg in args)
            if expr.op == "like":
                args = tuple(self._like_operand(arg) for arg in args)
            if expr.op in _COMPARISONS:
                compared = self._comparison(Op(expr.op, args))
                if isinstance(compared, Op) and compared.op == expr.op:
                    self._check_families(compared)
                return compared
            if expr.op in _ARITHMETIC or expr.op == "/":
                self._check_arithmetic(expr.op, args)
                args = tuple(_unmarked(arg) for arg in args)
            if expr.op in _ARITHMETIC:
                args = tuple(self._widened(arg, expr.op) for arg in args)
            if expr.op in _ARITHMETIC or expr.op == "/":
                return self._finite(Op(expr.op, args))
            return Op(expr.op, args)
        if isinstance(expr, Agg):
            arg = None if expr.arg is None else self.visit(expr.arg)
            if expr.name in _NUMERIC_AGGREGATES and arg is not None:
                self._check_numbers(expr.name, (arg,))
            if expr.name in ("min", "max") and arg is not None and self._enum(arg) is not None:
                arg = Cast(arg, TEXT)
            if expr.name in ("min", "max") and arg is not None and self._type(arg) == UUID:
                return Func("uuid_from_text", (Agg(expr.name, self._uuid_as_text(arg)),))
            return Agg(expr.name, arg, expr.distinct)
        if isinstance(expr, Func):
            args = tuple(self.visit(arg) for arg in expr.args)
            if expr.name == "abs":
                args = tuple(self._widened(arg) for arg in args)
            if expr.name in _OVERFLOWING:
                return self._finite(Func(expr.name, args))
            return Func(expr.name, args)
        if isinstance(expr, Case):
            return Case(
                tuple((self.visit(c), self.visit(v)) for c, v in expr.whens),
                self.visit(expr.default),
            )
        if isinstance(expr, Cast):
            arg = self.visit(expr.arg)
            source = self._type(arg)
            if source == UUID and expr.type.category == "string":
                return self._uuid_as_text(arg)
            if expr.type == UUID and source is not None and source.category == "string":
                return Func("uuid_from_text", (arg,))
            if (
                source is not None
                and source.category == "string"
                and expr.type.category in _PARSED_FROM_TEXT
            ):
                return Func("text_cast", (Cast(arg, expr.type),))
            return Cast(arg, expr.type)
        return expr

    def _type(self, expr: Expr | None) -> CoreType | None:
        """The core type of ``expr``, None where it is unknown here."""
        try:
            if self._types is None:
                self._types = {a.name: a.type for a in self.heading}
            return None if expr is None else infer_type(expr, self._types)
        except KeyError:
            return None

    def _finite(self, expr: Expr) -> Expr:
        """``expr`` marked ``finite(...)`` if it is floating point: its value is checked not
        to have overflowed (:func:`frames.sql.guards.finite`)."""
        core = self._type(expr)
        return Func("finite", (expr,)) if core is not None and core.category == "float" else expr

    def _typed(self, args: tuple[Expr, ...]) -> list[tuple[Expr, CoreType]]:
        """The operands whose type is known, with it (NULL literals left out)."""
        typed = []
        for arg in args:
            if isinstance(arg, (Lit, Param)) and arg.value is None:
                continue
            core = self._type(arg)
            if core is not None:
                typed.append((arg, core))
        return typed

    def _check_families(self, op: Op) -> None:
        typed = self._typed(op.args)
        if len({_family(core) for _, core in typed}) > 1:
            raise Incomparable(op.op, typed)

    def _check_arithmetic(self, op: str, args: tuple[Expr, ...]) -> None:
        """Arithmetic takes numbers (and a date or datetime on the left of ``+``/``-``)."""
        temporal = op in ("+", "-") and _family(self._type(args[0]) or TEXT) == "date"
        self._check_numbers("-" if op == "neg" else op, args[1:] if temporal else args)

    def _check_numbers(self, op: str, args: tuple[Expr, ...]) -> None:
        typed = self._typed(args)
        if any(_family(core) != "number" for _, core in typed):
            raise Incomparable(op, typed, _NUMBERS)

    def _like_operand(self, arg: Expr) -> Expr:
        core = self._type(arg)
        if core is not None and core.category in _LIKE_AS_TEXT:
            return Cast(arg, TEXT)
        return arg

    def _uuid_as_text(self, arg: Expr) -> Expr:
        return Func("uuid_text", (arg,)) if self._type(arg) == UUID else arg

    def _widened(self, arg: Expr, op: str = "") -> Expr:
        core = self._type(arg)
        if core is None:
            return arg
        if core.kind in _NARROW_INTEGERS:
            return Cast(arg, INT64)
        if op == "*" and core.kind == "decimal" and (core.precision or 0) < MAX_SCALE_PRECISION:
            return Cast(arg, CoreType("decimal", precision=MAX_SCALE_PRECISION, scale=core.scale))
        return arg

    def _enum(self, expr: Expr | None) -> Attribute | None:
        if isinstance(expr, Col):
            attr = self.heading.get(expr.name)
            if attr is not None and attr.type.kind == "enum":
                return attr
        return None

    def _comparison(self, op: Op) -> Expr:
        columns = [a for a in op.args if isinstance(a, Col) and a.name in self.heading]
        if not columns:
            return op
        attr = self.heading[columns[0].name]
        if attr.type.kind == "enum":
            return self._enum_comparison(op, attr)
        if attr.type.category in ("string", "json") or op.op == "like":
            return op
        return Op(op.op, tuple(self._convert(arg, attr) for arg in op.args))

    @staticmethod
    def _convert(arg: Expr, attr: Attribute) -> Expr:
        if attr.type.kind == "bool" and isinstance(arg, (Lit, Param)):
            if type(arg.value) is int and arg.value in (0, 1):
                return Lit(bool(arg.value)) if isinstance(arg, Lit) else Param.of(bool(arg.value))
        # text literals take the attribute's type; datetimes its precision (as inserted)
        if isinstance(arg, Param) and (
            isinstance(arg.value, str)
            or (attr.type.category == "datetime" and isinstance(arg.value, datetime.datetime))
        ):
            try:
                return Param.of(convert_value(arg.value, attr))
            except (ValueError, TypeError, ArithmeticError) as error:
                raise InvalidLiteral(arg.value, attr, error) from None
        return arg

    def _enum_comparison(self, op: Op, attr: Attribute) -> Expr:
        members = set(attr.type.values)
        subject, *others = op.args
        plain = isinstance(subject, Col) and all(_is_text_literal(o) for o in others)
        if op.op in ("=", "<>") and plain:
            if _literal_text(others[0]) in members:
                return op
            equal = never_equal(subject)
            return equal if op.op == "=" else Op("not", (equal,))
        if op.op == "in" and plain:
            kept = tuple(o for o in others if _literal_text(o) in members)
            return Op("in", (subject, *kept)) if kept else never_equal(subject)
        return Op(op.op, tuple(self._as_text(arg) for arg in op.args))

    def _as_text(self, arg: Expr) -> Expr:
        return Cast(arg, TEXT) if self._enum(arg) is not None else arg


def _unmarked(expr: Expr) -> Expr:
    """``expr`` without its ``finite`` mark: an overflow inside floating-point arithmetic
    carries to its result (infinity stays infinite or becomes NaN), checked there once."""
    return expr.args[0] if isinstance(expr, Func) and expr.name == "finite" else expr


def _is_text_literal(expr: Expr) -> bool:
    return isinstance(expr, (Param, Lit)) and isinstance(expr.value, str)


def _literal_text(expr: Expr) -> str:
    return expr.value  # type: ignore[attr-defined]
