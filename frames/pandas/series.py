"""A lazy pandas Series: one expression over the rows of a frame.

A Series is a :class:`~frames.pandas.terms.Term` evaluated on the rows, index and order of a
:class:`~frames.pandas.state.FrameState`. Operators and methods build new terms over the same
rows; two Series combine only if they come from the same frame (pandas would align them by
index, which frames leaves to an explicit merge). Reductions (``sum``, ``mean``, ...) run one
query and return a Python scalar.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from frames.pandas import terms
from frames.pandas.aggregates import Reducer
from frames.pandas.dtypes import converted, pandas_dtype, parse_dtype
from frames.pandas.errors import AlignmentError, needs_pandas, not_pushed_down
from frames.pandas.state import FrameState
from frames.pandas.terms import Term
from frames.plan.values import Col

if TYPE_CHECKING:
    import pandas

    from frames.pandas.datetimes import DatetimeMethods
    from frames.pandas.frame import DataFrame
    from frames.pandas.groupby import SeriesGroupBy
    from frames.pandas.strings import StringMethods
    from frames.pandas.windows import Rolling

#: The attribute a Series' value is computed into when it becomes a frame of its own.
VALUE = "__frames_value"


class Series:
    """A lazy pandas Series over a table or query (see the module documentation)."""

    __hash__ = None  # type: ignore[assignment]  # == builds a Series

    def __init__(self, state: FrameState, term: Term, name: Hashable = None):
        self._state = state
        self._term = term
        self._name = name

    @classmethod
    def of_column(cls, state: FrameState, name: str, label: Hashable) -> Series:
        """The column ``name`` of ``state``."""
        attr = state.plan.heading[name]
        term = Term(Col(name), attr.type, attr.nullable, name in state.masked)
        return cls(state, term, label)

    def _derive(self, term: Term, name: Hashable = ...) -> Series:
        return Series(self._state, term, self._name if name is ... else name)

    def _other(self, other: Any) -> Any:
        """``other`` ready to combine: a Series of the same frame, or a scalar."""
        if isinstance(other, Series):
            return self._state_term(other, "combining two Series")
        if isinstance(other, Term):
            return other
        if not _is_scalar(other):
            raise not_pushed_down(
                "combining a Series with in-memory data",
                "load the data into a table and merge, or call .to_pandas() first",
            )
        return other

    def _state_term(self, other: Series, what: str) -> Term:
        """``other``'s term over this Series' rows (aligned by index as pandas aligns)."""
        return aligned_term(self._state, other, what)

    def _name_with(self, other: Any) -> Hashable:
        if isinstance(other, Series) and other._name != self._name:
            return None
        return self._name

    # -- description ----------------------------------------------------------------------------
    @property
    def name(self) -> Hashable:
        """The Series' label."""
        return self._name

    @property
    def dtype(self) -> Any:
        """The pandas dtype the values are fetched as (see :mod:`frames.pandas.dtypes`)."""
        term = self._term
        return pandas_dtype(term.type, term.nullable, term.masked)

    def __len__(self) -> int:
        return self._state.count()

    @property
    def shape(self) -> tuple[int]:
        """``(rows,)`` (one count query)."""
        return (len(self),)

    @property
    def size(self) -> int:
        """The number of rows (one count query)."""
        return len(self)

    @property
    def empty(self) -> bool:
        """True if there are no rows (one query)."""
        return not self._state.exists()

    def rename(self, name: Hashable) -> Series:
        """The same values under another name."""
        if callable(name) or isinstance(name, Mapping):
            raise not_pushed_down("renaming the index labels", "set_index on a column instead")
        return self._derive(self._term, name)

    def __repr__(self) -> str:
        return f"<frames.pandas.Series {self._name!r} ({self.dtype}) over {self._state.columns}>"

    def __bool__(self) -> bool:
        raise ValueError(
            "The truth value of a Series is ambiguous; use & | ~ for conditions, or .any() / "
            ".all() to reduce"
        )

    def __iter__(self) -> Any:
        raise needs_pandas("iterating over a Series", "call .to_list() for the values")

    # -- arithmetic -----------------------------------------------------------------------------
    def _arith(self, op: str, other: Any, reverse: bool = False) -> Series:
        term = terms.arithmetic(op, self._term, self._other(other), reverse)
        return self._derive(term, self._name_with(other))

    def __add__(self, other: Any) -> Series:
        return self._arith("+", other)

    def __radd__(self, other: Any) -> Series:
        return self._arith("+", other, reverse=True)

    def __sub__(self, other: Any) -> Series:
        return self._arith("-", other)

    def __rsub__(self, other: Any) -> Series:
        return self._arith("-", other, reverse=True)

    def __mul__(self, other: Any) -> Series:
        return self._arith("*", other)

    def __rmul__(self, other: Any) -> Series:
        return self._arith("*", other, reverse=True)

    def __truediv__(self, other: Any) -> Series:
        return self._arith("/", other)

    def __rtruediv__(self, other: Any) -> Series:
        return self._arith("/", other, reverse=True)

    def __floordiv__(self, other: Any) -> Series:
        return self._arith("//", other)

    def __rfloordiv__(self, other: Any) -> Series:
        return self._arith("//", other, reverse=True)

    def __mod__(self, other: Any) -> Series:
        return self._arith("%", other)

    def __rmod__(self, other: Any) -> Series:
        return self._arith("%", other, reverse=True)

    def __pow__(self, other: Any) -> Series:
        return self._arith("**", other)

    def __rpow__(self, other: Any) -> Series:
        return self._arith("**", other, reverse=True)

    def __neg__(self) -> Series:
        return self._derive(terms.negative(self._term))

    def __pos__(self) -> Series:
        return self

    def __abs__(self) -> Series:
        return self.abs()

    add, sub, mul, div, truediv = __add__, __sub__, __mul__, __truediv__, __truediv__
    floordiv, mod, pow = __floordiv__, __mod__, __pow__
    radd, rsub, rmul, rtruediv = __radd__, __rsub__, __rmul__, __rtruediv__

    # -- comparison and logic ---------------------------------------------------------------------
    def _compare(self, op: str, other: Any) -> Series:
        return self._derive(
            terms.compare(op, self._term, self._other(other)), self._name_with(other)
        )

    def __eq__(self, other: Any) -> Series:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: Any) -> Series:  # type: ignore[override]
        return self._compare("!=", other)

    def __lt__(self, other: Any) -> Series:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Series:
        return self._compare("<=", other)

    def __gt__(self, other: Any) -> Series:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Series:
        return self._compare(">=", other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def _logic(self, op: str, other: Any, reverse: bool = False) -> Series:
        left, right = self._term, self._other(other)
        if reverse:
            left, right = right, left
        return self._derive(terms.logical(op, left, right), self._name_with(other))

    def __and__(self, other: Any) -> Series:
        return self._logic("and", other)

    def __rand__(self, other: Any) -> Series:
        return self._logic("and", other, reverse=True)

    def __or__(self, other: Any) -> Series:
        return self._logic("or", other)

    def __ror__(self, other: Any) -> Series:
        return self._logic("or", other, reverse=True)

    def __xor__(self, other: Any) -> Series:
        return self._logic("xor", other)

    def __invert__(self) -> Series:
        return self._derive(terms.invert(self._term))

    # -- element-wise methods -------------------------------------------------------------------
    def isna(self) -> Series:
        """True where the value is missing."""
        return self._derive(terms.isna(self._term))

    isnull = isna

    def notna(self) -> Series:
        """True where the value is present."""
        return ~self.isna()

    notnull = notna

    def fillna(self, value: Any = None, **kwargs: Any) -> Series:
        """Missing values replaced by ``value`` (a scalar or a Series of the same frame)."""
        if kwargs.get("method") is not None or value is None:
            raise not_pushed_down(
                "fillna(method=...)", "use ffill()/bfill() after sort_values, or a fill value"
            )
        return self._derive(terms.fill(self._term, self._other(value)))

    def isin(self, values: Iterable[Any]) -> Series:
        """True where the value is one of ``values`` (missing matches a missing value)."""
        if isinstance(values, Series):
            raise not_pushed_down(
                "isin with a lazy Series",
                "restrict with a merge (how='inner') on the other frame instead",
            )
        if isinstance(values, (str, bytes)):
            raise TypeError(f"isin needs a list of values, not {type(values).__name__}")
        return self._derive(terms.isin(self._term, list(values)))

    def between(self, left: Any, right: Any, inclusive: str = "both") -> Series:
        """True where ``left <= value <= right`` (``inclusive`` as in pandas)."""
        return self._derive(
            terms.between(self._term, self._other(left), self._other(right), inclusive)
        )

    def clip(self, lower: Any = None, upper: Any = None) -> Series:
        """Values limited to ``[lower, upper]``."""
        return self._derive(terms.clipped(self._term, lower, upper))

    def abs(self) -> Series:
        """Absolute values."""
        return self._derive(terms.absolute(self._term))

    def round(self, decimals: int = 0) -> Series:
        """Rounded half to even, as numpy rounds."""
        return self._derive(terms.rounded(self._term, decimals))

    def astype(self, dtype: Any) -> Series:
        """The values converted to ``dtype`` (see :func:`frames.pandas.dtypes.converted`)."""
        target, masked = parse_dtype(dtype)
        return self._derive(converted(self._term, target, masked))

    def map(self, arg: Any, na_action: str | None = None) -> Series:
        """Values mapped by a dict (values not in it become missing)."""
        if not isinstance(arg, Mapping):
            raise needs_pandas("Series.map with a function", "map with a dict is pushed down")
        return self._derive(terms.mapped(self._term, arg, None))

    def replace(self, to_replace: Any = None, value: Any = None) -> Series:
        """Values replaced: ``replace(a, b)``, ``replace([a, b], c)`` or ``replace({a: b})``."""
        if isinstance(to_replace, Mapping):
            mapping = dict(to_replace)
        elif isinstance(to_replace, (list, tuple)):
            values = value if isinstance(value, (list, tuple)) else [value] * len(to_replace)
            mapping = dict(zip(to_replace, values, strict=True))
        else:
            mapping = {to_replace: value}
        return self._derive(terms.mapped(self._term, mapping, self._term))

    def where(self, cond: Any, other: Any = np.nan) -> Series:
        """The values where ``cond`` is true, else ``other``."""
        test = self._condition(cond)
        return self._derive(terms.when(test, self._term, terms.as_term(self._other(other))))

    def mask(self, cond: Any, other: Any = np.nan) -> Series:
        """The values where ``cond`` is false, else ``other``."""
        test = terms.invert(self._condition(cond))
        return self._derive(terms.when(test, self._term, terms.as_term(self._other(other))))

    def _condition(self, cond: Any) -> Term:
        """A condition (a boolean Series, or a callable giving one) over these rows."""
        if isinstance(cond, Term):
            return cond
        if callable(cond):
            cond = cond(self)
        if not isinstance(cond, Series):
            raise not_pushed_down("a condition that is not a Series", "pass a boolean Series")
        return self._state_term(cond, "where")

    def apply(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Refused: a Python function per row cannot run in the database."""
        raise needs_pandas("Series.apply", "arithmetic, .str, .dt, map(dict) are pushed down")

    # -- as a frame -----------------------------------------------------------------------------
    def _value_name(self) -> str:
        name = self._name
        if isinstance(name, str) and not name.startswith("__frames_"):
            return name
        return VALUE

    def to_frame(self, name: Hashable = ...) -> DataFrame:
        """A one-column frame of the values (same index and order)."""
        from frames.pandas.frame import DataFrame

        label = self._name if name is ... else name
        column = self._value_name() if name is ... or not isinstance(name, str) else name
        state = self._state.with_values([(column, label, self._term.expr, self._term.masked)])
        state = state.derive(columns=(column,), labels=(label,)).pruned()
        return DataFrame._of(state)

    @classmethod
    def _of_frame(cls, frame: DataFrame) -> Series:
        state = frame._state
        (name,) = state.columns
        return cls.of_column(state, name, state.labels[0])

    def _via_frame(self, method: str, *args: Any, **kwargs: Any) -> Series:
        frame = self.to_frame()
        label = frame._state.labels[0]
        result = getattr(frame, method)(*args, **kwargs)
        series = Series._of_frame(result)
        return series.rename(label)

    def to_pandas(self) -> pandas.Series:
        """The values as a pandas Series (one query), indexed as the frame."""
        frame = self.to_frame().to_pandas()
        series = frame.iloc[:, 0]
        series.name = self._name
        return series

    def to_list(self) -> list[Any]:
        """The values as a Python list, in the frame's order (one query)."""
        return self.to_pandas().to_list()

    tolist = to_list

    def to_numpy(self) -> np.ndarray:
        """The values as a numpy array, in the frame's order (one query)."""
        return self.to_pandas().to_numpy()

    def compile(self, dialect: str | None = None) -> tuple[str, list[Any]]:
        """The SQL of :meth:`to_pandas` and its parameters (``dialect``: another backend's)."""
        return self.to_frame().compile(dialect)

    def explain(self, dialect: str | None = None) -> str:
        """The plan and the one SQL statement of :meth:`to_pandas`."""
        return self.to_frame().explain(dialect)

    # -- reductions -----------------------------------------------------------------------------
    def _reduce(self, how: str, **options: Any) -> Any:
        if options.get("skipna", True) is False:
            raise not_pushed_down(f"{how}(skipna=False)", "compare isna().any() yourself")
        reducer = Reducer(self._state)
        result = reducer.reduce(how, self._term, **({"q": options["q"]} if "q" in options else {}))
        plan = reducer.grouped([(VALUE, result.expr)])
        table = self._state.fetch(plan)
        value = table.column(0)[0].as_py()
        return _scalar_result(value, result)

    def sum(self, skipna: bool = True) -> Any:
        """The sum of the values (0 if none), by one query."""
        return self._reduce("sum", skipna=skipna)

    def mean(self, skipna: bool = True) -> Any:
        """The mean (one query)."""
        return self._reduce("mean", skipna=skipna)

    def min(self, skipna: bool = True) -> Any:
        """The minimum (one query)."""
        return self._reduce("min", skipna=skipna)

    def max(self, skipna: bool = True) -> Any:
        """The maximum (one query)."""
        return self._reduce("max", skipna=skipna)

    def count(self) -> int:
        """The number of non-missing values (one query)."""
        return int(self._reduce("count"))

    def std(self, ddof: int = 1, skipna: bool = True) -> Any:
        """The sample standard deviation (one query)."""
        _ddof(ddof)
        return self._reduce("std", skipna=skipna)

    def var(self, ddof: int = 1, skipna: bool = True) -> Any:
        """The sample variance (one query)."""
        _ddof(ddof)
        return self._reduce("var", skipna=skipna)

    def median(self, skipna: bool = True) -> Any:
        """The median (one query)."""
        return self._reduce("median", skipna=skipna)

    def quantile(self, q: float = 0.5) -> Any:
        """The ``q`` quantile, interpolated linearly (one query)."""
        return self._reduce("quantile", q=q)

    def nunique(self, dropna: bool = True) -> int:
        """The number of distinct non-missing values (one query)."""
        if not dropna:
            raise not_pushed_down("nunique(dropna=False)", "add isna().any() to nunique()")
        return int(self._reduce("nunique"))

    def any(self) -> bool:
        """True if any value is true (one query)."""
        return bool(self._reduce("any"))

    def all(self) -> bool:
        """True if every value is true (one query)."""
        return bool(self._reduce("all"))

    def first_valid_index(self) -> Any:
        """Refused: index labels are not reductions."""
        raise needs_pandas("first_valid_index")

    def prod(self) -> Any:
        """Refused (no SQL aggregate)."""
        return self._reduce("prod")

    # -- frame-shaped methods -------------------------------------------------------------------
    def unique(self) -> np.ndarray:
        """The distinct values in order of first appearance (one query)."""
        frame = self.to_frame().drop_duplicates()
        return frame.to_pandas().iloc[:, 0].to_numpy()

    def drop_duplicates(self, keep: str | bool = "first") -> Series:
        """The values without repeats (``keep`` as in pandas)."""
        return self._via_frame("drop_duplicates", keep=keep)

    def duplicated(self, keep: str | bool = "first") -> Series:
        """True for repeats of an earlier (``keep='first'``) value."""
        return self.to_frame().duplicated(keep=keep).rename(None)

    def dropna(self) -> Series:
        """The non-missing values."""
        return Series(
            self._state.restricted(terms.invert(terms.isna(self._term)).expr),
            self._term,
            self._name,
        )

    def sort_values(
        self,
        ascending: bool = True,
        na_position: str = "last",
        ignore_index: bool = False,
        **kwargs: Any,
    ) -> Series:
        """Sorted by value (stable: ties keep their order)."""
        frame = self.to_frame()
        result = frame.sort_values(
            frame._state.labels[0],
            ascending=ascending,
            na_position=na_position,
            ignore_index=ignore_index,
        )
        return Series._of_frame(result).rename(self._name)

    def sort_index(self, ascending: bool = True) -> Series:
        """Sorted by the index."""
        return self._via_frame("sort_index", ascending=ascending)

    def head(self, n: int = 5) -> Series:
        """The first ``n`` values in order."""
        return self._via_frame("head", n)

    def tail(self, n: int = 5) -> Series:
        """The last ``n`` values in order."""
        return self._via_frame("tail", n)

    def nlargest(self, n: int = 5, keep: str = "first") -> Series:
        """The ``n`` largest values, largest first."""
        frame = self.to_frame()
        return Series._of_frame(frame.nlargest(n, frame._state.labels[0], keep)).rename(self._name)

    def nsmallest(self, n: int = 5, keep: str = "first") -> Series:
        """The ``n`` smallest values, smallest first."""
        frame = self.to_frame()
        return Series._of_frame(frame.nsmallest(n, frame._state.labels[0], keep)).rename(self._name)

    def value_counts(
        self,
        normalize: bool = False,
        sort: bool = True,
        ascending: bool = False,
        dropna: bool = True,
    ) -> Series:
        """How often each value occurs, most frequent first (ties: first seen first)."""
        frame = self.to_frame()
        return frame.value_counts(
            normalize=normalize, sort=sort, ascending=ascending, dropna=dropna
        )

    def reset_index(self, drop: bool = False, name: Hashable = ...) -> Any:
        """The index as columns (``drop``: discarded, a Series again)."""
        frame = self.to_frame(name)
        result = frame.reset_index(drop=drop)
        return Series._of_frame(result).rename(self._name) if drop else result

    def groupby(self, by: Any, sort: bool = True, dropna: bool = True) -> SeriesGroupBy:
        """Grouped by a Series of the same frame or index level names."""
        frame = self.to_frame()
        labels = [by] if not isinstance(by, list) else by
        keys: list[Hashable] = []
        for item in labels:
            if isinstance(item, Series):
                self._other(item)
                frame = (
                    frame.assign(**{str(item.name): item}) if isinstance(item.name, str) else frame
                )
                keys.append(item.name)
            else:
                keys.append(item)
        return frame.groupby(keys if isinstance(by, list) else keys[0], sort=sort, dropna=dropna)[
            frame._state.labels[0]
        ]

    # -- windows ----------------------------------------------------------------------------------
    def _window(self) -> Any:
        from frames.pandas.windows import Windows

        return Windows(self._state, ())

    def rank(
        self,
        method: str = "average",
        ascending: bool = True,
        na_option: str = "keep",
        pct: bool = False,
    ) -> Series:
        """Ranks of the values (``method`` as in pandas; missing values get no rank)."""
        return self._derive(self._window().rank(self._term, method, ascending, na_option, pct))

    def cumsum(self) -> Series:
        """Running sum in the frame's order (missing values stay missing)."""
        return self._derive(self._window().cumulative(self._term, "sum"))

    def cummax(self) -> Series:
        """Running maximum in the frame's order."""
        return self._derive(self._window().cumulative(self._term, "max"))

    def cummin(self) -> Series:
        """Running minimum in the frame's order."""
        return self._derive(self._window().cumulative(self._term, "min"))

    def cumcount(self) -> Series:
        """Refused on a Series (a GroupBy method)."""
        raise not_pushed_down("Series.cumcount", "use groupby(...).cumcount()")

    def shift(self, periods: int = 1) -> Series:
        """The value ``periods`` rows earlier in the frame's order (later if negative)."""
        return self._derive(self._window().shift(self._term, periods))

    def diff(self, periods: int = 1) -> Series:
        """The difference from the value ``periods`` rows earlier."""
        return self._derive(self._window().diff(self._term, periods))

    def pct_change(self, periods: int = 1) -> Series:
        """The relative change from the value ``periods`` rows earlier."""
        return self._derive(self._window().pct_change(self._term, periods))

    def rolling(self, window: int, min_periods: int | None = None) -> Rolling:
        """A moving window of ``window`` rows in the frame's order."""
        from frames.pandas.windows import Rolling

        return Rolling(self, self._window(), window, min_periods)

    # -- accessors (last: their names would shadow builtins in annotations) ---------------
    @property
    def str(self) -> StringMethods:
        """String methods (:mod:`frames.pandas.strings`)."""
        from frames.pandas.strings import StringMethods

        return StringMethods(self)

    @property
    def dt(self) -> DatetimeMethods:
        """Date and time parts (:mod:`frames.pandas.datetimes`)."""
        from frames.pandas.datetimes import DatetimeMethods

        return DatetimeMethods(self)


def aligned_term(state: FrameState, series: Series, what: str) -> Term:
    """``series``' term over the rows of ``state``, where pandas would align it by index.

    Raises
    ------
    AlignmentError
        The Series' rows are not (a superset of) the frame's rows with the same index.
    """
    expr = state.rebase(series._state, series._term.expr)
    if expr is None:
        raise AlignmentError(
            f"{what}: the Series comes from a frame whose rows are not this frame's (pandas "
            "would align them by index, inserting missing values); build it from this frame, "
            "e.g. df[df.x > 3], or merge the frames first"
        )
    return series._term.with_expr(expr)


def _ddof(ddof: int) -> None:
    if ddof != 1:
        raise not_pushed_down(f"ddof={ddof}", "frames computes the sample statistics (ddof=1)")


def _is_scalar(value: Any) -> bool:
    """True for a Python, numpy or pandas scalar (``Timestamp``, ``NA``), not for data."""
    from pandas.api.types import is_scalar

    return bool(is_scalar(value))


def _scalar_result(value: Any, term: Term) -> Any:
    """A fetched reduction as pandas returns it: ``NA`` for a masked missing value, ``NaN``
    for another missing value."""
    if value is None:
        if term.masked:
            import pandas

            return pandas.NA
        return float("nan")
    if term.category == "date" and not isinstance(value, str):
        import pandas

        return pandas.Timestamp(value)
    return value
