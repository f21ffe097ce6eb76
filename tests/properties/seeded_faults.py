"""Seeded faults: does the property suite notice when one semantic rule of frames is broken?

Each :class:`Mutant` is one small, realistic break of one rule in the real source (count over no
matches, NULL in a dict restriction, antijoin with NULLs, the key of a join, a rewrite that drops
a restriction, decimal conversion, ...). The harness snapshots the ``frames`` package and the
property tests into a temporary directory, runs the suite there unchanged (the *control*, which
must pass), then, for each mutant, copies the snapshot, applies the mutant by exact text
replacement (a target text that is not found exactly once raises :class:`StaleMutant`, so the
mutants cannot rot silently) and runs ``pytest tests/properties`` against the copy. The mutant is
*caught* if the suite fails, *missed* if it passes; any other pytest outcome (a usage error, an
interrupted collection) is an *error*.

Run it from the repository's root (PostgreSQL and MariaDB must be up: every backend is
required)::

    .venv/bin/python -m tests.properties.seeded_faults                  # every mutant, gate
    .venv/bin/python -m tests.properties.seeded_faults --profile ci     # the ci profile
    .venv/bin/python -m tests.properties.seeded_faults count_no_matches union_all
    .venv/bin/python -m tests.properties.seeded_faults --list           # names and rules
    .venv/bin/python -m tests.properties.seeded_faults --api -- -k api  # issue #17's, quickly
    .venv/bin/python -m tests.properties.seeded_faults --pandas -- -k pandas  # issue #15's
    .venv/bin/python -m tests.properties.seeded_faults --check          # apply and import only
    .venv/bin/python -m tests.properties.seeded_faults -- -k duckdb     # extra pytest arguments

It prints one Markdown table row per mutant (the README keeps the latest table) and exits with 1
if any mutant was missed or errored. ``FRAMES_SEEDED_FAULTS=1 pytest
tests/properties/test_seeded_faults.py`` runs the same judgement as tests.

How the copy is imported: pytest runs in the copy (its working directory, also first on
``PYTHONPATH``, ahead of the editable install of the repository), with
``FRAMES_SEEDED_FAULT_COPY`` set to it, which makes ``tests/properties/conftest.py`` refuse to run
if ``frames`` was imported from anywhere else and turns off Hypothesis' shrinking (only the
verdict matters here, and shrinking a failure costs many database round trips).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.properties.seeded_faults_pandas import PANDAS_MUTANTS as PANDAS_FAULTS

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "frames"
#: Opts in to the slow tests of tests/properties/test_seeded_faults.py ("apply": each mutant
#: imports; "1": that and the judgement); never passed on to the runs.
ENABLE_VARIABLE = "FRAMES_SEEDED_FAULTS"
#: The directory holding the mutated copy, for conftest.py's check of what was imported.
COPY_VARIABLE = "FRAMES_SEEDED_FAULT_COPY"
PROFILES = ("gate", "ci")


class StaleMutant(Exception):
    """A mutant's target text is not in the source exactly once (the source changed)."""


@dataclass(frozen=True)
class Mutant:
    """One seeded fault: replace ``old`` by ``new`` in ``path`` (relative to the repository)."""

    name: str
    rule: str
    path: str
    old: str
    new: str

    def patched(self, root: Path) -> str:
        """The text of :attr:`path` under ``root`` with the fault in it.

        Raises
        ------
        StaleMutant
            If :attr:`old` does not occur exactly once in that file.
        """
        text = (root / self.path).read_text(encoding="utf-8")
        found = text.count(self.old)
        if found != 1:
            raise StaleMutant(
                f"mutant {self.name!r}: the target text occurs {found} times in "
                f"{self.path} (expected once); update the mutant to the current "
                f"source. Target:\n{self.old}"
            )
        return text.replace(self.old, self.new)

    def apply(self, root: Path) -> None:
        """Patch the copy of :attr:`path` under ``root`` in place (see :meth:`patched`)."""
        (root / self.path).write_text(self.patched(root), encoding="utf-8")


LOWER, NODES, REWRITE = "frames/sql/lower.py", "frames/plan/nodes.py", "frames/plan/rewrite.py"
EMIT, COERCE, CONVERT = "frames/sql/emit.py", "frames/api/coerce.py", "frames/io/convert.py"
QUERY = "frames/api/query.py"
OPERATORS, NORMALIZE = "frames/api/operators.py", "frames/plan/normalize.py"
INSERT, VALUES = "frames/api/insert.py", "frames/declare/values.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "count_no_matches",
        "count(*) of a group without matches is 0 (the NULL-extended row of the LEFT JOIN "
        "is counted instead)",
        LOWER,
        '            marker = source.columns.get("_match") or source.columns[node.on[0]]\n',
        "            marker = None\n",
    ),
    Mutant(
        "dict_null_equals",
        "{'a': None} means a IS NULL (compiled as a = NULL instead)",
        COERCE,
        'items.append(ExprCond(Op("is_null", (Col(name),))))',
        'items.append(ExprCond(Op("=", (Col(name), Param.of(None)))))',
    ),
    Mutant(
        "dict_null_ignored",
        "{'a': None} means a IS NULL (ignored, i.e. true, instead)",
        COERCE,
        "        if value is None or _missing(value):\n"
        '            items.append(ExprCond(Op("is_null", (Col(name),))))\n',
        "        if value is None or _missing(value):\n            continue\n",
    ),
    Mutant(
        "is_null_as_equals",
        "IS NULL is emitted as IS NULL (as = NULL instead)",
        EMIT,
        "return exp.Is(this=parenthesized(args[0]), expression=exp.Null())",
        "return exp.EQ(this=parenthesized(args[0]), expression=exp.Null())",
    ),
    Mutant(
        "antijoin_not_in",
        "q - r is NOT EXISTS (NOT IN for one namesake instead, which NULLs defeat)",
        LOWER,
        "    def _exists(self, cond: Exists, columns: dict[str, exp.Expr]) "
        "-> exp.Expr:\n"
        "        inner = self.open_block(cond.query)\n",
        "    def _exists(self, cond: Exists, columns: dict[str, exp.Expr]) "
        "-> exp.Expr:\n"
        "        inner = self.open_block(cond.query)\n"
        "        if len(cond.on) == 1:\n"
        "            inner.columns = {cond.on[0]: inner.columns[cond.on[0]]}\n"
        "            return exp.In(this=columns[cond.on[0]].copy(),\n"
        "                          query=self.select(inner))\n",
    ),
    Mutant(
        "semijoin_nulls_match",
        "semijoin namesakes match by SQL equality (NULL-safe equality instead: NULL matches NULL)",
        LOWER,
        "exp.EQ(this=inner.columns[n].copy(), expression=columns[n].copy()) for n in cond.on",
        "exp.NullSafeEQ(this=inner.columns[n].copy(), expression=columns[n].copy()) "
        "for n in cond.on",
    ),
    Mutant(
        "semijoin_first_namesake",
        "a semijoin matches on every namesake (on the first one only instead)",
        NODES,
        "    return Exists(other, namesakes(child.heading, other.heading, operator, "
        "semantic_check))\n",
        "    return Exists(other, namesakes(child.heading, other.heading, operator, "
        "semantic_check)[:1])\n",
    ),
    Mutant(
        "join_key_left_only",
        "when neither operand determines the other, the join's key is both keys (only the "
        "left key instead)",
        NODES,
        "replace(from_right(right[n]), in_key=True)\n                for n in right.primary_key",
        "replace(from_right(right[n]), in_key=False)\n                for n in right.primary_key",
    ),
    Mutant(
        "left_join_drops_right_restriction",
        "a restricted right operand of a left join is wrapped (its WHERE is lost instead)",
        LOWER,
        "        if node.outer and (right.joins or right.where or not _plain_columns(right)):\n",
        "        if node.outer and (right.joins or not _plain_columns(right)):\n",
    ),
    Mutant(
        "aggr_drops_source_restriction",
        "a restricted aggregated operand keeps its restriction in an outer aggregation "
        "(lost instead)",
        LOWER,
        "            source.joins or source.where or not node.on or not _plain_columns(source)\n",
        "            source.joins or not node.on or not _plain_columns(source)\n",
    ),
    Mutant(
        "aggr_namesake_reads_group",
        "inside aggregates a namesake is the aggregated rows' value (the group's value instead)",
        LOWER,
        "namespace.update((_AGGREGATED + n, source.columns[n]) for n in node.on)",
        "namespace.update((_AGGREGATED + n, group.columns[n]) for n in node.on)",
    ),
    Mutant(
        "aggr_exclude_inverted",
        "aggr keeps groups without matches unless exclude_nonmatching (inverted instead)",
        QUERY,
        "outer=not exclude_nonmatching)",
        "outer=exclude_nonmatching)",
    ),
    Mutant(
        "rewrite_drops_restriction",
        "merging consecutive restrictions keeps both conditions (the inner one is dropped instead)",
        REWRITE,
        "items = _conjuncts(inner.cond) + _conjuncts(node.cond)",
        "items = _conjuncts(node.cond)",
    ),
    Mutant(
        "rewrite_flattens_or",
        "merging restrictions flattens AND conditions only (an OR is flattened as if it "
        "were an AND instead)",
        REWRITE,
        "return list(cond.items) if isinstance(cond, AndCond) else [cond]",
        'return list(cond.items) if hasattr(cond, "items") else [cond]',
    ),
    Mutant(
        "not_unknown_is_true",
        "NOT of unknown is unknown (NOT COALESCE(c, FALSE): true instead)",
        LOWER,
        "            return exp.Not(this=exp.Paren(this=self.cond(cond.item, columns, heading)))\n",
        '            return exp.Not(this=exp.func("COALESCE", self.cond(cond.item, columns, '
        "heading), exp.false()))\n",
    ),
    Mutant(
        "union_all",
        "a union of key-only operands is a set (UNION ALL keeps duplicates instead)",
        LOWER,
        "exp.Union(this=left, expression=right, distinct=True)",
        "exp.Union(this=left, expression=right, distinct=False)",
    ),
    Mutant(
        "empty_distinct_many_rows",
        "dj.U() & q has one row if q has any (one per row of q instead)",
        LOWER,
        "            block.limit = exp.Literal.number(1)\n",
        "",
    ),
    Mutant(
        "top_offset_with_limit",
        "Top skips its offset also when it has a limit (ignored then instead)",
        LOWER,
        "        if node.offset is not None:\n            block.offset = self._slot(node.offset)\n",
        "        if node.offset is not None and node.limit is None:\n"
        "            block.offset = self._slot(node.offset)\n",
    ),
    Mutant(
        "top_nulls_order",
        "Top puts NULLs first ascending and last descending (the other way round instead)",
        LOWER,
        "nulls_first = node.nulls_first or tuple(not desc for _, desc in node.order)",
        "nulls_first = node.nulls_first or tuple(desc for _, desc in node.order)",
    ),
    Mutant(
        "integer_division",
        "/ is floating-point division (integer division instead; dropping the float cast "
        "would change nothing: sqlglot casts for PostgreSQL itself)",
        EMIT,
        "value = exp.Div(\n"
        "                this=self.float_cast(args[0].copy()), "
        "expression=parenthesized(args[1].copy())\n"
        "            )",
        "value = exp.IntDiv(this=parenthesized(args[0]), expression=parenthesized(args[1]))",
    ),
    Mutant(
        "decimal_as_float",
        "decimals are fetched as exact Decimal (as float instead)",
        CONVERT,
        "        return _object_array(column.to_pylist())\n",
        "        return _object_array(pc.cast(column, pa.float64()).to_pylist())\n",
    ),
    Mutant(
        "decimal_scale_in_bulk",
        "decimals of results with more than a few rows keep their scale (read through a "
        "float instead: 1.50 becomes 1.5)",
        CONVERT,
        "values[:-1] = list(map(Decimal, texts))",
        "values[:-1] = [Decimal(str(float(text))) for text in texts]",
    ),
)
#: Breaks of the rules issue #17 found the suite blind to, each caught by the API-level
#: reference (tests/properties/test_api_reference.py) or the write-path properties
#: (tests/properties/test_api_writes.py); ``--api`` selects them.
API_MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "count_distinct_counts_duplicates",
        "count(distinct x) counts distinct values (DISTINCT is dropped for count instead)",
        EMIT,
        "        if expr.distinct:\n            arg = exp.Distinct(expressions=[arg])\n",
        '        if expr.distinct and expr.name != "count":\n'
        "            arg = exp.Distinct(expressions=[arg])\n",
    ),
    Mutant(
        "between_exclusive_high",
        "BETWEEN includes both bounds (the upper bound is exclusive instead)",
        EMIT,
        "            return exp.Between(\n"
        "                this=parenthesized(args[0]),\n"
        "                low=parenthesized(args[1]),\n"
        "                high=parenthesized(args[2]),\n"
        "            )",
        "            return exp.and_(exp.GTE(this=parenthesized(args[0]), "
        "expression=parenthesized(args[1])), "
        "exp.LT(this=parenthesized(args[0]), expression=parenthesized(args[2])))",
    ),
    Mutant(
        "order_key_desc_ascending",
        "order_by='KEY DESC' orders the key descending (ascending instead)",
        OPERATORS,
        'out += [(k, direction == "desc") for k in heading.primary_key]',
        "out += [(k, False) for k in heading.primary_key]",
    ),
    Mutant(
        "order_desc_case_sensitive",
        "'a DESC' and 'a desc' both order descending (upper-case DESC is read as ascending "
        "instead)",
        OPERATORS,
        '(match.group(2) or "asc").lower()',
        '(match.group(2) or "asc")',
    ),
    Mutant(
        "order_completed_descending",
        "an order is completed by the primary key ascending (descending instead)",
        NODES,
        "full = tuple(order) + tuple((k, False) for k in child.primary_key if k not in named)",
        "full = tuple(order) + tuple((k, True) for k in child.primary_key if k not in named)",
    ),
    Mutant(
        "enum_compares_by_position",
        "enums compare as text (by their declaration order instead, where the engine does)",
        NORMALIZE,
        "return Cast(arg, TEXT) if self._enum(arg) is not None else arg",
        "return arg",
    ),
    Mutant(
        "enum_non_member_false",
        "an equality with a non-member of an enum is unknown on NULL and false otherwise "
        "(false on NULL too instead, so its negation keeps NULLs)",
        NORMALIZE,
        'return Op("and", (Op("is_null", (value,)), Lit(None)))',
        "return Lit(False)",
    ),
    Mutant(
        "enum_order_alphabetical",
        "enums sort by their declaration order (MySQL: alphabetically instead)",
        LOWER,
        "members = [exp.Literal.string(member) for member in kind.values]",
        "members = [exp.Literal.string(member) for member in sorted(kind.values)]",
    ),
    Mutant(
        "datetime_batch_unrounded",
        "datetimes are rounded to their precision on every insert path (not in batches "
        "instead: the bug of issue #17)",
        INSERT,
        "return round_timestamps(pc.cast(values, target), attr.type.precision or 0)",
        "return pc.cast(values, target)",
    ),
    Mutant(
        "datetime_batch_truncated",
        "datetimes round to their precision (batches truncate instead, as MariaDB does)",
        VALUES,
        "pc.add(pc.abs(offsets), quantum // 2)",
        "pc.abs(offsets)",
    ),
    Mutant(
        "datetime_value_half_down",
        "a datetime rounds half away from 2000-01-01, as PostgreSQL rounds (value by value: "
        "half towards it instead)",
        VALUES,
        "magnitude = (abs(offset) + quantum // 2) // quantum * quantum",
        "magnitude = (abs(offset) + quantum // 2 - 1) // quantum * quantum",
    ),
    Mutant(
        "datetime_expression_unrounded",
        "a datetime compared with a datetime(p) column is rounded as an insert rounds it (not "
        "in column expressions instead)",
        NORMALIZE,
        'or (attr.type.category == "datetime" and isinstance(arg.value, datetime.datetime))',
        "or False",
    ),
    Mutant(
        "proj_rename_twice_moves",
        "renaming one attribute twice in one proj() copies it (the second rename replaces the "
        "first instead)",
        OPERATORS,
        "            if text in renamed:\n",
        "            if text in renamed and False:\n",
    ),
    Mutant(
        "proj_renamed_also_kept",
        "a renamed attribute leaves its old name (it is also kept under it instead, which "
        "breaks swaps)",
        OPERATORS,
        "        elif attribute.name in keep:\n",
        "        if attribute.name in keep:\n",
    ),
    Mutant(
        "insert_integer_range_off_by_one",
        "an integer above its type's range is refused (one above is accepted instead)",
        INSERT,
        "if not low <= converted <= high:",
        "if not low <= converted <= high + 1:",
    ),
    Mutant(
        "insert_decimal_digits_off_by_one",
        "a decimal with as many integer digits as its type allows is accepted (refused instead)",
        INSERT,
        "if too_large or integer_digits > precision - scale:",
        "if too_large or integer_digits >= precision - scale:",
    ),
    Mutant(
        "stddev_in_decimal",
        "stddev and variance are floating point (MariaDB: DECIMAL with 4 decimals instead)",
        EMIT,
        "arg = self.float_cast(arg)  # MariaDB keeps 4 decimals of an integer's statistics",
        "pass  # MariaDB keeps 4 decimals of an integer's statistics",
    ),
    Mutant(
        "fetch1_accepts_many",
        "fetch1() needs exactly one row (it returns the first of many instead)",
        QUERY,
        "        if len(rows) != 1:\n",
        "        if not rows:\n",
    ),
)
#: issue #15's, for the pandas API (rows in seeded_faults_pandas.py).
PANDAS_MUTANTS = tuple(Mutant(*fault) for fault in PANDAS_FAULTS)
MUTANTS += API_MUTANTS + PANDAS_MUTANTS
BY_NAME = {m.name: m for m in MUTANTS}


@dataclass(frozen=True)
class Outcome:
    """What running the property suite against one mutant gave."""

    mutant: Mutant
    verdict: str  # "caught", "missed" or "error"
    detail: str  # the first failing test, or why it errored
    seconds: float

    def row(self) -> str:
        """A row of the Markdown table of :func:`table`."""
        shown = self.verdict
        if self.mutant.name == "control":
            shown = {"missed": "passes", "caught": "FAILS"}.get(self.verdict, self.verdict)
        return (
            f"| `{self.mutant.name}` | {self.mutant.rule} | **{shown}** | "
            f"{self.detail} | {self.seconds:.0f} s |"
        )


def table(outcomes: Sequence[Outcome]) -> str:
    """The Markdown table of ``outcomes``."""
    lines = [
        "| mutant | rule broken | verdict | first failure | time |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(lines + [o.row() for o in outcomes])


#: What a snapshot copies from the repository: the package, the property tests and their
#: configuration (the root conftest and pyproject.toml, which holds pytest's settings).
SNAPSHOT = (PACKAGE, "tests/conftest.py", "tests/properties", "pyproject.toml")


def snapshot(into: Path) -> Path:
    """Copy what the property suite needs from the repository into ``into``; returns ``into``.

    Every run of one judgement starts from the same snapshot, so that edits made to the
    repository meanwhile do not mix into it.
    """
    for name in SNAPSHOT:
        source, target = REPO / name, into / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def environment(copy: Path, profile: str) -> dict[str, str]:
    """The environment of a run against the mutated copy in ``copy``."""
    env = {k: v for k, v in os.environ.items() if k != ENABLE_VARIABLE}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(copy), env.get("PYTHONPATH")) if p)
    env["HYPOTHESIS_PROFILE"] = profile
    env[COPY_VARIABLE] = str(copy)
    env.setdefault("FRAMES_REQUIRE_BACKENDS", "all")
    return env


_FAILURE = re.compile(r"^(FAILED|ERROR) (\S+)", re.M)


def verdict(returncode: int, output: str) -> tuple[str, str]:
    """(verdict, detail) of a pytest run: exit code 1 is a failing suite, 0 a passing one."""
    if returncode == 1:
        first = _FAILURE.search(output)
        return "caught", f"`{first.group(2)}`" if first else "(suite failed)"
    if returncode == 0:
        return "missed", "—"
    tail = " / ".join(line.strip() for line in output.strip().splitlines()[-3:])
    return "error", f"pytest exit code {returncode}: {tail}"


#: The suite on the unchanged snapshot, which must pass for the verdicts to mean anything.
CONTROL = Mutant("control", "none: the unmutated snapshot (must pass)", "", "", "")


def run(
    mutant: Mutant, base: Path, profile: str = "gate", pytest_args: Sequence[str] = ()
) -> Outcome:
    """Run ``pytest tests/properties`` (stopping at the first failure) against ``mutant``
    applied to a copy of the snapshot ``base``."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"frames_fault_{mutant.name}_") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(base, copy)
        if mutant is not CONTROL:
            mutant.apply(copy)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "tests/properties",
            "-p",
            "no:cacheprovider",
            "-x",
            "-q",
            "-rfE",
            *pytest_args,
        ]
        done = subprocess.run(
            command,
            cwd=copy,
            env=environment(copy, profile),
            capture_output=True,
            text=True,
            check=False,
        )
    result, detail = verdict(done.returncode, done.stdout + done.stderr)
    return Outcome(mutant, result, detail, time.monotonic() - started)


def check(mutant: Mutant) -> None:
    """Apply ``mutant`` to a copy of the package and import it (no tests are run).

    Raises
    ------
    StaleMutant
        If the target text is gone.
    RuntimeError
        If the mutated package does not import, or not from the copy.
    """
    with tempfile.TemporaryDirectory(prefix=f"frames_fault_{mutant.name}_") as tmp:
        copy = Path(tmp)
        shutil.copytree(
            REPO / PACKAGE, copy / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
        )
        mutant.apply(copy)
        probe = (
            "import frames, frames.api.query, frames.sql.compile, frames.io.convert; "
            "print(frames.__file__)"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=copy,
            env=environment(copy, "gate"),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not done.stdout.strip().startswith(str(copy)):
            raise RuntimeError(
                f"mutant {mutant.name!r} does not import from its copy:\n{done.stdout}{done.stderr}"
            )


def judge(
    mutants: Sequence[Mutant],
    profile: str = "gate",
    pytest_args: Sequence[str] = (),
    control: bool = True,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Run the suite against each of ``mutants`` (after the control, if ``control``), all on
    one snapshot of the repository; ``report`` is called with each outcome as it comes.

    Raises
    ------
    RuntimeError
        If the control does not pass (the verdicts would not be about the mutants).
    """
    with tempfile.TemporaryDirectory(prefix="frames_faults_") as tmp:
        base = snapshot(Path(tmp))
        for mutant in mutants:  # a stale mutant fails before any suite runs
            mutant.patched(base)
        outcomes = []
        for mutant in ([CONTROL] if control else []) + list(mutants):
            outcome = run(mutant, base, profile, pytest_args)
            report(outcome)
            if mutant is CONTROL and outcome.verdict != "missed":
                raise RuntimeError(f"the unmutated suite does not pass: {outcome.detail}")
            if mutant is not CONTROL:
                outcomes.append(outcome)
        return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: see the module documentation."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.properties.seeded_faults", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("names", nargs="*", metavar="MUTANT", help="mutants to run (default: all)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="gate",
        help="HYPOTHESIS_PROFILE of the runs (default: gate)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument(
        "--api", action="store_true", help="the mutants of the API-level rules (issue #17)"
    )
    parser.add_argument(
        "--pandas", action="store_true", help="the mutants of the pandas API (issue #15)"
    )
    parser.add_argument(
        "--no-control",
        action="store_true",
        help="skip the run of the unmutated suite that must pass first",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="apply each mutant and import the copy, without running tests",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args, pytest_args = parser.parse_args(argv[:split]), argv[split + 1 :]
    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown mutants {unknown}; see --list")
    chosen = [BY_NAME[n] for n in args.names] or list(
        API_MUTANTS if args.api else PANDAS_MUTANTS if args.pandas else MUTANTS
    )
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name:36} {mutant.path:24} {mutant.rule}")
        return 0
    if args.check:
        for mutant in chosen:
            check(mutant)
            print(f"{mutant.name}: applies and imports")
        return 0
    print(f"profile {args.profile}; pytest {' '.join(pytest_args) or '(no extra arguments)'}")
    print(table([]), flush=True)
    outcomes = judge(
        chosen,
        args.profile,
        pytest_args,
        control=not args.no_control,
        report=lambda outcome: print(outcome.row(), flush=True),
    )
    caught = sum(o.verdict == "caught" for o in outcomes)
    print(
        f"\n{caught} of {len(outcomes)} mutants caught "
        f"({sum(o.seconds for o in outcomes) / 60:.1f} min)"
    )
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
