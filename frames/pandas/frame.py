"""A lazy pandas DataFrame over a table or query: every method builds plan nodes, and a fetch
runs one SQL statement.

Entry points: ``frames.pandas.DataFrame(query)`` (indexed by the query's primary key and sorted
by it, as ``query.to_pandas()`` is) and :func:`frames.pandas.read_sql_table`. Back:
:meth:`DataFrame.to_pandas`, :meth:`DataFrame.to_polars`, :meth:`DataFrame.to_arrow`, and
:meth:`DataFrame.to_query` for the DataJoint algebra. Inside this namespace every name means
what it means in pandas; a column named like a method (``keys``, ``sql``, ``count``) is
``df['keys']``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from frames.pandas import convert, terms
from frames.pandas.aggregates import Reducer
from frames.pandas.dtypes import pandas_dtype
from frames.pandas.errors import (
    AlignmentError,
    NotPushedDownError,
    PandasTypeError,
    needs_pandas,
    not_pushed_down,
)
from frames.pandas.series import Series, _is_scalar, aligned_term
from frames.pandas.state import FrameState, OrderKey
from frames.pandas.terms import Term
from frames.plan.nodes import make_top
from frames.plan.values import Col, Expr, Func, Lit, Op, Over

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow as pa

    from frames.api.connection import Connection
    from frames.api.query import QueryExpression
    from frames.pandas.groupby import DataFrameGroupBy

_PRIMARY_KEY = "primary key"


def state_of_query(query: QueryExpression, index_col: Any = _PRIMARY_KEY) -> FrameState:
    """The frame of ``query``: indexed by its primary key (or ``index_col``: a column name, a
    list of them, or None for a fresh ``RangeIndex``) and sorted by it."""
    plan = query._plan
    heading = plan.heading
    if index_col == _PRIMARY_KEY:
        index = heading.primary_key
    elif index_col is None:
        index = ()
    else:
        index = tuple([index_col] if isinstance(index_col, str) else index_col)
        heading.check(index, "DataFrame(index_col=...)")
    columns = tuple(n for n in heading.names if n not in index)
    key = heading.primary_key
    masked = frozenset(
        a.name for a in heading if a.nullable and a.type.category in ("integer", "bool")
    )
    return FrameState(
        plan=plan,
        connection=query.connection,
        columns=columns,
        labels=columns,
        index=tuple(index),
        index_names=tuple(index),
        order=tuple((k, False, False) for k in key) if key else None,
        masked=masked,
    )


class DataFrame:
    """A lazy pandas DataFrame (see the module documentation).

    Parameters
    ----------
    data : QueryExpression or table class
        The rows: any DataJoint query or table of frames.
    index_col : str, list of str or None, optional
        The index: by default the primary key; None gives a ``RangeIndex``.
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, data: Any, index_col: Any = _PRIMARY_KEY):
        from frames.api.query import QueryExpression

        if isinstance(data, type) and issubclass(data, QueryExpression):
            data = data()  # type: ignore[call-arg]  # a table class
        if isinstance(data, DataFrame):
            self._state: FrameState = data._state
        elif isinstance(data, QueryExpression):
            self._state = state_of_query(data, index_col)
        else:
            raise not_pushed_down(
                f"a frames DataFrame of in-memory data ({type(data).__name__})",
                "insert the data into a table first and open it with "
                "frames.pandas.DataFrame(table) or read_sql_table",
            )

    @classmethod
    def _of(cls, state: FrameState) -> DataFrame:
        frame = cls.__new__(cls)
        frame._state = state
        return frame

    def _derive(self, state: FrameState) -> DataFrame:
        return DataFrame._of(state)

    # -- description ----------------------------------------------------------------------------
    @property
    def columns(self) -> pandas.Index:
        """The column labels (no query)."""
        return convert.column_index(self._state.labels, self._state.column_names)

    @property
    def dtypes(self) -> pandas.Series:
        """The dtype of each column as it is fetched (no query)."""
        import pandas

        state = self._state
        heading = state.plan.heading
        values = [
            pandas_dtype(heading[n].type, heading[n].nullable, n in state.masked)
            for n in state.columns
        ]
        return pandas.Series(values, index=self.columns, dtype=object)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` (one count query)."""
        return (len(self), len(self._state.columns))

    @property
    def ndim(self) -> int:
        """2."""
        return 2

    @property
    def size(self) -> int:
        """rows × columns (one count query)."""
        rows, columns = self.shape
        return rows * columns

    @property
    def empty(self) -> bool:
        """True if there are no rows or no columns (at most one query)."""
        return not self._state.columns or not self._state.exists()

    def __len__(self) -> int:
        return self._state.count()

    def __iter__(self) -> Any:
        return iter(self._state.labels)

    def __contains__(self, label: Hashable) -> bool:
        return self._state.has_label(label)

    def keys(self) -> pandas.Index:
        """The column labels (pandas' ``keys``)."""
        return self.columns

    def __repr__(self) -> str:
        state = self._state
        return (
            f"<frames.pandas.DataFrame columns={list(state.labels)} "
            f"index={list(state.index_names)}; .to_pandas() fetches it, .explain() shows the SQL>"
        )

    def __bool__(self) -> bool:
        raise ValueError("The truth value of a DataFrame is ambiguous; use .empty")

    # -- fetching -------------------------------------------------------------------------------
    def to_pandas(self) -> pandas.DataFrame:
        """The result as a pandas DataFrame (one query)."""
        return convert.to_pandas(self._state.fetch(), self._state)

    def to_arrow(self) -> pa.Table:
        """The result as an Arrow table, index levels first (one query)."""
        return convert.to_arrow(self._state.fetch(), self._state)

    def to_polars(self) -> polars.DataFrame:
        """The result as a polars DataFrame, index levels first (one query)."""
        return convert.to_polars(self._state.fetch(), self._state)

    def to_query(self) -> QueryExpression:
        """The frame as a DataJoint query (its index levels and columns, in its order)."""
        from frames.api.query import QueryExpression

        return QueryExpression(self._state.output_plan(), self._state.connection)

    def to_dict(self, orient: str = "dict") -> Any:
        """``to_pandas().to_dict(orient)``."""
        return self.to_pandas().to_dict(orient=orient)

    def compile(self, dialect: str | None = None) -> tuple[str, list[Any]]:
        """The SQL of :meth:`to_pandas` and its parameters (``dialect``: another backend's)."""
        return self._state.compile(dialect)

    def explain(self, dialect: str | None = None) -> str:
        """The plan of the chain and the one SQL statement a fetch runs."""
        from frames.plan.explain import explain

        plan = self._state.output_plan()
        return explain(plan, self._state.compile(dialect)[0])

    # -- selection ------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        """A column (label), a frame of columns (list), rows (boolean Series, slice)."""
        if isinstance(key, Series):
            return self._filtered(key)
        if isinstance(key, slice):
            return self._positional_slice(key)
        if isinstance(key, list):
            if key and all(isinstance(k, (bool, np.bool_)) for k in key):
                raise not_pushed_down(
                    "a boolean list mask", "filter with a boolean Series (df[df.x > 3])"
                )
            return self._select(key)
        if isinstance(key, np.ndarray) or (  # arrays are no labels (== gives an array)
            isinstance(key, tuple) and not self._state.has_label(key)
        ):
            raise not_pushed_down("indexing with an array", "filter with a boolean Series")
        if isinstance(key, DataFrame):
            return self.where(key)
        return self._column(key)

    def _column(self, label: Hashable) -> Series:
        state = self._state
        name = state.name_of(label, "df[...]")
        if name not in state.columns:  # an index level: pandas' KeyError
            raise KeyError(label)
        top = [lab for lab in state.labels if isinstance(lab, tuple) and lab[0] == label]
        if top and not state.has_label(label):
            return self._select(top)  # type: ignore[return-value]
        return Series.of_column(state, name, label)

    def __getattr__(self, name: str) -> Series:
        state = self.__dict__.get("_state")
        if name.startswith("_") or state is None or not state.has_label(name):
            raise AttributeError(f"'DataFrame' object has no attribute {name!r}")
        return self._column(name)

    def _select(self, labels: Sequence[Hashable]) -> DataFrame:
        state = self._state
        names = [state.name_of(label, "df[[...]]") for label in labels]
        visible = [n for n in names if n in state.columns]
        if len(visible) != len(names):
            missing = [lab for lab, n in zip(labels, names, strict=True) if n not in state.columns]
            raise KeyError(f"{missing} not in columns")
        labels_of = {n: state.label_of(n) for n in visible}
        # the plan keeps the other attributes (hidden): a mask of the whole frame still aligns
        return self._derive(
            state.derive(columns=tuple(visible), labels=tuple(labels_of[n] for n in visible))
        )

    def _aligned(self, series: Series, what: str) -> Term:
        """``series``' term over this frame's rows (see :func:`aligned_term`)."""
        return aligned_term(self._state, series, what)

    def _filtered(self, mask: Series) -> DataFrame:
        return self._derive(self._state.restricted(terms.truth(self._aligned(mask, "df[mask]"))))

    def _positional_slice(self, key: slice) -> DataFrame:
        start, stop, step = key.start or 0, key.stop, key.step
        if step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
            raise not_pushed_down(
                "negative or stepped positional slices", "use head()/tail() or sort first"
            )
        limit = None if stop is None else max(stop - start, 0)
        return self._paged(limit, start, "df[a:b]")

    def _paged(self, limit: int | None, offset: int, what: str) -> DataFrame:
        state = self._needs_order(what)
        return self._derive(state.derive(plan=state.ordered_plan(limit, offset)))

    def _needs_order(self, what: str) -> FrameState:
        if self._state.order is None:
            raise NotPushedDownError(
                f"{what} picks rows by position, and this frame's rows have no order (after a "
                "merge or concat of unordered frames); call sort_values(...) first"
            )
        return self._state

    @property
    def loc(self) -> _Loc:
        """``loc[mask]``, ``loc[mask, columns]``, ``loc[:, columns]`` and assignment
        ``loc[mask, column] = value``."""
        return _Loc(self)

    @property
    def iloc(self) -> _ILoc:
        """Positional rows ``iloc[a:b]`` of an ordered frame."""
        return _ILoc(self)

    @property
    def at(self) -> Any:
        """Refused: one cell by label is a lookup, not a query."""
        raise needs_pandas("at[...]", "use loc[mask, column] and to_list()")

    iat = at

    def filter(
        self,
        items: Iterable[Hashable] | None = None,
        like: str | None = None,
        regex: str | None = None,
        axis: Any = None,
    ) -> DataFrame:
        """Columns by label: ``items``, labels containing ``like``, or matching ``regex``."""
        if axis in (0, "index"):
            raise not_pushed_down("filter(axis=0) by index labels", "filter rows with a mask")
        labels = list(self._state.labels)
        if items is not None:
            chosen = [lab for lab in items if lab in labels]
        elif like is not None:
            chosen = [lab for lab in labels if like in str(lab)]
        elif regex is not None:
            chosen = [lab for lab in labels if re.search(regex, str(lab))]
        else:
            raise TypeError("filter needs one of items, like or regex")
        return self._select(chosen)

    # -- columns --------------------------------------------------------------------------------
    def _term_of(self, value: Any, where: str) -> Term:
        if callable(value) and not isinstance(value, Series):
            value = value(self)
        if isinstance(value, Series):
            return self._aligned(value, where)
        if not _is_scalar(value):
            raise not_pushed_down(
                f"{where} with in-memory values",
                "load them into a table and merge, or use a scalar or a Series of this frame",
            )
        return terms.scalar(value)

    def _column_name(self, label: Hashable) -> str:
        """The attribute a column labelled ``label`` is (or would be) stored in."""
        state = self._state
        if state.has_label(label):
            return state.name_of(label)
        if (
            isinstance(label, str)
            and label not in state.columns
            and not label.startswith("__frames_")
        ):
            return label
        return state.fresh("c")

    def assign(self, **columns: Any) -> DataFrame:
        """New or replaced columns: Series of this frame, scalars, or callables of the frame."""
        frame = self
        for label, value in columns.items():
            term = frame._term_of(value, f"assign({label}=...)")
            frame = frame._with(label, term)
        return frame

    def _with(self, label: Hashable, term: Term) -> DataFrame:
        name = self._column_name(label)
        return self._derive(self._state.with_values([(name, label, term.expr, term.masked)]))

    def __setitem__(self, label: Hashable, value: Any) -> None:
        if isinstance(label, list):
            raise not_pushed_down("setting several columns at once", "assign them one by one")
        self._state = self._with(label, self._term_of(value, f"df[{label!r}] = ..."))._state

    def __delitem__(self, label: Hashable) -> None:
        self._state = self.drop(columns=[label])._state

    def insert(self, loc: int, column: Hashable, value: Any) -> None:
        """Insert a column at position ``loc`` (in place, as pandas)."""
        if self._state.has_label(column):
            raise ValueError(f"cannot insert {column!r}, already exists")
        frame = self._with(column, self._term_of(value, "insert"))
        state = frame._state
        columns, labels = list(state.columns), list(state.labels)
        columns.insert(loc, columns.pop())
        labels.insert(loc, labels.pop())
        self._state = state.derive(columns=tuple(columns), labels=tuple(labels))

    def rename(
        self, mapper: Any = None, *, columns: Any = None, index: Any = None, axis: Any = None
    ) -> DataFrame:
        """Columns relabelled by a dict or a function (index labels are refused)."""
        if index is not None or (
            mapper is not None
            and axis in (0, "index", None)
            and columns is None
            and axis is not None
        ):
            raise not_pushed_down("renaming index labels", "map the index column with replace")
        mapping = columns if columns is not None else mapper
        if mapping is None:
            return self
        state = self._state
        labels = tuple(
            (mapping(lab) if callable(mapping) else mapping.get(lab, lab)) for lab in state.labels
        )
        return self._derive(state.derive(labels=labels))._renamed_attributes()

    def _renamed_attributes(self) -> DataFrame:
        """Attributes renamed after their (string) labels where the name is free, so that the
        SQL and :meth:`to_query` read as the frame does."""
        state = self._state
        renames = {}
        taken = set(state.plan.heading.names)
        for name, label in zip(state.columns, state.labels, strict=True):
            if (
                isinstance(label, str)
                and label != name
                and label not in taken
                and not label.startswith("__frames_")
            ):
                renames[name] = label
                taken.add(label)
        if not renames:
            return self
        from frames.plan.nodes import make_project

        plan = make_project(
            state.plan, [(renames.get(n, n), Col(n)) for n in state.plan.heading.names], {}
        )
        order = (
            None
            if state.order is None
            else tuple((renames.get(k, k), d, f) for k, d, f in state.order)
        )
        return self._derive(
            state.derive(
                plan=plan,
                columns=tuple(renames.get(n, n) for n in state.columns),
                index=tuple(renames.get(n, n) for n in state.index),
                order=order,
                masked=frozenset(renames.get(n, n) for n in state.masked),
            )
        )

    def add_prefix(self, prefix: str) -> DataFrame:
        """Column labels with ``prefix``."""
        return self.rename(columns=lambda label: f"{prefix}{label}")

    def add_suffix(self, suffix: str) -> DataFrame:
        """Column labels with ``suffix``."""
        return self.rename(columns=lambda label: f"{label}{suffix}")

    def drop(
        self,
        labels: Any = None,
        *,
        axis: Any = 0,
        index: Any = None,
        columns: Any = None,
        errors: str = "raise",
    ) -> DataFrame:
        """Columns (``columns=``, ``axis=1``) or rows by index label (``index=``) removed."""
        if labels is not None:
            if axis in (1, "columns"):
                columns = labels
            else:
                index = labels
        frame = self
        if columns is not None:
            drop = [columns] if not isinstance(columns, (list, tuple)) else list(columns)
            state = frame._state
            missing = [lab for lab in drop if not state.has_label(lab)]
            if missing and errors == "raise":
                raise KeyError(f"{missing} not found in axis")
            keep = [lab for lab in state.labels if lab not in drop]
            frame = frame._select(keep)
        if index is not None:
            frame = frame._drop_index_labels(index)
        return frame

    def _drop_index_labels(self, labels: Any) -> DataFrame:
        state = self._state
        if len(state.index) != 1:
            raise not_pushed_down(
                "drop(index=...) on a frame without a one-level index", "filter with a mask"
            )
        values = labels if isinstance(labels, (list, tuple, set)) else [labels]
        level = Series.of_column(state, state.index[0], state.index_names[0])
        return self._filtered(~level.isin(list(values)))

    # -- missing values ---------------------------------------------------------------------------
    def isna(self) -> DataFrame:
        """True where a value is missing (column by column)."""
        return self._map_columns(lambda s: s.isna())

    isnull = isna

    def notna(self) -> DataFrame:
        """True where a value is present."""
        return self._map_columns(lambda s: s.notna())

    notnull = notna

    def dropna(
        self,
        *,
        axis: Any = 0,
        how: str = "any",
        thresh: int | None = None,
        subset: Any = None,
        ignore_index: bool = False,
    ) -> DataFrame:
        """Rows with missing values removed (``how``, ``thresh``, ``subset`` as pandas)."""
        if axis in (1, "columns"):
            raise not_pushed_down("dropna(axis=1)", "drop the columns by name")
        labels = self._state.labels if subset is None else _as_list(subset)
        present = [self._column(lab).notna()._term for lab in labels]
        if not present:
            return self
        if thresh is not None:
            counted = [terms.widened(t).expr for t in present]
            total = counted[0]
            for item in counted[1:]:
                total = Op("+", (total, item))
            condition: Expr = Op(">=", (total, Lit(int(thresh))))
        else:
            joiner = "and" if how == "any" else "or"
            condition = present[0].expr
            for term in present[1:]:
                condition = Op(joiner, (condition, term.expr))
        frame = self._derive(self._state.restricted(condition))
        return frame.reset_index(drop=True) if ignore_index else frame

    def fillna(self, value: Any = None, **kwargs: Any) -> DataFrame:
        """Missing values replaced: a scalar for every column, or a dict by column."""
        if kwargs.get("method") is not None or value is None:
            raise not_pushed_down("fillna(method=...)", "use ffill()/bfill() or a fill value")
        if isinstance(value, Mapping):
            return self._map_columns(lambda s: s.fillna(value[s.name]) if s.name in value else s)
        return self._map_columns(lambda s: s.fillna(value))

    def ffill(self) -> DataFrame:
        """Refused (see :meth:`Series.ffill` alternatives)."""
        raise needs_pandas("ffill", "it needs the last valid value, which frames does not carry")

    bfill = ffill

    # -- element-wise -----------------------------------------------------------------------------
    def _map_columns(self, function: Callable[[Series], Series]) -> DataFrame:
        """Every column replaced by ``function`` of it (same labels)."""
        state = self._state
        items = []
        for name, label in zip(state.columns, state.labels, strict=True):
            result = function(Series.of_column(state, name, label))
            items.append((name, label, result._term.expr, result._term.masked))
        return self._derive(state.with_values(items)) if items else self

    def astype(self, dtype: Any) -> DataFrame:
        """Columns converted: one dtype for all, or a dict by column label."""
        if isinstance(dtype, Mapping):
            for label in dtype:
                self._state.name_of(label, "astype")
            return self._map_columns(lambda s: s.astype(dtype[s.name]) if s.name in dtype else s)
        return self._map_columns(lambda s: s.astype(dtype))

    def isin(self, values: Any) -> DataFrame:
        """True where a value is in ``values`` (a list, or a dict by column)."""
        if isinstance(values, Mapping):
            return self._map_columns(lambda s: s.isin(values.get(s.name, [])))
        return self._map_columns(lambda s: s.isin(values))

    def where(self, cond: Any, other: Any = np.nan) -> DataFrame:
        """Values where ``cond`` holds, else ``other`` (cond: a boolean Series of rows or a
        boolean frame of this frame's columns)."""
        if callable(cond) and not isinstance(cond, (Series, DataFrame)):
            cond = cond(self)
        if isinstance(cond, Series):
            test = self._aligned(cond, "where")
            return self._map_columns(lambda s: s.where(test, other))
        if isinstance(cond, DataFrame):
            state = self._state
            items = []
            for name, label in zip(state.columns, state.labels, strict=True):
                value = Series.of_column(state, name, label)
                test = self._aligned(cond[label], "where")
                term = terms.when(test, value._term, terms.as_term(other))
                items.append((name, label, term.expr, term.masked))
            return self._derive(state.with_values(items))
        raise not_pushed_down("where with in-memory conditions", "pass a boolean Series")

    def mask(self, cond: Any, other: Any = np.nan) -> DataFrame:
        """Values where ``cond`` does not hold, else ``other``."""
        if callable(cond) and not isinstance(cond, (Series, DataFrame)):
            cond = cond(self)
        return self.where(~cond, other)

    def abs(self) -> DataFrame:
        """Absolute values of every column."""
        return self._map_columns(lambda s: s.abs())

    def round(self, decimals: int = 0) -> DataFrame:
        """Every float column rounded half to even."""
        return self._map_columns(lambda s: s.round(decimals))

    def clip(self, lower: Any = None, upper: Any = None) -> DataFrame:
        """Every column limited to ``[lower, upper]``."""
        return self._map_columns(lambda s: s.clip(lower, upper))

    def _binary(self, op: Callable[[Series, Any], Series], other: Any) -> DataFrame:
        if isinstance(other, DataFrame):
            if other._state.plan is not self._state.plan:
                raise AlignmentError("the two frames come from different rows; merge them first")
            return self._map_columns(lambda s: op(s, other[s.name]))
        if isinstance(other, Series):
            raise not_pushed_down(
                "DataFrame-Series arithmetic (aligned on columns)", "combine column by column"
            )
        return self._map_columns(lambda s: op(s, other))

    def __add__(self, other: Any) -> DataFrame:
        return self._binary(Series.__add__, other)

    def __sub__(self, other: Any) -> DataFrame:
        return self._binary(Series.__sub__, other)

    def __mul__(self, other: Any) -> DataFrame:
        return self._binary(Series.__mul__, other)

    def __truediv__(self, other: Any) -> DataFrame:
        return self._binary(Series.__truediv__, other)

    def __eq__(self, other: Any) -> DataFrame:  # type: ignore[override]
        return self._binary(Series.__eq__, other)

    def __ne__(self, other: Any) -> DataFrame:  # type: ignore[override]
        return self._binary(Series.__ne__, other)

    def __lt__(self, other: Any) -> DataFrame:
        return self._binary(Series.__lt__, other)

    def __le__(self, other: Any) -> DataFrame:
        return self._binary(Series.__le__, other)

    def __gt__(self, other: Any) -> DataFrame:
        return self._binary(Series.__gt__, other)

    def __ge__(self, other: Any) -> DataFrame:
        return self._binary(Series.__ge__, other)

    def __invert__(self) -> DataFrame:
        return self._map_columns(lambda s: ~s)

    def __and__(self, other: Any) -> DataFrame:
        return self._binary(Series.__and__, other)

    def __or__(self, other: Any) -> DataFrame:
        return self._binary(Series.__or__, other)

    def apply(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Refused: a Python function per row or column cannot run in the database."""
        raise needs_pandas("DataFrame.apply", "column arithmetic, .str, .dt are pushed down")

    def map(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Refused: a Python function per value."""
        raise needs_pandas("DataFrame.map", "Series.map with a dict is pushed down")

    applymap = map

    def iterrows(self) -> Any:
        """Refused: iterating row by row is Python work."""
        raise needs_pandas("iterrows", "or to_dict('records') after to_pandas()")

    itertuples = iterrows

    def pipe(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``func(self, *args, **kwargs)``: the function builds on the lazy frame."""
        return func(self, *args, **kwargs)

    # -- order and position ---------------------------------------------------------------------
    def sort_values(
        self,
        by: Any,
        *,
        ascending: bool | Sequence[bool] = True,
        na_position: str = "last",
        ignore_index: bool = False,
        kind: str | None = None,
        axis: Any = 0,
    ) -> DataFrame:
        """Rows sorted by columns (stable: ties keep their previous order; NaN last)."""
        labels = _as_list(by)
        flags = [ascending] * len(labels) if isinstance(ascending, bool) else list(ascending)
        if len(flags) != len(labels):
            raise ValueError(f"Length of ascending ({len(flags)}) != length of by ({len(labels)})")
        if na_position not in ("first", "last"):
            raise ValueError(f"invalid na_position: {na_position!r}")
        frame = self
        keys: list[OrderKey] = []
        for label, up in zip(labels, flags, strict=True):
            frame, name = frame._sort_key(label)
            keys.append((name, not up, na_position == "first"))
        state = frame._state
        order = _merged_order(keys, state.order)
        result = self._derive(state.derive(order=order))
        return result.reset_index(drop=True) if ignore_index else result

    def _sort_key(self, label: Hashable) -> tuple[DataFrame, str]:
        """The attribute sorting by ``label`` sorts by: enums by their text (pandas sees
        strings), through a hidden attribute."""
        state = self._state
        name = state.name_of(label, "sort_values")
        attr = state.plan.heading[name]
        if attr.type.kind != "enum":
            return self, name
        hidden = state.fresh("sort")
        term = terms.as_text(Series.of_column(state, name, label)._term)
        return self._derive(
            state.with_values([(hidden, None, term.expr, False)], hidden=True)
        ), hidden

    def sort_index(self, *, ascending: bool = True, na_position: str = "last") -> DataFrame:
        """Rows sorted by the index levels."""
        state = self._state
        if not state.index:
            raise not_pushed_down("sort_index of a RangeIndex", "sort_values by a column")
        keys = [(n, not ascending, na_position == "first") for n in state.index]
        return self._derive(state.derive(order=_merged_order(keys, state.order)))

    def head(self, n: int = 5) -> DataFrame:
        """The first ``n`` rows in the frame's order."""
        if n < 0:
            raise not_pushed_down("head(-n)", "sort the other way and use head(n)")
        return self._paged(n, 0, "head()")

    def tail(self, n: int = 5) -> DataFrame:
        """The last ``n`` rows, in the frame's order."""
        state = self._needs_order("tail()")
        if n < 0:
            raise not_pushed_down("tail(-n)", "sort the other way and use tail(n)")
        reverse = [(k, not d) for k, d, _ in state.order]  # type: ignore[union-attr]
        nulls = [not f for _, _, f in state.order]  # type: ignore[union-attr]
        return self._derive(state.derive(plan=make_top(state.plan, reverse, n, None, nulls)))

    def nlargest(self, n: int, columns: Any, keep: str = "first") -> DataFrame:
        """The ``n`` rows with the largest values, largest first (missing values last)."""
        return self._extremes(n, columns, keep, ascending=False)

    def nsmallest(self, n: int, columns: Any, keep: str = "first") -> DataFrame:
        """The ``n`` rows with the smallest values, smallest first."""
        return self._extremes(n, columns, keep, ascending=True)

    def _extremes(self, n: int, columns: Any, keep: str, ascending: bool) -> DataFrame:
        if keep != "first":
            raise not_pushed_down(f"keep={keep!r}", "use keep='first'")
        return self.sort_values(_as_list(columns), ascending=ascending).head(n)

    # -- rows -----------------------------------------------------------------------------------
    def query(
        self, expr: str, *, local_dict: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> DataFrame:
        """Rows where the pandas expression ``expr`` holds (``@name`` reads a local variable,
        bound as a parameter)."""
        mask = self.eval(expr, local_dict=local_dict, _depth=2)
        if not isinstance(mask, Series):
            raise PandasTypeError(f"query needs a condition, not {expr!r}")
        return self._filtered(mask)

    def eval(
        self, expr: str, *, local_dict: Mapping[str, Any] | None = None, _depth: int = 1
    ) -> Any:
        """The value of the pandas expression ``expr`` over the columns (a Series)."""
        from frames.pandas.expressions import evaluate

        if local_dict is None:
            caller = sys._getframe(_depth)
            local_dict = {**caller.f_globals, **caller.f_locals}
        return evaluate(expr, self, local_dict)

    def drop_duplicates(
        self, subset: Any = None, *, keep: str | bool = "first", ignore_index: bool = False
    ) -> DataFrame:
        """Rows without repeats of ``subset`` (default: all columns); ``keep`` as pandas."""
        from frames.pandas.windows import Windows

        state = self._state
        labels = list(state.labels) if subset is None else _as_list(subset)
        names = tuple(state.name_of(label, "drop_duplicates") for label in labels)
        condition = Windows(state, names).unique_rows(keep)
        frame = self._derive(state.restricted(condition.expr))
        return frame.reset_index(drop=True) if ignore_index else frame

    def duplicated(self, subset: Any = None, keep: str | bool = "first") -> Series:
        """True for rows repeating an earlier row of ``subset`` (``keep`` as pandas)."""
        from frames.pandas.windows import Windows

        state = self._state
        labels = list(state.labels) if subset is None else _as_list(subset)
        names = tuple(state.name_of(label, "duplicated") for label in labels)
        unique = Windows(state, names).unique_rows(keep)
        return Series(state, terms.invert(unique), None)

    def sample(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: random rows differ per engine."""
        raise not_pushed_down("sample", "sort by a column and use head(n)")

    # -- index ----------------------------------------------------------------------------------
    def set_index(self, keys: Any, *, drop: bool = True, append: bool = False) -> DataFrame:
        """Columns as the index (``append``: after the current levels)."""
        state = self._state
        labels = _as_list(keys)
        names = [state.name_of(label, "set_index") for label in labels]
        if drop:
            kept = [
                (n, lab)
                for n, lab in zip(state.columns, state.labels, strict=True)
                if n not in names
            ]
            index, index_names = names, labels
            base = state
        else:  # the index gets copies: a column stays a column
            copies = [state.fresh(f"i{i}") for i in range(len(names))]
            base = state.with_values(
                [(c, None, Col(n), n in state.masked) for c, n in zip(copies, names, strict=True)],
                hidden=True,
            )
            kept = list(zip(state.columns, state.labels, strict=True))
            index, index_names = copies, labels
        if append:
            index, index_names = [*state.index, *index], [*state.index_names, *index_names]
        result = base.derive(
            columns=tuple(n for n, _ in kept),
            labels=tuple(lab for _, lab in kept),
            index=tuple(index),
            index_names=tuple(index_names),
        )
        return self._derive(result.pruned())

    def reset_index(self, *, drop: bool = False, level: Any = None) -> DataFrame:
        """The index levels as leading columns (``drop``: discarded for a ``RangeIndex``)."""
        state = self._state
        if level is not None:
            raise not_pushed_down("reset_index(level=...)", "reset the whole index")
        if drop:
            return self._derive(state.derive(index=(), index_names=()).pruned())
        if not state.index:
            return self._positions_as_column()
        names = [
            label if label is not None else ("index" if len(state.index) == 1 else f"level_{i}")
            for i, label in enumerate(state.index_names)
        ]
        for label in names:
            if state.has_label(label):
                raise ValueError(f"cannot insert {label}, already exists")
        return self._derive(
            state.derive(
                columns=(*state.index, *state.columns),
                labels=(*names, *state.labels),
                index=(),
                index_names=(),
            )
        )._renamed_attributes()

    def _positions_as_column(self) -> DataFrame:
        """``reset_index()`` of a RangeIndex: the row positions as a column ``index``."""
        state = self._needs_order("reset_index() of a RangeIndex")
        position = Op("-", (_row_number(state), Lit(1)))
        name = self._column_name("index")
        with_position = state.with_values([(name, "index", position, False)])
        columns = (name, *state.columns)
        return self._derive(with_position.derive(columns=columns, labels=("index", *state.labels)))

    # -- grouping and reductions -------------------------------------------------------------------
    def groupby(
        self,
        by: Any = None,
        *,
        level: Any = None,
        as_index: bool = True,
        sort: bool = True,
        dropna: bool = True,
    ) -> DataFrameGroupBy:
        """Rows grouped by columns or index levels (``by`` labels, ``level`` names)."""
        from frames.pandas.groupby import DataFrameGroupBy

        keys = _as_list(by if by is not None else level)
        if callable(by) or any(isinstance(k, Series) for k in keys):
            raise not_pushed_down(
                "grouping by a function or a Series", "assign the key as a column and group by it"
            )
        return DataFrameGroupBy(self, keys, as_index=as_index, sort=sort, dropna=dropna)

    def value_counts(
        self,
        subset: Any = None,
        *,
        normalize: bool = False,
        sort: bool = True,
        ascending: bool = False,
        dropna: bool = True,
    ) -> Series:
        """How often each distinct row (of ``subset``) occurs, most frequent first."""
        from frames.pandas.groupby import value_counts

        labels = list(self._state.labels) if subset is None else _as_list(subset)
        return value_counts(self, labels, normalize, sort, ascending, dropna)

    def _reductions(self, how: str, numeric_only: bool, **options: Any) -> pandas.Series:
        """One reduction of every column as a pandas Series (one query)."""
        import pandas

        state = self._state
        reducer = Reducer(state)
        columns: list[tuple[str, Expr]] = []
        labels: list[Hashable] = []
        results: list[Term] = []
        for name, label in zip(state.columns, state.labels, strict=True):
            series = Series.of_column(state, name, label)
            if numeric_only and series._term.category not in terms.NUMERIC:
                continue
            result = reducer.reduce(how, series._term, **options)
            columns.append((state.fresh(f"v{len(columns)}"), result.expr))
            labels.append(label)
            results.append(result)
        if not columns:
            return pandas.Series([], dtype=float)
        row = state.fetch(reducer.grouped(columns)).to_pylist()[0]
        from frames.pandas.series import _scalar_result

        values = [_scalar_result(row[n], r) for (n, _), r in zip(columns, results, strict=True)]
        return pandas.Series(values, index=convert.column_index(labels))

    def sum(self, numeric_only: bool = False) -> pandas.Series:
        """Column sums (one query)."""
        return self._reductions("sum", numeric_only)

    def mean(self, numeric_only: bool = False) -> pandas.Series:
        """Column means (one query)."""
        return self._reductions("mean", numeric_only)

    def min(self, numeric_only: bool = False) -> pandas.Series:
        """Column minima (one query)."""
        return self._reductions("min", numeric_only)

    def max(self, numeric_only: bool = False) -> pandas.Series:
        """Column maxima (one query)."""
        return self._reductions("max", numeric_only)

    def count(self) -> pandas.Series:
        """Non-missing values per column (one query)."""
        return self._reductions("count", False)

    def std(self, numeric_only: bool = False) -> pandas.Series:
        """Sample standard deviations (one query)."""
        return self._reductions("std", numeric_only)

    def var(self, numeric_only: bool = False) -> pandas.Series:
        """Sample variances (one query)."""
        return self._reductions("var", numeric_only)

    def median(self, numeric_only: bool = False) -> pandas.Series:
        """Column medians (one query)."""
        return self._reductions("median", numeric_only)

    def nunique(self, dropna: bool = True) -> pandas.Series:
        """Distinct non-missing values per column (one query)."""
        if not dropna:
            raise not_pushed_down("nunique(dropna=False)", "count missing values separately")
        return self._reductions("nunique", False)

    def describe(self, percentiles: Sequence[float] | None = None) -> pandas.DataFrame:
        """count, mean, std, min, percentiles, max of the numeric columns (one query)."""
        from frames.pandas.groupby import describe

        return describe(self, percentiles)

    def pivot_table(self, *args: Any, **kwargs: Any) -> DataFrame:
        """Pivot: one row per ``index`` value, one column per ``columns`` value (see
        :func:`frames.pandas.reshape.pivot_table`)."""
        from frames.pandas.reshape import pivot_table

        return pivot_table(self, *args, **kwargs)

    # -- windows ----------------------------------------------------------------------------------
    def rank(
        self,
        method: str = "average",
        ascending: bool = True,
        na_option: str = "keep",
        pct: bool = False,
    ) -> DataFrame:
        """Ranks of every column (as :meth:`Series.rank`, in float64 as pandas gives them)."""
        from frames.pandas.windows import Windows

        windows = Windows(self._state, ())
        return self._map_columns(
            lambda s: s._derive(windows.rank(s._term, method, ascending, na_option, pct, True))
        )

    def cumsum(self) -> DataFrame:
        """Running sums of every column in the frame's order."""
        return self._map_columns(lambda s: s.cumsum())

    def cummax(self) -> DataFrame:
        """Running maxima."""
        return self._map_columns(lambda s: s.cummax())

    def cummin(self) -> DataFrame:
        """Running minima."""
        return self._map_columns(lambda s: s.cummin())

    def shift(self, periods: int = 1) -> DataFrame:
        """Every column shifted by ``periods`` rows in the frame's order."""
        return self._map_columns(lambda s: s.shift(periods))

    def diff(self, periods: int = 1) -> DataFrame:
        """Differences from ``periods`` rows earlier."""
        return self._map_columns(lambda s: s.diff(periods))

    # -- combining -------------------------------------------------------------------------------
    def merge(self, right: DataFrame, **kwargs: Any) -> DataFrame:
        """pandas' merge (see :func:`frames.pandas.merge.merge`)."""
        from frames.pandas.merge import merge

        return merge(self, right, **kwargs)

    def join(
        self,
        other: DataFrame,
        on: Any = None,
        how: str = "left",
        lsuffix: str = "",
        rsuffix: str = "",
        suffixes: tuple[str, str] | None = None,
    ) -> DataFrame:
        """Join ``other`` on its index (see :func:`frames.pandas.merge.join`)."""
        from frames.pandas.merge import join

        lsuffix, rsuffix = suffixes if suffixes is not None else (lsuffix, rsuffix)
        return join(self, other, on=on, how=how, lsuffix=lsuffix, rsuffix=rsuffix)


class _Loc:
    """``df.loc``."""

    def __init__(self, frame: DataFrame):
        self._frame = frame

    def _split(self, key: Any) -> tuple[Any, Any]:
        if isinstance(key, tuple) and len(key) == 2 and not self._frame._state.has_label(key):
            return key
        return key, slice(None)

    def __getitem__(self, key: Any) -> Any:
        rows, columns = self._split(key)
        frame = self._frame
        if isinstance(rows, Series):
            frame = frame._filtered(rows)
        elif callable(rows):
            frame = frame._filtered(rows(frame))
        elif not (isinstance(rows, slice) and rows == slice(None)):
            raise not_pushed_down(
                "loc by index labels", "filter on the index column: reset_index() then a mask"
            )
        if isinstance(columns, slice) and columns == slice(None):
            return frame
        if isinstance(columns, list):
            return frame._select(columns)
        return frame._column(columns)

    def __setitem__(self, key: Any, value: Any) -> None:
        rows, columns = self._split(key)
        frame = self._frame
        labels = columns if isinstance(columns, list) else [columns]
        if isinstance(rows, slice) and rows == slice(None):
            for label in labels:
                frame[label] = value
            return
        if not isinstance(rows, Series):
            raise not_pushed_down("loc assignment by index labels", "assign with a mask")
        test = frame._aligned(rows, "loc[mask, column] = value")
        new = frame._term_of(value, "loc assignment")
        state = frame._state
        for label in labels:
            if state.has_label(label):
                old = Series.of_column(state, state.name_of(label), label)._term
            else:
                old = terms.scalar(None)
            term = terms.when(test, new, old)
            frame._state = frame._with(label, term)._state


class _ILoc:
    """``df.iloc[a:b]`` on an ordered frame."""

    def __init__(self, frame: DataFrame):
        self._frame = frame

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self._frame._positional_slice(key)
        raise not_pushed_down(
            "iloc with positions other than a slice of rows",
            "use a slice iloc[a:b] of a sorted frame, or head()/tail()",
        )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return (
        list(value) if isinstance(value, (list, tuple)) and not isinstance(value, str) else [value]
    )


def _merged_order(
    keys: list[OrderKey], previous: tuple[OrderKey, ...] | None
) -> tuple[OrderKey, ...]:
    """Sort keys followed by the previous order (a stable sort), each attribute once."""
    named = {name for name, _, _ in keys}
    rest = [key for key in previous or () if key[0] not in named]
    return tuple(keys + rest)


def _row_number(state: FrameState) -> Over:
    """The 1-based position of each row in the frame's order."""
    order = tuple((Col(name), desc, first) for name, desc, first in state.order or ())
    return Over(Func("row_number", ()), (), order)


def read_sql_table(
    table_name: str,
    con: Connection | str,
    schema: str | None = None,
    index_col: Any = None,
    columns: Sequence[str] | None = None,
) -> DataFrame:
    """A lazy frame of a stored table, as ``pandas.read_sql_table`` names it.

    Parameters
    ----------
    table_name : str
        The table's stored name (``'schema.table'`` if ``schema`` is not given).
    con : Connection or str
        A frames connection or a database URL.
    schema : str, optional
        The schema (database) of the table.
    index_col : str or list of str, optional
        Columns to use as the index (default: a ``RangeIndex``, as pandas).
    columns : list of str, optional
        The columns to read.
    """
    from frames.api.connection import Connection, connect
    from frames.api.table import FreeTable

    connection = con if isinstance(con, Connection) else connect(con)
    full_name = f"{schema}.{table_name}" if schema else table_name
    frame = DataFrame(FreeTable(connection, full_name), index_col=index_col)
    return frame[list(columns)] if columns is not None else frame
