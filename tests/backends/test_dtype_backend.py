"""``to_pandas(dtype_backend=...)``: pandas' convention, on every backend.

``'pyarrow'`` gives ``pandas.ArrowDtype`` columns of the result's Arrow types (those of
``to_arrow``), index levels included, with no Python object per value (codec attributes aside);
``'numpy_nullable'`` pandas' nullable types for integers, booleans, floats and strings; the
default keeps frames' exact types.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import frames as dj
from frames.errors import FetchError

#: Rows in key order (subject, day): i = 0, 2, 4, 1, 3; row 2 (position 1) has the NULLs.
KEY_ORDER = [0, 2, 4, 1, 3]


def _row(i: int) -> dict:
    empty = i == 2
    return {
        "subject": i % 2,
        "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
        "count": None if empty else i * 1000,
        "ratio": None if empty else i / 8,
        "flag": None if empty else bool(i % 2),
        "amount": None if empty else Decimal(i) / 4,
        "name": None if empty else f"name {i}",
        "colour": ["red", "blue"][i % 2],
        "at": datetime.datetime(2024, 1, 1, i),
        "doc": None if empty else {"i": i},
        "data": None if empty else np.arange(i),
    }


@pytest.fixture
def lab(backend_url: str, schema_name: str) -> Iterator[SimpleNamespace]:
    connection = dj.connect(backend_url)
    schema = dj.Schema(schema_name, connection=connection)

    class Measure(dj.Manual):
        definition = """
        subject : int16
        day : date
        ---
        count = null : int64
        ratio = null : float64
        flag = null : bool
        amount = null : decimal(8,2)
        name = null : varchar(20)
        colour : enum('red', 'blue')
        at : datetime
        doc = null : json
        data = null : <blob>
        """

    schema(Measure, context={})
    Measure.insert([_row(i) for i in range(5)])
    yield SimpleNamespace(Measure=Measure, connection=connection)
    connection.close()


def test_pyarrow_columns_are_arrow_backed_with_the_types_and_values_of_to_arrow(lab):
    frame = lab.Measure.to_pandas(dtype_backend="pyarrow", order_by="KEY")
    arrow = lab.Measure.to_arrow(order_by="KEY")
    for name in ("count", "ratio", "flag", "amount", "name", "colour", "at", "doc"):
        column = frame[name]
        assert isinstance(column.dtype, pd.ArrowDtype), name
        assert column.dtype.pyarrow_dtype == arrow.schema.field(name).type, name
        assert pa.chunked_array(column.array._pa_array).equals(arrow.column(name)), name
    assert frame["amount"].dtype.pyarrow_dtype == pa.decimal128(8, 2)
    assert frame["name"].isna().tolist() == [False, True, False, False, False]
    assert frame["count"].iloc[1] is pd.NA
    assert [str(level.dtype) for level in frame.index.levels] == [
        "int16[pyarrow]",
        "date32[day][pyarrow]",
    ]
    assert list(frame.index) == [(r["subject"], r["day"]) for r in lab.Measure.keys("KEY")]
    # a codec's values exist only as Python objects: decoded, as by default
    assert frame["data"].dtype == object
    assert np.array_equal(frame["data"].iloc[2], np.arange(KEY_ORDER[2]))


def test_pyarrow_columns_hold_no_python_object_per_value(lab):
    frame = lab.Measure.proj(..., "-data").to_pandas(dtype_backend="pyarrow")
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in frame.dtypes)


def test_numpy_nullable_gives_pandas_nullable_types(lab):
    frame = lab.Measure.to_pandas(dtype_backend="numpy_nullable", order_by="KEY")
    default = lab.Measure.to_pandas(order_by="KEY")
    assert str(frame["count"].dtype) == "Int64"
    assert str(frame["ratio"].dtype) == "Float64"
    assert str(frame["flag"].dtype) == "boolean"
    assert isinstance(frame["name"].dtype, pd.StringDtype) and frame["name"].iloc[1] is pd.NA
    assert frame["count"].iloc[1] is pd.NA and frame["count"].iloc[4] == 3000
    # types pandas has no nullable kind of stay as by default: exact decimals
    assert frame["amount"].dtype == object and frame["amount"].iloc[3] == Decimal("0.25")
    assert str(frame.index.levels[0].dtype) == "Int16"
    for name in ("count", "ratio", "flag", "name"):
        expected = [None if pd.isna(v) else v for v in default[name]]
        assert [None if v is pd.NA else v for v in frame[name]] == expected, name


def test_the_default_keeps_frames_exact_types(lab):
    frame = lab.Measure.to_pandas()
    assert frame.equals(lab.Measure.to_pandas(dtype_backend=None))
    assert frame["amount"].dtype == object and isinstance(frame["amount"].iloc[0], Decimal)


def test_another_dtype_backend_is_refused_before_the_query_runs(lab, monkeypatch):
    backend = lab.connection.backend
    ran = []
    monkeypatch.setattr(backend, "fetch_arrow", lambda *args: ran.append(args))
    with pytest.raises(FetchError, match="'pyarrow', 'numpy_nullable' or None"):
        lab.Measure.to_pandas(dtype_backend="numpy")
    assert ran == []
