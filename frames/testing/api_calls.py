"""Descriptions of a user's calls to the query API, and their replay through frames' public API.

A description is a tree of frozen dataclasses holding the *raw* arguments a user writes: dicts,
SQL strings, lists, ``dj.AndList`` / ``dj.Not`` (as :class:`AllOf` / :class:`NotOf`), other
queries, booleans, ``None``, ``dj.Top(limit, order_by='KEY DESC', offset=...)``, ``proj`` renames
and computations, ``aggr`` and ``dj.U``. :func:`build` turns it into a frames query by calling
exactly those operators; :func:`frames.testing.api_reference.run` interprets the same description
over Python rows with its own code. A :class:`Fetch` says how the result is read (``to_dicts``
with or without an order, ``fetch1``, ``len``).

Example
-------
>>> q = Restrict(Table("Item"), {"grade": "hi"})
>>> text(TopCall(q, 2, "price DESC", 0))
"((Item & {'grade': 'hi'}) & dj.Top(2, order_by='price DESC', offset=0))"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import frames as dj


@dataclass(frozen=True)
class Table:
    """A table class of the schema, by name."""

    name: str


@dataclass(frozen=True)
class Restrict:
    """``child & arg`` (``child - arg`` when ``negate``); ``arg`` is a raw restriction."""

    child: Call
    arg: Any
    negate: bool = False


@dataclass(frozen=True)
class AllOf:
    """``dj.AndList(items)``: every item holds."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class NotOf:
    """``dj.Not(item)``."""

    item: Any


@dataclass(frozen=True)
class Proj:
    """``child.proj(*attributes, **dict(named))``; ``named`` holds (new, text) pairs in order."""

    child: Call
    attributes: tuple[str, ...] = ()
    named: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Join:
    """``left * right``."""

    left: Call
    right: Call


@dataclass(frozen=True)
class Aggr:
    """``group.aggr(source, *keep, exclude_nonmatching=exclude, **dict(named))``."""

    group: Call
    source: Call
    named: tuple[tuple[str, str], ...]
    keep: tuple[str, ...] = ()
    exclude: bool = False


@dataclass(frozen=True)
class UDistinct:
    """``dj.U(*attrs) & child``."""

    attrs: tuple[str, ...]
    child: Call


@dataclass(frozen=True)
class UAggr:
    """``dj.U(*attrs).aggr(child, **dict(named))``."""

    attrs: tuple[str, ...]
    child: Call
    named: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TopCall:
    """``child & dj.Top(limit, order_by=order_by, offset=offset)``."""

    child: Call
    limit: int | None
    order_by: str | tuple[str, ...] | None
    offset: int = 0


Call = Table | Restrict | Proj | Join | Aggr | UDistinct | UAggr | TopCall


@dataclass(frozen=True)
class Fetch:
    """How the result is read.

    ``kind`` is ``"dicts"`` (``to_dicts()``: rows in any order, unless the query ends in a
    ``Top``, whose order they keep), ``"ordered"`` (``to_dicts(order_by=..., limit=...,
    offset=...)``: rows in that order), ``"fetch1"`` or ``"len"``.
    """

    kind: str = "dicts"
    order_by: str | tuple[str, ...] | None = None
    limit: int | None = None
    offset: int = 0


def _order_arg(order_by: str | tuple[str, ...] | None) -> str | list[str] | None:
    return list(order_by) if isinstance(order_by, tuple) else order_by


def argument(arg: Any, classes: Mapping[str, Any]) -> Any:
    """The frames restriction argument a raw description argument stands for."""
    if isinstance(arg, AllOf):
        return dj.AndList([argument(item, classes) for item in arg.items])
    if isinstance(arg, NotOf):
        return dj.Not(argument(arg.item, classes))
    if isinstance(arg, list):
        return [argument(item, classes) for item in arg]
    if isinstance(arg, (Table, Restrict, Proj, Join, Aggr, UDistinct, UAggr, TopCall)):
        return build(arg, classes)
    if isinstance(arg, dict):
        return dict(arg)
    return arg


def build(call: Call, classes: Mapping[str, Any]) -> Any:
    """The frames query of ``call`` over the table classes ``classes`` (name → class)."""
    if isinstance(call, Table):
        return classes[call.name]()
    if isinstance(call, Restrict):
        child = build(call.child, classes)
        arg = argument(call.arg, classes)
        return child - arg if call.negate else child & arg
    if isinstance(call, Proj):
        return build(call.child, classes).proj(*call.attributes, **dict(call.named))
    if isinstance(call, Join):
        return build(call.left, classes) * build(call.right, classes)
    if isinstance(call, Aggr):
        return build(call.group, classes).aggr(
            build(call.source, classes),
            *call.keep,
            exclude_nonmatching=call.exclude,
            **dict(call.named),
        )
    if isinstance(call, UDistinct):
        return dj.U(*call.attrs) & build(call.child, classes)
    if isinstance(call, UAggr):
        return dj.U(*call.attrs).aggr(build(call.child, classes), **dict(call.named))  # type: ignore[arg-type]
    if isinstance(call, TopCall):
        top = dj.Top(call.limit, order_by=_order_arg(call.order_by), offset=call.offset)
        return build(call.child, classes) & top
    raise TypeError(f"not a call description: {call!r}")


def fetch(query: Any, how: Fetch) -> Any:
    """Read ``query`` as ``how`` says: a list of dicts, one dict (``fetch1``) or a count."""
    if how.kind == "dicts":
        return query.to_dicts()
    if how.kind == "ordered":
        return query.to_dicts(
            order_by=_order_arg(how.order_by), limit=how.limit, offset=how.offset or None
        )
    if how.kind == "fetch1":
        return query.fetch1()
    if how.kind == "len":
        return len(query)
    raise ValueError(f"unknown fetch kind {how.kind!r}")


def _arg_text(arg: Any) -> str:
    if isinstance(arg, AllOf):
        return f"dj.AndList([{', '.join(map(_arg_text, arg.items))}])"
    if isinstance(arg, NotOf):
        return f"dj.Not({_arg_text(arg.item)})"
    if isinstance(arg, list):
        return f"[{', '.join(map(_arg_text, arg))}]"
    if isinstance(arg, (Table, Restrict, Proj, Join, Aggr, UDistinct, UAggr, TopCall)):
        return text(arg)
    return repr(arg)


def _named_text(named: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{new}={value!r}" for new, value in named]


def text(call: Call) -> str:
    """Python source that builds ``call`` (table classes by name), for failure reports."""
    if isinstance(call, Table):
        return call.name
    if isinstance(call, Restrict):
        return f"({text(call.child)} {'-' if call.negate else '&'} {_arg_text(call.arg)})"
    if isinstance(call, Proj):
        args = [repr(a) for a in call.attributes] + _named_text(call.named)
        return f"{text(call.child)}.proj({', '.join(args)})"
    if isinstance(call, Join):
        return f"({text(call.left)} * {text(call.right)})"
    if isinstance(call, Aggr):
        args = [text(call.source), *map(repr, call.keep), *_named_text(call.named)]
        if call.exclude:
            args.append("exclude_nonmatching=True")
        return f"{text(call.group)}.aggr({', '.join(args)})"
    if isinstance(call, UDistinct):
        return f"(dj.U({', '.join(map(repr, call.attrs))}) & {text(call.child)})"
    if isinstance(call, UAggr):
        args = [text(call.child), *_named_text(call.named)]
        return f"dj.U({', '.join(map(repr, call.attrs))}).aggr({', '.join(args)})"
    if isinstance(call, TopCall):
        order = _order_arg(call.order_by)
        return (
            f"({text(call.child)} & dj.Top({call.limit!r}, order_by={order!r}, "
            f"offset={call.offset}))"
        )
    raise TypeError(f"not a call description: {call!r}")


def fetch_text(how: Fetch) -> str:
    """The Python text of the read ``how`` describes, e.g. ``.to_dicts(order_by='a DESC')``."""
    if how.kind == "ordered":
        return (
            f".to_dicts(order_by={_order_arg(how.order_by)!r}, limit={how.limit!r}, "
            f"offset={how.offset or None!r})"
        )
    return {"dicts": ".to_dicts()", "fetch1": ".fetch1()", "len": " -> len()"}[how.kind]
