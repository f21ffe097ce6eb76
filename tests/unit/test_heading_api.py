"""DataJoint's heading API on frames: secondary_attributes, as_dtype, has_autoincrement."""

from __future__ import annotations

import numpy as np

from frames.declare.spec import AUTO_INCREMENT, Attribute
from frames.declare.types import CoreType
from frames.plan.heading import Heading

HEADING = Heading(
    (
        Attribute("id", CoreType("int32"), in_key=True),
        Attribute("count", CoreType("int16"), nullable=True, default=None),
        Attribute("score", CoreType("float32")),
        Attribute("name", CoreType("varchar", length=10)),
    )
)


def test_secondary_attributes_and_dtype_as_datajoint() -> None:
    assert HEADING.secondary_attributes == ["count", "score", "name"]
    dtype = HEADING.as_dtype
    assert dtype.names == ("id", "count", "score", "name")
    # integers that cannot be NULL and floats get numeric types; the rest are objects
    assert [dtype[n] for n in dtype.names] == [
        np.dtype(np.int64),
        np.dtype(object),
        np.dtype(np.float64),
        np.dtype(object),
    ]
    rows = np.array([(1, None, 0.5, "a")], dtype=dtype)
    assert rows["id"][0] == 1 and rows["name"][0] == "a"


def test_has_autoincrement() -> None:
    assert not HEADING.has_autoincrement
    numbered = Heading((Attribute("id", CoreType("int64"), in_key=True, default=AUTO_INCREMENT),))
    assert numbered.has_autoincrement
