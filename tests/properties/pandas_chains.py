"""Random pandas method chains for the differential suite (``test_pandas_differential.py``).

A chain is a list of :class:`Step`: each applies one pandas call to a frame, and the very same
call is applied to a pandas DataFrame and to a ``frames.pandas`` DataFrame of the same data.
:class:`Model` tracks what the chain has made of the columns (their family, whether they may
be missing, whether pandas holds them masked) and whether the row order is pandas' own, so that
every drawn call is valid and its result comparable.

The generated data steer around the documented differences of the README's pandas section:
strings have no trailing spaces (MySQL ignores them in comparisons) and no whitespace but
spaces (SQL's TRIM strips spaces only); divisors are non-zero literals (division by zero is
missing in frames, ``inf`` in pandas); floats have six decimals (PostgreSQL raises on a
floating-point underflow, pandas gives 0); datetimes have whole seconds.

:func:`normalised` is the documented normalisation before ``assert_frame_equal``: named index
levels become columns and an unnamed index is dropped (frames numbers a ``RangeIndex`` afresh
after a filter, pandas keeps the old labels); every numeric or boolean column becomes
``float64`` with NaN for missing (int64/Int64/float64/boolean hold the same values);
strings become ``object`` with None; datetimes ``datetime64[us]``; rows are sorted only when
the chain leaves their order undefined.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

#: The table every example loads: (attribute, type, nullable).
COLUMNS = (
    ("i", "int64", False),
    ("j", "int32", True),
    ("f", "float64", True),
    ("s", "varchar(24)", True),
    ("g", "varchar(4)", True),
    ("k", "int16", False),
    ("b", "bool", False),
    ("c", "bool", True),
    ("d", "date", True),
    ("t", "datetime", True),
)
#: Column family of each loaded column: num, str, bool, time.
FAMILIES = {
    "i": "num",
    "j": "num",
    "f": "num",
    "s": "str",
    "g": "str",
    "k": "num",
    "b": "bool",
    "c": "bool",
    "d": "time",
    "t": "time",
}

#: Characters of generated strings: ASCII, accented, Greek, Cyrillic, CJK, an emoji and space.
ALPHABET = "abcABCzZ éÉüÜωΩжЖ中🙂"


@dataclass(frozen=True)
class Column:
    """What a chain knows of a column."""

    family: str  # num, str, bool, time
    nullable: bool
    integer: bool = False
    masked: bool = False


@dataclass(frozen=True)
class Model:
    """The columns of the frame a chain has built, and what its rows are."""

    columns: dict[Hashable, Column]
    ordered: bool = True  # the row order is pandas' order
    keyed: bool = True  # indexed by the table's id (pandas' index labels are comparable)
    reduced: bool = False  # a terminal step ran: no further steps

    def of(self, family: str) -> list[Hashable]:
        return [label for label, column in self.columns.items() if column.family == family]

    def with_column(self, label: Hashable, column: Column) -> Model:
        return replace(self, columns={**self.columns, label: column})


@dataclass
class Step:
    """One pandas call, applied alike to pandas and frames."""

    text: str
    apply: Callable[[Any], Any]
    model: Model
    scalar: bool = False  # the result is a scalar, not a frame or Series
    order_free: bool = False  # the result's order is undefined: compare sorted
    extra: dict[str, Any] = field(default_factory=dict)


def initial_model() -> Model:
    columns = {}
    for name, kind, nullable in COLUMNS:
        family = FAMILIES[name]
        integer = kind.startswith("int")
        masked = nullable and (integer or family == "bool")
        columns[name] = Column(family, nullable, integer, masked)
    return Model(columns)


# -- data -------------------------------------------------------------------------------------

_TEXT = st.text(ALPHABET, max_size=8).map(str.rstrip)
_FLOATS = st.one_of(  # six decimals: PostgreSQL raises on underflow (1e-200 ** 2), pandas gives 0
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 6)),
    st.integers(-40, 40).map(lambda n: n / 4),  # ties for round(), repeats for groups
)
_DATES = st.dates(datetime.date(1970, 1, 1), datetime.date(2100, 12, 31))
_DATETIMES = st.datetimes(datetime.datetime(1970, 1, 2), datetime.datetime(2100, 12, 31)).map(
    lambda t: t.replace(microsecond=0)
)


def _maybe(strategy: st.SearchStrategy, nullable: bool) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy) if nullable else strategy


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of the table: a few, with repeats (for groups, duplicates, ties)."""
    count = draw(st.integers(0, 12))
    values = {
        "i": st.integers(-50, 50),
        "j": st.integers(-5, 5),
        "f": _FLOATS,
        "s": _TEXT,
        "g": st.sampled_from(["x", "y", "zé", ""]),
        "k": st.integers(0, 3),
        "b": st.booleans(),
        "c": st.booleans(),
        "d": _DATES,
        "t": _DATETIMES,
    }
    out = []
    for number in range(count):
        row: dict[str, Any] = {"id": number + 1}
        for name, _, nullable in COLUMNS:
            row[name] = draw(_maybe(values[name], nullable))
        out.append(row)
    return out


def pandas_frame(data: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as pandas holds them (the dtypes frames.pandas fetches them as)."""
    frame = pd.DataFrame(
        {
            "id": pd.Series([r["id"] for r in data], dtype="int32"),
            "i": pd.Series([r["i"] for r in data], dtype="int64"),
            "j": pd.Series([r["j"] for r in data], dtype="Int32"),
            "f": pd.Series([r["f"] for r in data], dtype="float64"),
            "s": pd.Series([r["s"] for r in data], dtype="str"),
            "g": pd.Series([r["g"] for r in data], dtype="str"),
            "k": pd.Series([r["k"] for r in data], dtype="int16"),
            "b": pd.Series([r["b"] for r in data], dtype="bool"),
            "c": pd.Series([r["c"] for r in data], dtype="boolean"),
            "d": pd.Series([r["d"] for r in data], dtype="datetime64[us]"),
            "t": pd.Series([r["t"] for r in data], dtype="datetime64[us]"),
        }
    )
    return frame.set_index("id")


# -- scalars -----------------------------------------------------------------------------------


def scalar_of(draw: st.DrawFn, column: Column) -> Any:
    """A value to compare ``column`` with (numpy and pandas scalars among them)."""
    if column.family == "num":
        value = draw(st.integers(-10, 10)) if column.integer else draw(_FLOATS)
        wrap = draw(st.sampled_from(["py", "np"]))
        if wrap == "np":
            return np.int64(value) if isinstance(value, int) else np.float64(value)
        return value
    if column.family == "str":
        return draw(st.one_of(_TEXT, st.sampled_from(["x", "y", "a", "é"])))
    if column.family == "bool":
        return draw(st.booleans())
    return pd.Timestamp(draw(_DATES))


# -- steps -------------------------------------------------------------------------------------

#: Reductions drawn for aggregations, per column family.
REDUCE = {
    "num": [
        "sum",
        "mean",
        "min",
        "max",
        "count",
        "std",
        "var",
        "median",
        "nunique",
        "first",
        "last",
    ],
    "str": ["min", "max", "count", "nunique", "first", "last"],
    "bool": ["sum", "mean", "count", "any", "all"],
    "time": ["min", "max", "count", "first"],
}


def _kind(draw: st.DrawFn, options: list[str], only: tuple[str, ...]) -> str:
    """One of ``options``; of those in ``only`` if any (a probe's focus)."""
    focused = [option for option in options if option in only]
    return draw(st.sampled_from(focused or options))


def _pick(draw: st.DrawFn, labels: list[Hashable]) -> Hashable:
    return draw(st.sampled_from(sorted(labels, key=str)))


def _condition(
    draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()
) -> tuple[str, Callable[[Any], Any]]:
    """A boolean condition over the frame: (text, function of the frame)."""
    kind = _kind(draw, ["compare", "isin", "isna", "between"], only)
    candidates = list(model.columns)
    if kind == "between":
        candidates = [lab for lab in candidates if model.columns[lab].family in ("num", "time")]
    label = _pick(draw, candidates or list(model.columns))
    column = model.columns[label]
    if kind == "isna":
        negate = draw(st.booleans())
        return (
            f"{'~' if negate else ''}df[{label!r}].isna()",
            (lambda df: ~df[label].isna()) if negate else (lambda df: df[label].isna()),
        )
    if kind == "isin":
        values = [scalar_of(draw, column) for _ in range(draw(st.integers(0, 3)))]
        if column.nullable and draw(st.booleans()):
            values.append(None)
        return f"df[{label!r}].isin({values!r})", lambda df: df[label].isin(values)
    if kind == "between" and column.family in ("num", "time"):
        low, high = sorted([scalar_of(draw, column), scalar_of(draw, column)])
        return f"df[{label!r}].between({low!r}, {high!r})", lambda df: df[label].between(low, high)
    op = draw(
        st.sampled_from(
            ["==", "!=", "<", "<=", ">", ">="] if column.family != "bool" else ["==", "!="]
        )
    )
    other: Any
    if draw(st.booleans()):
        same = [lab for lab, c in model.columns.items() if c.family == column.family]
        other_label = _pick(draw, same)
        text = f"df[{label!r}] {op} df[{other_label!r}]"
        return text, lambda df: _compare(op, df[label], df[other_label])
    other = scalar_of(draw, column)
    return f"df[{label!r}] {op} {other!r}", lambda df: _compare(op, df[label], other)


def _compare(op: str, left: Any, right: Any) -> Any:
    return {
        "==": lambda: left == right,
        "!=": lambda: left != right,
        "<": lambda: left < right,
        "<=": lambda: left <= right,
        ">": lambda: left > right,
        ">=": lambda: left >= right,
    }[op]()


@st.composite
def mask_step(draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()) -> Step:
    text, cond = _condition(draw, model, only)
    if draw(st.booleans()):
        text2, cond2 = _condition(draw, model)
        how = draw(st.sampled_from(["&", "|"]))
        text = f"({text}) {how} ({text2})"
        first = cond

        def cond(df: Any, first: Any = first) -> Any:
            return first(df) & cond2(df) if how == "&" else first(df) | cond2(df)

    if draw(st.booleans()):
        return Step(f"df[{text}]", lambda df: df[cond(df)], model)
    return Step(f"df.loc[{text}]", lambda df: df.loc[cond(df)], model)


@st.composite
def assign_step(draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()) -> Step:
    """A new or replaced column computed from others."""
    nums, strs, times, bools = model.of("num"), model.of("str"), model.of("time"), model.of("bool")
    options = []
    if nums:
        options += [
            "arith",
            "scalar_arith",
            "divide",
            "floordiv",
            "mod",
            "neg_abs",
            "round",
            "clip",
            "fillna_num",
            "astype_float",
        ]
    if strs:
        options += ["concat", "str_method", "str_test", "str_len", "fillna_str"]
    if times:
        options += ["dt_part"]
    if bools:
        options += ["bool_logic", "bool_astype"]
    if nums or strs:
        options += ["where", "map"]
    kind = _kind(draw, options, only)
    target = draw(st.sampled_from(["new", "new2", *sorted(map(str, model.columns))]))
    label: Hashable = target
    integer = lambda lab: model.columns[lab].integer  # noqa: E731
    nullable = lambda lab: model.columns[lab].nullable  # noqa: E731
    masked = lambda lab: model.columns[lab].masked  # noqa: E731
    if kind == "arith":
        a, b = _pick(draw, nums), _pick(draw, nums)
        op = draw(st.sampled_from(["+", "-", "*"]))
        column = Column(
            "num", nullable(a) or nullable(b), integer(a) and integer(b), masked(a) or masked(b)
        )
        return _assign(
            model, label, f"df[{a!r}] {op} df[{b!r}]", lambda df: _arith(op, df[a], df[b]), column
        )
    if kind == "scalar_arith":
        a = _pick(draw, nums)
        value = draw(st.integers(-5, 5)) if draw(st.booleans()) else draw(_FLOATS)
        op = draw(st.sampled_from(["+", "-", "*"]))
        reverse = draw(st.booleans())
        column = Column("num", nullable(a), integer(a) and isinstance(value, int), masked(a))
        if reverse:
            return _assign(
                model,
                label,
                f"{value!r} {op} df[{a!r}]",
                lambda df: _arith(op, value, df[a]),
                column,
            )
        return _assign(
            model, label, f"df[{a!r}] {op} {value!r}", lambda df: _arith(op, df[a], value), column
        )
    if kind == "divide":
        a = _pick(draw, nums)
        value = draw(st.sampled_from([2, -4, 0.5, 3]))
        column = Column("num", nullable(a), False, masked(a))
        return _assign(model, label, f"df[{a!r}] / {value!r}", lambda df: df[a] / value, column)
    if kind in ("floordiv", "mod"):
        ints = [lab for lab in nums if integer(lab)]
        if not ints:
            return _assign(model, label, "1", lambda df: 1, Column("num", False, True))
        a = _pick(draw, ints)
        value = draw(st.sampled_from([2, 3, -3, 7]))
        column = Column("num", nullable(a), True, masked(a))
        if kind == "floordiv":
            return _assign(model, label, f"df[{a!r}] // {value}", lambda df: df[a] // value, column)
        return _assign(model, label, f"df[{a!r}] % {value}", lambda df: df[a] % value, column)
    if kind == "neg_abs":
        a = _pick(draw, nums)
        column = replace(model.columns[a])
        if draw(st.booleans()):
            return _assign(model, label, f"-df[{a!r}]", lambda df: -df[a], column)
        return _assign(model, label, f"df[{a!r}].abs()", lambda df: df[a].abs(), column)
    if kind == "round":
        floats = [lab for lab in nums if not integer(lab)]
        if not floats:
            return _assign(model, label, "0.5", lambda df: 0.5, Column("num", False))
        a = _pick(draw, floats)
        digits = draw(st.integers(0, 2))
        return _assign(
            model,
            label,
            f"df[{a!r}].round({digits})",
            lambda df: df[a].round(digits),
            model.columns[a],
        )
    if kind == "clip":
        a = _pick(draw, nums)
        low, high = sorted([draw(st.integers(-10, 10)), draw(st.integers(-10, 10))])
        column = replace(model.columns[a], integer=integer(a))
        return _assign(
            model, label, f"df[{a!r}].clip({low}, {high})", lambda df: df[a].clip(low, high), column
        )
    if kind == "fillna_num":
        a = _pick(draw, nums)
        value = draw(st.integers(-3, 3))
        column = replace(model.columns[a], nullable=False)
        return _assign(
            model, label, f"df[{a!r}].fillna({value})", lambda df: df[a].fillna(value), column
        )
    if kind == "astype_float":
        a = _pick(draw, nums)
        column = Column("num", nullable(a), False, False)
        return _assign(
            model, label, f"df[{a!r}].astype('float64')", lambda df: df[a].astype("float64"), column
        )
    if kind == "concat":
        a = _pick(draw, strs)
        if draw(st.booleans()):
            b = _pick(draw, strs)
            column = Column("str", nullable(a) or nullable(b))
            return _assign(model, label, f"df[{a!r}] + df[{b!r}]", lambda df: df[a] + df[b], column)
        suffix = draw(_TEXT)
        return _assign(
            model,
            label,
            f"df[{a!r}] + {suffix!r}",
            lambda df: df[a] + suffix,
            Column("str", nullable(a)),
        )
    if kind == "str_method":
        a = _pick(draw, strs)
        method = draw(st.sampled_from(["lower", "upper", "strip", "slice", "replace"]))
        if method == "slice":
            start = draw(st.one_of(st.none(), st.integers(-3, 3)))
            stop = draw(st.one_of(st.none(), st.integers(-3, 5)))
            return _assign(
                model,
                label,
                f"df[{a!r}].str.slice({start}, {stop})",
                lambda df: df[a].str.slice(start, stop),
                Column("str", nullable(a)),
            )
        if method == "replace":
            old = draw(st.sampled_from(["a", "é", "ab", " "]))
            new = draw(st.sampled_from(["", "Z", "xx"]))
            return _assign(
                model,
                label,
                f"df[{a!r}].str.replace({old!r}, {new!r})",
                lambda df: df[a].str.replace(old, new, regex=False),
                Column("str", nullable(a)),
            )
        return _assign(
            model,
            label,
            f"df[{a!r}].str.{method}()",
            lambda df: getattr(df[a].str, method)(),
            Column("str", nullable(a)),
        )
    if kind == "str_test":
        a = _pick(draw, strs)
        method = _kind(draw, ["contains", "startswith", "endswith"], only)
        pattern = draw(st.sampled_from(["a", "A", "é", "É", "x", "", "b 🙂", "中"]))
        if method == "contains":
            case = "ignore_case" not in only and draw(st.booleans())
            return _assign(
                model,
                label,
                f"df[{a!r}].str.contains({pattern!r}, case={case}, regex=False)",
                lambda df: df[a].str.contains(pattern, case=case, regex=False),
                Column("bool", False),
            )
        return _assign(
            model,
            label,
            f"df[{a!r}].str.{method}({pattern!r})",
            lambda df: getattr(df[a].str, method)(pattern),
            Column("bool", False),
        )
    if kind == "str_len":
        a = _pick(draw, strs)
        return _assign(
            model,
            label,
            f"df[{a!r}].str.len()",
            lambda df: df[a].str.len(),
            Column("num", nullable(a), True),
        )
    if kind == "fillna_str":
        a = _pick(draw, strs)
        value = draw(_TEXT)
        return _assign(
            model,
            label,
            f"df[{a!r}].fillna({value!r})",
            lambda df: df[a].fillna(value),
            Column("str", False),
        )
    if kind == "dt_part":
        a = _pick(draw, times)
        part = draw(
            st.sampled_from(
                [
                    "year",
                    "month",
                    "day",
                    "hour",
                    "minute",
                    "second",
                    "dayofweek",
                    "day_of_year",
                    "quarter",
                ]
            )
        )
        return _assign(
            model,
            label,
            f"df[{a!r}].dt.{part}",
            lambda df: getattr(df[a].dt, part),
            Column("num", nullable(a), True),
        )
    if kind == "bool_logic":
        a, b = _pick(draw, bools), _pick(draw, bools)
        op = draw(st.sampled_from(["&", "|", "~"]))
        column = Column("bool", nullable(a) or nullable(b), masked=masked(a) or masked(b))
        if op == "~":
            return _assign(
                model, label, f"~df[{a!r}]", lambda df: ~df[a], replace(model.columns[a])
            )
        return _assign(
            model,
            label,
            f"df[{a!r}] {op} df[{b!r}]",
            lambda df: (df[a] & df[b]) if op == "&" else (df[a] | df[b]),
            column,
        )
    if kind == "bool_astype":
        # booleans to int64, integers (negative ones too) to bool; nothing missing in either
        sources = [lab for lab in bools if not nullable(lab)]
        sources += [lab for lab in nums if not nullable(lab) and integer(lab)]
        if not sources:
            return _assign(model, label, "True", lambda df: True, Column("bool", False))
        a = _pick(draw, sources)
        target = "int64" if model.columns[a].family == "bool" else "bool"
        family = "num" if target == "int64" else "bool"
        return _assign(
            model,
            label,
            f"df[{a!r}].astype({target!r})",
            lambda df: df[a].astype(target),
            Column(family, False, family == "num"),
        )
    if kind == "where":
        family = draw(st.sampled_from([f for f in ("num", "str") if model.of(f)]))
        a = _pick(draw, model.of(family))
        text, cond = _condition(draw, model)
        other = scalar_of(draw, model.columns[a])
        if isinstance(other, (np.generic,)):
            other = other.item()
        column = replace(model.columns[a], integer=integer(a) and isinstance(other, int))
        return _assign(
            model,
            label,
            f"df[{a!r}].where({text}, {other!r})",
            lambda df: df[a].where(cond(df), other),
            column,
        )
    a = _pick(draw, model.of("num") or model.of("str"))
    column = model.columns[a]
    keys = [scalar_of(draw, column) for _ in range(draw(st.integers(1, 3)))]
    keys = [k.item() if isinstance(k, np.generic) else k for k in keys]
    mapping = {key: number * 10 for number, key in enumerate(dict.fromkeys(keys))}
    return _assign(
        model,
        label,
        f"df[{a!r}].map({mapping!r})",
        lambda df: df[a].map(mapping),
        Column("num", True, True),
    )


def _arith(op: str, left: Any, right: Any) -> Any:
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right}[op]()


def _assign(
    model: Model, label: Hashable, text: str, value: Callable[[Any], Any], column: Column
) -> Step:
    how = "assign"
    if isinstance(label, str) and label.isidentifier():
        return Step(
            f"df.assign({label}={text})",
            lambda df: df.assign(**{label: value(df)}),
            model.with_column(label, column),
        )
    return Step(
        f"df[{label!r}] = {text}",
        lambda df: _setitem(df, label, value(df)),
        model.with_column(label, column),
        extra={"how": how},
    )


def _setitem(df: Any, label: Hashable, value: Any) -> Any:
    df = df.copy() if isinstance(df, pd.DataFrame) else df
    df[label] = value
    return df


@st.composite
def reshape_step(draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()) -> Step:
    """A step that keeps the rows' meaning: order, paging, selection, missing values."""
    labels = sorted(model.columns, key=str)
    kind = _kind(
        draw,
        [
            "sort",
            "sort",
            "sort",
            "head",
            "tail",
            "nlargest",
            "select",
            "drop",
            "rename",
            "dropna",
            "fillna",
            "drop_duplicates",
            "query",
        ],
        only,
    )
    if kind == "sort":
        sortable = labels
        if not sortable:
            return Step("df", lambda df: df, model)
        by = draw(st.lists(st.sampled_from(sortable), min_size=1, max_size=2, unique=True))
        ascending = draw(
            st.one_of(st.booleans(), st.lists(st.booleans(), min_size=len(by), max_size=len(by)))
        )
        na = draw(st.sampled_from(["first", "last"]))
        # at times paged in the same step: the rows at the edges, missing values among them
        page, n = draw(st.sampled_from([None, "head", "tail"])), draw(st.integers(1, 4))

        def sort(df: Any) -> Any:
            done = df.sort_values(by, ascending=ascending, na_position=na, kind="stable")
            return done if page is None else getattr(done, page)(n)

        paged = "" if page is None else f".{page}({n})"
        return Step(
            f"df.sort_values({by!r}, ascending={ascending!r}, na_position={na!r}, "
            f"kind='stable'){paged}",
            sort,
            model,
        )
    if kind in ("head", "tail"):
        if not model.ordered:
            return Step("df", lambda df: df, model)
        n = draw(st.integers(0, 6))
        return Step(f"df.{kind}({n})", lambda df: getattr(df, kind)(n), model)
    if kind == "nlargest":
        nums = model.of("num")
        if not nums or not model.ordered:
            return Step("df", lambda df: df, model)
        column = _pick(draw, nums)
        n = draw(st.integers(0, 5))
        method = draw(st.sampled_from(["nlargest", "nsmallest"]))
        return Step(
            f"df.{method}({n}, {column!r})", lambda df: getattr(df, method)(n, column), model
        )
    if kind == "select":
        chosen = draw(
            st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels), unique=True)
        )
        return Step(
            f"df[{chosen!r}]",
            lambda df: df[chosen],
            replace(model, columns={c: model.columns[c] for c in chosen}),
        )
    if kind == "drop":
        if len(labels) < 2:
            return Step("df", lambda df: df, model)
        dropped = draw(
            st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels) - 1, unique=True)
        )
        kept = {c: v for c, v in model.columns.items() if c not in dropped}
        return Step(
            f"df.drop(columns={dropped!r})",
            lambda df: df.drop(columns=dropped),
            replace(model, columns=kept),
        )
    if kind == "rename":
        old = _pick(draw, labels)
        new = draw(st.sampled_from(["renamed", "keys", "sql", "count"]))
        if new in model.columns:
            return Step("df", lambda df: df, model)
        columns = {(new if c == old else c): v for c, v in model.columns.items()}
        return Step(
            f"df.rename(columns={{{old!r}: {new!r}}})",
            lambda df: df.rename(columns={old: new}),
            replace(model, columns=columns),
        )
    if kind == "dropna":
        subset = draw(
            st.one_of(
                st.none(), st.lists(st.sampled_from(labels), min_size=1, max_size=3, unique=True)
            )
        )
        how = draw(st.sampled_from(["any", "all"]))
        cleared = {
            c: (
                replace(v, nullable=False)
                if (subset is None or c in subset) and how == "any"
                else v
            )
            for c, v in model.columns.items()
        }
        return Step(
            f"df.dropna(subset={subset!r}, how={how!r})",
            lambda df: df.dropna(subset=subset, how=how),
            replace(model, columns=cleared),
        )
    if kind == "fillna":
        nums = [lab for lab in model.of("num")]
        if not nums:
            return Step("df", lambda df: df, model)
        column = _pick(draw, nums)
        value = draw(st.integers(-3, 3))
        filled = model.with_column(column, replace(model.columns[column], nullable=False))
        return Step(
            f"df.fillna({{{column!r}: {value}}})", lambda df: df.fillna({column: value}), filled
        )
    if kind == "drop_duplicates":
        plain = labels
        if not plain:
            return Step("df", lambda df: df, model)
        subset = draw(
            st.one_of(
                st.none(), st.lists(st.sampled_from(plain), min_size=1, max_size=2, unique=True)
            )
        )
        if subset is None and len(plain) < len(labels):
            subset = plain
        keep = draw(st.sampled_from(["first", "last", False]))
        if not model.ordered and keep is not False and subset is not None:
            keep = False
        return Step(
            f"df.drop_duplicates(subset={subset!r}, keep={keep!r})",
            lambda df: df.drop_duplicates(subset=subset, keep=keep),
            model,
        )
    nums = [lab for lab in model.of("num") if isinstance(lab, str) and lab.isidentifier()]
    strs = [lab for lab in model.of("str") if isinstance(lab, str) and lab.isidentifier()]
    if not nums and not strs:
        return Step("df", lambda df: df, model)
    if nums and (not strs or draw(st.booleans())):
        column = _pick(draw, nums)
        limit = draw(st.integers(-5, 5))
        expr = (
            f"{column} > @limit or {column}.isna()"
            if draw(st.booleans())
            else f"-3 < {column} <= @limit"
        )
        return Step(
            f"df.query({expr!r}) with limit={limit}",
            lambda df: df.query(expr, local_dict={"limit": limit}),
            model,
        )
    column = _pick(draw, strs)
    values = draw(st.lists(st.sampled_from(["x", "y", "", "a"]), max_size=3))
    expr = f"{column} in {values!r} & not {column}.str.startswith('b')"
    return Step(f"df.query({expr!r})", lambda df: df.query(expr), model)


@st.composite
def window_step(draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()) -> Step:
    """A column computed from the row order (the frame is ordered)."""
    nums = model.of("num")
    if not nums or not model.ordered:
        return Step("df", lambda df: df, model)
    a = _pick(draw, nums)
    kind = _kind(draw, ["cumsum", "cummax", "cummin", "shift", "diff", "rank", "rolling"], only)
    column = model.columns[a]
    if kind == "shift":
        periods = draw(st.sampled_from([1, 2, -1]))
        return _assign(
            model,
            "w",
            f"df[{a!r}].shift({periods})",
            lambda df: df[a].shift(periods),
            replace(column, nullable=True),
        )
    if kind == "diff":
        return _assign(
            model,
            "w",
            f"df[{a!r}].diff()",
            lambda df: df[a].diff(),
            Column("num", True, column.integer, column.masked),
        )
    if kind == "rank":
        method = draw(st.sampled_from(["average", "min", "max", "first", "dense"]))
        ascending = draw(st.booleans())
        return _assign(
            model,
            "w",
            f"df[{a!r}].rank(method={method!r}, ascending={ascending})",
            lambda df: df[a].rank(method=method, ascending=ascending),
            Column("num", True),
        )
    if kind == "rolling":
        size = draw(st.integers(1, 3))
        how = draw(st.sampled_from(["mean", "sum", "min", "max"]))
        return _assign(
            model,
            "w",
            f"df[{a!r}].rolling({size}).{how}()",
            lambda df: getattr(df[a].rolling(size), how)(),
            Column("num", True),
        )
    return _assign(model, "w", f"df[{a!r}].{kind}()", lambda df: getattr(df[a], kind)(), column)


@st.composite
def terminal_step(draw: st.DrawFn, model: Model, only: tuple[str, ...] = ()) -> Step:
    """A step whose result is grouped, merged, stacked or reduced."""
    labels = sorted(model.columns, key=str)
    done = replace(model, reduced=True)
    kind = _kind(
        draw,
        [
            "groupby",
            "groupby",
            "value_counts",
            "merge",
            "concat",
            "reduce",
            "transform",
            "describe",
            "unique",
            "pivot",
            "groupby_forms",
            "merge_columns",
            "group_rows",
        ],
        only,
    )
    keys = [
        lab
        for lab in labels
        if model.columns[lab].family in ("str", "bool")
        or (model.columns[lab].family == "num" and model.columns[lab].integer)
    ]
    if kind == "groupby" and keys:
        by = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True))
        values = [lab for lab in labels if lab not in by]
        dropna = draw(st.booleans())
        if not values:
            return Step(
                f"df.groupby({by!r}, dropna={dropna}).size()",
                lambda df: df.groupby(by, dropna=dropna).size(),
                done,
            )
        specs = {}
        for number in range(draw(st.integers(1, 3))):
            column = _pick(draw, values)
            how = draw(st.sampled_from(REDUCE[model.columns[column].family]))
            if how in ("first", "last") and not model.ordered:
                how = "count"
            specs[f"out{number}"] = (column, how)
        as_index = draw(st.booleans())
        return Step(
            f"df.groupby({by!r}, dropna={dropna}, as_index={as_index}).agg(**{specs!r})",
            lambda df: df.groupby(by, dropna=dropna, as_index=as_index).agg(**specs),
            done,
        )
    if kind == "value_counts" and keys:
        column = _pick(draw, keys)
        dropna = draw(st.booleans())
        normalize = draw(st.booleans())
        order_free = not model.ordered
        return Step(
            f"df[{column!r}].value_counts(dropna={dropna}, normalize={normalize})",
            lambda df: df[column].value_counts(dropna=dropna, normalize=normalize),
            done,
            order_free=order_free,
        )
    if kind == "merge":
        key = draw(st.sampled_from(["k", "g", "c"]))
        if key not in model.columns or model.columns[key].family != FAMILIES[key]:
            # pandas merges strings with booleans as objects; frames refuses keys of
            # different families (MergeError), as pandas does for numbers and strings
            return Step("df", lambda df: df, done)
        how = draw(st.sampled_from(["inner", "left", "right", "outer"]))
        indicator = draw(st.booleans())
        ordered = model.ordered
        # the first rows only, at times: the right side then has keys the left one lacks
        n = draw(st.sampled_from([None, 1, 3])) if ordered else None
        left = "df" if n is None else f"df.head({n})"
        return Step(
            f"{left}.merge(base[[{key!r}, 'i']], on={key!r}, how={how!r}, indicator={indicator})",
            lambda df, base=None: (df if n is None else df.head(n)).merge(
                base[[key, "i"]], on=key, how=how, indicator=indicator
            ),
            done,
            order_free=not ordered,
            extra={"needs_base": True},
        )
    base_families = initial_model().columns
    if kind == "concat" and all(
        base_families[lab].family == column.family
        for lab, column in model.columns.items()
        if lab in base_families
    ):  # a column of different types in the parts would be an object column in pandas
        return Step(
            "concat([df, base.head(3)])",
            lambda df, base=None: ("concat", df, base),
            done,
            order_free=not model.ordered,
            extra={"needs_base": True, "concat": True},
        )
    if kind == "reduce":
        column = _pick(draw, labels)
        how = _kind(draw, REDUCE[model.columns[column].family], only)
        if how in ("first", "last"):
            how = "count"
        return Step(
            f"df[{column!r}].{how}()", lambda df: getattr(df[column], how)(), done, scalar=True
        )
    if kind == "transform" and keys and model.ordered:
        key = _pick(draw, keys)
        nums = [lab for lab in model.of("num") if lab != key]
        if not nums:
            return Step("df", lambda df: df, done)
        column = _pick(draw, nums)
        how = draw(st.sampled_from(["sum", "mean", "max", "count", "cumsum", "rank"]))
        if how in ("cumsum", "rank"):
            return Step(
                f"df.groupby({key!r})[{column!r}].{how}()",
                lambda df: getattr(df.groupby(key)[column], how)(),
                done,
            )
        return Step(
            f"df.groupby({key!r})[{column!r}].transform({how!r})",
            lambda df: df.groupby(key)[column].transform(how),
            done,
        )
    numeric = [lab for lab in labels if model.columns[lab].family == "num"]
    if kind == "describe" and numeric:
        return Step(f"df[{numeric!r}].describe()", lambda df: ("describe", df[numeric]), done)
    if kind == "unique" and labels:
        column = _pick(draw, labels)
        return Step(
            f"df[{column!r}].drop_duplicates()",
            lambda df: df[column].drop_duplicates(),
            done,
            order_free=not model.ordered,
        )
    if kind == "pivot" and keys:
        index, columns = draw(st.sampled_from(keys)), draw(st.sampled_from(["b", "k", "g"]))
        nums = [lab for lab in model.of("num") if lab not in (index, columns)]
        if columns not in list(model.columns) or index == columns or not nums:
            return Step("df", lambda df: df, done)
        values = _pick(draw, nums)
        how = draw(st.sampled_from(["sum", "mean", "count", "max"]))
        text = (
            f"df.pivot_table(values={values!r}, index={index!r}, columns={columns!r}, "
            f"aggfunc={how!r})"
        )
        return Step(
            text,
            lambda df: df.pivot_table(values=values, index=index, columns=columns, aggfunc=how),
            done,
        )
    if kind == "groupby_forms" and keys:
        key = _pick(draw, keys)
        nums = [lab for lab in model.of("num") if lab != key]
        if not nums:
            return Step("df", lambda df: df, done)
        column = _pick(draw, nums)
        form = draw(st.sampled_from(["list", "dict", "sort", "size", "cumcount", "filter"]))
        if form == "list":
            hows = draw(
                st.lists(
                    st.sampled_from(["sum", "min", "max", "count"]),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            return Step(
                f"df.groupby({key!r})[[{column!r}]].agg({hows!r})",
                lambda df: df.groupby(key)[[column]].agg(hows),
                done,
            )
        if form == "dict":
            return Step(
                f"df.groupby({key!r}).agg({{{column!r}: ['min', 'max']}})",
                lambda df: df.groupby(key).agg({column: ["min", "max"]}),
                done,
            )
        if form == "sort" and model.ordered:
            return Step(
                f"df.groupby({key!r}, sort=False)[{column!r}].sum()",
                lambda df: df.groupby(key, sort=False)[column].sum(),
                done,
            )
        if form == "size":
            return Step(
                f"df.groupby({key!r}, dropna=False).size()",
                lambda df: df.groupby(key, dropna=False).size(),
                done,
            )
        if form == "cumcount" and model.ordered:
            return Step(
                f"df.groupby({key!r}).cumcount()", lambda df: df.groupby(key).cumcount(), done
            )
        limit = draw(st.integers(-5, 5))
        return Step(
            f"df.groupby({key!r}).filter(lambda g: g[{column!r}].sum() > {limit})",
            lambda df: df.groupby(key).filter(lambda g: g[column].sum() > limit),
            done,
        )
    numeric = {lab for lab, column in model.columns.items() if column.family == "num"}
    if kind == "merge_columns" and {"k", "i"} <= numeric:
        how = draw(st.sampled_from(["inner", "left", "right", "outer"]))
        suffixes = draw(st.sampled_from([("_x", "_y"), ("", "_r")]))
        return Step(
            f"df.merge(base[['k', 'i', 'f']], left_on='k', right_on='i', how={how!r}, "
            f"suffixes={suffixes!r})",
            lambda df, base=None: df.merge(
                base[["k", "i", "f"]], left_on="k", right_on="i", how=how, suffixes=suffixes
            ),
            done,
            order_free=not model.ordered,
            extra={"needs_base": True},
        )
    if kind == "group_rows" and keys and model.ordered:
        key = _pick(draw, keys)
        n = draw(st.integers(0, 2))
        which = draw(st.sampled_from(["head", "tail"]))
        return Step(
            f"df.groupby({key!r}).{which}({n})", lambda df: getattr(df.groupby(key), which)(n), done
        )
    return Step("df", lambda df: df, done)


#: The steps a chain draws before its last one (terminal steps end a chain).
_ROW_STEPS = {
    "mask": mask_step,
    "assign": assign_step,
    "reshape": reshape_step,
    "window": window_step,
}


@st.composite
def chains(draw: st.DrawFn) -> list[Step]:
    """A chain of 0-4 row steps, then, in two chains of three, a terminal step (a grouping,
    merge, concat, pivot or reduction: most of the rules are there); at least one step."""
    model = initial_model()
    steps: list[Step] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(["mask", "mask", "assign", "assign", "reshape", "reshape", "window"])
        )
        step = draw(_ROW_STEPS[kind](model))
        steps.append(step)
        model = step.model
    if not steps or draw(st.integers(0, 2)):
        steps.append(draw(terminal_step(model)))
    return steps


#: The single steps of :func:`probes`: (strategy, the kinds it focuses on; none: any); each
#: strategy several times, and the rules a random chain reaches least often once each.
_PROBES = (
    (mask_step, ()),
    (mask_step, ("between",)),
    (mask_step, ("isna", "isin")),
    (assign_step, ()),
    (assign_step, ("str_test", "contains", "ignore_case")),
    (assign_step, ("round", "clip", "concat")),
    (assign_step, ("bool_astype",)),
    (reshape_step, ()),
    (reshape_step, ("sort",)),
    (reshape_step, ("drop_duplicates", "dropna", "fillna")),
    (window_step, ()),
    (window_step, ("shift", "cumsum", "rank")),
    (terminal_step, ()),
    (terminal_step, ("groupby", "value_counts", "concat")),
    (terminal_step, ("merge", "merge_columns")),
    (terminal_step, ("reduce", "nunique", "std")),
)


@st.composite
def probes(draw: st.DrawFn) -> list[list[Step]]:
    """Chains of one step each, of every kind, on the loaded rows: a step that sees all the
    rows shows a broken rule more often than one after a filter that kept few of them."""
    model = initial_model()
    return [[draw(strategy(model, only))] for strategy, only in _PROBES]


# -- running and comparing ---------------------------------------------------------------------


def run(steps: list[Step], frame: Any, base: Any, concat: Callable[..., Any]) -> tuple[Any, bool]:
    """The chain applied to ``frame``; the result and whether its row order is defined."""
    ordered = True
    result = frame
    for step in steps:
        if step.extra.get("needs_base"):
            value = step.apply(result, base=base)
        else:
            value = step.apply(result)
        if isinstance(value, tuple) and value[0] == "concat":
            value = concat([value[1], value[2].head(3)])
        elif isinstance(value, tuple) and value[0] == "describe":
            value = value[1].describe()
        result = value
        if step.order_free:
            ordered = False
    return result, ordered


def normalised(value: Any, ordered: bool) -> pd.DataFrame:
    """The documented normalisation (see the module documentation)."""
    if isinstance(value, pd.Series):
        value = value.to_frame(name="__value__" if value.name is None else value.name)
    frame = value.copy()
    if isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    for name in frame.columns:
        frame[name] = _canonical(frame[name])
    if not ordered and len(frame.columns):
        frame = frame.sort_values(list(frame.columns), na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def _canonical(column: pd.Series) -> pd.Series:
    if len(column) and column.isna().all():  # a column of missing values only: no type left
        return pd.Series(np.nan, index=column.index, dtype=float)
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        column = column.astype(str)
        dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return pd.Series(
            column.astype("Float64").to_numpy(dtype=float, na_value=np.nan), index=column.index
        )
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return column.astype("datetime64[us]")
    if (
        dtype is np.dtype(object)
        and column.map(lambda v: isinstance(v, (bool, np.bool_)) or _missing(v)).all()
        and column.notna().any()
    ):
        return pd.Series([np.nan if _missing(v) else float(v) for v in column], index=column.index)
    return pd.Series(
        [None if _missing(v) else str(v) for v in column], index=column.index, dtype=object
    )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def same_scalar(actual: Any, expected: Any) -> bool:
    """Reductions agree (missing is missing; floats to 1e-9 relative)."""
    if _missing(expected) or expected is pd.NaT:
        return _missing(actual) or actual is pd.NaT
    if isinstance(expected, (float, np.floating)):
        return not _missing(actual) and math.isclose(
            float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9
        )
    if isinstance(expected, pd.Timestamp):
        return pd.Timestamp(actual) == expected
    return actual == expected
