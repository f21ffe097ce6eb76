"""``DataFrame.query`` and ``DataFrame.eval``: pandas expression strings as Series.

The string is read as pandas reads it: Python's expression syntax, with ``&``/``|``/``~`` at the
precedence of ``and``/``or``/``not``, chained comparisons (``1 < a <= 3``), ``in`` / ``not in``
lists, backtick-quoted column names (`` `unit price` ``) and ``@name`` for a variable of the
caller. Only those forms are accepted: a name is a column (or an index level), a literal or
``@variable`` becomes a bound parameter, and a call must be a Series method among
:data:`METHODS` (``a.isna()``, ``name.str.startswith('x')``). Nothing is evaluated in Python.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from frames.errors import QuerySyntaxError
from frames.pandas.series import Series

if TYPE_CHECKING:
    from frames.pandas.frame import DataFrame

#: Series methods (and accessor methods) an expression may call.
METHODS = {
    "isna",
    "isnull",
    "notna",
    "notnull",
    "isin",
    "between",
    "abs",
    "round",
    "fillna",
    "clip",
    "astype",
    "lower",
    "upper",
    "len",
    "strip",
    "contains",
    "startswith",
    "endswith",
    "replace",
    "slice",
}
_ACCESSORS = {"str", "dt"}
_DT_PARTS = {
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "dayofweek",
    "weekday",
    "dayofyear",
    "quarter",
    "date",
}
_LOCAL = "__frames_local_"
_BACKTICK = "__frames_column_"
_BINARY = {
    ast.Add: "__add__",
    ast.Sub: "__sub__",
    ast.Mult: "__mul__",
    ast.Div: "__truediv__",
    ast.FloorDiv: "__floordiv__",
    ast.Mod: "__mod__",
    ast.Pow: "__pow__",
    ast.BitAnd: "__and__",
    ast.BitOr: "__or__",
}
_COMPARE = {
    ast.Eq: "__eq__",
    ast.NotEq: "__ne__",
    ast.Lt: "__lt__",
    ast.LtE: "__le__",
    ast.Gt: "__gt__",
    ast.GtE: "__ge__",
}
_REFLECTED = {"__lt__": "__gt__", "__le__": "__ge__", "__gt__": "__lt__", "__ge__": "__le__"}


def _rewrite(expr: str) -> tuple[str, dict[str, str]]:
    """pandas' token rewriting: ``&``/``|``/``~`` become ``and``/``or``/``not``, ``@x`` a
    local name, `` `a b` `` a column name; returns the Python source and the backtick names."""
    columns: dict[str, str] = {}
    parts = expr.split("`")
    if len(parts) % 2 == 0:
        raise QuerySyntaxError(f"query: unbalanced backticks in {expr!r}")
    for position in range(1, len(parts), 2):
        name = f"{_BACKTICK}{len(columns)}"
        columns[name] = parts[position]
        parts[position] = name
    source = "".join(parts)
    out = []
    local = False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        raise QuerySyntaxError(f"query: cannot read {expr!r}: {error}") from None
    for token in tokens:
        kind, text = token.type, token.string
        if kind == tokenize.OP and text == "@":
            local = True
            continue
        if kind == tokenize.NAME and local:
            text = _LOCAL + text
        local = False
        if kind == tokenize.OP and text in ("&", "|", "~"):
            text = {"&": " and ", "|": " or ", "~": " not "}[text]
        out.append((kind, text))
    return tokenize.untokenize(out), columns


def evaluate(expr: str, frame: DataFrame, local_dict: Mapping[str, Any]) -> Any:
    """The value of the pandas expression ``expr`` over ``frame`` (see the module docs)."""
    if not isinstance(expr, str) or not expr.strip():
        raise QuerySyntaxError("query: the expression must be a non-empty string")
    source, columns = _rewrite(expr)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise QuerySyntaxError(f"query: cannot parse {expr!r}: {error.msg}") from None
    return _Evaluator(frame, local_dict, columns, expr).visit(tree.body)


class _Evaluator:
    def __init__(
        self, frame: DataFrame, local_dict: Mapping[str, Any], columns: dict[str, str], text: str
    ):
        self.frame = frame
        self.local_dict = local_dict
        self.columns = columns
        self.text = text

    def fail(self, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(f"query {self.text!r}: {message}")

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise self.fail(f"{type(node).__name__} is not allowed in a query expression")
        return method(node)

    # -- leaves ---------------------------------------------------------------------------------
    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        if name.startswith(_LOCAL):
            key = name[len(_LOCAL) :]
            if key not in self.local_dict:
                raise self.fail(f"local variable {key!r} is not defined")
            return self.local_dict[key]
        if name.startswith(_BACKTICK):
            name = self.columns[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        state = self.frame._state
        attr = state.name_of(name, "query")
        return Series.of_column(state, attr, name)

    def _list(self, node: ast.List) -> list[Any]:
        return [self._value(item) for item in node.elts]

    _tuple = _list

    def _value(self, node: ast.AST) -> Any:
        value = self.visit(node)
        if isinstance(value, Series):
            raise self.fail("a list may hold values, not columns")
        return value

    # -- operators ------------------------------------------------------------------------------
    def _binop(self, node: ast.BinOp) -> Any:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(f"operator {type(node.op).__name__} is not allowed")
        left, right = self.visit(node.left), self.visit(node.right)
        if not isinstance(left, Series):
            if not isinstance(right, Series):
                raise self.fail("an operation needs a column on one side")
            return getattr(right, op.replace("__", "__r", 1))(left)
        return getattr(left, op)(right)

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return value
        if isinstance(node.op, (ast.Not, ast.Invert)):
            if not isinstance(value, Series):
                return not value
            return ~value
        raise self.fail("unknown unary operator")

    def _boolop(self, node: ast.BoolOp) -> Any:
        values = [self.visit(v) for v in node.values]
        result = values[0]
        for value in values[1:]:
            result = (result & value) if isinstance(node.op, ast.And) else (result | value)
        return result

    def _compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        result = None
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            step = self._comparison(op, left, right)
            result = step if result is None else result & step
            left = right
        return result

    def _comparison(self, op: ast.cmpop, left: Any, right: Any) -> Any:
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(left, Series):
                raise self.fail("'in' needs a column on its left")
            values = right if isinstance(right, (list, tuple, set)) else [right]
            test = left.isin(list(values))
            return ~test if isinstance(op, ast.NotIn) else test
        name = _COMPARE.get(type(op))
        if name is None:
            raise self.fail(f"comparison {type(op).__name__} is not allowed")
        if not isinstance(left, Series):
            if not isinstance(right, Series):
                raise self.fail("a comparison needs a column on one side")
            return getattr(right, _REFLECTED.get(name, name))(left)
        return getattr(left, name)(right)

    # -- method calls ---------------------------------------------------------------------------
    def _attribute(self, node: ast.Attribute) -> Any:
        value = self.visit(node.value)
        if isinstance(value, Series) and node.attr in _ACCESSORS:
            return getattr(value, node.attr)
        if type(value).__name__ == "DatetimeMethods" and node.attr in _DT_PARTS:
            return getattr(value, node.attr)
        if node.attr in METHODS and (
            isinstance(value, Series) or type(value).__name__.endswith("Methods")
        ):
            return getattr(value, node.attr)
        raise self.fail(f"attribute {node.attr!r} is not allowed")

    def _call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Attribute):
            raise self.fail("only Series methods may be called")
        method = self.visit(node.func)
        args = [self._value(a) for a in node.args]
        kwargs = {k.arg: self._value(k.value) for k in node.keywords if k.arg is not None}
        return method(*args, **kwargs)
