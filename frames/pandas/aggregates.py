"""pandas reductions as SQL aggregates, over a whole frame or per group.

pandas' meaning is kept: missing values are skipped; ``sum`` of nothing is 0; ``std`` and
``var`` are the sample statistics (``ddof=1``); ``count`` counts non-missing values and
``size`` rows; ``nunique`` counts distinct non-missing values; booleans sum as 0/1.
``median`` and ``quantile`` (linear interpolation, as numpy's default), ``first`` and ``last``
(the first/last non-missing value in the frame's row order) are computed from window
functions — row numbers and counts per group — read by plain aggregates, so every backend
computes them the same way in the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from frames.pandas.errors import NotPushedDownError, PandasTypeError
from frames.pandas.state import FrameState
from frames.pandas.terms import NUMERIC, Term, as_text, bool_as_int, widened
from frames.plan.nodes import Node, make_group_by, make_window
from frames.plan.values import (
    BOOL,
    FLOAT64,
    INT64,
    Agg,
    Case,
    Cast,
    Col,
    Expr,
    Func,
    Lit,
    Op,
    Over,
)

#: The reductions frames pushes down, by pandas name.
REDUCTIONS = (
    "sum",
    "mean",
    "min",
    "max",
    "count",
    "size",
    "std",
    "var",
    "median",
    "nunique",
    "first",
    "last",
    "any",
    "all",
)
#: Reductions whose result pandas never masks, whatever the column's dtype.
_UNMASKED = ("size", "nunique")
_REFUSED = {
    "prod": "a product has no SQL aggregate; sum logarithms yourself, or use pandas",
    "sem": "compute std() / count() ** 0.5 from the pushed-down std and count",
    "skew": "not an aggregate of every backend",
    "kurt": "not an aggregate of every backend",
    "mode": "a mode is a value_counts() followed by head(1)",
}


@dataclass
class Reducer:
    """Builds the aggregate expressions of reductions over ``state``'s rows grouped by
    ``by`` (none: the whole frame), and the window columns some of them read."""

    state: FrameState
    by: tuple[str, ...] = ()
    windows: list[tuple[str, Expr]] = field(default_factory=list)

    def reduce(
        self, how: str, term: Term | None, q: float = 0.5, where: Expr | None = None
    ) -> Term:
        """The aggregate ``how`` of ``term`` (None: the rows, for ``size``); ``where``: over
        the rows where it holds only, missing when there are none (a pivot table's cell)."""
        if where is None:
            return self._reduce(how, term, q)
        rows = Agg("count", Case(((where, Lit(1)),), Lit(None)))
        if term is not None:
            term = term.with_expr(Case(((where, term.expr),), Lit(None)), nullable=True)
        result = self._reduce(how, term, q) if term is not None else Term(rows, INT64, False)
        empty = Op("=", (rows, Lit(0)))
        return result.with_expr(Case(((empty, Lit(None)),), result.expr), nullable=True)

    def _reduce(self, how: str, term: Term | None, q: float) -> Term:
        if how in _REFUSED:
            raise NotPushedDownError(f"{how}() is not pushed down: {_REFUSED[how]}")
        if how not in REDUCTIONS and how != "quantile":
            raise NotPushedDownError(
                f"{how!r} is not a reduction frames pushes down; use one of "
                f"{', '.join(REDUCTIONS)}, or quantile"
            )
        if how == "size" or term is None:
            return Term(Agg("count", None), INT64, False)
        masked = term.masked and how not in _UNMASKED
        if how == "count":
            return Term(Agg("count", term.expr), INT64, False, masked)
        if how == "nunique":
            return Term(Agg("count", as_text(term).expr, distinct=True), INT64, False)
        if how in ("first", "last"):
            return self._pick(term, how == "last", masked)
        if how in ("min", "max"):
            return self._extreme(term, how, masked)
        if how in ("any", "all"):
            return self._logic(term, how, masked)
        self._numeric(how, term)
        value = widened(term)
        if how == "sum":
            total = Agg("sum", value.expr)
            kind = value.type if value.category != "float" else FLOAT64
            return Term(Func("coalesce", (total, Lit(0))), kind, False, masked)
        if how == "mean":
            return Term(Agg("avg", value.expr), FLOAT64, True, masked)
        if how in ("std", "var"):
            name = "stddev" if how == "std" else "variance"
            return Term(Agg(name, value.expr), FLOAT64, True, masked)
        return self._quantile(value, 0.5 if how == "median" else q, masked)

    @staticmethod
    def _numeric(how: str, term: Term) -> None:
        if term.category not in NUMERIC:
            raise PandasTypeError(f"{how}() needs numbers, not {term.type} values")

    def _extreme(self, term: Term, how: str, masked: bool) -> Term:
        if term.category == "bool":
            value = Agg(how, bool_as_int(term.expr))
            return Term(Op("=", (value, Lit(1))), BOOL, True, masked)
        term = as_text(term)
        return Term(Agg(how, term.expr), term.type, True, masked)

    def _logic(self, term: Term, how: str, masked: bool) -> Term:
        truth = term.expr if term.category == "bool" else Op("<>", (widened(term).expr, Lit(0)))
        found = Agg("max" if how == "any" else "min", bool_as_int(truth))  # skips missing
        empty = Lit(0 if how == "any" else 1)
        return Term(Op("=", (Func("coalesce", (found, empty)), Lit(1))), BOOL, False, masked)

    # -- window-based reductions ----------------------------------------------------------------
    def window(self, expr: Expr) -> Col:
        """A window expression computed per row before grouping; its column."""
        name = self.state.fresh("r", [n for n, _ in self.windows])
        self.windows.append((name, expr))
        return Col(name)

    def _partition(self) -> tuple[Expr, ...]:
        return tuple(Col(name) for name in self.by)

    def _quantile(self, value: Term, q: float, masked: bool) -> Term:
        if not 0 <= q <= 1:
            raise PandasTypeError(f"quantile: q must be between 0 and 1, not {q!r}")
        x = Cast(value.expr, FLOAT64)
        position = self.window(
            Over(Func("row_number", ()), self._partition(), ((x, False, False),))
        )
        count = self.window(Over(Agg("count", x), self._partition()))
        h = Op("*", (Op("-", (count, Lit(1))), Lit(float(q))))
        low_at = Op("+", (Func("floor", (h,)), Lit(1)))
        high_at = Op("+", (Func("ceil", (h,)), Lit(1)))
        low = Agg("max", Case(((Op("=", (position, low_at)), x),), Lit(None)))
        high = Agg("max", Case(((Op("=", (position, high_at)), x),), Lit(None)))
        if q == 0.5:
            result: Expr = Op("/", (Op("+", (low, high)), Lit(2)))
        else:
            fraction = Agg("max", Op("-", (h, Func("floor", (h,)))))
            result = Op("+", (low, Op("*", (fraction, Op("-", (high, low))))))
        return Term(result, FLOAT64, True, masked)

    def _pick(self, term: Term, last: bool, masked: bool) -> Term:
        if self.state.order is None:
            raise NotPushedDownError(
                f"{'last' if last else 'first'}() needs a row order, and this frame has none; "
                "call sort_values(...) first"
            )
        order: list[tuple[Expr, bool, bool]] = [(Op("is_null", (term.expr,)), False, False)]
        order += [
            (Col(name), desc != last, first != last) for name, desc, first in self.state.order
        ]
        position = self.window(Over(Func("row_number", ()), self._partition(), tuple(order)))
        chosen = Op("=", (position, Lit(1)))
        if term.category == "bool":
            value = Agg("max", Case(((chosen, bool_as_int(term.expr)),), Lit(None)))
            return Term(Op("=", (value, Lit(1))), BOOL, True, masked)
        term = as_text(term)
        return Term(Agg("max", Case(((chosen, term.expr),), Lit(None))), term.type, True, masked)

    # -- the plan -------------------------------------------------------------------------------
    def source(self) -> Node:
        """The rows to aggregate: the frame's, with the window columns the reductions read."""
        if not self.windows:
            return self.state.plan
        return make_window(self.state.plan, self.windows)

    def grouped(self, columns: Sequence[tuple[str, Expr]]) -> Node:
        """The plan of one row per group with ``columns`` (aggregate expressions)."""
        return make_group_by(self.source(), self.by, columns)
