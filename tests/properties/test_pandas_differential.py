"""The pandas API against pandas itself: a random chain of pandas methods gives the same result
on frames (one SQL statement, on each backend) as pandas on the same data.

Each example loads generated rows (ints with and without missing values, floats with NaN,
strings with empty and non-ASCII values, booleans, dates, datetimes) into a table, draws one to
three chains (``pandas_chains.chains``) and sixteen single steps of every kind on all the rows
(``pandas_chains.probes``), and applies each both to a pandas DataFrame of the rows
and to ``frames.pandas.DataFrame(table)``; the results must be equal after the normalisation
documented in ``pandas_chains`` (``assert_frame_equal``), reductions equal as scalars. Example
counts follow ``HYPOTHESIS_PROFILE`` (see ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from pandas_chains import (
    COLUMNS,
    chains,
    normalised,
    pandas_frame,
    probes,
    rows,
    run,
    same_scalar,
)

import frames as dj
import frames.pandas as fpd
from frames.testing.strategies import AttrDef, Declared, SchemaDef, TableDef

DATA = SchemaDef(
    (
        TableDef(
            "Data",
            key_attrs=(AttrDef("id", "int32"),),
            attrs=tuple(AttrDef(name, kind, nullable) for name, kind, nullable in COLUMNS),
        ),
    )
)


@pytest.fixture
def data_table(connection: dj.Connection) -> Iterator[Declared]:
    with DATA.declare(connection) as declared:
        yield declared


def _result(value: Any) -> Any:
    """A frames result as pandas (scalars as they are)."""
    if isinstance(value, (fpd.DataFrame, fpd.Series)):
        return value.to_pandas()
    return value


#: Chains drawn per example, besides the probes: loading the rows costs more than running a
#: chain on them, and every chain starts from all the rows.
CHAINS_PER_EXAMPLE = 3


def test_chains_equal_pandas(data_table: Declared, examples: Any) -> None:
    table = data_table.classes["Data"]

    @examples
    @given(
        data=rows(),
        drawn=st.lists(chains(), min_size=1, max_size=CHAINS_PER_EXAMPLE),
        single=probes(),
    )
    def check(data: list[dict[str, Any]], drawn: list[list[Any]], single: list[list[Any]]) -> None:
        data_table.load({"Data": data})
        expected_frame = pandas_frame(data)
        lazy = fpd.DataFrame(table)
        for number, steps in enumerate(drawn + single):
            note(f"chain {number}: {' -> '.join(step.text for step in steps)}")
            compare(steps, expected_frame, lazy)

    check()


def compare(steps: list[Any], expected_frame: pd.DataFrame, lazy: fpd.DataFrame) -> None:
    """The chain ``steps`` gives the same result on frames as on pandas."""
    expected, ordered = run(steps, expected_frame, expected_frame, pd.concat)
    actual, _ = run(steps, lazy, lazy, fpd.concat)
    note(f"SQL: {actual.compile()[0] if hasattr(actual, 'compile') else '(scalar)'}")
    actual = _result(actual)
    if not isinstance(expected, (pd.DataFrame, pd.Series)):
        assert same_scalar(actual, expected), (actual, expected)
        return
    pd.testing.assert_frame_equal(
        normalised(actual, ordered),
        normalised(expected, ordered),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )
