"""Redundant parentheses removed from a fragment's tokens, so that nesting has no depth limit.

sqlglot parses a fragment by recursive descent, a dozen Python frames per parenthesis level:
a condition written with 1,000 nested parentheses (``((((a = 1))))``, or chains such as
``(a OR (b OR (c ...)))`` that programs generate) exceeds Python's recursion limit. Before
parsing, :func:`without_redundant_parentheses` drops every pair of parentheses whose removal
cannot change the meaning, outermost first:

* a pair around a disjunction (``OR`` / ``XOR`` / MySQL's ``||`` at its top level) that sits
  between ``OR``s, other parentheses or the ends of the fragment: OR is associative and binds
  least, so ``a OR (b OR c)`` is ``a OR b OR c``;
* a pair around anything else (a conjunction, a comparison, an atom) that sits between
  ``AND``/``OR``s, other parentheses or the ends: AND binds tighter than OR and is associative.

A pair is kept when anything else touches it — a function name (``f(x)``), ``NOT``, ``IN``,
``BETWEEN``, an arithmetic or comparison operator — and the ``AND`` of ``BETWEEN x AND y`` is
not a conjunction. The result parses to the same expression, only with flatter chains, which
:mod:`frames.sql.fragments` then reads as one n-ary ``AND``/``OR``.

>>> from sqlglot.dialects.dialect import Dialect
>>> tokens = Dialect.get_or_raise("postgres").tokenize("((a = 1)) OR (b = 2 OR (c = 3))")
>>> " ".join(token.text for token in without_redundant_parentheses(tokens))
'a = 1 OR b = 2 OR c = 3'
"""

from __future__ import annotations

from sqlglot.tokens import Token, TokenType

_OR = frozenset({TokenType.OR, TokenType.XOR, TokenType.DPIPE})
_AND = frozenset({TokenType.AND, TokenType.DAMP})
#: A group holding one of these is never unwrapped (a subquery is refused later anyway).
_OPAQUE = frozenset({TokenType.SELECT, TokenType.WITH})


def without_redundant_parentheses(tokens: list[Token]) -> list[Token]:
    """``tokens`` without the parentheses the module describes (unchanged if unbalanced)."""
    groups = _groups(tokens)
    if groups is None or not groups:
        return tokens
    between_and = _between_ands(tokens)
    removed = [False] * len(tokens)
    for start, end in groups:  # outermost first: a group starts before the groups inside it
        level = _level(tokens, start, end, between_and)
        if level is None:
            continue
        before = _neighbour(tokens, removed, start, -1)
        after = _neighbour(tokens, removed, end, +1)
        if _fits(tokens, before, level, between_and) and _fits(tokens, after, level, between_and):
            removed[start] = removed[end] = True
    return [token for token, gone in zip(tokens, removed, strict=True) if not gone]


def _groups(tokens: list[Token]) -> list[tuple[int, int]] | None:
    """The (open, close) positions of every pair of parentheses, by opening position; None
    if they do not balance (the parser reports that)."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            stack.append(i)
        elif token.token_type == TokenType.R_PAREN:
            if not stack:
                return None
            pairs.append((stack.pop(), i))
    return sorted(pairs) if not stack else None


def _between_ands(tokens: list[Token]) -> set[int]:
    """Positions of the ``AND`` tokens that belong to a ``BETWEEN`` at the same depth."""
    depth = 0
    pending: dict[int, int] = {}
    found = set()
    for i, token in enumerate(tokens):
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            pending.pop(depth, None)
            depth -= 1
        elif kind == TokenType.BETWEEN:
            pending[depth] = pending.get(depth, 0) + 1
        elif kind in _AND and pending.get(depth):
            pending[depth] -= 1
            found.add(i)
    return found


def _level(tokens: list[Token], start: int, end: int, between_and: set[int]) -> str | None:
    """``'or'`` if the group's top level holds a disjunction, ``'and'`` otherwise, None for
    a group never unwrapped (empty, or holding a subquery)."""
    if end == start + 1:
        return None
    depth = 0
    level = "and"
    for i in range(start + 1, end):
        kind = tokens[i].token_type
        if kind in _OPAQUE:
            return None
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and kind in _OR:
            level = "or"
    return level


def _neighbour(tokens: list[Token], removed: list[bool], position: int, step: int) -> int | None:
    """The position of the nearest token before (``step`` -1) or after (+1) ``position`` that
    is kept; None at an end of the fragment."""
    i = position + step
    while 0 <= i < len(tokens) and removed[i]:
        i += step
    return i if 0 <= i < len(tokens) else None


def _fits(tokens: list[Token], neighbour: int | None, level: str, between_and: set[int]) -> bool:
    """True if a group of ``level`` may lose its parentheses next to the token at
    ``neighbour`` (None: an end of the fragment)."""
    if neighbour is None:
        return True
    kind = tokens[neighbour].token_type
    if kind in (TokenType.L_PAREN, TokenType.R_PAREN, TokenType.OR):
        return True
    return level == "and" and kind in _AND and neighbour not in between_and
