"""The seeded-fault judgement as tests: the property suite fails against every mutant.

``test_mutant_applies`` runs with the suite: every mutant still applies to the source and
imports. The judgement itself is slow (one run of the property suite per mutant, on every
backend), so it is collected only when asked::

    FRAMES_SEEDED_FAULTS=1 HYPOTHESIS_PROFILE=gate .venv/bin/python -m pytest \\
        tests/properties/test_seeded_faults.py

``HYPOTHESIS_PROFILE`` (gate or ci; gate for any other) is the profile of the suite's runs. The
mutants and the harness are in ``tests/properties/seeded_faults.py``.
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
    Mutant,
    check,
    run,
    snapshot,
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "gate")
PROFILE = PROFILE if PROFILE in PROFILES else "gate"


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_applies(mutant: Mutant) -> None:
    """The mutant's target text is still in the source, and the mutated package imports."""
    check(mutant)


if os.environ.get(ENABLE_VARIABLE) == "1":  # the slow judgement is collected only when asked

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
