"""Query expressions: the user-facing relational algebra over immutable plans.

Every operator returns a new :class:`QueryExpression` holding a new plan node; nothing touches
the database until a fetch method (``to_dicts``, ``to_pandas``, ``len``, ``repr``...) compiles
the plan to one SQL statement and runs it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import EllipsisType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from frames.api.bases import QueryBase, _as_query
from frames.api.coerce import Not, to_condition
from frames.api.columns import Column
from frames.api.display import format_html, format_text
from frames.api.dj_heading import Heading
from frames.api.operators import aggregate_columns, parse_order, projection_columns
from frames.api.parallel import read_parallel
from frames.api.progress import counted_rows
from frames.api.u import U
from frames.codecs.attributes import with_connection_config
from frames.errors import (
    ArgumentTypeError,
    DataError,
    FetchError,
    QueryError,
    UnsupportedArgumentError,
)
from frames.io import convert
from frames.io.dtype_backend import check_dtype_backend
from frames.io.stream import (
    DEFAULT_BATCH_ROWS,
    BatchStream,
    check_batch_rows,
    check_csv_schema,
    rebatch,
    write_csv,
    write_parquet,
)
from frames.plan.explain import explain
from frames.plan.nodes import (
    Node,
    joined_heading,
    make_aggregate,
    make_join,
    make_project,
    make_restrict,
    make_top,
    make_union,
)
from frames.plan.nodes import Top as TopNode
from frames.plan.values import Col, Param
from frames.settings import config
from frames.sql.compile import compile_plan

if TYPE_CHECKING:
    import pandas
    import polars

    from frames.api.connection import Connection


@dataclass
class Top:
    """Restrict to the first ``limit`` rows in ``order_by`` order, after ``offset`` rows.

    Parameters
    ----------
    limit : int or None
        Number of rows (None: all).
    order_by : str, list of str or None
        ``'KEY'`` (default), ``'attr'``, ``'attr DESC'``; ties are broken by the primary key.
        ``None`` keeps the order of the query's own ``Top`` (the key order if it has none).
    offset : int
        Rows to skip.

    Raises
    ------
    frames.errors.ArgumentTypeError
        (a ``TypeError``) for a limit or offset that is not an integer, or an order that is
        not strings (the messages are DataJoint's).
    """

    limit: int | None = 1
    order_by: str | list[str] | None = "KEY"
    offset: int = 0

    def __post_init__(self) -> None:
        self.offset = self.offset or 0
        if self.limit is not None and not isinstance(self.limit, int):
            raise ArgumentTypeError("Top limit must be an integer")
        if self.order_by is not None:
            if not isinstance(self.order_by, (str, Sequence)) or not all(
                isinstance(item, str) for item in self.order_by
            ):
                raise ArgumentTypeError("Top order_by attributes must all be strings")
            self.order_by = (
                [self.order_by] if isinstance(self.order_by, str) else list(self.order_by)
            )
        if not isinstance(self.offset, int):
            raise ArgumentTypeError("The offset argument must be an integer")


class QueryExpression(QueryBase):
    """A relational query: a plan plus the connection it runs on.

    Build queries with ``&``, ``-``, ``*``, ``+``, :meth:`proj`, :meth:`aggr`, :meth:`join`;
    read them with :meth:`to_dicts`, :meth:`to_pandas`, :meth:`to_polars`, :meth:`to_arrow`,
    :meth:`to_arrays`, :meth:`keys`, :meth:`fetch1`, ``len()``, iteration and ``repr()``.
    """

    _plan: Node
    _connection: Connection

    def __init__(self, plan: Node, connection: Connection):
        self._plan = plan
        self._connection = connection

    def _derive(self, plan: Node) -> QueryExpression:
        return QueryExpression(plan, self._connection)

    # -- pandas-flavoured access ----------------------------------------------------------------
    def __getattr__(self, name: str) -> Column:
        """``q.attr``: a :class:`~frames.api.columns.Column` for expressions and restrictions."""
        plan = self.__dict__.get("_plan")
        if name.startswith("_") or plan is None or name not in plan.heading:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return Column(Col(name))

    def __getitem__(self, item: Any) -> Any:
        """``q['a']`` a column, ``q[['a', 'b']]`` a projection, ``q[condition]`` a restriction."""
        if isinstance(item, str):
            self._plan.heading.check([item], f"{self._name}[...]")
            return Column(Col(item))
        if isinstance(item, list) and all(isinstance(i, str) for i in item):
            return self.proj(*[i for i in item if i not in self.primary_key])
        return self.restrict(item)

    @property
    def _name(self) -> str:
        return type(self).__name__ if type(self) is not QueryExpression else "query"

    @property
    def connection(self) -> Connection:
        """The connection this query runs on."""
        return self._connection

    @property
    def _backend(self) -> str | None:
        """The dialect of the connection (how SQL fragments are read), if there is one."""
        return None if self._connection is None else self._connection.dialect

    # -- inspection ---------------------------------------------------------------------------
    @property
    def heading(self) -> Heading:
        """The result's attributes and primary key, as DataJoint's ``Heading`` offers them
        (frames' typed heading, which queries are built from, is ``q.plan.heading``)."""
        return Heading.of_plan(self._plan.heading)

    @property
    def primary_key(self) -> list[str]:
        """Names of the primary-key attributes."""
        return list(self._plan.heading.primary_key)

    @property
    def plan(self) -> Node:
        """The immutable logical plan of this query."""
        return self._plan

    @property
    def sql(self) -> str:
        """The SQL this query runs on its connection (placeholders ``?`` for bound values)."""
        return self.compile()[0]

    def compile(self, dialect: str | None = None) -> tuple[str, list[Any]]:
        """SQL text and parameter values for ``dialect`` (``duckdb``, ``postgres``, ``mysql``).

        Without ``dialect``, the dialect of the query's connection.
        """
        if dialect is None:
            if self._connection is None:
                raise QueryError(
                    "this query has no connection: name the dialect, e.g. q.compile('postgres')"
                )
            dialect = self._connection.dialect
        return compile_plan(self._plan, dialect)

    def explain(self, dialect: str | None = None) -> str:
        """The plan before and after rewriting, each node with heading and key, and the SQL."""
        return explain(self._plan, self.compile(dialect)[0])

    # -- restriction --------------------------------------------------------------------------
    def restrict(self, condition: Any, semantic_check: bool = True) -> QueryExpression:
        """Rows satisfying ``condition`` (see :meth:`__and__`).

        ``semantic_check=False`` matches a query condition on every namesake attribute, without
        DataJoint's lineage check.
        """
        if isinstance(condition, Top):
            return self._top(condition)
        where = f"{self._name} & ..."
        cond = to_condition(condition, self._plan, where, semantic_check, self._backend)
        return self._derive(make_restrict(self._plan, cond))

    def __and__(self, condition: Any) -> QueryExpression:
        """Restriction: dict, SQL string, list (OR), AndList, query (semijoin), Not, Top, bool."""
        return self.restrict(condition)

    def __sub__(self, condition: Any) -> QueryExpression:
        """Anti-restriction: rows for which ``condition`` is false (NOT EXISTS for queries)."""
        if isinstance(condition, Top):
            raise QueryError("q - dj.Top(...) is not defined; restrict by Top with &")
        return self.restrict(Not(condition))

    def __neg__(self) -> Not:
        """``-q``: the condition ``dj.Not(q)`` (``p & -q`` is ``p - q``)."""
        return Not(self)

    def __xor__(self, other: Any) -> QueryExpression:
        """Removed in DataJoint 2.0: raises, naming ``restrict(..., semantic_check=False)``."""
        raise QueryError(
            "The ^ operator has been removed in DataJoint 2.0. Use "
            ".restrict(other, semantic_check=False) for restrictions without "
            "semantic checking."
        )

    def __matmul__(self, other: Any) -> QueryExpression:
        """Removed in DataJoint 2.0: raises, naming ``join(..., semantic_check=False)``."""
        raise QueryError(
            "The @ operator has been removed in DataJoint 2.0. Use "
            ".join(other, semantic_check=False) for joins without semantic "
            "checking."
        )

    def _top(self, top: Top) -> QueryExpression:
        order = self._top_order(top.order_by)
        return self._derive(make_top(self._plan, order, top.limit, top.offset))

    def _top_order(self, order_by: Any) -> list[tuple[str, bool]]:
        """The order a ``Top`` or a fetch sorts by: ``None`` keeps the order of this query's
        own ``Top`` (its key order if it has none)."""
        if order_by is None:
            if isinstance(self._plan, TopNode):
                return list(self._plan.order)
            order_by = "KEY"
        return parse_order(order_by, self._plan.heading)

    # -- projection ---------------------------------------------------------------------------
    def proj(self, *attributes: str | EllipsisType, **named: str) -> QueryExpression:
        """Select, rename and compute attributes; the primary key always stays.

        ``proj()`` keeps the key only; ``'...'`` keeps all; ``'-a'`` drops ``a``;
        ``new='old'`` renames; ``new='(old)'`` copies; ``new='expr'`` computes.
        """
        where = f"{self._name}.proj()"
        columns, key_renames = projection_columns(
            self._plan.heading, attributes, named, where, self._backend
        )
        return self._derive(make_project(self._plan, columns, key_renames, where))

    # -- join and union -----------------------------------------------------------------------
    def __mul__(self, other: Any) -> QueryExpression:
        """Join on namesake attributes of equal lineage."""
        return self.join(other)

    def __rmul__(self, other: Any) -> QueryExpression:
        return _as_query(other).join(self)

    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        """Join with ``other`` on namesakes of equal lineage.

        ``semantic_check=False`` joins on every namesake, whatever its lineage; ``left=True``
        keeps rows without a match (needs self → other).
        """
        if isinstance(other, U):
            raise QueryError(
                "table * dj.U(...) is no longer supported in DataJoint 2.0: the "
                "semantic matching makes it unnecessary; use dj.U(...) & table for "
                "distinct values"
            )
        other = _as_query(other)
        return self._derive(
            make_join(self._plan, other._plan, outer=left, semantic_check=semantic_check)
        )

    def extend(self, other: Any, semantic_check: bool = True) -> QueryExpression:
        """Add ``other``'s attributes where they match, keeping every row (left join)."""
        return self.join(other, semantic_check=semantic_check, left=True)

    def __add__(self, other: Any) -> QueryExpression:
        """Union of two queries with the same primary key."""
        other = _as_query(other)
        return self._derive(make_union(self._plan, other._plan))

    # -- aggregation --------------------------------------------------------------------------
    def aggr(
        self,
        other: Any,
        *attributes: str,
        exclude_nonmatching: bool = False,
        keep_all_rows: bool | None = None,
        **named: str,
    ) -> QueryExpression:
        """One row per row of ``self`` with aggregates of the matching rows of ``other``.

        Parameters
        ----------
        other : query
            Rows to summarise, matched on namesakes.
        *attributes : str
            Attributes of ``self`` to keep (``'...'`` for all).
        exclude_nonmatching : bool
            Drop rows of ``self`` without matches (default: keep them, ``count`` = 0).
        **named : str
            ``name='sum(x)'`` aggregate expressions.
        """
        other = _as_query(other)
        if keep_all_rows is not None:
            exclude_nonmatching = not keep_all_rows
        where = f"{self._name}.aggr()"
        keep_all = any(attr is Ellipsis or attr == "..." for attr in attributes)  # aggr(q, ...)
        kept = list(self._plan.heading.names) if keep_all else list(attributes)
        namespace = joined_heading(self._plan.heading, other._plan.heading)
        columns = aggregate_columns(namespace, named, where, self._backend)
        return self._derive(
            make_aggregate(self._plan, other._plan, kept, columns, outer=not exclude_nonmatching)
        )

    aggregate = aggr

    # -- fetching -----------------------------------------------------------------------------
    def _ordered(self, order_by: Any, limit: int | None, offset: int | None) -> Node:
        """The plan sorted and paged as a fetch asks (this plan itself if it asks neither)."""
        if order_by is None and limit is None and not offset:
            return self._plan
        return make_top(self._plan, self._top_order(order_by), limit, offset)

    def _page(self, order_by: Any, limit: int | None, offset: int | None) -> QueryExpression:
        """This query sorted and paged, as a query that later projections keep sorted."""
        return self._derive(self._ordered(order_by, limit, offset))

    def _arrow(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        parallel: int | None = None,
    ) -> pa.Table:
        if parallel is not None:
            return read_parallel(self, parallel, order_by, limit, offset)
        return self._fetch(self._ordered(order_by, limit, offset))

    def _fetch(self, plan: Node) -> pa.Table:
        """Run ``plan`` (one statement) and return its result as Arrow."""
        if not plan.heading.names:
            count = len(self._derive(plan))
            # A table without columns that keeps its row count (from_pylist([{}]) has none).
            return pa.table({"_": [None] * count}).drop_columns(["_"])
        sql, params = compile_plan(plan, self._connection.dialect)
        return self._connection.backend.fetch_arrow(sql, params, plan.heading.arrow_schema())

    def to_arrow(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
        parallel: int | None = None,
    ) -> pa.Table:
        """The result as a ``pyarrow.Table``.

        ``parallel=N`` reads it over ``N`` connections at once, split by ranges of the first
        primary-key attribute (:mod:`frames.api.parallel`; a fetch that cannot be split is
        refused with :class:`~frames.errors.FetchError`). Codec attributes keep their stored
        values, so ``squeeze=True`` (DataJoint's, for decoded arrays) is refused when there are
        any (:class:`~frames.errors.UnsupportedArgumentError`).
        """
        self._refuse_squeeze(squeeze, "to_arrow")
        return convert.to_arrow(self._arrow(order_by, limit, offset, parallel), self._plan.heading)

    def _refuse_squeeze(self, squeeze: bool, method: str) -> None:
        """Raise :class:`UnsupportedArgumentError` for ``squeeze=True`` on a result with codec
        attributes: ``method`` keeps their stored values, which squeezing cannot change."""
        codecs = [attr.name for attr in self._plan.heading.attributes if attr.codec]
        if squeeze and codecs:
            raise UnsupportedArgumentError(
                f"{self._name}.{method}(squeeze=True): {method}() keeps the stored values of "
                f"{', '.join(codecs)}, which squeeze cannot change; use to_dicts(), "
                "to_arrays() or to_pandas() with squeeze=True for decoded, squeezed arrays"
            )

    def to_arrow_batches(
        self,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> BatchStream:
        """The result as a stream of ``pyarrow.RecordBatch``, read from the database as it is
        consumed: memory stays flat whatever the size of the result.

        The batches have ``batch_rows`` rows each (the last one fewer) and the schema and
        values of :meth:`to_arrow`. The :class:`~frames.io.stream.BatchStream` is an iterator
        of batches (``for batch in stream``) with their ``schema``; ``read_all()`` collects
        them into a table, and pyarrow, DuckDB and polars read it as an Arrow stream. The
        query runs when this is called (its errors raise here); outside a transaction it runs
        on a connection of its own, so that this connection stays free while the batches are
        read (to insert them elsewhere, say), and that connection is closed when the batches
        end or the stream is closed (``stream.close()``, or a ``with`` block). Inside a
        transaction the result is read whole, on the transaction's connection, and handed out
        in batches.

        Raises
        ------
        frames.errors.FetchError
            For a ``batch_rows`` that is not a positive integer.
        """
        batch_rows = check_batch_rows(batch_rows, f"{self._name}.to_arrow_batches()")
        plan = self._ordered(order_by, limit, offset)
        heading = plan.heading
        schema = convert.to_arrow(heading.arrow_schema().empty_table(), heading).schema
        if not heading.names:
            return BatchStream(schema, iter(self._fetch(plan).to_batches(batch_rows)))
        sql, params = compile_plan(plan, self._connection.dialect)
        tables = self._connection.backend.fetch_arrow_batches(
            sql, params, heading.arrow_schema(), batch_rows
        )
        converted = (convert.to_arrow(table, heading) for table in tables)
        batches = counted_rows(rebatch(converted, batch_rows), f"fetch from {self._name}")
        return BatchStream(schema, batches, tables)

    def to_parquet(
        self,
        path: str | os.PathLike[str],
        batch_rows: int = DEFAULT_BATCH_ROWS,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> None:
        """Write the result to a Parquet file, streamed batch by batch (one row group per
        batch of ``batch_rows`` rows; see :meth:`to_arrow_batches`).

        The columns have the types of :meth:`to_arrow`. The file appears at ``path`` once the
        whole result is written (until then, and after an error, a file already there is left
        as it was).
        """
        write_parquet(self.to_arrow_batches(batch_rows, order_by, limit, offset), path)

    def to_csv(
        self,
        path: str | os.PathLike[str],
        batch_rows: int = DEFAULT_BATCH_ROWS,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> None:
        """Write the result to a CSV file, streamed batch by batch (see
        :meth:`to_arrow_batches`): a header line of the attribute names, then one line per
        row, NULL as an empty field, text quoted, dates and datetimes in ISO form.

        The file appears at ``path`` once the whole result is written.

        Raises
        ------
        frames.errors.FetchError
            For a result with binary attributes (``bytes``, blobs): CSV cannot hold them.
        """
        check_csv_schema(self._plan.heading.arrow_schema(), f"{self._name}.to_csv()")
        write_csv(self.to_arrow_batches(batch_rows, order_by, limit, offset), path)

    @with_connection_config
    def to_dicts(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> list[dict[str, Any]]:
        """The result as a list of dicts (one per row)."""
        table = self._arrow(order_by, limit, offset)
        if not self._plan.heading.names:
            return [{} for _ in range(table.num_rows)]
        return convert.to_dicts(table, self._plan.heading, squeeze)

    @with_connection_config
    def to_pandas(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
        dtype_backend: str | None = None,
        parallel: int | None = None,
    ) -> pandas.DataFrame:
        """The result as a pandas DataFrame indexed by the primary key.

        ``dtype_backend='pyarrow'`` (pandas' convention) gives ``pandas.ArrowDtype`` columns —
        decimals, strings, dates, nullable integers — with no Python object per value;
        ``'numpy_nullable'`` pandas' nullable types; by default, frames' exact types
        (:mod:`frames.io.convert`, :mod:`frames.io.dtype_backend`). ``parallel=N``: as for
        :meth:`to_arrow`.
        """
        check_dtype_backend(dtype_backend)  # before the query runs
        return convert.to_pandas(
            self._arrow(order_by, limit, offset, parallel),
            self._plan.heading,
            squeeze=squeeze,
            dtype_backend=dtype_backend,
        )

    def to_polars(
        self,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
        parallel: int | None = None,
    ) -> polars.DataFrame:
        """The result as a polars DataFrame (``parallel=N`` and ``squeeze``: as for
        :meth:`to_arrow`)."""
        self._refuse_squeeze(squeeze, "to_polars")
        return convert.to_polars(self._arrow(order_by, limit, offset, parallel), self._plan.heading)

    @with_connection_config
    def to_arrays(
        self,
        *attributes: str,
        include_key: bool = False,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> Any:
        """A numpy structured array, or one array per named attribute.

        With attribute names, only those attributes (and the key, with ``include_key=True``,
        given first as a list of dicts) are fetched: one array per name, the array itself for
        one name.
        """
        self._plan.heading.check(attributes, f"{self._name}.to_arrays()")
        page = self._page(order_by, limit, offset)
        if attributes:
            page = page.proj(*[a for a in dict.fromkeys(attributes) if a not in self.primary_key])
        return convert.to_arrays(
            page._fetch(page._plan),
            page._plan.heading,
            *attributes,
            include_key=include_key,
            squeeze=squeeze,
        )

    def keys(
        self, order_by: Any = None, limit: int | None = None, offset: int | None = None
    ) -> list[dict[str, Any]]:
        """The primary-key values of the result, as dicts (``order_by`` may name any
        attribute of the query)."""
        return self._page(order_by, limit, offset).proj().to_dicts()

    @with_connection_config
    def fetch1(self, *attributes: str, squeeze: bool = False) -> Any:
        """The single row of the result (a dict), or the named attributes' values.

        ``'KEY'`` among the attributes stands for the primary key as a dict.

        Raises
        ------
        FetchError
            If the result has zero rows or more than one.
        """
        plan = self._plan
        if attributes:  # only the named attributes (and the key) are read, as in DataJoint
            named = [a for a in attributes if a != "KEY"]
            plan.heading.check(named, f"{self._name}.fetch1()")
            plan = self.proj(*[a for a in dict.fromkeys(named) if a not in self.primary_key])._plan
        heading = plan.heading
        # any two rows tell "none", "one" and "more than one" apart: no ORDER BY needed
        two = TopNode(plan, (), Param.of(2), None, heading)
        if heading.names:
            # a result this small costs least as the driver's own rows, without Arrow
            backend = self._connection.backend
            sql, params = compile_plan(two, backend.dialect)
            rows = convert.driver_rows_to_dicts(backend.fetch_rows(sql, params), heading, squeeze)
        else:
            rows = [{} for _ in range(len(self._derive(two)))]
        if len(rows) != 1:
            count = "no rows" if not rows else "more than one row"
            raise FetchError(
                f"fetch1() needs exactly one row, but {self._name} has {count}; "
                "restrict it further, e.g. by its full primary key "
                f"({', '.join(self.primary_key)})"
            )
        row = rows[0]
        if not attributes:
            return row
        values = tuple(self._key_of(row) if name == "KEY" else row[name] for name in attributes)
        return values[0] if len(values) == 1 else values

    def _key_of(self, row: dict[str, Any]) -> dict[str, Any]:
        return {name: row[name] for name in self.primary_key}

    def fetch(
        self,
        *attributes: str,
        as_dict: bool | None = None,
        format: str | None = None,
        order_by: Any = None,
        limit: int | None = None,
        offset: int | None = None,
        squeeze: bool = False,
    ) -> Any:
        """Deprecated DataJoint 0.x fetch; use ``to_dicts``/``to_pandas``/``to_arrays``/``keys``.

        ``fetch()`` is a structured array, ``fetch(as_dict=True)`` dicts,
        ``fetch(format='frame')`` a DataFrame, ``fetch('KEY')`` the keys, ``fetch('a', 'b')``
        one array per attribute (``'KEY'`` among them: a list of key dicts).
        """
        warnings.warn(
            "fetch() is deprecated in DataJoint 2.0; use to_dicts(), to_pandas(), "
            "to_arrays() or keys()",
            DeprecationWarning,
            stacklevel=2,
        )
        if format not in (None, "array", "frame"):
            raise UnsupportedArgumentError(
                f"{self._name}.fetch(format={format!r}): format is 'array' (the default) or "
                "'frame'; for other results use to_dicts(), to_polars() or to_arrow()"
            )
        if format == "frame" and (attributes or as_dict is not None):
            raise QueryError(
                "fetch(format='frame') cannot be combined with attribute names or "
                "as_dict; use to_pandas() and select columns from the DataFrame"
            )
        page = {"order_by": order_by, "limit": limit, "offset": offset, "squeeze": squeeze}
        if format == "frame":
            return self.to_pandas(**page)
        if not attributes:
            return self.to_dicts(**page) if as_dict else self.to_arrays(**page)
        if attributes == ("KEY",):
            return self.keys(order_by=order_by, limit=limit, offset=offset)
        if as_dict:
            names = [n for a in attributes for n in (self.primary_key if a == "KEY" else [a])]
            kept = [n for n in names if n not in self.primary_key]
            return self._page(order_by, limit, offset).proj(*kept).to_dicts(squeeze=squeeze)
        if "KEY" not in attributes:
            return self.to_arrays(*attributes, **page)
        keys, *arrays = self.to_arrays(
            *[a for a in attributes if a != "KEY"], include_key=True, **page
        )
        columns = iter(arrays)
        result = [keys if a == "KEY" else next(columns) for a in attributes]
        return result[0] if len(result) == 1 else tuple(result)

    def head(self, limit: int = 25, *, order_by: Any = "KEY") -> list[dict[str, Any]]:
        """The first ``limit`` rows in primary-key order (or ``order_by``)."""
        return self.to_dicts(order_by=order_by, limit=limit)

    def tail(self, limit: int = 25, *, order_by: Any = "KEY") -> list[dict[str, Any]]:
        """The last ``limit`` rows in primary-key order (or ``order_by``), in that order."""
        order = parse_order(order_by, self._plan.heading)
        reverse = [(name, not desc) for name, desc in order]
        rows = self._derive(make_top(self._plan, reverse, limit, None)).to_dicts(
            order_by=[f"{n} {'DESC' if d else 'ASC'}" for n, d in reverse]
        )
        return rows[::-1]

    def __len__(self) -> int:
        sql, params = compile_plan(self._plan, self._connection.dialect, mode="count")
        return int(self._connection.backend.fetch_rows(sql, params)[0][0])

    def __bool__(self) -> bool:
        sql, params = compile_plan(self._plan, self._connection.dialect, mode="exists")
        return bool(self._connection.backend.fetch_rows(sql, params)[0][0])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The rows as dicts, in the order of the query's ``Top`` or else by primary key."""
        yield from self.to_dicts(order_by=None if isinstance(self._plan, TopNode) else "KEY")

    def __contains__(self, item: Any) -> bool:
        return bool(self & item)

    # -- display ------------------------------------------------------------------------------
    def _preview(self, limit: int | None) -> tuple[list[dict[str, Any]], int | None]:
        """The first rows as the preview shows them (one more than ``limit``, which tells
        whether rows are left out) and the total (None unless
        ``config['display.show_tuple_count']``). Binary attributes are not fetched (as in
        DataJoint, a preview reads no blobs) and show as ``=BLOB=``."""
        limit = config["display.limit"] if limit is None else limit
        binary = [a.name for a in self._plan.heading if a.type.category == "bytes" and not a.in_key]
        shown = self.proj(..., *[f"-{name}" for name in binary]) if binary else self
        ordered = None if isinstance(self._plan, TopNode) else "KEY"
        rows = shown.to_dicts(order_by=ordered, limit=limit + 1) if self._plan.heading.names else []
        for row in rows if binary else ():
            row.update(dict.fromkeys(binary, b""))  # shown as =BLOB=
        total = (
            len(self)
            if config["display.show_tuple_count"] or not self._plan.heading.names
            else None
        )
        return rows, total

    def _shown(
        self, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None, str | None]:
        """The preview's rows and total, or why they cannot be computed (a division by zero,
        an overflow: a repr must not raise for a query that is valid but has no value)."""
        try:
            rows, total = self._preview(limit)
        except DataError as exc:
            return [], 0, f"{type(exc).__name__}: {exc}"
        return rows, total, None

    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        """The text preview of the first ``limit`` rows (``config['display.limit']``), each
        cell at most ``width`` characters (``config['display.width']``), and the row count."""
        rows, total, failure = self._shown(limit)
        return format_text(
            self._plan.heading, rows, total, limit=limit, width=width, failure=failure
        )

    def __repr__(self) -> str:
        return self.preview()

    def _repr_html_(self) -> str:
        rows, total, failure = self._shown()
        return format_html(self._plan.heading, rows, total, failure=failure)

    def make_sql(self) -> str:
        """The SQL this query runs on its connection (DataJoint's name for :attr:`sql`)."""
        return self.sql
