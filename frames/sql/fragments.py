"""User SQL fragments: parsed with sqlglot, validated, turned into plan expressions.

Fragments are read as the query's database reads SQL (``config['fragment_dialect'] = 'auto'``,
the default, as DataJoint passes them to the server): MySQL style on MySQL/MariaDB
(double-quoted strings), ANSI/PostgreSQL style on PostgreSQL and DuckDB (single-quoted strings,
``||`` concatenation, double-quoted identifiers). ``'ansi'`` or ``'mysql'`` reads every
fragment one way on every backend. A fragment may only be an expression over the operand's
attributes: no statements, no subqueries, no functions outside
:data:`frames.plan.values.SCALAR_FUNCTIONS` and the aggregates (plus ``date()`` and
``value ± INTERVAL n unit``), and aggregates only where the operator allows them. String
literals become bound parameters. Parsing is cached per (fragment, dialect).
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from frames.declare.types import parse_type
from frames.errors import FragmentError, UnknownAttributeError
from frames.plan.heading import Heading
from frames.plan.normalize import InvalidLiteral, normalize
from frames.plan.values import (
    AGGREGATES,
    DATE,
    DATE_UNITS,
    INTERVAL_UNITS,
    SCALAR_FUNCTIONS,
    Agg,
    Case,
    Cast,
    Col,
    Expr,
    Func,
    Lit,
    Op,
    Param,
    infer_type,
)
from frames.settings import config
from frames.sql.dialects import get_dialect
from frames.sql.parentheses import without_redundant_parentheses

_READ_DIALECTS = {"ansi": "postgres", "mysql": "mysql"}

_BINARY = {
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.Mod: "%",
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.And: "and",
    exp.Or: "or",
    exp.Like: "like",
    exp.DPipe: "concat",
}
_AGGREGATE_CLASSES = {
    exp.Count: "count",
    exp.Sum: "sum",
    exp.Avg: "avg",
    exp.Min: "min",
    exp.Max: "max",
    exp.Stddev: "stddev",
    exp.StddevSamp: "stddev",
    exp.Variance: "variance",
}
_FUNCTION_CLASSES = {
    exp.Abs: "abs",
    exp.Round: "round",
    exp.Floor: "floor",
    exp.Ceil: "ceil",
    exp.Sign: "sign",
    exp.Sqrt: "sqrt",
    exp.Exp: "exp",
    exp.Ln: "ln",
    exp.Pow: "power",
    exp.Greatest: "greatest",
    exp.Least: "least",
    exp.Coalesce: "coalesce",
    exp.Nullif: "nullif",
    exp.Lower: "lower",
    exp.Upper: "upper",
    exp.Length: "length",
    exp.Trim: "trim",
    exp.Substring: "substring",
    exp.Year: "year",
    exp.Month: "month",
    exp.Day: "day",
}


def caret(fragment: str, position: int | None) -> str:
    """The fragment with a caret line under ``position`` (0-based), for error messages."""
    if position is None or position < 0:
        return f"    {fragment}"
    return f"    {fragment}\n    {' ' * position}^"


@functools.lru_cache(maxsize=4096)
def _parse(fragment: str, read: str) -> exp.Expr:
    dialect = Dialect.get_or_raise(read)
    try:
        tokens = dialect.tokenize(fragment)
    except TokenError:
        quote = max(fragment.rfind("'"), fragment.rfind('"'))
        raise FragmentError(
            "cannot read SQL fragment: a quoted string or name is not closed; end it with its "
            f"quote (write a quote inside a string twice: 'it''s')\n{caret(fragment, quote)}"
        ) from None
    try:
        statements = dialect.parser().parse(without_redundant_parentheses(tokens), fragment)
    except ParseError as error:
        info = error.errors[0] if error.errors else {}
        column = info.get("col")
        position = column - 1 if isinstance(column, int) and column > 0 else None
        raise FragmentError(
            f"cannot parse SQL fragment: {info.get('description', error)}\n"
            f"{caret(fragment, position)}"
        ) from None
    except RecursionError:
        raise _too_deep(fragment) from None
    if len(statements) != 1 or statements[0] is None:
        raise FragmentError(
            f"a fragment must be one expression, not several statements:\n"
            f"{caret(fragment, fragment.find(';'))}"
        )
    return statements[0]


def _too_deep(fragment: str) -> FragmentError:
    shown = fragment if len(fragment) <= 200 else fragment[:200] + " ..."
    return FragmentError(
        "the SQL fragment nests too deeply (function calls or arithmetic inside one another "
        "hundreds of levels deep); write it flatter, or restrict by a list of conditions "
        f"instead:\n    {shown}"
    )


def _chain(node: exp.Expr, cls: type[exp.Expr]) -> list[exp.Expr]:
    """The operands of a chain of ``cls`` (``a OR b OR (c OR d)``), in order, found without
    recursion: AND and OR are associative, so the chain is read as one n-ary operator."""
    operands: list[exp.Expr] = []
    pending = [node]
    while pending:
        item = pending.pop()
        while isinstance(item, exp.Paren):
            item = item.this
        if type(item) is cls and not item.args.get("negate"):
            pending += [item.expression, item.this]
        else:
            operands.append(item)
    return operands


class _Converter:
    """Turns one parsed fragment into plan expressions, checking it against a heading."""

    def __init__(self, fragment: str, heading: Heading, where: str, allow_aggregates: bool):
        self.fragment = fragment
        self.heading = heading
        self.where = where
        self.allow_aggregates = allow_aggregates
        self.in_aggregate = False

    def fail(self, message: str, token: str | None = None) -> FragmentError:
        position = self.fragment.find(token) if token else None
        return FragmentError(f"{self.where}: {message}\n{caret(self.fragment, position)}")

    def convert(self, node: exp.Expr) -> Expr:
        result = self._dispatch(node)(node)
        if node.args.get("negate") and not isinstance(node, exp.Is):
            return Op("not", (result,))  # a NOT LIKE b, a NOT BETWEEN ...
        return result

    def _dispatch(self, node: exp.Expr) -> Callable[[exp.Expr], Expr]:
        if isinstance(node, (exp.Select, exp.Subquery, exp.Query)) or (
            not isinstance(node, exp.Condition) and isinstance(node, exp.DDL)
        ):
            return self._reject_statement
        for cls, method in _HANDLERS:
            if isinstance(node, cls):
                return getattr(self, method)
        return self._reject

    # -- leaves ---------------------------------------------------------------------------------
    def _column(self, node: exp.Column) -> Expr:
        if node.table:
            raise self.fail(
                f"attribute {node.sql()!r} must not be qualified by a table name", node.sql()
            )
        name = node.name
        if name not in self.heading:
            hint = ""
            if node.this.args.get("quoted") and f'"{name}"' in self.fragment:
                hint = (
                    " (double quotes name an attribute here; write a string in single quotes, "
                    "or set dj.config['fragment_dialect'] = 'mysql' to read double-quoted "
                    "strings)"
                )
            raise UnknownAttributeError(
                f"{self.where}: no attribute {name!r}{hint}. Attributes: "
                f"{', '.join(self.heading.names)}\n{caret(self.fragment, self.fragment.find(name))}"
            )
        return Col(name)

    def _literal(self, node: exp.Literal) -> Expr:
        if node.is_string:
            return Param.of(node.this)
        text = node.this
        if any(c in text for c in ".eE"):
            return Lit(decimal.Decimal(text)) if "e" not in text.lower() else Lit(float(text))
        return Lit(int(text))

    def _boolean(self, node: exp.Boolean) -> Expr:
        return Lit(bool(node.this))

    def _null(self, node: exp.Null) -> Expr:
        return Lit(None)

    # -- operators ------------------------------------------------------------------------------
    def _paren(self, node: exp.Paren) -> Expr:
        return self.convert(node.this)

    def _binary(self, node: exp.Binary) -> Expr:
        op = next(symbol for cls, symbol in _BINARY.items() if isinstance(node, cls))
        if isinstance(node.expression, exp.Interval) and op in ("+", "-"):
            return self._date_add(node.this, node.expression, -1 if op == "-" else 1)
        if op in ("and", "or"):
            args = tuple(self.convert(item) for item in _chain(node, type(node)))
            self._check_conditions(op, args)
            return Op(op, args)
        return Op(op, (self.convert(node.this), self.convert(node.expression)))

    def _check_conditions(self, op: str, args: tuple[Expr, ...]) -> None:
        """AND and OR take conditions (or numbers, as MySQL reads them), not strings: a string
        operand is most likely a concatenation that MySQL's SQL reads as OR."""
        types = {attr.name: attr.type for attr in self.heading}
        if any(infer_type(arg, types).category == "string" for arg in args):
            raise self.fail(
                f"{op.upper()} needs conditions, not strings; to concatenate "
                "strings write concat(a, b) (MySQL reads a || b as OR), or set "
                "dj.config['fragment_dialect'] = 'ansi'",
                "||" if op == "or" else op,
            )

    def _date_add(self, value: exp.Expr, interval: exp.Interval, sign: int) -> Expr:
        """``value ± INTERVAL n unit``: a date stays a date for day, week, month and year."""
        unit = interval.unit.name.lower() if interval.unit is not None else ""
        amount = interval.this.name if interval.this is not None else ""
        if unit.endswith("s"):
            unit = unit[:-1]
        if unit not in INTERVAL_UNITS or not amount.lstrip("-").isdigit():
            raise self.fail(
                f"INTERVAL needs a whole number and one of "
                f"{', '.join(INTERVAL_UNITS)}; got {interval.sql()!r}",
                "interval",
            )
        converted = self.convert(value)
        result: Expr = Func("date_add", (converted, Lit(sign * int(amount)), Lit(unit)))
        types = {attr.name: attr.type for attr in self.heading}
        if unit in DATE_UNITS and infer_type(converted, types).category == "date":
            result = Cast(result, DATE)
        return result

    def _to_date(self, node: exp.Expr) -> Expr:
        """``date(x)``: the date part of a date, a datetime or a date string."""
        if node.expressions:
            raise self.fail("date() takes one argument", "date")
        return Cast(self.convert(node.this), DATE)

    def _now(self, node: exp.Expr) -> Expr:
        return Func(
            "current_timestamp" if isinstance(node, exp.CurrentTimestamp) else "current_date", ()
        )

    def _neg(self, node: exp.Neg) -> Expr:
        return Op("neg", (self.convert(node.this),))

    def _not(self, node: exp.Not) -> Expr:
        return Op("not", (self.convert(node.this),))

    def _is(self, node: exp.Is) -> Expr:
        if not isinstance(node.expression, exp.Null):
            raise self.fail("only IS NULL / IS NOT NULL are supported", "is")
        test = Op("is_null", (self.convert(node.this),))
        return Op("not", (test,)) if node.args.get("negate") else test

    def _in(self, node: exp.In) -> Expr:
        if node.args.get("query") or node.args.get("unnest"):
            raise self.fail(
                "subqueries are not allowed in fragments; restrict by a query instead (q & other)",
                "select",
            )
        return Op("in", (self.convert(node.this), *map(self.convert, node.expressions)))

    def _between(self, node: exp.Between) -> Expr:
        return Op(
            "between",
            (
                self.convert(node.this),
                self.convert(node.args["low"]),
                self.convert(node.args["high"]),
            ),
        )

    def _concat(self, node: exp.Concat) -> Expr:
        args = [self.convert(arg) for arg in node.expressions]
        result = args[0]
        for arg in args[1:]:
            result = Op("concat", (result, arg))
        return result

    def _case(self, node: exp.Case) -> Expr:
        whens: tuple[tuple[Expr, Expr], ...]
        if node.this is not None:
            subject = self.convert(node.this)
            whens = tuple(
                (Op("=", (subject, self.convert(w.this))), self.convert(w.args["true"]))
                for w in node.args["ifs"]
            )
        else:
            whens = tuple(
                (self.convert(w.this), self.convert(w.args["true"])) for w in node.args["ifs"]
            )
        default = node.args.get("default")
        return Case(whens, self.convert(default) if default is not None else Lit(None))

    def _if(self, node: exp.If) -> Expr:
        false = node.args.get("false")
        return Case(
            ((self.convert(node.this), self.convert(node.args["true"])),),
            self.convert(false) if false is not None else Lit(None),
        )

    def _cast(self, node: exp.Cast) -> Expr:
        type_text = node.to.sql(dialect="mysql").lower()
        try:
            target = parse_type(type_text)
        except ValueError as error:
            raise self.fail(f"cannot cast to {type_text!r}: {error}", "cast") from None
        return Cast(self.convert(node.this), target)

    # -- functions ------------------------------------------------------------------------------
    def _aggregate(self, node: exp.AggFunc) -> Expr:
        name = next(n for cls, n in _AGGREGATE_CLASSES.items() if isinstance(node, cls))
        if not self.allow_aggregates:
            raise self.fail(f"aggregate {name}() is only allowed in aggr()", name)
        if self.in_aggregate:
            raise self.fail("aggregates cannot be nested", name)
        arg = node.this
        distinct = isinstance(arg, exp.Distinct)
        if distinct:
            arg = arg.expressions[0]
        self.in_aggregate = True
        try:
            inner = None if isinstance(arg, exp.Star) or arg is None else self.convert(arg)
        finally:
            self.in_aggregate = False
        if inner is None and name != "count":
            raise self.fail(f"{name}(*) is not valid; name an attribute", name)
        return Agg(name, inner, distinct)

    def _function(self, node: exp.Func) -> Expr:
        name = next(n for cls, n in _FUNCTION_CLASSES.items() if isinstance(node, cls))
        args: list[exp.Expr] = [v for v in node.args.values() if isinstance(v, exp.Expression)]
        args += [e for e in node.expressions if e not in args]
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            args = [node.this, node.args["decimals"]]
        return self._call(name, args)

    def _log(self, node: exp.Log) -> Expr:
        """``log10(x)`` (sqlglot reads it as ``log(10, x)``); ``log(x)`` is ``ln(x)``, as on
        MySQL."""
        if node.expression is None:
            return self._call("ln", [node.this])
        if isinstance(node.this, exp.Literal) and node.this.this == "10":
            return self._call("log10", [node.expression])
        raise self.fail("log(base, x) takes base 10 only; write ln(x) / ln(base)", "log")

    def _anonymous(self, node: exp.Anonymous) -> Expr:
        name = node.name.lower()
        aliases = {
            "ifnull": "coalesce",
            "pow": "power",
            "ceiling": "ceil",
            "char_length": "length",
            "log": "ln",
            "curdate": "current_date",
            "now": "current_timestamp",
        }
        name = aliases.get(name, name)
        if name not in SCALAR_FUNCTIONS:
            allowed = ", ".join(sorted((*SCALAR_FUNCTIONS, *AGGREGATES)))
            raise self.fail(f"function {node.name}() is not allowed; allowed: {allowed}", node.name)
        return self._call(name, list(node.expressions))

    def _call(self, name: str, args: list[exp.Expr]) -> Expr:
        low, high = SCALAR_FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise self.fail(f"{name}() takes {low}..{high} arguments, got {len(args)}", name)
        return Func(name, tuple(self.convert(arg) for arg in args))

    # -- rejections -----------------------------------------------------------------------------
    def _reject_statement(self, node: exp.Expr) -> Expr:
        raise self.fail("statements and subqueries are not allowed in fragments", "select")

    def _reject(self, node: exp.Expr) -> Expr:
        raise self.fail(
            f"{node.sql()!r} ({type(node).__name__}) is not allowed in a fragment", node.sql()
        )


_HANDLERS: list[tuple[type, str]] = [
    (exp.Column, "_column"),
    (exp.Literal, "_literal"),
    (exp.Boolean, "_boolean"),
    (exp.Null, "_null"),
    (exp.Paren, "_paren"),
    (exp.Neg, "_neg"),
    (exp.Not, "_not"),
    (exp.Is, "_is"),
    (exp.In, "_in"),
    (exp.Between, "_between"),
    (exp.Concat, "_concat"),
    (exp.Case, "_case"),
    (exp.If, "_if"),
    (exp.Cast, "_cast"),
    (exp.TsOrDsToDate, "_to_date"),
    (exp.Date, "_to_date"),
    (exp.CurrentDate, "_now"),
    (exp.CurrentTimestamp, "_now"),
    *[(cls, "_binary") for cls in _BINARY],
    *[(cls, "_aggregate") for cls in _AGGREGATE_CLASSES],
    *[(cls, "_function") for cls in _FUNCTION_CLASSES],
    (exp.Log, "_log"),
    (exp.Anonymous, "_anonymous"),
]


def read_dialect(backend: str | None) -> str:
    """The sqlglot dialect fragments are read in for a query on ``backend`` (frames' name of
    the connection's dialect; None: no connection, read as on DuckDB)."""
    configured = config["fragment_dialect"]
    if configured == "auto":
        configured = get_dialect(backend or "duckdb").fragment_dialect
    return _READ_DIALECTS[configured]


def parse_fragment(
    fragment: str,
    heading: Heading,
    *,
    where: str,
    allow_aggregates: bool = False,
    backend: str | None = None,
) -> Expr:
    """Parse and check one fragment against ``heading``.

    Parameters
    ----------
    fragment : str
        The user's SQL expression, e.g. ``"duration / 60"`` or ``"quality = 'good'"``.
    heading : Heading
        Attributes the fragment may name.
    where : str
        The operator call, for messages (``"Recording.proj(duration_min=...)"``).
    allow_aggregates : bool
        True inside ``aggr()``.
    backend : str, optional
        The dialect of the query's connection, which decides how the fragment is read (see
        :func:`read_dialect`).

    Raises
    ------
    FragmentError
        Unparsable, a statement or subquery, a forbidden function or misplaced aggregate.
    UnknownAttributeError
        A name that is not an attribute; the message lists the valid ones.
    """
    if not isinstance(fragment, str) or not fragment.strip():
        raise FragmentError(f"{where}: a fragment must be a non-empty string, not {fragment!r}")
    tree = _parse(fragment, read_dialect(backend))
    try:
        expr = _Converter(fragment, heading, where, allow_aggregates).convert(tree)
        return normalize(expr, heading)
    except InvalidLiteral as error:
        position = fragment.find(str(error.value))
        raise FragmentError(f"{where}: {error}\n{caret(fragment, position)}") from None
    except RecursionError:
        raise _too_deep(fragment) from None
