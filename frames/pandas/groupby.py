"""``groupby``: aggregation as one ``GROUP BY``, and per-group window methods.

Groups follow pandas: missing keys form no group unless ``dropna=False``; with ``sort=True``
(the default) groups come in key order, missing keys last; with ``sort=False`` in order of
first appearance. ``agg`` takes a name, a list, a dict or named aggregations
(``total=('x', 'sum')``), each one of :data:`frames.pandas.aggregates.REDUCTIONS` or
``quantile``. ``transform``, ``cumsum``, ``rank``, ``shift``, ``head`` ... keep the frame's rows
and compute window functions partitioned by the keys.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from frames.pandas import convert, terms
from frames.pandas.aggregates import REDUCTIONS, Reducer
from frames.pandas.errors import NotPushedDownError, needs_pandas, not_pushed_down
from frames.pandas.series import Series
from frames.pandas.state import FrameState, OrderKey
from frames.pandas.terms import Term
from frames.pandas.windows import Windows
from frames.plan.values import Agg, Col, Expr, Func, Op, Over

if TYPE_CHECKING:
    import pandas

    from frames.pandas.frame import DataFrame

#: numpy/builtin functions accepted in ``agg`` for the reduction of the same name.
_FUNCTION_NAMES = {
    "amin": "min",
    "amax": "max",
    "average": "mean",
    "len": "size",
    "nanmean": "mean",
    "nansum": "sum",
}


def reduction_name(func: Any) -> str:
    """The reduction a name or a numpy/builtin function stands for."""
    if isinstance(func, str):
        return func
    name = getattr(func, "__name__", None)
    if name is None or name == "<lambda>":
        raise needs_pandas("agg with a Python function", "name a reduction, e.g. 'sum'")
    name = _FUNCTION_NAMES.get(name, name)
    if name not in REDUCTIONS:
        raise needs_pandas(f"agg with {name!r}", f"use one of {', '.join(REDUCTIONS)}")
    return name


class DataFrameGroupBy:
    """``df.groupby(keys)`` (see the module documentation)."""

    def __init__(
        self,
        frame: DataFrame,
        keys: Sequence[Hashable],
        *,
        as_index: bool = True,
        sort: bool = True,
        dropna: bool = True,
        selection: Sequence[Hashable] | None = None,
    ):
        if not keys:
            raise TypeError("You have to supply one of 'by' and 'level'")
        self._frame = frame
        self._keys = list(keys)
        state = frame._state
        self._names = tuple(state.name_of(key, "groupby") for key in keys)
        self._as_index = as_index
        self._sort = sort
        self._dropna = dropna
        values = [
            label
            for name, label in zip(state.columns, state.labels, strict=True)
            if name not in self._names
        ]
        self._selection = list(values if selection is None else selection)
        for label in self._selection:
            state.name_of(label, "groupby(...)[...]")

    def _with_selection(self, selection: Sequence[Hashable]) -> DataFrameGroupBy:
        return DataFrameGroupBy(
            self._frame,
            self._keys,
            as_index=self._as_index,
            sort=self._sort,
            dropna=self._dropna,
            selection=selection,
        )

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, list):
            return self._with_selection(key)
        return SeriesGroupBy(self._with_selection([key]))

    def __getattr__(self, name: str) -> SeriesGroupBy:
        frame = self.__dict__.get("_frame")
        if name.startswith("_") or frame is None or not frame._state.has_label(name):
            raise AttributeError(f"'DataFrameGroupBy' object has no attribute {name!r}")
        return self[name]

    # -- aggregation ----------------------------------------------------------------------------
    def _grouped_rows(self) -> FrameState:
        """The rows that form groups: without missing keys unless ``dropna=False``."""
        state = self._frame._state
        enums = [n for n in self._names if state.plan.heading[n].type.kind == "enum"]
        if enums:  # pandas groups strings: in alphabetical order, not the declaration's
            items = []
            for name in enums:
                term = Series.of_column(state, name, None)._term
                label = state.label_of(name) if name in state.columns else None
                items.append((name, label, terms.as_text(term).expr, False))
            state = state.with_values(items, hidden=True)
        if not self._dropna:
            return state
        tests = [
            Op("not", (Op("is_null", (Col(name),)),))
            for name in self._names
            if state.nullable(name)
        ]
        if not tests:
            return state
        condition = tests[0]
        for test in tests[1:]:
            condition = Op("and", (condition, test))
        return state.restricted(condition)

    def _term(self, state: FrameState, label: Hashable) -> Term:
        name = state.name_of(label, "groupby")
        return Series.of_column(state, name, label)._term

    def _aggregate(self, specs: Sequence[tuple[Hashable, Any, str, dict]]) -> FrameState:
        """One row per group with the aggregates ``specs``: (output label, input column label
        or None for ``size``, reduction, options of :meth:`Reducer.reduce`)."""
        state = self._grouped_rows()
        reducer = Reducer(state, self._names)
        columns: list[tuple[str, Expr]] = []
        labels: list[Hashable] = []
        masked: set[str] = set()
        taken = set(self._names)
        for label, source, how, options in specs:
            term = None if source is None else self._term(state, source)
            result = reducer.reduce(how, term, **options)
            name = (
                label
                if isinstance(label, str)
                and label not in taken
                and not label.startswith("__frames_")
                else None
            )
            name = name or state.fresh("a", taken)
            taken.add(name)
            columns.append((name, result.expr))
            labels.append(label)
            if result.masked:
                masked.add(name)
        order: tuple[OrderKey, ...] | None
        if self._sort:
            order = tuple((name, False, False) for name in self._names)
        else:
            order = self._first_seen(state, reducer, columns, taken)
        plan = reducer.grouped(columns)
        key_masked = {n for n in self._names if n in state.masked}
        grouped = FrameState(
            plan=plan,
            connection=state.connection,
            columns=tuple(n for n, _ in columns if not n.startswith("__frames_seen")),
            labels=tuple(labels),
            index=self._names,
            index_names=tuple(self._keys),
            order=order,
            masked=frozenset(masked | key_masked),
        )
        return grouped if self._as_index else _keys_as_columns(grouped)

    def _first_seen(
        self, state: FrameState, reducer: Reducer, columns: list[tuple[str, Expr]], taken: set[str]
    ) -> tuple[OrderKey, ...] | None:
        """``sort=False``: groups in order of their first row (adds a hidden aggregate)."""
        if state.order is None:
            return None
        order = tuple((Col(n), d, f) for n, d, f in state.order)
        position = reducer.window(Over(Func("row_number", ()), (), order))
        name = state.fresh("seen", taken)
        columns.append((name, Agg("min", position)))
        return ((name, False, False),)

    def agg(self, func: Any = None, *args: Any, **named: Any) -> Any:
        """Aggregate: a reduction name, a list, a dict by column, or ``name=(column, how)``."""
        if named:
            specs: list[tuple[Hashable, Any, str, dict]] = []
            for label, spec in named.items():
                if not isinstance(spec, tuple) or len(spec) != 2:
                    raise TypeError(f"named aggregation {label}= needs (column, reduction)")
                column, how = spec
                specs.append((label, column, reduction_name(how), {}))
            return self._frame._derive(self._aggregate(specs))
        if isinstance(func, dict):
            nested = any(isinstance(v, (list, tuple)) for v in func.values())
            specs = []
            for column, hows in func.items():
                for how in hows if isinstance(hows, (list, tuple)) else [hows]:
                    name = reduction_name(how)
                    specs.append(((column, name) if nested else column, column, name, {}))
            return self._frame._derive(self._aggregate(specs))
        if isinstance(func, (list, tuple)):
            names = [reduction_name(how) for how in func]
            specs = [((c, n), c, n, {}) for c in self._selection for n in names]
            return self._frame._derive(self._aggregate(specs))
        return self._all(reduction_name(func))

    aggregate = agg

    def _all(self, how: str, **options: Any) -> DataFrame:
        if how == "size":
            return self.size()
        specs = [(label, label, how, options) for label in self._selection]
        return self._frame._derive(self._aggregate(specs))

    def sum(self) -> DataFrame:
        """Group sums (0 for a group without values)."""
        return self._all("sum")

    def mean(self) -> DataFrame:
        """Group means."""
        return self._all("mean")

    def min(self) -> DataFrame:
        """Group minima."""
        return self._all("min")

    def max(self) -> DataFrame:
        """Group maxima."""
        return self._all("max")

    def count(self) -> DataFrame:
        """Non-missing values per group."""
        return self._all("count")

    def std(self, ddof: int = 1) -> DataFrame:
        """Sample standard deviations per group."""
        _ddof(ddof)
        return self._all("std")

    def var(self, ddof: int = 1) -> DataFrame:
        """Sample variances per group."""
        _ddof(ddof)
        return self._all("var")

    def median(self) -> DataFrame:
        """Medians per group."""
        return self._all("median")

    def quantile(self, q: float = 0.5) -> DataFrame:
        """The ``q`` quantile per group (linear interpolation)."""
        return self._all("quantile", q=q)

    def nunique(self) -> DataFrame:
        """Distinct non-missing values per group."""
        return self._all("nunique")

    def first(self) -> DataFrame:
        """The first non-missing value per group, in the frame's order."""
        return self._all("first")

    def last(self) -> DataFrame:
        """The last non-missing value per group, in the frame's order."""
        return self._all("last")

    def any(self) -> DataFrame:
        """True if any value of the group is true."""
        return self._all("any")

    def all(self) -> DataFrame:
        """True if every value of the group is true."""
        return self._all("all")

    def size(self) -> Any:
        """Rows per group: a Series (``as_index=False``: a frame with a ``size`` column)."""
        state = self._aggregate([("size", None, "size", {})])
        frame = self._frame._derive(state)
        if not self._as_index:
            return frame
        series = Series._of_frame(frame)
        return series.rename(None)

    def prod(self) -> Any:
        """Refused (no SQL aggregate)."""
        return self._all("prod")

    def describe(self) -> Any:
        """Refused per group; ``describe()`` of a frame is pushed down."""
        raise not_pushed_down(
            "groupby(...).describe()", "use agg(['count', 'mean', 'std', 'min', 'max'])"
        )

    def apply(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Refused: a Python function per group."""
        raise needs_pandas("groupby(...).apply", "agg, transform and filter are pushed down")

    def pipe(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``func(self, ...)``."""
        return func(self, *args, **kwargs)

    # -- rows of the frame, per group -------------------------------------------------------------
    def _windows(self) -> tuple[FrameState, Windows]:
        state = self._frame._state
        return state, Windows(state, self._names)

    def _keyed(self, term: Term, mask_integers: bool = True) -> Term:
        """``term`` missing on rows whose key is missing (they form no group), as pandas
        (which then holds integers as ``Int64``, except ``cumcount``'s)."""
        state = self._frame._state
        nullable = [Col(n) for n in self._names if state.nullable(n)]
        if not self._dropna or not nullable:
            return term
        from frames.plan.values import Case, Lit

        tests = [Op("is_null", (key,)) for key in nullable]
        condition = tests[0]
        for test in tests[1:]:
            condition = Op("or", (condition, test))
        masked = term.masked or (mask_integers and term.category == "integer")
        return Term(Case(((condition, Lit(None)),), term.expr), term.type, True, masked)

    def _per_row(self, method: Callable[[Windows, Term], Term]) -> DataFrame:
        state, windows = self._windows()
        items = []
        labels = []
        for label in self._selection:
            term = self._keyed(method(windows, self._term(state, label)))
            name = state.name_of(label)
            items.append((name, label, term.expr, term.masked))
            labels.append(label)
        result = state.with_values(items)
        names = tuple(state.name_of(label) for label in labels)
        return self._frame._derive(result.derive(columns=names, labels=tuple(labels)).pruned())

    def transform(self, func: Any) -> DataFrame:
        """Each row's group reduction (``'sum'``, ``'mean'``, ...) on every row."""
        how = reduction_name(func)
        return self._per_row(lambda w, t: w.transform(t, how))

    def cumsum(self) -> DataFrame:
        """Running sums within each group, in the frame's order."""
        return self._per_row(lambda w, t: w.cumulative(t, "sum"))

    def cummax(self) -> DataFrame:
        """Running maxima within each group."""
        return self._per_row(lambda w, t: w.cumulative(t, "max"))

    def cummin(self) -> DataFrame:
        """Running minima within each group."""
        return self._per_row(lambda w, t: w.cumulative(t, "min"))

    def shift(self, periods: int = 1) -> DataFrame:
        """Values ``periods`` rows earlier within each group."""
        return self._per_row(lambda w, t: w.shift(t, periods))

    def diff(self, periods: int = 1) -> DataFrame:
        """Differences from ``periods`` rows earlier within each group."""
        return self._per_row(lambda w, t: w.diff(t, periods))

    def pct_change(self, periods: int = 1) -> DataFrame:
        """Relative changes within each group."""
        return self._per_row(lambda w, t: w.pct_change(t, periods))

    def rank(
        self,
        method: str = "average",
        ascending: bool = True,
        na_option: str = "keep",
        pct: bool = False,
    ) -> DataFrame:
        """Ranks within each group."""
        return self._per_row(lambda w, t: w.rank(t, method, ascending, na_option, pct))

    def cumcount(self, ascending: bool = True) -> Series:
        """Each row's position within its group, from 0."""
        state, windows = self._windows()
        return Series(state, self._keyed(windows.cumcount(ascending), mask_integers=False), None)

    def ngroup(self) -> Any:
        """Refused: group numbers are positions of sorted keys."""
        raise not_pushed_down("ngroup", "rank the keys with rank(method='dense')")

    def head(self, n: int = 5) -> DataFrame:
        """The first ``n`` rows of each group, in the frame's order."""
        return self._first_rows(n, "head")

    def tail(self, n: int = 5) -> DataFrame:
        """The last ``n`` rows of each group."""
        return self._first_rows(n, "tail")

    def _first_rows(self, n: int, which: str) -> DataFrame:
        from frames.pandas.frame import DataFrame
        from frames.plan.values import Lit

        state = self._grouped_rows()
        position = Windows(state, self._names).cumcount(ascending=which == "head")
        return DataFrame._of(state.restricted(Op("<", (position.expr, Lit(int(n))))))

    def filter(self, func: Callable[..., Any], dropna: bool = True) -> DataFrame:
        """Rows of the groups for which ``func(group)`` is true: ``func`` must build its
        condition from group reductions (``lambda g: g['x'].sum() > 10``), which become
        window functions."""
        if not dropna:
            raise not_pushed_down("filter(dropna=False)", "use transform and where")
        state, windows = self._windows()
        try:
            result = func(_GroupView(self, windows))
        except NotPushedDownError:
            raise
        except Exception as error:  # the function used something a lazy group lacks
            raise needs_pandas(
                "groupby(...).filter with this function",
                f"it failed on a lazy group ({type(error).__name__}: {error}); write the "
                "condition from reductions of g['column'], e.g. lambda g: g['x'].mean() > 0",
            ) from None
        if not isinstance(result, Series):
            raise needs_pandas(
                "groupby(...).filter",
                "the function must return a condition built from g['column'] reductions",
            )
        return self._frame._filtered(Series(state, self._keyed(result._term), None))


class _GroupView:
    """What ``groupby(...).filter``'s function receives: columns whose reductions are
    group-wide window values."""

    def __init__(self, groupby: DataFrameGroupBy, windows: Windows):
        self._groupby = groupby
        self._windows = windows

    def __getitem__(self, label: Hashable) -> _GroupColumn:
        return _GroupColumn(self._groupby._frame._column(label), self._windows)

    def __getattr__(self, name: str) -> _GroupColumn:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __len__(self) -> int:
        raise TypeError("len() of a lazy group; use g['column'].size() (a group-wide count)")


class _GroupColumn:
    """A column of a lazy group: reductions give each row its group's value."""

    def __init__(self, series: Series, windows: Windows):
        self._series = series
        self._windows = windows

    def _reduce(self, how: str) -> Series:
        term = None if how == "size" else self._series._term
        return self._series._derive(self._windows.transform(term, how))

    def sum(self) -> Series:
        """The group's sum."""
        return self._reduce("sum")

    def mean(self) -> Series:
        """The group's mean."""
        return self._reduce("mean")

    def min(self) -> Series:
        """The group's minimum."""
        return self._reduce("min")

    def max(self) -> Series:
        """The group's maximum."""
        return self._reduce("max")

    def count(self) -> Series:
        """The group's non-missing values."""
        return self._reduce("count")

    def size(self) -> Series:
        """The group's rows."""
        return self._reduce("size")

    def std(self) -> Series:
        """The group's standard deviation."""
        return self._reduce("std")

    def any(self) -> Series:
        """True if any value of the group is true."""
        return self._reduce("any")

    def all(self) -> Series:
        """True if every value of the group is true."""
        return self._reduce("all")


class SeriesGroupBy:
    """``df.groupby(keys)[column]``: the same methods, giving Series."""

    def __init__(self, groupby: DataFrameGroupBy):
        self._groupby = groupby

    def _series(self, frame: Any) -> Any:
        from frames.pandas.frame import DataFrame

        if not isinstance(frame, DataFrame) or len(frame._state.columns) != 1:
            return frame
        if not self._groupby._as_index and frame._state.index == ():
            return frame
        return Series._of_frame(frame)

    def agg(self, func: Any = None, **named: Any) -> Any:
        """A reduction (a Series), or a list / named reductions (a frame)."""
        (column,) = self._groupby._selection
        if named:
            return self._groupby.agg(**{k: (column, v) for k, v in named.items()})
        if isinstance(func, (list, tuple)):
            specs: list[tuple[Hashable, Any, str, dict]] = [
                (reduction_name(f), column, reduction_name(f), {}) for f in func
            ]
            return self._groupby._frame._derive(self._groupby._aggregate(specs))
        return self._series(self._groupby.agg(func))

    aggregate = agg

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._groupby, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._series(method(*args, **kwargs))

        call.__doc__ = method.__doc__
        return call

    def size(self) -> Any:
        """Rows per group."""
        return self._groupby.size()

    def value_counts(
        self,
        normalize: bool = False,
        sort: bool = True,
        ascending: bool = False,
        dropna: bool = True,
    ) -> Series:
        """Counts of each (key, value) pair."""
        groupby = self._groupby
        labels = [*groupby._keys, *groupby._selection]
        within = len(groupby._keys) if groupby._sort else 0
        return value_counts(groupby._frame, labels, normalize, sort, ascending, dropna, within)

    def filter(self, func: Callable[..., Any], dropna: bool = True) -> Series:
        """Values of the groups for which ``func(group)`` holds (see
        :meth:`DataFrameGroupBy.filter`; the group is the column)."""
        groupby = self._groupby
        (column,) = groupby._selection
        frame = groupby.filter(lambda g: func(g[column]), dropna=dropna)
        return frame[column]


def _ddof(ddof: int) -> None:
    if ddof != 1:
        raise not_pushed_down(f"ddof={ddof}", "frames computes the sample statistics (ddof=1)")


def _keys_as_columns(state: FrameState) -> FrameState:
    """``as_index=False``: the group keys as leading columns and a RangeIndex."""
    return state.derive(
        columns=(*state.index, *state.columns),
        labels=(*state.index_names, *state.labels),
        index=(),
        index_names=(),
    )


def value_counts(
    frame: DataFrame,
    labels: list[Hashable],
    normalize: bool,
    sort: bool,
    ascending: bool,
    dropna: bool,
    groups: int = 0,
) -> Series:
    """``value_counts`` of the columns ``labels``: a Series named ``count`` (``proportion``
    when normalised) indexed by their values, most frequent first, ties in order of first
    appearance; ``groups``: the first labels are group keys, counted within their group (in
    key order)."""
    from frames.pandas.frame import DataFrame

    grouped = DataFrameGroupBy(frame, labels, sort=False, dropna=dropna, selection=[])
    name = "proportion" if normalize else "count"
    state = grouped._aggregate([(name, None, "size", {})])
    count = state.columns[0]
    seen = state.order or ()
    masked = len(labels) == 1 and state.index[0] in state.masked
    if masked:  # pandas counts a masked column's values as Int64, its NA after them
        state = state.derive(masked=state.masked | {count})
    if masked and not dropna:
        flag = state.fresh("na")
        state = state.with_values(
            [(flag, None, Op("is_null", (Col(state.index[0]),)), False)], hidden=True
        )
        seen = ((flag, False, False), *seen)
    if normalize:
        total = Over(Agg("sum", Col(count)), tuple(Col(n) for n in state.index[:groups]))
        share = Op("/", (Col(count), total))
        state = state.with_values([(count, name, share, masked)])
    if sort:
        tie = seen or tuple((n, False, False) for n in state.index)
        keys = tuple((n, False, False) for n in state.index[:groups])
        state = state.derive(order=(*keys, (count, not ascending, False), *tie))
    series = Series._of_frame(DataFrame._of(state.pruned()))
    return series.rename(name)


def describe(frame: DataFrame, percentiles: Sequence[float] | None) -> pandas.DataFrame:
    """``describe()`` of the numeric columns: one query, a pandas DataFrame."""
    import pandas

    state = frame._state
    quantiles = [0.25, 0.5, 0.75] if percentiles is None else sorted(set(percentiles))
    stats: list[tuple[str, str, dict]] = [
        ("count", "count", {}),
        ("mean", "mean", {}),
        ("std", "std", {}),
        ("min", "min", {}),
    ]
    stats += [(f"{q * 100:g}%", "quantile", {"q": q}) for q in quantiles]
    stats.append(("max", "max", {}))
    reducer = Reducer(state)
    columns: list[tuple[str, Expr]] = []
    labels: list[Hashable] = []
    maskings: list[bool] = []
    for name, label in zip(state.columns, state.labels, strict=True):
        term = Series.of_column(state, name, label)._term
        if term.category not in ("integer", "float", "decimal"):
            continue
        labels.append(label)
        maskings.append(term.masked)
        for _, how, options in stats:
            result = reducer.reduce(how, term, **options)
            value: Expr = result.expr
            columns.append((state.fresh(f"d{len(columns)}"), value))
    if not labels:
        raise not_pushed_down(
            "describe() of a frame without numeric columns", "use value_counts() or nunique()"
        )
    row = state.fetch(reducer.grouped(columns)).to_pylist()[0]
    values = iter(float("nan") if row[n] is None else float(row[n]) for n, _ in columns)
    data = {
        label: pandas.array([next(values) for _ in stats], dtype="Float64" if masked else float)
        for label, masked in zip(labels, maskings, strict=True)
    }
    result = pandas.DataFrame(data, index=[name for name, _, _ in stats])
    result.columns = convert.column_index(labels)
    return result
