"""``q.explain()``: the plan before and after rewriting, top-down, and the SQL."""

from __future__ import annotations

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
)
from frames.plan.rewrite import rewrite
from frames.plan.values import Agg, Case, Cast, Col, Expr, Func, Lit, Op, Over, Param


def describe_node(node: Node) -> str:
    """One line describing ``node`` (operator and its arguments)."""
    if isinstance(node, BaseTable):
        return f"Table {node.ref}"
    if isinstance(node, Restrict):
        return f"Restrict {describe_cond(node.cond)}"
    if isinstance(node, Project):
        return "Project " + ", ".join(
            n if _plain(e, n) else f"{n}={describe_expr(e)}" for n, e in node.columns
        )
    if isinstance(node, Join):
        kind = "LeftJoin" if node.outer else "Join"
        return f"{kind} on ({', '.join(node.on)})"
    if isinstance(node, Aggregate):
        mode = "keep all" if node.outer else "matching only"
        return (
            f"Aggregate on ({', '.join(node.on)}) keep ({', '.join(node.kept)}) "
            + ", ".join(f"{n}={describe_expr(e)}" for n, e in node.columns)
            + f" [{mode}]"
        )
    if isinstance(node, GroupBy):
        return f"GroupBy ({', '.join(node.by)}) " + ", ".join(
            f"{n}={describe_expr(e)}" for n, e in node.columns
        )
    if isinstance(node, Distinct):
        return f"Distinct ({', '.join(node.attrs)})"
    if isinstance(node, Union):
        return "Union"
    if isinstance(node, Window):
        return "Window " + ", ".join(f"{n}={describe_expr(e)}" for n, e in node.columns)
    if isinstance(node, Merge):
        on = ", ".join(f"{a}={b}" for a, b in node.pairs)
        return f"Merge how={node.how} on ({on})" + (
            f" indicator={node.indicator}" if node.indicator else ""
        )
    if isinstance(node, Concat):
        return "Concat"
    if isinstance(node, Top):
        nulls = node.nulls_first or tuple(not d for _, d in node.order)
        order = ", ".join(
            f"{n} {'DESC' if d else 'ASC'}{' NULLS FIRST' if first else ' NULLS LAST'}"
            if node.nulls_first
            else f"{n} {'DESC' if d else 'ASC'}"
            for (n, d), first in zip(node.order, nulls, strict=True)
        )
        limit = node.limit.value if node.limit is not None else None
        offset = node.offset.value if node.offset is not None else 0
        return f"Top limit={limit} offset={offset} order by {order}"
    return type(node).__name__


def _plain(expr: object, name: str) -> bool:
    return isinstance(expr, Col) and expr.name == name


_INFIX = {"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "and", "or", "like"}


def describe_expr(expr: Expr) -> str:
    """An expression as readable SQL-like text (bound values shown as ``:value``)."""
    if isinstance(expr, Col):
        return expr.name
    if isinstance(expr, Param):
        return f":{expr.value!r}"
    if isinstance(expr, Lit):
        return "NULL" if expr.value is None else str(expr.value)
    if isinstance(expr, Agg):
        inner = "*" if expr.arg is None else describe_expr(expr.arg)
        return f"{expr.name}({'DISTINCT ' if expr.distinct else ''}{inner})"
    if isinstance(expr, Func):
        return f"{expr.name}({', '.join(map(describe_expr, expr.args))})"
    if isinstance(expr, Over):
        parts = []
        if expr.partition:
            parts.append("PARTITION BY " + ", ".join(map(describe_expr, expr.partition)))
        if expr.order:
            parts.append(
                "ORDER BY "
                + ", ".join(f"{describe_expr(k)}{' DESC' if d else ''}" for k, d, _ in expr.order)
            )
        if expr.frame is not None:
            parts.append(f"ROWS {expr.frame}")
        return f"{describe_expr(expr.fn)} OVER ({' '.join(parts)})"
    if isinstance(expr, Cast):
        return f"CAST({describe_expr(expr.arg)} AS {expr.type})"
    if isinstance(expr, Case):
        whens = " ".join(f"WHEN {describe_expr(c)} THEN {describe_expr(v)}" for c, v in expr.whens)
        return f"CASE {whens} ELSE {describe_expr(expr.default)} END"
    if isinstance(expr, Op):
        args = [describe_expr(a) for a in expr.args]
        if expr.op in _INFIX:
            return f"({args[0]} {expr.op.upper()} {args[1]})"
        if expr.op == "concat":
            return f"({args[0]} || {args[1]})"
        if expr.op == "neg":
            return f"-{args[0]}"
        if expr.op == "not":
            return f"NOT {args[0]}"
        if expr.op == "is_null":
            return f"{args[0]} IS NULL"
        if expr.op == "in":
            return f"{args[0]} IN ({', '.join(args[1:])})"
        if expr.op == "between":
            return f"{args[0]} BETWEEN {args[1]} AND {args[2]}"
    return repr(expr)


def describe_cond(cond: Cond) -> str:
    """A readable form of a restriction condition."""
    if isinstance(cond, ExprCond):
        return describe_expr(cond.expr)
    if isinstance(cond, Exists):
        return f"EXISTS on ({', '.join(cond.on)}) <subquery>"
    if isinstance(cond, (AndCond, OrCond)):
        joiner = " AND " if isinstance(cond, AndCond) else " OR "
        if not cond.items:
            return "TRUE" if isinstance(cond, AndCond) else "FALSE"
        return "(" + joiner.join(map(describe_cond, cond.items)) + ")"
    if isinstance(cond, NotCond):
        return f"NOT {describe_cond(cond.item)}"
    return repr(cond)


def render_tree(node: Node, indent: int = 0) -> list[str]:
    """Top-down lines of the plan with each node's primary key and heading."""
    pad = "  " * indent
    heading = node.heading
    lines = [
        f"{pad}{describe_node(node)}",
        f"{pad}  key: ({', '.join(heading.primary_key)})  heading: {', '.join(heading.names)}",
    ]
    for child in node.inputs():
        lines += render_tree(child, indent + 1)
    if isinstance(node, Restrict):
        for sub in node.cond.nodes():
            lines.append(f"{pad}  subquery:")
            lines += render_tree(sub, indent + 2)
    return lines


def explain(node: Node, sql: str) -> str:
    """The full explanation: plan, rewritten plan, SQL."""
    return "\n".join(
        [
            "== plan ==",
            *render_tree(node),
            "",
            "== after rewriting ==",
            *render_tree(rewrite(node)),
            "",
            "== sql ==",
            sql,
        ]
    )
