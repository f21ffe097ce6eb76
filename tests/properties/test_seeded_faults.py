"""The seeded-fault judgement as tests: the property suite fails against every mutant.

Three levels, from cheap to slow (the mutants and the harness are in
``tests/properties/seeded_faults.py``):

``test_mutant_patches`` (always)
    Every mutant still applies: its target text is in the source exactly once, and the patched
    module still compiles. No copy, no process; a mutant that has gone stale fails here.
``test_mutant_imports`` (opt-in: ``FRAMES_SEEDED_FAULTS=apply``, or the ``nightly`` profile)
    Every mutant, applied to a copy of the package, imports in a new process (one process per
    mutant, about a quarter of a DuckDB run)::

        FRAMES_SEEDED_FAULTS=apply .venv/bin/python -m pytest tests/properties/test_seeded_faults.py

``test_property_suite_catches`` (opt-in: ``FRAMES_SEEDED_FAULTS=1``, which also runs the imports)
    The judgement itself: one run of the property suite per mutant, on every backend::

        FRAMES_SEEDED_FAULTS=1 HYPOTHESIS_PROFILE=gate .venv/bin/python -m pytest \\
            tests/properties/test_seeded_faults.py

    ``HYPOTHESIS_PROFILE`` (gate or ci; gate for any other) is the profile of the suite's runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from seeded_faults import (
    CONTROL,
    ENABLE_VARIABLE,
    MUTANTS,
    PROFILES,
    REPO,
    Mutant,
    check,
    run,
    snapshot,
)

ASKED = os.environ.get(ENABLE_VARIABLE, "")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "gate")
IMPORTS = ASKED in ("apply", "1") or PROFILE == "nightly"
PROFILE = PROFILE if PROFILE in PROFILES else "gate"


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_patches(mutant: Mutant) -> None:
    """The mutant's target text is in the source exactly once, and the patched file compiles."""
    compile(mutant.patched(REPO), mutant.path, "exec")


if IMPORTS:  # a process per mutant: collected only when asked

    @pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
    def test_mutant_imports(mutant: Mutant) -> None:
        """The mutated package imports, from its copy."""
        check(mutant)


if ASKED == "1":  # the slow judgement is collected only when asked

    @pytest.fixture(scope="module")
    def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
        """A snapshot of the repository on which the unmutated suite passes."""
        taken = snapshot(tmp_path_factory.mktemp("snapshot"))
        control = run(CONTROL, taken, PROFILE)
        assert control.verdict == "missed", f"the unmutated suite fails: {control.detail}"
        yield taken

    @pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
    def test_property_suite_catches(mutant: Mutant, base: Path) -> None:
        outcome = run(mutant, base, PROFILE)
        assert outcome.verdict == "caught", (
            f"{mutant.name} ({mutant.rule}): {outcome.verdict} {outcome.detail}"
        )
