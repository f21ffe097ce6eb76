"""The DataJoint 2.x definition grammar: a definition string → :class:`TableSpec`.

A definition is a sequence of lines::

    # optional table comment (first line only)
    -> Subject                          # primary-key section: foreign keys ...
    session_date : date                 # ... and attributes
    ---                                 # (or ___) the rest is secondary
    -> [nullable] Researcher            # options: nullable, unique
    -> Rig.proj(rig_name='name')        # renames the referenced key attributes
    session_notes = '' : varchar(255)   # name [= default] : type [# comment]
    start_time = CURRENT_TIMESTAMP : datetime
    unique index(session_notes)         # index(a, b) / unique index(a, b)

A definition without primary-key attributes declares a singleton table (at most one row): its
key is the hidden attribute :data:`SINGLETON`. Blank lines and ``#`` lines are ignored. Line
numbers in error messages count from the first non-blank line of the definition.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from frames.codecs.attributes import parse_attribute_type
from frames.declare.spec import (
    AUTO_INCREMENT,
    NO_DEFAULT,
    Attribute,
    ForeignKeySpec,
    IndexSpec,
    SqlDefault,
    TableRef,
    TableSpec,
)
from frames.declare.types import INTEGER_RANGES, CoreType
from frames.errors import DefinitionError

TIERS = ("manual", "lookup", "imported", "computed", "part")
FOREIGN_KEY_OPTIONS = ("nullable", "unique")
#: Unquoted defaults taken as SQL keywords, with the core type kinds they may default.
SQL_DEFAULT_KEYWORDS = {"CURRENT_TIMESTAMP": ("datetime",)}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_DIVIDER_RE = re.compile(r"^(-{3,}|_{3,})\s*(#.*)?$")
_INDEX_RE = re.compile(r"^(unique\s+)?index\s*\((?P<args>[^)]*)\)$", re.I)
_IS_INDEX_RE = re.compile(r"^(unique\s+)?index\s*\(", re.I)
_FOREIGN_KEY_RE = re.compile(
    r"^->\s*(?:\[(?P<options>[^\]]*)\])?\s*"
    r"(?P<ref>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*?)"
    r"(?:\.proj\s*\((?P<renames>[^)]*)\))?$"
)
_RENAME_RE = re.compile(r"^(?P<new>\w+)\s*=\s*(?P<q>['\"])(?P<old>\w*)(?P=q)$")
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_AUTO_INCREMENT_RE = re.compile(r"^(?P<type>.*?)\s+auto_increment$", re.I | re.S)
#: MySQL's ``serial``: an unsigned bigint numbered by the database.
_SERIAL = "bigint unsigned"
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_FORM = "name [= default] : type [# comment]"

#: The hidden key of a table that declares none (DataJoint's singleton tables): it holds at
#: most one row, whose ``_singleton`` is the default.
SINGLETON = Attribute(
    name="_singleton",
    type=CoreType("bool"),
    default=True,
    comment="singleton primary key",
    in_key=True,
)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


@dataclass
class _Builder:
    """Mutable state while reading one definition."""

    ref: TableRef
    class_name: str
    resolve: Callable[[str], TableSpec]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    declared_on: dict[str, int] = field(default_factory=dict)
    foreign_keys: list[ForeignKeySpec] = field(default_factory=list)
    indexes: list[tuple[_Line, IndexSpec]] = field(default_factory=list)
    divider: _Line | None = None

    @property
    def in_key(self) -> bool:
        """True while reading the primary-key section (above the divider)."""
        return self.divider is None

    def error(self, line: _Line, problem: str) -> DefinitionError:
        """A :class:`DefinitionError` naming the table, the line and the problem."""
        return DefinitionError(
            f"{self.class_name} definition, line {line.number} {line.text!r}: {problem}"
        )

    def add(self, line: _Line, attr: Attribute) -> None:
        """Add an attribute declared on ``line``, rejecting a second one of the same name."""
        if attr.name in self.attributes:
            raise self.error(
                line,
                f"duplicate attribute {attr.name!r} (already declared on line "
                f"{self.declared_on[attr.name]}); each attribute is declared once",
            )
        self.attributes[attr.name] = attr
        self.declared_on[attr.name] = line.number


def parse_definition(
    definition: str,
    *,
    ref: TableRef,
    tier: str,
    class_name: str,
    resolve: Callable[[str], TableSpec],
) -> TableSpec:
    """Read a DataJoint definition string into a :class:`TableSpec`.

    Parameters
    ----------
    definition : str
        The class's ``definition`` string.
    ref : TableRef
        Where the table is stored (schema and stored name).
    tier : str
        ``'manual'``, ``'lookup'``, ``'imported'``, ``'computed'`` or ``'part'``.
    class_name : str
        The user class's name, used in error messages.
    resolve : callable
        Given the table text of a ``->`` line (``'Subject'``, ``'lab.Subject'``, ``'master'``),
        returns that table's :class:`TableSpec` or raises :class:`LookupError`.

    Returns
    -------
    TableSpec

    Raises
    ------
    DefinitionError
        Naming the class, the line number and text, and what was expected there.

    Examples
    --------
    >>> spec = parse_definition(
    ...     "subject_id : int32\\n---\\nspecies : varchar(32)  # common name",
    ...     ref=TableRef("lab", "subject"), tier="manual", class_name="Subject",
    ...     resolve=lambda text: {}[text])
    >>> spec.primary_key
    ('subject_id',)
    >>> spec.attribute("species").comment
    'common name'
    """
    if tier not in TIERS:
        raise DefinitionError(f"{class_name}: unknown tier {tier!r}; tiers are {', '.join(TIERS)}")
    lines = _lines(definition)
    comment = ""
    if lines and lines[0].text.startswith("#"):
        comment = lines.pop(0).text[1:].strip()
    builder = _Builder(ref=ref, class_name=class_name, resolve=resolve)
    for line in lines:
        if not line.text or line.text.startswith("#"):
            continue
        if line.text.startswith(("---", "___")):
            _read_divider(builder, line)
        elif line.text.startswith("->"):
            _read_foreign_key(builder, line)
        elif _IS_INDEX_RE.match(line.text):
            _read_index(builder, line)
        else:
            builder.add(line, _read_attribute(builder, line))
    return _finish(builder, comment, tier)


def _lines(definition: str) -> list[_Line]:
    raw = definition.splitlines()
    while raw and not raw[0].strip():
        raw.pop(0)
    return [_Line(number, text.strip()) for number, text in enumerate(raw, start=1)]


def _finish(builder: _Builder, comment: str, tier: str) -> TableSpec:
    if not any(attr.in_key for attr in builder.attributes.values()):
        builder.attributes = {
            SINGLETON.name: replace(
                SINGLETON, lineage=f"{builder.ref.schema}.{builder.ref.name}.{SINGLETON.name}"
            ),
            **builder.attributes,
        }
    indexes: list[IndexSpec] = []
    for line, index in builder.indexes:
        unknown = [name for name in index.attrs if name not in builder.attributes]
        if unknown:
            raise builder.error(
                line,
                f"index over unknown attribute(s) {', '.join(map(repr, unknown))}; attributes "
                f"are: {', '.join(builder.attributes)}",
            )
        if index not in indexes:
            indexes.append(index)
    return TableSpec(
        ref=builder.ref,
        attributes=tuple(builder.attributes.values()),
        comment=comment,
        foreign_keys=tuple(builder.foreign_keys),
        indexes=tuple(indexes),
        tier=tier,
    )


def _read_divider(builder: _Builder, line: _Line) -> None:
    if not _DIVIDER_RE.match(line.text):
        raise builder.error(
            line, "expected a divider line of three or more dashes (---) and nothing else"
        )
    if builder.divider is not None:
        raise builder.error(
            line,
            f"second --- divider (the first is on line {builder.divider.number}); a "
            "definition has one, between the primary key and the secondary attributes",
        )
    builder.divider = line


# ---------------------------------------------------------------------------------------------
# Quoting-aware scanning


def _find_unquoted(text: str, targets: str) -> int:
    """Index of the first character of ``targets`` outside '...' and "..." (-1 if none)."""
    quote: str | None = None
    for pos, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in targets:
            return pos
    return -1


def _strip_comment(text: str) -> tuple[str, str]:
    """Split ``text`` at its first unquoted ``#`` into (code, comment), both stripped."""
    pos = _find_unquoted(text, "#")
    if pos < 0:
        return text.strip(), ""
    return text[:pos].strip(), text[pos + 1 :].strip()


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0]


def _unquote(text: str) -> str:
    quote = text[0]
    return text[1:-1].replace(quote * 2, quote)


# ---------------------------------------------------------------------------------------------
# Attributes


def _read_attribute(builder: _Builder, line: _Line) -> Attribute:
    colon = _find_unquoted(line.text, ":")
    if colon < 0:
        raise builder.error(line, f"missing ':' between name and type; expected {_FORM}")
    head, type_text = line.text[:colon], line.text[colon + 1 :]
    name, _, default_text = (part.strip() for part in head.partition("="))
    _check_name(builder, line, name)
    type_text, comment = _strip_comment(type_text)
    type_text, auto_increment = _split_auto_increment(type_text)
    try:
        core_type, codec = parse_attribute_type(type_text)
    except ValueError as exc:
        raise builder.error(line, str(exc)) from None
    if auto_increment:
        _check_auto_increment(builder, line, name, core_type, default_text)
    if builder.in_key and core_type.kind in ("json", "bytes"):
        raise builder.error(
            line,
            f"a {core_type.kind} attribute cannot be in the primary key; move {name!r} "
            "below the --- line",
        )
    if "=" in head and not default_text:
        raise builder.error(line, f"missing default value after '='; expected {_FORM}")
    nullable = default_text.lower() == "null"
    if nullable and builder.in_key:
        raise builder.error(
            line,
            f"primary-key attribute {name!r} cannot default to null (key attributes are "
            "never null); give another default or move it below the --- line",
        )
    default: object = AUTO_INCREMENT if auto_increment else NO_DEFAULT
    if nullable:
        default = None
    elif default_text and codec:
        raise builder.error(
            line, f"the default of the {codec} attribute {name!r} can only be null ('= null')"
        )
    elif default_text:
        try:
            default = parse_default(default_text, core_type)
        except ValueError as exc:
            raise builder.error(line, f"invalid default for {name!r}: {exc}") from None
    lineage = f"{builder.ref.schema}.{builder.ref.name}.{name}" if builder.in_key else None
    return Attribute(
        name=name,
        type=core_type,
        nullable=nullable,
        default=default,
        comment=comment,
        in_key=builder.in_key,
        lineage=lineage,
        codec=codec,
    )


def _split_auto_increment(type_text: str) -> tuple[str, bool]:
    """``type_text`` without a trailing ``auto_increment``, and whether it had one.

    ``serial`` is MySQL's shorthand for an auto-incremented ``bigint unsigned``.
    """
    if type_text.strip().lower() == "serial":
        return _SERIAL, True
    match = _AUTO_INCREMENT_RE.match(type_text.strip())
    return (match.group("type"), True) if match else (type_text, False)


def _check_auto_increment(
    builder: _Builder, line: _Line, name: str, core_type: CoreType, default_text: str
) -> None:
    """Reject ``auto_increment`` where the database cannot number the attribute."""
    if core_type.category != "integer":
        raise builder.error(
            line,
            f"auto_increment needs an integer type, not {core_type}; "
            f"declare {name!r} as e.g. int auto_increment",
        )
    if default_text:
        raise builder.error(
            line,
            f"auto_increment attribute {name!r} cannot have a default: "
            "the database numbers the rows that omit it",
        )
    if not builder.in_key:
        raise builder.error(
            line,
            f"auto_increment attribute {name!r} must be in the primary "
            "key; move it above the --- line",
        )


def _check_name(builder: _Builder, line: _Line, name: str, expected: str = _FORM) -> None:
    if name.startswith("_"):
        raise builder.error(
            line,
            f"attribute name {name!r} starts with an underscore: such names are reserved for "
            "platform-managed columns (_singleton, _job_start_time, ...); use a regular name, "
            "and proj() to control what a query shows",
        )
    if not _NAME_RE.match(name):
        raise builder.error(
            line,
            f"invalid attribute name {name!r}: names are lowercase snake_case starting "
            f"with a letter (a-z, 0-9, _); expected {expected}",
        )


def parse_default(text: str, core_type: CoreType) -> object:
    """The Python value of a default written as ``text`` for an attribute of ``core_type``.

    Numbers become ``int``/``float``/``Decimal``, ``true``/``false`` ``bool``, quoted text
    ``str``, dates and datetimes ``date``/``datetime``, uuids ``UUID``; JSON stays text.
    ``CURRENT_TIMESTAMP`` (for datetimes) becomes :class:`SqlDefault`. Unquoted text is taken
    literally for string types, as DataJoint does.

    Raises
    ------
    ValueError
        If ``text`` is not a value of ``core_type``.
    """
    keyword = text.upper()
    if keyword in SQL_DEFAULT_KEYWORDS:
        if core_type.kind not in SQL_DEFAULT_KEYWORDS[keyword]:
            raise ValueError(f"{keyword} is a default for datetime attributes, not {core_type}")
        return SqlDefault(keyword)
    value = _unquote(text) if _is_quoted(text) else text
    try:
        return _DEFAULT_READERS[core_type.category](value, core_type)
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(f"{text} is not a {core_type} value ({exc})") from None


def _integer_default(value: str, core_type: CoreType) -> int:
    if not _INTEGER_RE.match(value.strip()):
        raise ValueError("expected an integer")
    number = int(value)
    low, high = INTEGER_RANGES[core_type.kind]
    if not low <= number <= high:
        raise ValueError(f"out of range {low}..{high}")
    return number


def _float_default(value: str, core_type: CoreType) -> float:
    if not _NUMBER_RE.match(value.strip()):
        raise ValueError("expected a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("out of range")
    return number


def _decimal_default(value: str, core_type: CoreType) -> decimal.Decimal:
    if not _NUMBER_RE.match(value.strip()):
        raise ValueError("expected a number")
    number = decimal.Decimal(value.strip())
    scale, precision = core_type.scale or 0, core_type.precision or 0
    if number != number.quantize(decimal.Decimal(1).scaleb(-scale)):
        raise ValueError(f"more than {scale} digits after the point")
    if abs(number) >= decimal.Decimal(10) ** (precision - scale):
        raise ValueError(f"more than {precision - scale} digits before the point")
    return number.quantize(decimal.Decimal(1).scaleb(-scale))  # 0.5 of decimal(4,2) is 0.50


def _bool_default(value: str, core_type: CoreType) -> bool:
    spelling = value.strip().lower()
    if spelling in ("true", "1"):
        return True
    if spelling in ("false", "0"):
        return False
    raise ValueError("expected true or false")


def _string_default(value: str, core_type: CoreType) -> str:
    if core_type.kind == "enum" and value not in core_type.values:
        raise ValueError(f"not a member; members are {', '.join(core_type.values)}")
    if core_type.length is not None and len(value) > core_type.length:
        raise ValueError(f"longer than {core_type.length} characters")
    return value


def _date_default(value: str, core_type: CoreType) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _datetime_default(value: str, core_type: CoreType) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _uuid_default(value: str, core_type: CoreType) -> uuid.UUID:
    return uuid.UUID(value)


def _json_default(value: str, core_type: CoreType) -> str:
    json.loads(value)
    return value


def _bytes_default(value: str, core_type: CoreType) -> bytes:
    raise ValueError("bytes attributes can only default to null")


_DEFAULT_READERS: dict[str, Callable[[str, CoreType], object]] = {
    "integer": _integer_default,
    "float": _float_default,
    "decimal": _decimal_default,
    "bool": _bool_default,
    "string": _string_default,
    "date": _date_default,
    "datetime": _datetime_default,
    "uuid": _uuid_default,
    "json": _json_default,
    "bytes": _bytes_default,
}


# ---------------------------------------------------------------------------------------------
# Foreign keys


def _read_foreign_key(builder: _Builder, line: _Line) -> None:
    code, _ = _strip_comment(line.text)
    match = _FOREIGN_KEY_RE.match(code)
    if not match:
        raise builder.error(
            line, "expected -> [options] Table or -> Table.proj(new_name='old_name', ...)"
        )
    nullable, unique = _read_options(builder, line, match.group("options"))
    if nullable and builder.in_key:
        raise builder.error(
            line, "a primary-key dependency cannot be [nullable]; move it below the --- line"
        )
    ref_text = match.group("ref")
    try:
        parent = builder.resolve(ref_text)
    except LookupError:
        raise builder.error(
            line,
            f"foreign key to undeclared table {ref_text!r}; declare {ref_text} (in this "
            f"schema or an imported one) before {builder.class_name}",
        ) from None
    renames = _read_renames(builder, line, match.group("renames"), parent)
    attr_map = tuple((renames.get(name, name), name) for name in parent.primary_key)
    for child, parent_attr in attr_map:
        _inherit(builder, line, child, parent, parent_attr, nullable)
    builder.foreign_keys.append(
        ForeignKeySpec(
            parent=parent.ref,
            attr_map=attr_map,
            in_key=builder.in_key,
            nullable=nullable,
            unique=unique,
        )
    )
    if unique:
        index = IndexSpec(attrs=tuple(child for child, _ in attr_map), unique=True)
        builder.indexes.append((line, index))


def _read_options(builder: _Builder, line: _Line, text: str | None) -> tuple[bool, bool]:
    options = [opt.strip().lower() for opt in (text or "").split(",") if opt.strip()]
    for option in options:
        if option not in FOREIGN_KEY_OPTIONS:
            raise builder.error(
                line,
                f"unknown foreign key option {option!r}; options are "
                f"{', '.join(FOREIGN_KEY_OPTIONS)}, as in -> [nullable, unique] Table",
            )
    return "nullable" in options, "unique" in options


def _read_renames(
    builder: _Builder, line: _Line, text: str | None, parent: TableSpec
) -> dict[str, str]:
    """``new='old', ...`` of ``.proj(...)`` as {old: new}."""
    renames: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _RENAME_RE.match(part.strip())
        if not match:
            raise builder.error(
                line,
                f"invalid rename {part.strip()!r} in proj(); expected new_name='parent_attribute'",
            )
        new, old = match.group("new"), match.group("old")
        _check_name(builder, line, new, "proj(new_name='parent_attribute')")
        if old not in parent.primary_key:
            raise builder.error(
                line,
                f"proj() renames {old!r}, which is not a primary-key attribute of the "
                f"referenced table; its primary key is: {', '.join(parent.primary_key)}",
            )
        if old in renames or new in renames.values():
            raise builder.error(line, f"proj() renames {old!r} or names {new!r} twice")
        renames[old] = new
    return renames


def _inherit(
    builder: _Builder,
    line: _Line,
    name: str,
    parent: TableSpec,
    parent_attr: str,
    nullable: bool,
) -> None:
    """Add (or share) the attribute ``name`` inherited from ``parent.parent_attr``."""
    source = parent.attribute(parent_attr)
    lineage = source.lineage or f"{parent.ref.schema}.{parent.ref.name}.{parent_attr}"
    existing = builder.attributes.get(name)
    if existing is None:
        builder.add(
            line,
            Attribute(
                name=name,
                type=source.type,
                nullable=nullable,
                default=None if nullable else NO_DEFAULT,
                comment=source.comment,
                in_key=builder.in_key,
                lineage=lineage,
            ),
        )
    elif existing.lineage != lineage or existing.type != source.type:
        raise builder.error(
            line,
            f"attribute {name!r} (declared on line {builder.declared_on[name]}, origin "
            f"{existing.lineage or 'none'}) would also come from {lineage}; rename one, e.g. "
            f"-> Table.proj(other_{name}='{parent_attr}')",
        )


# ---------------------------------------------------------------------------------------------
# Indexes


def _read_index(builder: _Builder, line: _Line) -> None:
    code, _ = _strip_comment(line.text)
    match = _INDEX_RE.match(code)
    if not match:
        raise builder.error(line, "expected index(attr, ...) or unique index(attr, ...)")
    names = [name.strip() for name in match.group("args").split(",")]
    if not all(_NAME_RE.match(name) for name in names):
        raise builder.error(line, "expected attribute names separated by commas inside index(...)")
    if len(set(names)) != len(names):
        raise builder.error(line, "an index names each attribute once")
    builder.indexes.append((line, IndexSpec(attrs=tuple(names), unique=bool(match.group(1)))))
