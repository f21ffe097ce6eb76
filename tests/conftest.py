"""Shared fixtures: every backend test runs once per backend.

Fixtures
--------
backend_name
    ``'duckdb'``, ``'postgres'`` or ``'mysql'`` (the one parametrisation of the suite).
backend_url
    The URL of that backend's test database (PostgreSQL/MySQL from ``FRAMES_TEST_POSTGRES_URL`` /
    ``FRAMES_TEST_MYSQL_URL``). An unreachable server skips the test with the reason, or fails it
    when ``FRAMES_REQUIRE_BACKENDS=all``.
schema_name
    A fresh schema (database) name, ``frames_test_<random>``, dropped after the test. The test
    creates it when it needs it.
backend
    An open :class:`frames.backends.base.Backend` for ``backend_url``, closed after the test
    (before its schema is dropped).

Mark a test ``@pytest.mark.backends("postgres", "mysql")`` to run it on those backends only.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from frames.backends import open_backend
from frames.backends.base import Backend
from frames.errors import DatabaseConnectionError

BACKENDS = ("duckdb", "postgres", "mysql")
_DEFAULT_URLS = {
    "duckdb": "duckdb://",
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}
_URL_VARIABLES = {"postgres": "FRAMES_TEST_POSTGRES_URL", "mysql": "FRAMES_TEST_MYSQL_URL"}
# Keeps teardown from waiting forever on locks a failed test left behind.
_CLEANUP_SETTINGS = {
    "postgres": "SET lock_timeout = '20s'",
    "mysql": "SET SESSION lock_wait_timeout = 20",
}
_unreachable: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends(*names): run the test only on these backends")


def backend_test_url(name: str) -> str:
    """The URL of the test database of backend ``name``."""
    variable = _URL_VARIABLES.get(name)
    return (os.environ.get(variable) if variable else None) or _DEFAULT_URLS[name]


def require_backend(name: str) -> str:
    """The test URL of backend ``name``; skip (or fail, in CI) if its server is unreachable."""
    url = backend_test_url(name)
    if url not in _unreachable:
        try:
            open_backend(url).close()
            _unreachable[url] = None
        except DatabaseConnectionError as exc:
            _unreachable[url] = f"{name} backend unavailable: {exc}"
    reason = _unreachable[url]
    if reason:
        if os.environ.get("FRAMES_REQUIRE_BACKENDS") == "all":
            pytest.fail(f"{reason} (FRAMES_REQUIRE_BACKENDS=all)")
        pytest.skip(reason)
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the instances of ``@pytest.mark.backends(...)`` tests on other backends, so
    that they are not reported as skipped."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("backends")
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("backend_name") if callspec else None
        (dropped if marker and name and name not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def backend_url(backend_name: str) -> str:
    return require_backend(backend_name)


@pytest.fixture
def schema_name(backend_name: str, backend_url: str) -> Iterator[str]:
    name = f"frames_test_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = open_backend(backend_url)
    try:
        if backend_name in _CLEANUP_SETTINGS:
            cleanup.execute(_CLEANUP_SETTINGS[backend_name])
        cleanup.drop_schema(name)
    finally:
        cleanup.close()


@pytest.fixture
def backend(backend_url: str, schema_name: str) -> Iterator[Backend]:
    opened = open_backend(backend_url)
    yield opened
    opened.close()
