"""The bad-input catalogue: what a careless or hostile user tries, and what frames answers.

Data only, read by ``test_bad_inputs.py``. Each case is ``(id, action, argument, error,
culprit)``: the ``action`` is run with the ``argument`` against the catalogue's schema (see the
test module), it must raise ``error`` (a class of :mod:`frames.errors`, by name) whose message
contains ``culprit`` (the table, attribute, expression or value at fault; case-insensitive),
and no row of the database may change.

Actions
-------
insert1 / insert       ``Subject.insert1(argument)`` / ``Subject.insert(argument)``
insert_frame           ``Subject.insert(pandas.DataFrame([argument]))`` (the bulk path)
insert_query           ``Session.insert(Subject.proj(session=..., note=...))`` with the
                       expressions of ``argument`` (``INSERT ... SELECT``, checked in SQL)
session_insert         ``Session.insert(argument)``
restrict / exclude     ``len(Subject & argument)`` / ``len(Subject - argument)``
proj                   ``Subject.proj(**argument).to_dicts()``
aggr                   ``Subject.aggr(Session, **argument).to_dicts()``
group                  ``dj.U(*argument[0]).aggr(Session, **argument[1]).to_dicts()``
declare                declare a class: ``argument`` is ``(tier, definition, contents)``
declare_part           declare a master ``Extra`` whose part has ``argument`` as definition
update1                ``Subject.update1(argument)``
order_by               ``Subject.to_dicts(order_by=argument)``
top                    ``len(Subject & dj.Top(*argument))``
fetch1                 ``(Subject & argument).fetch1()``
to_arrays              ``Subject.to_arrays(*argument)``
delete                 ``(Subject & argument).delete(prompt=False)``
delete_quick           ``(Subject & argument).delete_quick()``
connect                ``dj.connect(argument)`` (a URL), closed again if it opens
"""

from __future__ import annotations

import datetime
from decimal import Decimal

#: A valid row of Subject, to which each insert case makes one change.
GOOD = {
    "subject_id": 100,
    "name": "Zed",
    "sex": "M",
    "weight": Decimal("12.50"),
    "age": 3,
    "score": 1.5,
    "born": datetime.date(2020, 1, 2),
    "seen": datetime.datetime(2024, 1, 2, 3, 4, 5),
    "alive": True,
    "tag": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
}


def _with(**changes: object) -> dict[str, object]:
    return {**GOOD, **changes}


def _without(name: str) -> dict[str, object]:
    return {k: v for k, v in GOOD.items() if k != name}


#: (attribute, bad value) for one attribute of a Subject row: every one is a DataError naming
#: the attribute.
BAD_VALUES: list[tuple[str, object]] = [
    ("subject_id", "abc"),
    ("subject_id", 1.5),
    ("subject_id", 2**31),
    ("subject_id", -(2**31) - 1),
    ("subject_id", float("inf")),
    ("subject_id", float("-inf")),
    ("subject_id", b"1"),
    ("subject_id", [1]),
    ("subject_id", {"a": 1}),
    ("subject_id", "1e3x"),
    ("subject_id", Decimal("1.5")),
    ("subject_id", None),
    ("name", "x" * 17),
    ("name", "\udc80"),
    ("name", "ok\ud800"),
    ("name", b"bytes"),
    ("name", None),
    ("name", ["a"]),
    ("name", {"a": 1}),
    ("name", object()),
    ("sex", "X"),
    ("sex", "f"),
    ("sex", "F "),
    ("sex", ""),
    ("sex", None),
    ("sex", 1),
    ("sex", "\udc80"),
    ("weight", "abc"),
    ("weight", 1000),
    ("weight", Decimal("999.995")),
    ("weight", "1e400"),
    ("weight", float("inf")),
    ("weight", b"1"),
    ("weight", [1]),
    ("age", 40000),
    ("age", -40000),
    ("age", "x"),
    ("age", 1.5),
    ("age", float("inf")),
    ("age", "nan"),
    ("age", 10**30),
    ("score", "abc"),
    ("score", "nan"),
    ("score", [1.0]),
    ("score", 10**400),
    ("born", "2024-13-01"),
    ("born", "2024-02-30"),
    ("born", "yesterday"),
    ("born", 5),
    ("born", "01/02/2024"),
    ("born", b"2024-01-01"),
    ("seen", "not a time"),
    ("seen", "2024-01-01 25:00:00"),
    ("seen", 3.5),
    ("alive", 2),
    ("alive", "yes"),
    ("alive", -1),
    ("tag", "not-a-uuid"),
    ("tag", "6ba7b810-9dad-11d1-80b4"),
    ("tag", 12),
]
#: Values the database itself refuses (checked in SQL: invalid JSON text): a DataError naming
#: the table.
REFUSED_BY_DATABASE: list[tuple[str, object]] = [("info", "{bad"), ("info", "[1, 2")]

#: Strings that pandas itself cannot hold (its Arrow-backed strings refuse lone surrogates
#: before frames sees the frame).
_NOT_IN_A_FRAME = ("\udc80", "ok\ud800")

CASES: list[tuple[str, str, object, str, str]] = [
    *(
        (f"value-{name}-{i}", "insert1", _with(**{name: value}), "DataError", name)
        for i, (name, value) in enumerate(BAD_VALUES)
    ),
    # the same values through the bulk path (a DataFrame) and through update1
    *(
        (f"frame-{name}-{i}", "insert_frame", _with(**{name: value}), "DataError", name)
        for i, (name, value) in enumerate(BAD_VALUES)
        if not (isinstance(value, str) and value in _NOT_IN_A_FRAME)
    ),
    *(
        (f"update-{name}-{i}", "update1", {"subject_id": 1, name: value}, "DataError", name)
        for i, (name, value) in enumerate(BAD_VALUES)
        if name != "subject_id"
    ),
    *(
        (f"stored-{name}-{i}", "insert1", _with(**{name: value}), "DataError", "subject")
        for i, (name, value) in enumerate(REFUSED_BY_DATABASE)
    ),
    # rows that are not rows, keys that are not keys
    ("insert-int", "insert", 5, "DataError", "list of rows"),
    ("insert-str", "insert", "abc", "DataError", "list of rows"),
    ("insert-none", "insert", None, "DataError", "list of rows"),
    ("insert-dict", "insert", GOOD, "DataError", "insert1"),
    ("insert-row-int", "insert", [GOOD, 7], "DataError", "row 1"),
    ("insert-row-short", "insert", [(1, "a")], "MissingAttributeError", "row 0"),
    ("insert1-int", "insert1", 5, "DataError", "int"),
    ("missing-name", "insert1", _without("name"), "MissingAttributeError", "name"),
    ("missing-sex", "insert1", _without("sex"), "MissingAttributeError", "sex"),
    ("missing-key", "insert1", _without("subject_id"), "MissingAttributeError", "subject_id"),
    ("unknown-attr", "insert1", _with(bogus=1), "UnknownAttributeError", "bogus"),
    ("duplicate", "insert1", _with(subject_id=1), "DuplicateError", "subject"),
    (
        "batch-one-bad",
        "insert",
        [_with(subject_id=200), _with(subject_id=201, age="old")],
        "DataError",
        "age",
    ),
    (
        "batch-duplicate-last",
        "insert",
        [_with(subject_id=202), _with(subject_id=2)],
        "DuplicateError",
        "subject",
    ),
    (
        "session-no-parent",
        "session_insert",
        [{"subject_id": 999, "session": 1}],
        "IntegrityError",
        "session",
    ),
    (
        "session-bad-key",
        "session_insert",
        [{"subject_id": 1, "session": 70000}],
        "DataError",
        "session",
    ),
    (
        "session-long-note",
        "session_insert",
        [{"subject_id": 1, "session": 9, "note": "n" * 31}],
        "DataError",
        "note",
    ),
    # string restrictions
    ("unclosed-quote", "restrict", "name = 'abc", "FragmentError", "not closed"),
    ("unclosed-dquote", "restrict", 'name = "abc', "FragmentError", "not closed"),
    ("string-vs-int", "restrict", "name = 1", "FragmentError", "name"),
    ("string-gt-int", "restrict", "name > 1", "FragmentError", "name"),
    ("int-vs-string-col", "restrict", "subject_id = name", "FragmentError", "name"),
    ("enum-vs-int", "restrict", "sex = 1", "FragmentError", "sex"),
    ("date-vs-int", "restrict", "born > 5", "FragmentError", "born"),
    ("bad-int-literal", "restrict", "subject_id = 'abc'", "FragmentError", "abc"),
    ("bad-date-literal", "restrict", "born > 'yesterday'", "FragmentError", "yesterday"),
    ("bad-uuid-literal", "restrict", "tag = 'nope'", "FragmentError", "nope"),
    ("unknown-in-string", "restrict", "bogus = 1", "UnknownAttributeError", "bogus"),
    ("qualified-name", "restrict", "subject.subject_id = 1", "FragmentError", "qualified"),
    ("dangling-operator", "restrict", "subject_id +", "FragmentError", "subject_id +"),
    ("select", "restrict", "SELECT 1", "FragmentError", "statement"),
    ("subquery", "restrict", "subject_id IN (SELECT 1)", "FragmentError", "subquer"),
    ("two-statements", "restrict", "1 = 1; DROP TABLE subject", "FragmentError", "statement"),
    ("forbidden-function", "restrict", "pg_sleep(1) = 1", "FragmentError", "pg_sleep"),
    ("aggregate-in-where", "restrict", "count(*) > 1", "FragmentError", "aggr"),
    ("like-float", "restrict", "score LIKE '1%'", "FragmentError", "score"),
    ("like-decimal", "restrict", "weight LIKE '1%'", "FragmentError", "weight"),
    ("and-string", "restrict", "name AND subject_id = 1", "FragmentError", "AND"),
    ("empty-string", "restrict", "   ", "FragmentError", "non-empty"),
    ("arith-on-string", "restrict", "name + 1 > 0", "FragmentError", "name"),
    (
        "interval-unit",
        "restrict",
        "born + INTERVAL 1 fortnight > born",
        "FragmentError",
        "interval",
    ),
    ("is-not-null-only", "restrict", "name IS 5", "FragmentError", "is"),
    ("wrong-arity", "restrict", "abs(subject_id, 2) = 1", "FragmentError", "abs"),
    ("bad-cast-type", "restrict", "cast(name as blob99) = 1", "FragmentError", "blob99"),
    ("division-by-zero", "restrict", "subject_id / 0 > 1", "UndefinedValueError", "subject_id / 0"),
    (
        "division-by-column",
        "restrict",
        "score / (subject_id - 1) > 0",
        "UndefinedValueError",
        "score / (subject_id - 1)",
    ),
    ("modulo-zero", "restrict", "subject_id % 0 = 1", "UndefinedValueError", "subject_id % 0"),
    ("sqrt-negative", "restrict", "sqrt(-subject_id) > 0", "UndefinedValueError", "sqrt"),
    ("ln-zero", "restrict", "ln(subject_id - 1) > 0", "UndefinedValueError", "ln"),
    ("cast-name-int", "restrict", "cast(name as int32) > 0", "UndefinedValueError", "name"),
    (
        "deep-alternation",
        "restrict",
        "(" * 200 + "subject_id > 0" + " AND subject_id > 0) OR subject_id > 0)" * 100,
        "FragmentError",
        "nests too deeply",
    ),
    # other restrictions
    ("dict-bad-int", "restrict", {"subject_id": "abc"}, "DataError", "subject_id"),
    ("dict-bad-date", "restrict", {"born": "2024-13-45"}, "DataError", "born"),
    ("dict-bad-uuid", "restrict", {"tag": "zz"}, "DataError", "tag"),
    ("dict-bytes-decimal", "restrict", {"weight": b"x"}, "DataError", "weight"),
    ("dict-inf-int", "restrict", {"age": float("inf")}, "DataError", "age"),
    ("dict-surrogate", "restrict", {"name": "\udc80"}, "DataError", "name"),
    ("list-bad-dict", "restrict", [{"subject_id": 1}, {"subject_id": "x"}], "DataError", "x"),
    ("andlist-unknown", "restrict", ["bogus = 1"], "UnknownAttributeError", "bogus"),
    ("restrict-int", "restrict", 5, "QueryError", "restriction"),
    ("restrict-object", "restrict", object(), "QueryError", "restriction"),
    ("restrict-float", "restrict", 1.5, "QueryError", "restriction"),
    ("exclude-bad-string", "exclude", "name = 5", "FragmentError", "name"),
    ("exclude-unknown", "exclude", "bogus > 1", "UnknownAttributeError", "bogus"),
    ("exclude-bad-dict", "exclude", {"age": "old"}, "DataError", "age"),
    # computed attributes
    ("proj-string-plus", "proj", {"y": "name + 1"}, "FragmentError", "name"),
    ("proj-unknown", "proj", {"y": "bogus * 2"}, "UnknownAttributeError", "bogus"),
    ("proj-div-zero", "proj", {"y": "subject_id / 0"}, "UndefinedValueError", "subject_id / 0"),
    (
        "proj-div-column",
        "proj",
        {"y": "weight / (subject_id - 1)"},
        "UndefinedValueError",
        "weight / (subject_id - 1)",
    ),
    ("proj-mod-zero", "proj", {"y": "age % 0"}, "UndefinedValueError", "age % 0"),
    ("proj-mod-func", "proj", {"y": "mod(subject_id, 0)"}, "UndefinedValueError", "% 0"),
    ("proj-sqrt", "proj", {"y": "sqrt(0 - subject_id)"}, "UndefinedValueError", "sqrt"),
    ("proj-ln", "proj", {"y": "ln(0 * subject_id)"}, "UndefinedValueError", "ln"),
    ("proj-log10", "proj", {"y": "log10(-subject_id)"}, "UndefinedValueError", "log10"),
    ("proj-power-zero", "proj", {"y": "power(0 * score, -1)"}, "UndefinedValueError", "power"),
    ("proj-power-root", "proj", {"y": "power(-score, 0.5)"}, "UndefinedValueError", "power"),
    ("proj-exp", "proj", {"y": "exp(subject_id * 1000)"}, "UndefinedValueError", "exp"),
    ("proj-float-overflow", "proj", {"y": "score * 1e308 * 10"}, "UndefinedValueError", "overflow"),
    ("proj-cast-int", "proj", {"y": "cast(name as int32)"}, "UndefinedValueError", "name"),
    ("proj-cast-date", "proj", {"y": "cast(name as date)"}, "UndefinedValueError", "name"),
    (
        "proj-cast-decimal",
        "proj",
        {"y": "cast(name as decimal(5,2))"},
        "UndefinedValueError",
        "name",
    ),
    ("proj-cast-datetime", "proj", {"y": "cast(name as datetime)"}, "UndefinedValueError", "name"),
    (
        "proj-cast-range",
        "proj",
        {"y": "cast(concat(subject_id, '000000') as int16)"},
        "UndefinedValueError",
        "int16",
    ),
    ("proj-aggregate", "proj", {"y": "count(*)"}, "FragmentError", "aggr"),
    ("proj-bad-name", "proj", {"Bad Name": "subject_id"}, "QueryError", "Bad Name"),
    ("proj-not-string", "proj", {"y": 5}, "QueryError", "y="),
    ("proj-times-text", "proj", {"y": "name * 2"}, "FragmentError", "name"),
    ("proj-neg-text", "proj", {"y": "-name"}, "FragmentError", "name"),
    ("proj-abs-date", "proj", {"y": "born * 2"}, "FragmentError", "born"),
    # aggregation
    ("aggr-loose-attr", "aggr", {"n": "note"}, "QueryError", "note"),
    ("aggr-loose-in-expr", "aggr", {"n": "session + 1"}, "QueryError", "session"),
    ("aggr-nested", "aggr", {"n": "count(count(*))"}, "FragmentError", "nested"),
    ("aggr-sum-text", "aggr", {"n": "sum(note)"}, "FragmentError", "note"),
    ("aggr-avg-text", "aggr", {"n": "avg(note)"}, "FragmentError", "note"),
    ("aggr-unknown", "aggr", {"n": "max(bogus)"}, "UnknownAttributeError", "bogus"),
    ("aggr-star", "aggr", {"n": "sum(*)"}, "FragmentError", "sum(*)"),
    (
        "aggr-div-zero",
        "aggr",
        {"n": "sum(session) / (count(*) - count(*))"},
        "UndefinedValueError",
        "count(*) - count(*)",
    ),
    ("group-loose", "group", ((), {"n": "note"}), "QueryError", "note"),
    ("group-unknown", "group", (("bogus",), {"n": "count(*)"}), "UnknownAttributeError", "bogus"),
    ("group-loose-by", "group", (("subject_id",), {"n": "session"}), "QueryError", "session"),
    # declarations (all or nothing)
    ("declare-type", "declare", ("manual", "x : int99", None), "DefinitionError", "int99"),
    ("declare-ref", "declare", ("manual", "-> Nowhere\n", None), "DefinitionError", "Nowhere"),
    (
        "declare-duplicate-attr",
        "declare",
        ("manual", "x : int32\n---\nx : int16", None),
        "DefinitionError",
        "x",
    ),
    ("declare-no-type", "declare", ("manual", "x\n", None), "DefinitionError", "x"),
    ("declare-empty", "declare", ("manual", "", None), "MissingDefinitionError", "definition"),
    (
        "declare-bad-default",
        "declare",
        ("manual", "x : int32\n---\ny = 'abc' : int32", None),
        "DefinitionError",
        "abc",
    ),
    (
        "lookup-bad-contents",
        "declare",
        ("lookup", "k : int16\n---\nv : enum('a', 'b')", [(1, "a"), (2, "zzz")]),
        "DataError",
        "zzz",
    ),
    (
        "lookup-duplicate-contents",
        "declare",
        ("lookup", "k : int16\n---\nv : varchar(3)", [(1, "a"), (1, "toolong")]),
        "DataError",
        "v",
    ),
    (
        "lookup-contents-range",
        "declare",
        ("lookup", "k : int8", [(1,), (300,)]),
        "DataError",
        "300",
    ),
    ("part-bad-ref", "declare_part", "-> master\n-> Nowhere", "DefinitionError", "Nowhere"),
    ("part-bad-type", "declare_part", "-> master\np : int99", "DefinitionError", "int99"),
    (
        "part-duplicate",
        "declare_part",
        "-> master\np : int32\n---\np : int16",
        "DefinitionError",
        "p",
    ),
    # updates and deletes
    ("update-long", "update1", {"subject_id": 1, "name": "x" * 40}, "DataError", "name"),
    ("update-enum", "update1", {"subject_id": 1, "sex": "X"}, "DataError", "sex"),
    ("update-unknown", "update1", {"subject_id": 1, "bogus": 1}, "UnknownAttributeError", "bogus"),
    ("update-missing-row", "update1", {"subject_id": 999, "name": "x"}, "FetchError", "999"),
    ("update-no-key", "update1", {"name": "x"}, "DataError", "subject_id"),
    ("delete-unknown", "delete", "bogus = 1", "UnknownAttributeError", "bogus"),
    ("delete-mismatch", "delete", "name = 1", "FragmentError", "name"),
    ("delete-div-zero", "delete", "subject_id / 0 > 0", "UndefinedValueError", "subject_id / 0"),
    ("delete-bad-dict", "delete", {"subject_id": "one"}, "DataError", "subject_id"),
    ("delete-quick-referenced", "delete_quick", {"subject_id": 1}, "IntegrityError", "session"),
    ("delete-quick-unknown", "delete_quick", "bogus = 2", "UnknownAttributeError", "bogus"),
    # INSERT ... SELECT: the target's types checked in the statement
    ("query-session-range", "insert_query", {"session": "40000"}, "DataError", "session"),
    ("query-session-negative", "insert_query", {"session": "-40000"}, "DataError", "session"),
    ("query-session-column", "insert_query", {"session": "age * 10000"}, "DataError", "session"),
    (
        "query-note-long",
        "insert_query",
        {"note": "concat(name, '0123456789012345678901234567890')"},
        "DataError",
        "note",
    ),
    (
        "query-session-div",
        "insert_query",
        {"session": "subject_id / 0"},
        "UndefinedValueError",
        "subject_id / 0",
    ),
    ("query-unknown", "insert_query", {"note": "bogus"}, "UnknownAttributeError", "bogus"),
    ("query-text-to-int", "insert_query", {"session": "name + 1"}, "FragmentError", "name"),
    # reading: orders, limits, single rows, attribute lists
    ("order-unknown", "order_by", "bogus", "UnknownAttributeError", "bogus"),
    ("order-unknown-desc", "order_by", "bogus DESC", "UnknownAttributeError", "bogus"),
    ("order-list-unknown", "order_by", ["subject_id", "bogus"], "UnknownAttributeError", "bogus"),
    ("order-injection", "order_by", "subject_id; DROP TABLE subject", "QueryError", "order"),
    ("order-not-string", "order_by", 5, "ArgumentTypeError", "order_by"),
    ("top-negative", "top", (-1,), "QueryError", "-1"),
    ("top-text-limit", "top", ("x",), "ArgumentTypeError", "limit"),
    ("top-unknown-order", "top", (1, "bogus"), "UnknownAttributeError", "bogus"),
    ("top-negative-offset", "top", (1, "subject_id", -1), "QueryError", "-1"),
    ("fetch1-many", "fetch1", {}, "FetchError", "more than one row"),
    ("fetch1-none", "fetch1", "subject_id > 100", "FetchError", "no rows"),
    ("arrays-unknown", "to_arrays", ("bogus",), "UnknownAttributeError", "bogus"),
    ("arrays-one-unknown", "to_arrays", ("subject_id", "bogus"), "UnknownAttributeError", "bogus"),
    # connections
    ("url-scheme", "connect", "nosuchdb://host/db", "DatabaseConnectionError", "nosuchdb"),
    (
        "url-port-text",
        "connect",
        "postgresql://u@127.0.0.1:abc/db",
        "DatabaseConnectionError",
        "abc",
    ),
    (
        "url-port-range",
        "connect",
        "mysql://root@127.0.0.1:99999/test",
        "DatabaseConnectionError",
        "99999",
    ),
    (
        "url-mysql-option",
        "connect",
        "mysql://root@127.0.0.1:3306/test?bogus_option=1",
        "DatabaseConnectionError",
        "bogus_option",
    ),
    (
        "url-mysql-option-type",
        "connect",
        "mysql://root@127.0.0.1:3306/test?connect_timeout=soon",
        "DatabaseConnectionError",
        "option",
    ),
    (
        "url-postgres-option",
        "connect",
        "postgresql://postgres@127.0.0.1:5432/test?bogus_option=1",
        "DatabaseConnectionError",
        "bogus_option",
    ),
    (
        "url-duckdb-dir",
        "connect",
        "duckdb:////nonexistent/frames/dir/x.duckdb",
        "DatabaseConnectionError",
        "nonexistent",
    ),
    ("url-garbage", "connect", "::::", "DatabaseConnectionError", "::::"),
    ("url-not-string", "connect", 42, "DatabaseConnectionError", "int"),
]
