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


def normalize(expr: Expr, heading: Heading) -> Expr:
    """``expr`` with comparisons typed as the module describes.

    Raises
    ------
    InvalidLiteral
        A string compared with a typed attribute does not convert (``day > 'yesterday'``).
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
            if expr.op in _COMPARISONS:
                return self._comparison(Op(expr.op, args))
            if expr.op in _ARITHMETIC:
                args = tuple(self._widened(arg, expr.op) for arg in args)
            return Op(expr.op, args)
        if isinstance(expr, Agg):
            arg = None if expr.arg is None else self.visit(expr.arg)
            if expr.name in ("min", "max") and self._enum(arg) is not None:
                arg = Cast(arg, TEXT)
            if expr.name in ("min", "max") and self._type(arg) == UUID:
                return Func("uuid_from_text", (Agg(expr.name, self._uuid_as_text(arg)),))
            return Agg(expr.name, arg, expr.distinct)
        if isinstance(expr, Func):
            args = tuple(self.visit(arg) for arg in expr.args)
            if expr.name == "abs":
                args = tuple(self._widened(arg) for arg in args)
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


def _is_text_literal(expr: Expr) -> bool:
    return isinstance(expr, (Param, Lit)) and isinstance(expr.value, str)


def _literal_text(expr: Expr) -> str:
    return expr.value  # type: ignore[attr-defined, return-value]
