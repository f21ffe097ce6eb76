"""pandas' order-dependent methods as SQL window functions over the frame's row order.

``rank``, ``cumsum``/``cummax``/``cummin``, ``shift``/``diff``/``pct_change``,
``rolling(n).mean()`` and friends, ``drop_duplicates``/``duplicated``, and ``groupby(...)``'s
``transform``, ``cumcount`` and per-group versions of these: each is one window expression
(``... OVER (PARTITION BY group ORDER BY the frame's order)``), computed by a
:class:`~frames.plan.nodes.Window` node in the same statement. A frame without a row order
(after merging unordered frames) refuses the methods whose result depends on it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from frames.pandas import terms
from frames.pandas.aggregates import Reducer
from frames.pandas.errors import NotPushedDownError, not_pushed_down
from frames.pandas.state import FrameState
from frames.pandas.terms import NUMERIC, Term, rewritten
from frames.plan.values import FLOAT64, INT64, Agg, Case, Cast, Col, Expr, Func, Lit, Op, Over

if TYPE_CHECKING:
    from frames.pandas.series import Series

_RANK_METHODS = ("average", "min", "max", "first", "dense")
#: Reductions a window computes directly (``transform``, ``rolling``).
WINDOW_REDUCTIONS = ("sum", "mean", "min", "max", "count", "size", "std", "var", "any", "all")


class Windows:
    """Window expressions over ``state``'s rows partitioned by the attributes ``partition``."""

    def __init__(self, state: FrameState, partition: tuple[str, ...]):
        self.state = state
        self.partition = tuple(Col(name) for name in partition)

    def _order(self, what: str) -> tuple[tuple[Expr, bool, bool], ...]:
        if self.state.order is None:
            raise NotPushedDownError(
                f"{what} depends on the row order, and this frame's rows have none; call "
                "sort_values(...) first"
            )
        return tuple((Col(name), desc, first) for name, desc, first in self.state.order)

    def _over(
        self, fn: Expr, order: tuple[tuple[Expr, bool, bool], ...] = (), frame: Any = None
    ) -> Over:
        return Over(fn, self.partition, order, frame)

    # -- ranks ----------------------------------------------------------------------------------
    def rank(
        self,
        term: Term,
        method: str,
        ascending: bool,
        na_option: str,
        pct: bool,
        numpy: bool = False,
    ) -> Term:
        """pandas' ``rank`` (missing values keep no rank: ``na_option='keep'``); ``numpy``:
        as ``DataFrame.rank`` gives it, float64 whatever the column's dtype."""
        if method not in _RANK_METHODS:
            raise ValueError(f"rank: method must be one of {', '.join(_RANK_METHODS)}")
        if na_option != "keep":
            raise not_pushed_down(f"rank(na_option={na_option!r})", "use na_option='keep'")
        value = terms.as_text(term).expr
        key: tuple[tuple[Expr, bool, bool], ...] = ((value, not ascending, False),)
        if method == "first":
            key = key + self._order("rank(method='first')")
        if method == "dense":
            rank: Expr = self._over(Func("dense_rank", ()), key)
        elif method == "first":
            rank = self._over(Func("row_number", ()), key)
        else:
            rank = self._over(Func("rank", ()), key)
        if method in ("average", "max"):
            ties = Over(Agg("count", None), (*self.partition, value))
            extra = Op("-", (ties, Lit(1)))
            rank = Op("+", (rank, Op("/", (extra, Lit(2.0))) if method == "average" else extra))
        if pct:
            if method == "dense":
                raise not_pushed_down("rank(method='dense', pct=True)", "use another method")
            rank = Op("/", (rank, Over(Agg("count", value), self.partition)))
        # pandas ranks in float64; masked columns in UInt64 but by average (Float64): frames
        # gives Int64 there, with the same values
        masked = term.masked and not numpy
        kind = INT64 if masked and method != "average" and not pct else FLOAT64
        blanked = Case(((Op("is_null", (term.expr,)), Lit(None)),), Cast(rank, kind))
        return Term(blanked, kind, True, masked)

    # -- running values -------------------------------------------------------------------------
    def cumulative(self, term: Term, how: str) -> Term:
        """Running ``sum``/``max``/``min`` in the frame's order; missing values stay missing."""
        value = terms.widened(term) if how == "sum" else terms.as_text(term)
        if how == "sum" and value.category not in NUMERIC:
            raise terms.PandasTypeError(f"cumsum needs numbers, not {term.type}")
        running = self._over(Agg(how, value.expr), self._order(f"cum{how}"), (None, 0))
        return Term(
            Case(((Op("is_null", (term.expr,)), Lit(None)),), running),
            value.type,
            term.nullable,
            term.masked,
        )

    def shift(self, term: Term, periods: int) -> Term:
        """The value ``periods`` rows earlier (later, if negative) in the frame's order."""
        if not isinstance(periods, int):
            raise TypeError(f"periods must be an integer, not {periods!r}")
        if periods == 0:
            return term
        name = "lag" if periods > 0 else "lead"
        order = self._order("shift")
        moved = self._over(Func(name, (term.expr, Lit(abs(periods)))), order)
        return Term(moved, term.type, True, term.masked)

    def diff(self, term: Term, periods: int) -> Term:
        """``value - shift(periods)``."""
        return terms.arithmetic("-", term, self.shift(term, periods))

    def pct_change(self, term: Term, periods: int) -> Term:
        """``value / shift(periods) - 1``."""
        ratio = terms.arithmetic("/", term, self.shift(term, periods))
        return terms.arithmetic("-", ratio, Term(Lit(1), INT64, False))

    def rolling(self, term: Term, how: str, size: int, min_periods: int | None) -> Term:
        """``how`` over the last ``size`` rows, missing unless ``min_periods`` values are
        present in them (default: ``size``)."""
        if how not in WINDOW_REDUCTIONS or how in ("size", "any", "all"):
            raise not_pushed_down(
                f"rolling(...).{how}()", "use mean, sum, min, max, std, var, count"
            )
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"rolling: window must be a positive integer, not {size!r}")
        order = self._order("rolling")
        frame = (-(size - 1), 0)
        reduced = self._windowed(how, term, order, frame)
        needed = size if min_periods is None else min_periods
        value: Expr = Cast(reduced.expr, FLOAT64)  # pandas' rolling results are numpy floats
        if how != "count":
            present = self._over(Agg("count", term.expr), order, frame)
            enough = Op(">=", (present, Lit(int(needed))))
            value = Case(((enough, value),), Lit(None))
        return Term(value, FLOAT64, True)

    # -- whole groups ---------------------------------------------------------------------------
    def transform(self, term: Term | None, how: str) -> Term:
        """The reduction ``how`` of each row's partition, on every row."""
        if how not in WINDOW_REDUCTIONS:
            raise not_pushed_down(
                f"transform({how!r})",
                f"use one of {', '.join(WINDOW_REDUCTIONS)}, or aggregate and merge back",
            )
        return self._windowed(how, term, (), None)

    def _windowed(
        self, how: str, term: Term | None, order: tuple[tuple[Expr, bool, bool], ...], frame: Any
    ) -> Term:
        """The reduction ``how`` with each of its aggregates computed over the window."""
        reduced = Reducer(self.state).reduce(how, term)

        def over(expr: Expr) -> Expr | None:
            return self._over(expr, order, frame) if isinstance(expr, Agg) else None

        return dataclasses.replace(reduced, expr=rewritten(reduced.expr, over))

    def cumcount(self, ascending: bool = True) -> Term:
        """The position of each row within its partition, from 0."""
        order = self._order("cumcount")
        if not ascending:
            order = tuple((key, not desc, not first) for key, desc, first in order)
        number = self._over(Func("row_number", ()), order)
        return Term(Op("-", (number, Lit(1))), INT64, False)

    def unique_rows(self, keep: str | bool) -> Term:
        """True for the row ``drop_duplicates(keep=...)`` keeps of each partition."""
        if keep is False:
            count = self._over(Agg("count", None))
            return Term(Op("=", (count, Lit(1))), terms.BOOL, False)
        if keep not in ("first", "last"):
            raise ValueError(f"keep must be 'first', 'last' or False, not {keep!r}")
        if self.state.order is None and len(self.partition) < len(self.state.columns):
            self._order(f"drop_duplicates(keep={keep!r}) of some of the columns")
        order = tuple(
            (key, desc != (keep == "last"), first != (keep == "last"))
            for key, desc, first in (self._order("drop_duplicates") if self.state.order else ())
        )
        number = self._over(Func("row_number", ()), order)
        return Term(Op("=", (number, Lit(1))), terms.BOOL, False)


class Rolling:
    """``series.rolling(n)``: moving-window reductions in the frame's order."""

    def __init__(self, series: Series, windows: Windows, size: int, min_periods: int | None):
        self._series = series
        self._windows = windows
        self._size = size
        self._min_periods = min_periods

    def _apply(self, how: str) -> Series:
        term = self._windows.rolling(self._series._term, how, self._size, self._min_periods)
        return self._series._derive(term)

    def mean(self) -> Series:
        """Moving mean."""
        return self._apply("mean")

    def sum(self) -> Series:
        """Moving sum."""
        return self._apply("sum")

    def min(self) -> Series:
        """Moving minimum."""
        return self._apply("min")

    def max(self) -> Series:
        """Moving maximum."""
        return self._apply("max")

    def std(self) -> Series:
        """Moving sample standard deviation."""
        return self._apply("std")

    def var(self) -> Series:
        """Moving sample variance."""
        return self._apply("var")

    def count(self) -> Series:
        """Moving count of present values."""
        return self._apply("count")

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: a Python function per window."""
        from frames.pandas.errors import needs_pandas

        raise needs_pandas("rolling(...).apply")
