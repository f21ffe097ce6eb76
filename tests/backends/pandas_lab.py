"""Test data of the pandas API tests: the same rows as a table on each backend and as a
pandas DataFrame, so that every test compares frames with pandas itself. Import the
``*_fixture`` functions to use the fixtures ``pandas_labs``, ``lab``, ``df`` and ``pdf``.

``Item`` has a column of every family frames.pandas fetches (masked integers, floats with
NaN, strings with empty and non-ASCII values, booleans with and without missing values, dates,
datetimes, an enum) and two columns named like methods (``keys``, ``sql``); ``Code`` is a
second table to merge with.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import pandas as pd
import pytest
from per_backend import PerBackend

import frames as dj
import frames.pandas as fpd

ITEMS = [
    dict(id=1, g="a", x=3, f=1.5, s="Apple", b=True, c=True, d=datetime.date(2020, 1, 5),
         t=datetime.datetime(2020, 1, 5, 10, 30, 15), e="lo", keys=10, sql="q1"),
    dict(id=2, g="b", x=None, f=2.5, s="banana", b=False, c=False, d=datetime.date(2021, 3, 1),
         t=None, e="hi", keys=20, sql="q2"),
    dict(id=3, g="a", x=7, f=None, s=None, b=True, c=None, d=None,
         t=datetime.datetime(2022, 6, 7, 1, 2, 3), e=None, keys=30, sql="q3"),
    dict(id=4, g=None, x=1, f=-0.5, s="cherry pie", b=True, c=True, d=datetime.date(2019, 12, 31),
         t=datetime.datetime(2019, 12, 31, 23, 59, 59), e="mid", keys=40, sql="q4"),
    dict(id=5, g="b", x=7, f=2.5, s="", b=False, c=False, d=datetime.date(2020, 2, 29),
         t=datetime.datetime(2020, 2, 29, 0, 0, 0), e="hi", keys=50, sql="q5"),
    dict(id=6, g="ü", x=-2, f=0.125, s="Ωmega 🙂", b=False, c=None, d=datetime.date(2020, 1, 5),
         t=datetime.datetime(2020, 1, 5, 10, 30, 15), e="lo", keys=60, sql="q6"),
]  # fmt: skip
CODES = [
    dict(code=1, g="a", w=10.0),
    dict(code=2, g="a", w=20.0),
    dict(code=3, g="c", w=30.0),
    dict(code=4, g=None, w=40.0),
]


def items_frame() -> pd.DataFrame:
    """``Item`` as pandas holds it (the dtypes frames.pandas fetches)."""
    frame = pd.DataFrame(ITEMS).astype(
        {
            "id": "int32",
            "g": "str",
            "x": "Int64",
            "f": "float64",
            "s": "str",
            "b": "bool",
            "c": "boolean",
            "d": "datetime64[us]",
            "t": "datetime64[us]",
            "e": "str",
            "keys": "int32",
            "sql": "str",
        }
    )
    frame = frame.set_index("id")
    frame.index = frame.index.astype("int32")  # as the table's key
    return frame


def codes_frame() -> pd.DataFrame:
    """``Code`` as pandas holds it."""
    frame = pd.DataFrame(CODES).astype({"code": "int32", "g": "str", "w": "float64"})
    frame = frame.set_index("code")
    frame.index = frame.index.astype("int32")
    return frame


@contextmanager
def build_pandas_lab(connection: dj.Connection) -> Iterator[SimpleNamespace]:
    """Declare and fill ``Item`` and ``Code`` on ``connection``; drop them afterwards."""
    schema = dj.Schema(f"frames_pd_{uuid.uuid4().hex[:8]}", connection=connection)

    @schema
    class Item(dj.Manual):
        definition = """
        id : int32
        ---
        g = null : varchar(8)
        x = null : int64
        f = null : float64
        s = null : varchar(30)
        b : bool
        c = null : bool
        d = null : date
        t = null : datetime
        e = null : enum('lo', 'mid', 'hi')
        keys : int32
        sql : varchar(10)
        """

    @schema
    class Code(dj.Manual):
        definition = """
        code : int32
        ---
        g = null : varchar(8)
        w : float64
        """

    Item.insert(ITEMS)
    Code.insert(CODES)
    try:
        yield SimpleNamespace(Item=Item, Code=Code, connection=connection)
    finally:
        schema.drop(prompt=False)


@pytest.fixture(scope="module", name="pandas_labs")
def pandas_labs_fixture() -> Iterator[PerBackend]:
    with ExitStack() as stack:
        yield PerBackend(stack, build_pandas_lab)


@pytest.fixture(name="lab")
def lab_fixture(backend_url: str, pandas_labs: PerBackend) -> SimpleNamespace:
    """The pandas test tables on the test's backend (declared once per module and backend)."""
    return pandas_labs.get(backend_url)


@pytest.fixture(name="df")
def df_fixture(lab: SimpleNamespace) -> fpd.DataFrame:
    """``Item`` as a lazy frame."""
    return fpd.DataFrame(lab.Item)


@pytest.fixture(name="pdf")
def pdf_fixture() -> pd.DataFrame:
    """``Item`` in pandas."""
    return items_frame()


def same(
    actual: fpd.DataFrame | fpd.Series, expected: pd.DataFrame | pd.Series, **options: object
) -> None:
    """The lazy result fetched equals pandas' (dtypes included unless told)."""
    fetched = actual.to_pandas()
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(fetched, expected, **options)  # type: ignore[arg-type]
    else:
        pd.testing.assert_frame_equal(fetched, expected, **options)  # type: ignore[arg-type]
