"""Hypothesis profiles and fixtures of the property tests.

Profiles (environment variable ``HYPOTHESIS_PROFILE``):

``dev`` (default)
    Quick: 25 examples per property on DuckDB, 10 on PostgreSQL and MySQL.
``gate``
    The ``dev`` counts, derived deterministically from each test (the seeded-fault harness).
``ci``
    200 examples per property on DuckDB, 50 per server backend, derived deterministically
    (used by ``.ci/run``, so that a submission's CI is reproducible).
``nightly``
    2000 examples per property on every backend, new random ones on each run.

Pure properties (no database) run the DuckDB count. Every property runs with ``deadline=None``:
database round trips vary too much for Hypothesis' per-example deadline.

Under the seeded-fault harness (``python -m tests.properties.seeded_faults``), which sets
``FRAMES_SEEDED_FAULT_COPY`` to the directory of a mutated copy of ``frames``, the run stops with
a usage error unless ``frames`` was imported from that copy, and failures are not shrunk (only
whether the suite fails matters there).

Fixtures
--------
ansi_fragments (autouse)
    The generated fragments are ANSI SQL (``a || b`` concatenates), so every property reads
    them as ANSI on every backend (``config['fragment_dialect'] = 'ansi'``; by default a MySQL
    connection reads ``||`` as MySQL does, as OR).
examples
    A ``hypothesis.settings`` for the test's backend (the profile's example count for it);
    decorate the inner ``@given`` function of a database-backed property with it.
connection
    A :class:`frames.Connection` to the test's backend, closed afterwards.
rich
    :data:`frames.testing.strategies.RICH_SCHEMA` declared once per test function on the
    test's backend (a fresh, uniquely named schema, dropped afterwards); tests load generated
    data into it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

import frames as dj
from frames.testing.strategies import RICH_SCHEMA, Declared

#: Examples per property: (DuckDB and pure properties, each server backend).
EXAMPLES = {"dev": (25, 10), "gate": (25, 10), "ci": (200, 50), "nightly": (2000, 2000)}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
if PROFILE not in EXAMPLES:
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={PROFILE!r}; choose one of {sorted(EXAMPLES)}")

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    "print_blob": True,
}
_FAULT_COPY = os.environ.get("FRAMES_SEEDED_FAULT_COPY")
if _FAULT_COPY:
    if not Path(dj.__file__).resolve().is_relative_to(Path(_FAULT_COPY).resolve()):
        raise pytest.UsageError(
            f"FRAMES_SEEDED_FAULT_COPY={_FAULT_COPY} but frames was imported from {dj.__file__}"
        )
    _COMMON["phases"] = [phase for phase in Phase if phase is not Phase.shrink]
for _name, (_local, _server) in EXAMPLES.items():
    # gate and ci derive their examples from the test (reproducible); dev and nightly explore
    # new random examples on every run.
    settings.register_profile(
        _name, max_examples=_local, derandomize=_name in ("gate", "ci"), **_COMMON
    )
settings.load_profile(PROFILE)


def examples_for(backend_name: str) -> int:
    """Examples per property on ``backend_name`` under the active profile."""
    local, server = EXAMPLES[PROFILE]
    return local if backend_name == "duckdb" else server


@pytest.fixture(autouse=True)
def ansi_fragments() -> Iterator[None]:
    dj.config["fragment_dialect"] = "ansi"
    yield
    del dj.config["fragment_dialect"]


@pytest.fixture
def examples(backend_name: str) -> settings:
    return settings(max_examples=examples_for(backend_name))


@pytest.fixture
def connection(backend_url: str) -> Iterator[dj.Connection]:
    opened = dj.connect(backend_url)
    yield opened
    opened.close()


@pytest.fixture
def rich(connection: dj.Connection) -> Iterator[Declared]:
    with RICH_SCHEMA.declare(connection) as declared:
        yield declared
