"""Plan → one SQL statement.

Each plan node is lowered into a :class:`Block` — the parts of one SELECT (FROM and JOINs, WHERE,
the output columns as expressions, GROUP BY/HAVING, DISTINCT, ORDER/LIMIT). Operators fuse into
the block of their operand while that keeps the meaning; a block is wrapped as a derived table
only after aggregation, DISTINCT, LIMIT or a union, where later operators must see its result.
Semijoins and antijoins become correlated ``EXISTS`` / ``NOT EXISTS``, so NULLs never hide rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from frames.declare.types import CoreType
from frames.plan.heading import Heading
from frames.plan.nodes import (
    Aggregate,
    AndCond,
    BaseTable,
    Concat,
    Cond,
    Distinct,
    Exists,
    ExprCond,
    GroupBy,
    Join,
    Merge,
    Node,
    NotCond,
    OrCond,
    Project,
    Restrict,
    Top,
    Union,
    Window,
    columns_outside_aggregates,
)
from frames.plan.values import Agg, Col, Expr, Lit, Op, Over, Param
from frames.sql.dialects import Dialect
from frames.sql.emit import ExprEmitter, parenthesized


@dataclass
class Block:
    """The clauses of one SELECT under construction."""

    source: exp.Expr
    joins: list[exp.Join] = field(default_factory=list)
    where: list[exp.Expr] = field(default_factory=list)
    columns: dict[str, exp.Expr] = field(default_factory=dict)
    group_by: list[exp.Expr] | None = None
    having: list[exp.Expr] = field(default_factory=list)
    distinct: bool = False
    order: list[exp.Ordered] = field(default_factory=list)
    limit: exp.Expr | None = None
    offset: exp.Expr | None = None

    @property
    def sealed(self) -> bool:
        """True once the block's rows are final: later restrictions or joins must wrap it."""
        return (
            self.group_by is not None
            or self.distinct
            or self.limit is not None
            or self.offset is not None
        )

    @property
    def simple(self) -> bool:
        """True for a single unfiltered-or-filtered source without joins or grouping."""
        return not self.sealed and not self.joins


def _aliases(node: exp.Expr) -> set[str]:
    return {col.table for col in node.find_all(exp.Column) if col.table}


class Lowering:
    """Lowers one plan for one dialect; parameters are emitted as numbered placeholders."""

    def __init__(self, dialect: Dialect, param_index: dict[int, int]):
        self.dialect = dialect
        self.param_index = param_index
        self.emitter = ExprEmitter(dialect, self._slot)
        self._aliases = 0
        self.root: Node | None = None

    # -- helpers --------------------------------------------------------------------------------
    def _slot(self, param: Param) -> exp.Expr:
        return exp.Placeholder(this=f"p{self.param_index[id(param)]}")

    def alias(self) -> str:
        """A fresh table alias."""
        self._aliases += 1
        return f"t{self._aliases}"

    def select(self, block: Block, names: tuple[str, ...] | None = None) -> exp.Select:
        """The SELECT statement of ``block`` with output columns ``names`` (default: all)."""
        names = tuple(block.columns) if names is None else names
        outputs = [exp.alias_(block.columns[n].copy(), n, quoted=True) for n in names]
        if not outputs:
            outputs = [exp.alias_(exp.Literal.number(1), "_exists", quoted=True)]
        query = exp.Select(expressions=outputs).from_(block.source.copy(), copy=False)
        for join in block.joins:
            query = query.join(join.copy(), copy=False)
        if block.where:
            query = query.where(exp.and_(*block.where), copy=False)
        if block.group_by:
            query = query.group_by(*block.group_by, copy=False)
        if block.having:
            query = query.having(exp.and_(*block.having), copy=False)
        if block.distinct:
            query = query.distinct(copy=False)
        if block.order:
            query = query.order_by(*block.order, copy=False)
        if block.limit is not None:
            query = query.limit(block.limit, copy=False)
        if block.offset is not None:
            query = query.offset(block.offset, copy=False)
        return query

    def wrap(self, block: Block, names: tuple[str, ...]) -> Block:
        """``block`` as a derived table: a new block selecting from it.

        A block without attributes still yields its rows through a hidden ``_exists`` column,
        which a grouping by the empty key groups by.
        """
        alias = self.alias()
        sub = exp.Subquery(
            this=self.select(block, names), alias=exp.TableAlias(this=exp.to_identifier(alias))
        )
        return Block(
            sub, columns={n: exp.column(n, table=alias, quoted=True) for n in names or ("_exists",)}
        )

    def open_block(self, node: Node) -> Block:
        """The block of ``node``, wrapped if it is sealed."""
        block = self.lower(node)
        return self.wrap(block, node.heading.names) if block.sealed else block

    def grouping_block(self, node: Node) -> Block:
        """The block of ``node`` ready to be grouped: wrapped if it is sealed, if a column is
        computed (``a || ?`` in SELECT and in GROUP BY are two placeholders, which no database
        recognises as one expression, and MariaDB does not match ``NULLIF(a, 0)`` with itself
        under ONLY_FULL_GROUP_BY), or if the dialect needs unique grouping names and two of its
        columns are namesakes."""
        block = self.open_block(node)
        columns = block.columns.values()
        names = [column.name for column in columns if isinstance(column, exp.Column)]
        if len(names) != len(columns) or (
            self.dialect.unique_grouping_names and len(names) != len(set(names))
        ):
            block = self.wrap(block, node.heading.names)
        return block

    def expr(self, expr: Expr, columns: dict[str, exp.Expr]) -> exp.Expr:
        """Emit ``expr`` with its columns bound to ``columns``."""
        return self.emitter.emit(expr, columns.__getitem__)

    # -- dispatch -------------------------------------------------------------------------------
    def lower(self, node: Node) -> Block:
        """The block computing ``node`` (the first node lowered is the statement's root)."""
        if self.root is None:
            self.root = node
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    def _basetable(self, node: BaseTable) -> Block:
        alias = self.alias()
        table = exp.Table(
            this=exp.to_identifier(node.ref.name, quoted=True),
            db=exp.to_identifier(node.ref.schema, quoted=True),
            alias=exp.TableAlias(this=exp.to_identifier(alias)),
        )
        return Block(
            table, columns={n: exp.column(n, table=alias, quoted=True) for n in node.heading.names}
        )

    def _restrict(self, node: Restrict) -> Block:
        block = self.lower(node.child)
        if (
            block.group_by is not None
            and not block.distinct
            and block.limit is None
            and block.offset is None
            and _only_expressions(node.cond)
            and self._filter_groups(block, node.cond, node.child.heading)
        ):
            return block
        if block.sealed:
            block = self.wrap(block, node.child.heading.names)
        block.where.append(self.cond(node.cond, block.columns, node.child.heading))
        return block

    def _filter_groups(self, block: Block, cond: Cond, heading: Heading) -> bool:
        """Restrict the grouped ``block`` in place, if its clauses can: a conjunct without
        aggregates filters the rows before grouping (WHERE, when there are grouping columns),
        one whose columns are all inside aggregates filters the groups (HAVING). False, with
        ``block`` unchanged, when a conjunct mixes both (MySQL resolves a grouped expression in
        HAVING, such as ``coalesce(a, 0) = count(*)``, column by column and rejects it): the
        caller then wraps the block."""
        conjuncts = [
            self.cond(item, block.columns, heading)
            for item in (cond.items if isinstance(cond, AndCond) else (cond,))
        ]
        kinds = [_aggregation_kind(conjunct) for conjunct in conjuncts]
        if "mixed" in kinds:
            return False
        for conjunct, kind in zip(conjuncts, kinds, strict=True):
            on_rows = kind == "rows" and block.group_by
            (block.where if on_rows else block.having).append(conjunct)
        return True

    def _project(self, node: Project) -> Block:
        if node is self.root:
            self.root = node.child  # the result is sorted as the projected query is
        block = self.lower(node.child)
        # A global aggregation (no GROUP BY) is one row only while it selects an aggregate.
        if block.distinct or block.group_by == []:
            block = self.wrap(block, node.child.heading.names)
        columns = {name: self.expr(e, block.columns) for name, e in node.columns}
        block.columns = {name: columns[name] for name in node.heading.names}
        return block

    def _join(self, node: Join) -> Block:
        left = self.open_block(node.left)
        right = self.open_block(node.right)
        if node.outer and (right.joins or right.where or not _plain_columns(right)):
            right = self.wrap(right, node.right.heading.names)
        conditions: list[exp.Expr] = [
            exp.EQ(this=left.columns[n].copy(), expression=right.columns[n].copy()) for n in node.on
        ]
        if node.outer:
            left.joins.append(
                exp.Join(
                    this=right.source,
                    side="LEFT",
                    on=exp.and_(*conditions) if conditions else exp.true(),
                )
            )
        else:
            self._inner_join(left, right, conditions)
        columns = dict(left.columns)
        columns.update((n, e) for n, e in right.columns.items() if n not in columns)
        left.columns = {n: columns[n] for n in node.heading.names}
        return left

    def _inner_join(self, left: Block, right: Block, conditions: list[exp.Expr]) -> None:
        """Append ``right``'s sources to ``left``; each ON holds the conditions it can see."""
        available = {left.source.alias_or_name} | {j.this.alias_or_name for j in left.joins}
        pending = list(conditions)
        sources = [exp.Join(this=right.source, on=None)] + [j.copy() for j in right.joins]
        for join in sources:
            available.add(join.this.alias_or_name)
            if join.side:  # in an outer join's ON a failed match would NULL-extend, not drop
                left.joins.append(join)
                continue
            ready = [c for c in pending if _aliases(c) <= available]
            pending = [c for c in pending if c not in ready]
            existing = join.args.get("on")
            clauses = ([existing] if existing is not None else []) + ready
            join.set("on", exp.and_(*clauses) if clauses else exp.true())
            left.joins.append(join)
        left.where.extend(pending)
        left.where.extend(right.where)

    def _aggregate(self, node: Aggregate) -> Block:
        group = self.grouping_block(node.group)
        if not node.group.heading.primary_key and "_exists" not in group.columns:
            # An empty key means 0 or 1 group: GROUP BY the marker below, never by nothing.
            group = self.wrap_with(group, node.group.heading.names, "_exists")
        source = self.open_block(node.source)
        if node.outer and (
            source.joins or source.where or not node.on or not _plain_columns(source)
        ):  # computed columns are computed before the left join (as in _join)
            source = self.wrap_with(source, node.source.heading.names, "_match")
        conditions: list[exp.Expr] = [
            exp.EQ(this=group.columns[n].copy(), expression=source.columns[n].copy())
            for n in node.on
        ]
        if node.outer:
            group.joins.append(
                exp.Join(
                    this=source.source,
                    side="LEFT",
                    on=exp.and_(*conditions) if conditions else exp.true(),
                )
            )
            marker = source.columns.get("_match") or source.columns[node.on[0]]
        else:
            self._inner_join(group, source, conditions)
            marker = None
        # Outside aggregates a namesake is the group's value; inside, the aggregated rows' one
        # (NULL on the row a left join adds for a group without matches).
        namespace = {**source.columns, **group.columns}
        namespace.update((_AGGREGATED + n, source.columns[n]) for n in node.on)
        out: dict[str, exp.Expr] = {}
        group_names = set(node.group.heading.names)
        grouped = list(node.group.heading.primary_key) + list(node.kept)
        for name, value in node.columns:
            grouped += [c for c in columns_outside_aggregates(value) if c in group_names]
            value = _aggregated_namesakes(value, set(node.on))
            out[name] = self._aggregate_expr(value, namespace, marker)
        group.group_by = [group.columns[n].copy() for n in dict.fromkeys(grouped)]
        if not group.group_by:
            group.group_by = [group.columns["_exists"].copy()]
        out.update((n, group.columns[n]) for n in node.heading.names if n not in out)
        group.columns = {n: out[n] for n in node.heading.names}
        return group

    def wrap_with(self, block: Block, names: tuple[str, ...], marker: str) -> Block:
        """Wrap ``block`` adding a non-null column ``marker`` (a constant 1) to its ``names``:
        ``_match`` marks the matched rows of a left join, ``_exists`` is a grouping column
        for an operand without a key."""
        block.columns = {**block.columns, marker: exp.Literal.number(1)}
        return self.wrap(block, (*names, marker))

    def _aggregate_expr(
        self, value: Expr, namespace: dict[str, exp.Expr], marker: exp.Expr | None
    ) -> exp.Expr:
        node = self.expr(value, namespace)
        if marker is not None:
            # count(*) over a left join counts the NULL-extended row: count matches instead.
            for count in list(node.find_all(exp.Count)):
                if isinstance(count.this, exp.Star):
                    replacement = exp.Count(this=marker.copy())
                    if count is node:
                        return replacement
                    count.replace(replacement)
        return node

    def _groupby(self, node: GroupBy) -> Block:
        block = self.grouping_block(node.source)
        out = {name: self.expr(value, block.columns) for name, value in node.columns}
        block.group_by = [block.columns[n].copy() for n in node.by]
        columns = {n: block.columns[n] for n in node.by}
        columns.update(out)
        block.columns = columns
        return block

    def _distinct(self, node: Distinct) -> Block:
        block = self.open_block(node.child)
        block.columns = {n: block.columns[n] for n in node.attrs}
        block.distinct = True
        if not node.attrs:
            block.columns = {}
            block.limit = exp.Literal.number(1)
            block.distinct = False
        return block

    def _union(self, node: Union) -> Block:
        from frames.plan.nodes import make_join, make_restrict, make_semijoin

        names = node.heading.names
        if not node.left.heading.secondary and not node.right.heading.secondary:
            left = self.select(self.open_block(node.left), names)
            right = self.select(self.open_block(node.right), names)
            query: exp.Expr = exp.Union(this=left, expression=right, distinct=True)
        else:
            # Outer union: left rows (with right's attributes where the key matches), then the
            # right rows whose key is not in left, with NULL for left's secondary attributes.
            joined = self.lower(
                make_join(node.left, node.right, outer=True, operator="+", semantic_check=False)
            )
            first = self.select(joined, names)
            rest_node = make_restrict(
                node.right, NotCond(make_semijoin(node.right, node.left, semantic_check=False))
            )
            rest = self.open_block(rest_node)
            rest.columns = {n: rest.columns.get(n, exp.Null()) for n in names}
            query = exp.Union(this=first, expression=self.select(rest, names), distinct=False)
        return self._derived(query, names)

    def _top(self, node: Top) -> Block:
        if node.limit is None and node.offset is None and node is not self.root:
            return self.lower(node.child)  # an order without a limit matters at the top only
        block = self.lower(node.child)
        if block.sealed and not (
            block.group_by is not None
            and block.limit is None
            and block.offset is None
            and not block.distinct
        ):
            block = self.wrap(block, node.child.heading.names)
        heading = node.child.heading
        nulls_first = node.nulls_first or tuple(not desc for _, desc in node.order)
        block.order = [
            exp.Ordered(
                this=self._order_key(block.columns[name], heading[name].type),
                desc=desc,
                # without NULLs any placement is right: the engine's own needs no extra key
                nulls_first=first if heading[name].nullable else self.dialect.nulls_first(desc),
            )
            for (name, desc), first in zip(node.order, nulls_first, strict=True)
            if not _is_constant(block.columns[name])
        ]
        if node.limit is not None:
            block.limit = self._slot(node.limit)
        if node.offset is not None:
            block.offset = self._slot(node.offset)
            if node.limit is None:
                block.limit = exp.Literal.number(2**62)  # OFFSET needs a LIMIT on MySQL
        return block

    def _window(self, node: Window) -> Block:
        """The child's rows with the window columns added, as a derived table: a later
        restriction must see the windows' values, which WHERE cannot compute."""
        block = self.open_block(node.child)
        if any(
            not isinstance(block.columns[name], exp.Column) for name in _window_keys(node.columns)
        ):
            # a computed key (a guarded division, say) is computed first: DuckDB refuses
            # volatile expressions (its ERROR() guards) in PARTITION BY and ORDER BY
            block = self.wrap(block, node.child.heading.names)
        block.columns = {
            **block.columns,
            **{name: self.expr(value, block.columns) for name, value in node.columns},
        }
        return self.wrap(block, node.heading.names)

    def _merge(self, node: Merge) -> Block:
        if node.how == "outer":
            return self._outer_merge(node)
        swap = node.how == "right"
        first, second = (node.right, node.left) if swap else (node.left, node.right)
        left = self.open_block(first)
        right = self.open_block(second)
        outer = node.how in ("left", "right")
        if outer and node.indicator is not None:
            right = self.wrap_with(right, second.heading.names, _MATCH)
        elif outer and (right.joins or right.where or not _plain_columns(right)):
            # a computed column of the side that may be unmatched is computed before the join
            # (after it, COALESCE(NULL, 0) would turn a missing row into a value)
            right = self.wrap(right, second.heading.names)
        pairs = [(b, a) for a, b in node.pairs] if swap else list(node.pairs)
        conditions = self._merge_conditions(first, second, pairs, left.columns, right.columns)
        if outer:
            left.joins.append(exp.Join(this=right.source, side="LEFT", on=exp.and_(*conditions)))
        else:
            self._inner_join(left, right, conditions)
        columns = {**left.columns, **right.columns}
        if node.indicator is not None:
            unmatched = "right_only" if swap else "left_only"
            columns[node.indicator] = (
                exp.Literal.string("both")
                if not outer
                else exp.Case(
                    ifs=[
                        exp.If(
                            this=exp.Is(this=right.columns[_MATCH].copy(), expression=exp.Null()),
                            true=exp.Literal.string(unmatched),
                        )
                    ],
                    default=exp.Literal.string("both"),
                )
            )
        left.columns = {n: columns[n] for n in node.heading.names}
        return left

    def _merge_conditions(
        self,
        left: Node,
        right: Node,
        pairs: list[tuple[str, str]],
        left_columns: dict[str, exp.Expr],
        right_columns: dict[str, exp.Expr],
    ) -> list[exp.Expr]:
        """Equalities of the merge keys; NULL matches NULL (as in pandas) where both sides can
        be NULL, with a plain equality elsewhere so that engines can hash the join."""
        conditions: list[exp.Expr] = []
        for a, b in pairs:
            both_null = left.heading[a].nullable and right.heading[b].nullable
            kind = exp.NullSafeEQ if both_null else exp.EQ
            conditions.append(
                kind(
                    this=parenthesized(left_columns[a].copy()),
                    expression=parenthesized(right_columns[b].copy()),
                )
            )
        return conditions or [exp.true()]

    def _outer_merge(self, node: Merge) -> Block:
        """A full outer merge, portably: the left merge, then the right rows without a match
        (no FULL JOIN: MySQL has none, and PostgreSQL's needs hashable conditions, which
        NULL-matching equalities are not)."""
        from frames.plan.nodes import make_merge

        names = node.heading.names
        first = self.select(
            self.lower(make_merge(node.left, node.right, "left", node.pairs, node.indicator)),
            names,
        )
        rest = self.open_block(node.right)
        inner = self.open_block(node.left)
        pairs = list(node.pairs)
        inner.where.extend(
            self._merge_conditions(node.left, node.right, pairs, inner.columns, rest.columns)
        )
        inner.columns = {}
        rest.where.append(exp.Not(this=exp.Exists(this=self.select(inner))))
        rest.columns = {n: rest.columns.get(n, exp.Null()) for n in names}
        if node.indicator is not None:
            rest.columns[node.indicator] = exp.Literal.string("right_only")
        query = exp.Union(this=first, expression=self.select(rest, names), distinct=False)
        return self._derived(query, names)

    def _concat(self, node: Concat) -> Block:
        names = node.heading.names
        parts = [self.select(self.open_block(part), names) for part in (node.left, node.right)]
        return self._derived(exp.Union(this=parts[0], expression=parts[1], distinct=False), names)

    def _derived(self, query: exp.Expr, names: tuple[str, ...]) -> Block:
        """A block reading the result of ``query`` (a set operation) as a derived table."""
        alias = self.alias()
        sub = exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        return Block(sub, columns={n: exp.column(n, table=alias, quoted=True) for n in names})

    def _order_key(self, column: exp.Expr, kind: CoreType) -> exp.Expr:
        """What ``ORDER BY`` sorts a column of type ``kind`` by: enums by their declaration
        order, where the dialect needs their position for it (a NULL's position is 0, first
        ascending as frames orders NULLs)."""
        if kind.kind != "enum" or not self.dialect.enum_order_by_position:
            return column.copy()
        members = [exp.Literal.string(member) for member in kind.values]
        return exp.func("FIELD", column.copy(), *members, dialect=self.dialect.sqlglot)

    # -- conditions -----------------------------------------------------------------------------
    def cond(
        self, cond: Cond, columns: dict[str, exp.Expr], heading: Heading | None = None
    ) -> exp.Expr:
        """The SQL condition for ``cond`` over an operand whose columns are ``columns`` (and
        whose attributes ``heading`` describes, where known)."""
        if isinstance(cond, ExprCond):
            return self.expr(cond.expr, columns)
        if isinstance(cond, AndCond):
            if not cond.items:
                return exp.true()
            expressions = [_as_expression(item) for item in cond.items]
            emitted = [self.cond(item, columns, heading) for item in cond.items]
            return exp.and_(*self.emitter.conjuncts(expressions, emitted))
        if isinstance(cond, OrCond):
            if not cond.items:
                return exp.false()
            listed = self._membership(cond, columns, heading)
            if listed is not None:
                return listed
            return exp.Paren(
                this=exp.or_(*(self.cond(item, columns, heading) for item in cond.items))
            )
        if isinstance(cond, NotCond):
            return exp.Not(this=exp.Paren(this=self.cond(cond.item, columns, heading)))
        if isinstance(cond, Exists):
            return self._exists(cond, columns)
        raise TypeError(f"unknown condition {cond!r}")

    def _membership(
        self, cond: OrCond, columns: dict[str, exp.Expr], heading: Heading | None
    ) -> exp.Expr | None:
        """A restriction by a list of dicts — an OR of equalities of the same attributes with
        values (bound or literal) — as one ``IN`` list: ``a IN (?, ?, ...)``, or
        ``(a, b) IN ((?, ?), ...)`` where no attribute is nullable (a row comparison is the AND
        of its equalities, but DuckDB compares rows holding NULL as values) and the dialect
        reads row lists well (:attr:`~frames.sql.dialects.Dialect.row_in_lists`). None for any
        other condition.

        The meaning is the same (IN is an OR of equalities); engines plan a long list far
        better: DuckDB needs memory growing with the square of the length for ``NOT (a = ? OR
        a = ? ...)``, and runs out of it at a few thousand terms.
        """
        rows: list[tuple[Expr, ...]] = []
        names: tuple[str, ...] | None = None
        for item in cond.items:
            pairs = _equalities(item)
            if pairs is None or (names is not None and tuple(pairs) != names):
                return None
            names = tuple(pairs)
            rows.append(tuple(pairs[name] for name in names))
        if names is None or len(rows) < 2 or any(name not in columns for name in names):
            return None
        if len(names) == 1:
            return exp.In(
                this=parenthesized(columns[names[0]].copy()),
                expressions=[self.expr(row[0], columns) for row in rows],
            )
        if (
            not self.dialect.row_in_lists
            or heading is None
            or any(name not in heading or heading[name].nullable for name in names)
        ):
            return None
        return exp.In(
            this=exp.Tuple(expressions=[columns[name].copy() for name in names]),
            expressions=[
                exp.Tuple(expressions=[self.expr(value, columns) for value in row]) for row in rows
            ],
        )

    def _exists(self, cond: Exists, columns: dict[str, exp.Expr]) -> exp.Expr:
        inner = self.open_block(cond.query)
        matches = [
            exp.EQ(this=inner.columns[n].copy(), expression=columns[n].copy()) for n in cond.on
        ]
        inner.where.extend(matches)
        inner.columns = {}
        return exp.Exists(this=self.select(inner))


def _as_expression(cond: Cond) -> Expr | None:
    """The expression a condition stands for, where it is one (``NOT`` of one included)."""
    if isinstance(cond, ExprCond):
        return cond.expr
    if isinstance(cond, NotCond) and isinstance(cond.item, ExprCond):
        return Op("not", (cond.item.expr,))
    return None


def _equalities(cond: Cond) -> dict[str, Expr] | None:
    """``{name: value}`` for a condition that is an equality ``name = value`` (a bound or
    literal value, not NULL) or an AND of such equalities of distinct attributes (sorted by
    name); None otherwise."""
    items = cond.items if isinstance(cond, AndCond) else (cond,)
    found: dict[str, Expr] = {}
    for item in items:
        if not isinstance(item, ExprCond) or not isinstance(item.expr, Op):
            return None
        op = item.expr
        if op.op != "=" or not isinstance(op.args[0], Col) or not _is_value(op.args[1]):
            return None
        if op.args[0].name in found:
            return None
        found[op.args[0].name] = op.args[1]
    return dict(sorted(found.items())) if found else None


def _is_value(expr: Expr) -> bool:
    return isinstance(expr, Param) or (isinstance(expr, Lit) and expr.value is not None)


def _only_expressions(cond: Cond) -> bool:
    if isinstance(cond, ExprCond):
        return True
    if isinstance(cond, (AndCond, OrCond)):
        return all(_only_expressions(item) for item in cond.items)
    if isinstance(cond, NotCond):
        return _only_expressions(cond.item)
    return False


def _aggregation_kind(sql: exp.Expr) -> str:
    """``"rows"`` for an expression without aggregates, ``"groups"`` for one whose columns are
    all inside aggregates, ``"mixed"`` otherwise."""
    if not any(sql.find_all(exp.AggFunc)):
        return "rows"
    bare = any(column.find_ancestor(exp.AggFunc) is None for column in sql.find_all(exp.Column))
    return "mixed" if bare else "groups"


_AGGREGATED = "\x00aggregated:"
#: The marker column of a merge's right operand: NULL on a row the left merge adds.
_MATCH = "__frames_match"


def _aggregated_namesakes(value: Expr, names: set[str]) -> Expr:
    """``value`` with the namesakes ``names`` inside aggregates renamed to the aggregated side."""
    import dataclasses

    def visit(expr: Expr, inside: bool) -> Expr:
        if isinstance(expr, Col):
            return Col(_AGGREGATED + expr.name) if inside and expr.name in names else expr
        changes = {}
        for f in dataclasses.fields(expr):
            old = getattr(expr, f.name)
            new = _visit_value(old, isinstance(expr, Agg) or inside)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(expr, **changes) if changes else expr

    def _visit_value(old: object, inside: bool) -> object:
        if isinstance(old, Expr):
            return visit(old, inside)
        if isinstance(old, tuple):
            items = tuple(_visit_value(item, inside) for item in old)
            return items if any(a is not b for a, b in zip(items, old, strict=True)) else old
        return old

    return visit(value, False) if names else value


def _plain_columns(block: Block) -> bool:
    """True if every output column of ``block`` is a column of its sources, not computed."""
    return all(isinstance(column, exp.Column) for column in block.columns.values())


def _is_constant(expression: exp.Expr) -> bool:
    """True for a literal or a bound value (possibly cast): the same for every row, so
    ordering by it changes nothing, and PostgreSQL and DuckDB reject it in ``ORDER BY``."""
    while isinstance(expression, (exp.Cast, exp.Paren)):
        expression = expression.this
    return isinstance(expression, (exp.Literal, exp.Boolean, exp.Null, exp.Placeholder))


def _window_keys(columns: tuple[tuple[str, Expr], ...]) -> set[str]:
    """The attributes read by the PARTITION BY and ORDER BY of the windows in ``columns``."""
    keys: set[str] = set()
    for _, value in columns:
        for node in value.walk():
            if isinstance(node, Over):
                for part in (*node.partition, *(order for order, _, _ in node.order)):
                    keys |= part.columns()
    return keys
