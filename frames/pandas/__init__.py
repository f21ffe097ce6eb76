"""A pandas API over frames' logical plan: lazy DataFrames and Series whose every method is
pushed down to the database as one SQL statement.

>>> import frames.pandas as fpd                                    # doctest: +SKIP
>>> df = fpd.DataFrame(Session)              # any table or query  # doctest: +SKIP
>>> top = (df[df.duration > 10]
...        .assign(minutes=df.duration / 60)
...        .groupby("subject_id").agg(total=("minutes", "sum"))
...        .sort_values("total", ascending=False)
...        .head(5))                                               # doctest: +SKIP
>>> print(top.explain())                     # one statement       # doctest: +SKIP
>>> top.to_pandas()                          # runs it             # doctest: +SKIP

Every name means what it means in pandas. A method that cannot run in the database raises
:class:`NotPushedDownError`, naming the pushed-down alternative or ``to_pandas()``.
"""

from __future__ import annotations

from frames.pandas.errors import AlignmentError, MergeError, NotPushedDownError, PandasTypeError
from frames.pandas.frame import DataFrame, read_sql_table
from frames.pandas.groupby import DataFrameGroupBy, SeriesGroupBy
from frames.pandas.merge import concat, merge
from frames.pandas.series import Series

__all__ = [
    "AlignmentError",
    "DataFrame",
    "DataFrameGroupBy",
    "MergeError",
    "NotPushedDownError",
    "PandasTypeError",
    "Series",
    "SeriesGroupBy",
    "concat",
    "merge",
    "read_sql_table",
]
