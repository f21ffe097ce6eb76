"""The ``SELECT`` that feeds ``Table.insert(query)``: the query's statement narrowed to the
target's columns, in the target's order, each value checked against its target type.

Rows inserted from Python are checked by frames before they are sent; rows of a query never
leave the database, so the same rules are compiled into the one ``INSERT ... SELECT``: a value
outside its column's type (an integer out of range, a fraction for an integer, a string longer
than ``varchar(n)``, a number with too many digits for ``decimal(p, s)``, a text that is no
member of an ``enum``) raises an error naming the attribute
(:func:`frames.sql.guards.guarded`), on every backend — DuckDB does not enforce
``varchar(n)`` at all — and nothing is inserted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from frames.declare.types import FLOAT_KINDS, INTEGER_KINDS, INTEGER_RANGES, CoreType
from frames.sql.dialects import Dialect
from frames.sql.guards import guarded

#: The largest finite value of each floating-point type.
FLOAT_LIMITS = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}


@dataclass(frozen=True)
class InsertColumn:
    """One column of ``INSERT ... SELECT``: its name, the query's type and the table's type."""

    name: str
    source: CoreType
    target: CoreType


def _number(value: int | Decimal) -> exp.Expr:
    return exp.Literal.number(str(value))


def _violation(column: InsertColumn, value: exp.Expr) -> tuple[exp.Expr, str] | None:
    """The condition true where ``value`` does not fit ``column.target``, and what it breaks;
    None where every value of ``column.source`` fits."""
    source, target = column.source, column.target
    if target.kind in INTEGER_KINDS:
        low, high = INTEGER_RANGES[target.kind]
        if source.kind == "bool" or (
            source.kind in INTEGER_KINDS
            and low <= INTEGER_RANGES[source.kind][0]
            and INTEGER_RANGES[source.kind][1] <= high
        ):
            return None
        condition = exp.or_(
            exp.LT(this=value.copy(), expression=_number(low)),
            exp.GT(this=value.copy(), expression=_number(high)),
        )
        if source.kind in FLOAT_KINDS or (source.kind == "decimal" and source.scale):
            # as for rows: a fraction is refused, not rounded
            whole = exp.NEQ(this=value.copy(), expression=exp.Floor(this=value.copy()))
            return exp.or_(condition, whole), f"is out of range {low}..{high} or not whole"
        return condition, f"is out of range {low}..{high}"
    if target.kind in ("char", "varchar") and target.length is not None:
        if source.kind in ("char", "varchar") and (source.length or 0) <= target.length:
            return None
        if source.kind == "enum" and all(len(v) <= target.length for v in source.values):
            return None
        condition = exp.GT(this=exp.Length(this=value.copy()), expression=_number(target.length))
        return condition, f"is longer than {target.length} characters"
    if target.kind == "decimal" and target.precision is not None:
        scale = target.scale or 0
        digits = target.precision - scale
        if source.kind == "decimal" and (source.precision or 0) - (source.scale or 0) <= digits:
            return None
        # the largest magnitude that still rounds to fewer than ``digits`` integer digits
        bound = Decimal(10) ** digits - Decimal(5) * Decimal(10) ** (-scale - 1)
        condition = exp.GTE(this=exp.Abs(this=value.copy()), expression=_number(bound))
        return condition, f"has more than {digits} digits before the point"
    if target.kind in FLOAT_KINDS:
        if not (source.kind in FLOAT_KINDS or source.kind == "decimal") or (
            source.kind == "float32" and target.kind == "float64"
        ):
            return None
        limit = FLOAT_LIMITS[target.kind]
        # NaN sorts above every number in PostgreSQL and DuckDB: caught by the same test
        condition = exp.GT(
            this=exp.Abs(this=value.copy()), expression=exp.Literal.number(repr(limit))
        )
        return condition, f"is infinite or beyond ±{limit:.8g}"
    if target.kind == "enum":
        if source.kind == "enum" and set(source.values) <= set(target.values):
            return None
        members = [exp.Literal.string(v) for v in target.values]
        condition = exp.Not(this=exp.In(this=value.copy(), expressions=members))
        return condition, "is no member of " + str(target)
    return None


def select_for_insert(
    dialect: Dialect,
    select: str,
    columns: Sequence[InsertColumn],
    casts: Mapping[str, str],
    where: str,
) -> tuple[str, list[str]]:
    """``SELECT columns FROM (select) AS q``, each value checked against its target type (an
    error naming ``where``, the attribute and the rule where it does not fit), and each column
    named in ``casts`` converted through text to the native type given there (PostgreSQL's
    enums are named types per table, and a table declared by DataJoint names its enum types
    differently from frames). Returns the statement and the descriptions of its checks.

    >>> from frames.sql.dialects import DIALECTS
    >>> column = InsertColumn("a", CoreType("int32"), CoreType("int32"))
    >>> select_for_insert(DIALECTS["postgres"], "SELECT 1 AS a", [column], {}, "T.insert")
    ('SELECT "q"."a" FROM (SELECT 1 AS a) AS "q"', [])
    """
    outputs: list[str] = []
    checks: list[str] = []
    for column in columns:
        value: exp.Expr = exp.column(column.name, table="q", quoted=True)
        violation = _violation(column, value)
        if violation is not None:
            condition, rule = violation
            description = f"{where}: attribute '{column.name}' ({column.target}): a value {rule}"
            value = guarded(dialect, value, condition, description)
            checks.append(description)
        text = value.sql(dialect=dialect.sqlglot)
        if column.name in casts:
            text = f"CAST(CAST({text} AS TEXT) AS {casts[column.name]})"
        outputs.append(text)
    q = dialect.quote("q")
    return f"SELECT {', '.join(outputs)} FROM ({select}) AS {q}", checks
