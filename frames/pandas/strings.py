"""``Series.str``: string methods as SQL string functions.

Missing values follow pandas' default string dtype: a transformed value stays missing, a test
(``contains``, ``startswith``, ...) is false. Patterns are bound as parameters. ``contains``
matches literally (``regex=False``) or a pattern without regular-expression syntax; regular
expressions differ between engines and are refused. ``strip`` removes spaces (SQL's ``TRIM``),
not tabs or newlines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from frames.pandas.errors import PandasTypeError, not_pushed_down
from frames.pandas.terms import Term, as_text, scalar
from frames.plan.values import BOOL, INT64, TEXT, Expr, Func, Lit, Op, Param

if TYPE_CHECKING:
    from frames.pandas.series import Series


class StringMethods:
    """The ``.str`` accessor of a string Series."""

    def __init__(self, series: Series):
        term = as_text(series._term)
        if term.category != "string":
            raise PandasTypeError(f"Can only use .str accessor with string values, not {term.type}")
        self._series = series
        self._term = term

    def _text(self, expr: Expr) -> Series:
        return self._series._derive(Term(expr, TEXT, self._term.nullable))

    def _test(self, expr: Expr, na: Any = None) -> Series:
        """A boolean test: false where the value is missing (``na``: that value instead)."""
        term = self._term
        if term.nullable:
            missing = Lit(False) if na is None else scalar(bool(na)).expr
            expr = Func("coalesce", (expr, missing))
        return self._series._derive(Term(expr, BOOL, False))

    def lower(self) -> Series:
        """Lower case."""
        return self._text(Func("lower", (self._term.expr,)))

    def upper(self) -> Series:
        """Upper case."""
        return self._text(Func("upper", (self._term.expr,)))

    def len(self) -> Series:
        """The number of characters."""
        return self._series._derive(
            Term(Func("length", (self._term.expr,)), INT64, self._term.nullable)
        )

    def strip(self, to_strip: str | None = None) -> Series:
        """Leading and trailing spaces removed."""
        _spaces_only(to_strip)
        return self._text(Func("trim", (self._term.expr,)))

    def _position(self, pattern: str, expr: Expr | None = None) -> Expr:
        return Func("strpos", (self._term.expr if expr is None else expr, Param.of(pattern)))

    def contains(
        self, pat: str, case: bool = True, flags: int = 0, na: Any = None, regex: bool = True
    ) -> Series:
        """True where ``pat`` occurs (literally; see the module documentation)."""
        if not isinstance(pat, str):
            raise PandasTypeError(f"contains needs a string pattern, not {pat!r}")
        if regex and re.escape(pat) != pat:
            raise not_pushed_down(
                f"str.contains with the regular expression {pat!r}",
                "regular expressions differ between databases; pass regex=False for a literal "
                "match, or use startswith/endswith",
            )
        if flags:
            raise not_pushed_down("str.contains(flags=...)", "use case=False")
        subject = self._term.expr
        if not case:
            subject = Func("lower", (subject,))
            pat = pat.lower()
        return self._test(Op(">", (self._position(pat, subject), Lit(0))), na)

    def startswith(self, pat: str | tuple[str, ...], na: Any = None) -> Series:
        """True where the value starts with ``pat`` (or one of a tuple of prefixes)."""
        return self._test(self._any(pat, lambda p: Op("=", (self._position(p), Lit(1)))), na)

    def endswith(self, pat: str | tuple[str, ...], na: Any = None) -> Series:
        """True where the value ends with ``pat`` (or one of a tuple of suffixes)."""
        reversed_value = Func("reverse", (self._term.expr,))
        return self._test(
            self._any(pat, lambda p: Op("=", (self._position(p[::-1], reversed_value), Lit(1)))),
            na,
        )

    @staticmethod
    def _any(pat: str | tuple[str, ...], test: Any) -> Expr:
        patterns = (pat,) if isinstance(pat, str) else tuple(pat)
        if not patterns or not all(isinstance(p, str) for p in patterns):
            raise PandasTypeError(f"expected a string or a tuple of strings, not {pat!r}")
        result = test(patterns[0])
        for pattern in patterns[1:]:
            result = Op("or", (result, test(pattern)))
        return result

    def replace(
        self, pat: str, repl: str, n: int = -1, case: bool | None = None, regex: bool = False
    ) -> Series:
        """Every occurrence of ``pat`` replaced by ``repl`` (literal patterns)."""
        if regex and re.escape(pat) != pat:
            raise not_pushed_down(
                f"str.replace with the regular expression {pat!r}", "pass regex=False"
            )
        if n != -1 or case is False:
            raise not_pushed_down("str.replace(n=..., case=False)", "replace every occurrence")
        if not isinstance(pat, str) or not isinstance(repl, str) or not pat:
            raise PandasTypeError("str.replace needs a non-empty string pattern and a string")
        return self._text(Func("replace", (self._term.expr, Param.of(pat), Param.of(repl))))

    def slice(
        self, start: int | None = None, stop: int | None = None, step: int | None = None
    ) -> Series:
        """``value[start:stop]`` as in Python (negative positions count from the end)."""
        if step not in (None, 1):
            raise not_pushed_down("str.slice with a step", "slice without a step")
        value = self._term.expr
        length = Func("length", (value,))

        def position(index: int | None, default: Expr) -> Expr:
            if index is None:
                return default
            if index >= 0:
                return Lit(index)
            return Func("greatest", (Op("+", (length, Lit(index))), Lit(0)))

        begin = position(start, Lit(0))
        end = position(stop, length)
        count = Func("greatest", (Op("-", (end, begin)), Lit(0)))
        return self._text(Func("substring", (value, Op("+", (begin, Lit(1))), count)))

    def __getitem__(self, key: Any) -> Series:
        if isinstance(key, slice):
            return self.slice(key.start, key.stop, key.step)
        raise not_pushed_down("str[i]", "use str[i:i+1] (an empty string where pandas has NaN)")

    def split(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: lists are not column values."""
        raise not_pushed_down("str.split", "use str.slice, or call .to_pandas() first")

    def cat(self, *args: Any, **kwargs: Any) -> Any:
        """Refused; concatenate with ``+``."""
        raise not_pushed_down("str.cat", "concatenate Series with +")


def _spaces_only(to_strip: str | None) -> None:
    if to_strip not in (None, " "):
        raise not_pushed_down(f"str.strip({to_strip!r})", "strip spaces with strip()")
