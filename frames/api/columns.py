"""A pandas-flavoured surface over the same plan: ``t.duration / 60``, ``t[t.quality == 'good']``.

``t.attr`` (or ``t['attr']``) is a :class:`Column`; arithmetic, comparisons and ``&``, ``|``,
``~`` on columns build plan expressions, with Python values bound as parameters. A boolean column
restricts (``t[t.x > 3]`` is ``t & 'x > 3'``), ``t[['a', 'b']]`` projects, and columns can be
given to ``proj`` and ``aggr`` in place of SQL strings (``t.proj(minutes=t.duration / 60)``).
"""

from __future__ import annotations

from typing import Any

from frames.errors import QueryError
from frames.plan.explain import describe_expr
from frames.plan.normalize import InvalidLiteral, normalize
from frames.plan.values import Agg, Col, Expr, Func, Lit, Op, Param


class Column:
    """An expression over attribute names, built with Python operators.

    It is checked against the heading of the operator it is given to (``t[...]``, ``proj``,
    ``aggr``), so ``Session.duration.sum()`` can serve in ``Subject.aggr(Session, ...)``.
    """

    __slots__ = ("expr",)
    __hash__ = None  # type: ignore[assignment]  # == builds an expression

    def __init__(self, expr: Expr):
        self.expr = expr

    @staticmethod
    def _other(value: Any) -> Expr:
        return value.expr if isinstance(value, Column) else Param.of(value)

    def _op(self, op: str, other: Any, reverse: bool = False) -> Column:
        left, right = self.expr, self._other(other)
        return Column(Op(op, (right, left) if reverse else (left, right)))

    def __add__(self, other: Any) -> Column:
        return self._op("+", other)

    def __radd__(self, other: Any) -> Column:
        return self._op("+", other, reverse=True)

    def __sub__(self, other: Any) -> Column:
        return self._op("-", other)

    def __rsub__(self, other: Any) -> Column:
        return self._op("-", other, reverse=True)

    def __mul__(self, other: Any) -> Column:
        return self._op("*", other)

    def __rmul__(self, other: Any) -> Column:
        return self._op("*", other, reverse=True)

    def __truediv__(self, other: Any) -> Column:
        return self._op("/", other)

    def __rtruediv__(self, other: Any) -> Column:
        return self._op("/", other, reverse=True)

    def __mod__(self, other: Any) -> Column:
        return self._op("%", other)

    def __neg__(self) -> Column:
        return Column(Op("neg", (self.expr,)))

    def __eq__(self, other: Any) -> Column:  # type: ignore[override]
        if other is None:
            return self.isnull()
        return self._op("=", other)

    def __ne__(self, other: Any) -> Column:  # type: ignore[override]
        if other is None:
            return ~self.isnull()
        return self._op("<>", other)

    def __lt__(self, other: Any) -> Column:
        return self._op("<", other)

    def __le__(self, other: Any) -> Column:
        return self._op("<=", other)

    def __gt__(self, other: Any) -> Column:
        return self._op(">", other)

    def __ge__(self, other: Any) -> Column:
        return self._op(">=", other)

    def __and__(self, other: Any) -> Column:
        return self._op("and", other)

    def __or__(self, other: Any) -> Column:
        return self._op("or", other)

    def __invert__(self) -> Column:
        return Column(Op("not", (self.expr,)))

    def __bool__(self) -> bool:
        raise QueryError(
            "a column has no truth value; use & | ~ instead of and/or/not, and "
            "restrict with t[condition]"
        )

    def isnull(self) -> Column:
        """True where the value is NULL."""
        return Column(Op("is_null", (self.expr,)))

    def notnull(self) -> Column:
        """True where the value is not NULL."""
        return ~self.isnull()

    def isin(self, values: Any) -> Column:
        """True where the value is one of ``values``."""
        return Column(Op("in", (self.expr, *(self._other(v) for v in values))))

    def between(self, low: Any, high: Any) -> Column:
        """True where ``low <= value <= high``."""
        return Column(Op("between", (self.expr, self._other(low), self._other(high))))

    def round(self, digits: int = 0) -> Column:
        """The value rounded half away from zero to ``digits`` decimals."""
        return Column(Func("round", (self.expr, Lit(int(digits)))))

    def _aggregate(self, name: str, distinct: bool = False) -> Column:
        return Column(Agg(name, self.expr, distinct))

    def sum(self) -> Column:
        """Aggregate: the sum (for ``aggr``)."""
        return self._aggregate("sum")

    def mean(self) -> Column:
        """Aggregate: the average (for ``aggr``)."""
        return self._aggregate("avg")

    def min(self) -> Column:
        """Aggregate: the minimum (for ``aggr``)."""
        return self._aggregate("min")

    def max(self) -> Column:
        """Aggregate: the maximum (for ``aggr``)."""
        return self._aggregate("max")

    def count(self) -> Column:
        """Aggregate: the number of non-NULL values (for ``aggr``)."""
        return self._aggregate("count")

    def nunique(self) -> Column:
        """Aggregate: the number of distinct non-NULL values (for ``aggr``)."""
        return self._aggregate("count", distinct=True)

    def __repr__(self) -> str:
        return f"Column({describe_expr(self.expr)})"


def column_expr(value: Column, allowed: Any, where: str, *, aggregates: bool) -> Expr:
    """The expression of ``value``, checked against the heading it will be evaluated in."""
    missing = sorted(value.expr.columns() - set(allowed.names))
    if missing:
        raise QueryError(
            f"{where}: the column expression reads {', '.join(missing)}, which the "
            f"operand lacks. Attributes: {', '.join(allowed.names)}"
        )
    if value.expr.has_aggregate() and not aggregates:
        raise QueryError(f"{where}: aggregates such as .sum() are only allowed in aggr()")
    try:
        return normalize(value.expr, allowed)
    except InvalidLiteral as error:
        raise QueryError(f"{where}: {error}") from None


__all__ = ["Column", "Col", "column_expr"]
