"""Seeded faults of the pandas API (issue #15): each breaks one pandas rule that
``frames.pandas`` keeps, and the differential suite (``test_pandas_differential.py``) must
notice.

The faults are plain rows (:class:`PandasFault`, the fields of
:class:`seeded_faults.Mutant`); ``seeded_faults.py`` makes them mutants (this module imports
nothing from it, so that either can be imported first). Judge them alone, on the pandas
properties only::

    .venv/bin/python -m tests.properties.seeded_faults --pandas -- -k pandas
"""

from __future__ import annotations

from typing import NamedTuple


class PandasFault(NamedTuple):
    """One seeded fault: replace ``old`` by ``new`` in ``path`` (see ``seeded_faults.Mutant``)."""

    name: str
    rule: str
    path: str
    old: str
    new: str


AGGREGATES, FRAME = "frames/pandas/aggregates.py", "frames/pandas/frame.py"
GROUPBY, MERGE = "frames/pandas/groupby.py", "frames/pandas/merge.py"
TERMS, WINDOWS = "frames/pandas/terms.py", "frames/pandas/windows.py"
STRINGS, DTYPES = "frames/pandas/strings.py", "frames/pandas/dtypes.py"
EMIT = "frames/sql/emit.py"

PANDAS_MUTANTS: tuple[PandasFault, ...] = (
    PandasFault(
        "pd_groupby_keeps_null_keys",
        "groupby(dropna=True), the default, forms no group of missing keys (a NULL group instead)",
        GROUPBY,
        "        if not self._dropna:\n            return state\n",
        "        if True:\n            return state\n",
    ),
    PandasFault(
        "pd_isna_equals_null",
        "isna() is IS NULL (= NULL instead, which is never true)",
        TERMS,
        '    return Term(Op("is_null", (term.expr,)), BOOL, False)\n',
        '    return Term(Op("=", (term.expr, Lit(None))), BOOL, False)\n',
    ),
    PandasFault(
        "pd_isin_none_ignored",
        "isin([..., None]) holds for missing values (ignored instead)",
        TERMS,
        '            test = Op("or", (test, Op("is_null", (term.expr,))))\n',
        "            test = test\n",
    ),
    PandasFault(
        "pd_fillna_overwrites",
        "fillna(v) replaces missing values only (every value instead: coalesce's arguments "
        "swapped)",
        TERMS,
        'expr = Func("coalesce", (wide.expr, other.expr))',
        'expr = Func("coalesce", (other.expr, wide.expr))',
    ),
    PandasFault(
        "pd_merge_suffixes_swapped",
        "merge(suffixes=(l, r)) suffixes the right side's overlapping columns with r (with l "
        "instead)",
        MERGE,
        "label = _suffixed(label, right_suffix, left_suffix)",
        "label = _suffixed(label, left_suffix, right_suffix)",
    ),
    PandasFault(
        "pd_merge_left_as_inner",
        "merge(how='left') keeps the left rows without a match (an inner join instead)",
        MERGE,
        "plan = make_merge(ls.plan, right_plan, how, pairs, mark)",
        'plan = make_merge(ls.plan, right_plan, "inner" if how == "left" else how, pairs, mark)',
    ),
    PandasFault(
        "pd_merge_outer_key_left",
        "an outer merge's shared key column is the side the row has (the left side's, "
        "missing on right-only rows, instead)",
        MERGE,
        '        return Func("coalesce", (Col(left), Col(right)))\n',
        "        return Col(left)\n",
    ),
    PandasFault(
        "pd_sort_na_position_ignored",
        "sort_values(na_position='first') puts missing values first (last always instead)",
        FRAME,
        'keys.append((name, not up, na_position == "first"))',
        "keys.append((name, not up, False))",
    ),
    PandasFault(
        "pd_sort_ascending_flipped",
        "sort_values(ascending=True) sorts smallest first (largest first instead)",
        FRAME,
        'keys.append((name, not up, na_position == "first"))',
        'keys.append((name, up, na_position == "first"))',
    ),
    PandasFault(
        "pd_tail_null_placement",
        "tail(n) takes the last rows of the same order, missing values where they were "
        "(their placement not reversed with the order instead)",
        FRAME,
        "nulls = [not f for _, _, f in state.order]",
        "nulls = [f for _, _, f in state.order]",
    ),
    PandasFault(
        "pd_drop_duplicates_keep_ignored",
        "drop_duplicates(keep='last') keeps the last of the repeats (the first instead)",
        WINDOWS,
        '(key, desc != (keep == "last"), first != (keep == "last"))',
        "(key, desc, first)",
    ),
    PandasFault(
        "pd_dropna_how_swapped",
        "dropna(how='any') drops a row with any missing value (only with all missing instead)",
        FRAME,
        'joiner = "and" if how == "any" else "or"',
        'joiner = "or" if how == "any" else "and"',
    ),
    PandasFault(
        "pd_shift_direction",
        "shift(1) moves values one row down (LAG; LEAD instead)",
        WINDOWS,
        'name = "lag" if periods > 0 else "lead"',
        'name = "lead" if periods > 0 else "lag"',
    ),
    PandasFault(
        "pd_cumsum_frame_forward",
        "cumsum/cummax/cummin run from the first row to the current one (from the current "
        "one to the last instead)",
        WINDOWS,
        'self._order(f"cum{how}"), (None, 0))',
        'self._order(f"cum{how}"), (0, None))',
    ),
    PandasFault(
        "pd_rank_ascending_ignored",
        "rank(ascending=False) ranks the largest 1 (the smallest instead)",
        WINDOWS,
        "((value, not ascending, False),)",
        "((value, False, False),)",
    ),
    PandasFault(
        "pd_str_contains_case_ignored",
        "str.contains(case=False) ignores case (matches case-sensitively instead)",
        STRINGS,
        "        if not case:\n",
        "        if False:\n",
    ),
    PandasFault(
        "pd_string_concat_reversed",
        "s + t on strings is s followed by t (t followed by s instead)",
        TERMS,
        'Op("concat", (a.expr, b.expr))',
        'Op("concat", (b.expr, a.expr))',
    ),
    PandasFault(
        "pd_nunique_counts_repeats",
        "nunique() counts distinct values (every present value instead)",
        AGGREGATES,
        'Agg("count", as_text(term).expr, distinct=True)',
        'Agg("count", as_text(term).expr, distinct=False)',
    ),
    PandasFault(
        "pd_sum_of_nothing_missing",
        "sum() of no values is 0 (missing, SQL's SUM of no rows, instead)",
        AGGREGATES,
        'Term(Func("coalesce", (total, Lit(0))), kind, False, masked)',
        "Term(total, kind, True, masked)",
    ),
    PandasFault(
        "pd_std_population",
        "std()/var() are the sample statistics, ddof=1 (std is the population's, ddof=0, instead)",
        EMIT,
        '    "stddev": exp.StddevSamp,\n',
        '    "stddev": exp.StddevPop,\n',
    ),
    PandasFault(
        "pd_value_counts_ascending",
        "value_counts() lists the most frequent value first (the least frequent instead)",
        GROUPBY,
        "(count, not ascending, False)",
        "(count, ascending, False)",
    ),
    PandasFault(
        "pd_between_exclusive_left",
        "between(a, b) includes both bounds, inclusive='both' (not the left one instead)",
        TERMS,
        '"both": ("<=", "<="),',
        '"both": ("<", "<="),',
    ),
    PandasFault(
        "pd_clip_bounds_swapped",
        "clip(lower, upper) raises values below lower to lower and lowers values above "
        "upper to upper (the comparisons swapped instead)",
        TERMS,
        'for bound, op in ((lower, "<"), (upper, ">")):',
        'for bound, op in ((lower, ">"), (upper, "<")):',
    ),
    PandasFault(
        "pd_round_half_away",
        "round() rounds halves to even, as numpy (away from zero, SQL's ROUND, instead)",
        TERMS,
        'nearest = Case(((tie, even),), Func("round", (scaled,)))',
        'nearest = Func("round", (scaled,))',
    ),
    PandasFault(
        "pd_astype_bool_positive",
        "astype(bool) of a number is true for every non-zero value (for positive values only "
        "instead)",
        DTYPES,
        'result = Op("<>", (expr, Lit(0)))',
        'result = Op(">", (expr, Lit(0)))',
    ),
    PandasFault(
        "pd_concat_parts_reversed",
        "concat([a, b]) stacks a's rows before b's (b's first instead)",
        MERGE,
        'outputs.append(("__frames_part", Lit(number)))',
        'outputs.append(("__frames_part", Lit(-number)))',
    ),
)
