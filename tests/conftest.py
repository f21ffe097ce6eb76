"""Shared fixtures and markers: every backend test runs once per backend.

Fixtures
--------
backend_name
    ``'duckdb'``, ``'postgres'`` or ``'mysql'`` (the one parametrisation of the suite). Each
    parameter carries the mark of its name, so ``pytest -m duckdb`` runs exactly DuckDB's cases
    (``-m "postgres or mysql"`` the servers').
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

Markers
-------
``@pytest.mark.notimpl(["mysql"], raises=DataError, reason="...")``
    frames does not implement the behaviour on these backends yet. Like Ibis' markers, it and
    the two below make the test a strict ``xfail`` there: it must fail with ``raises`` (an
    exception class or a tuple of them; required), and a pass fails the run, so a gap that
    closes is noticed. ``reason`` (required) says why.
``@pytest.mark.notyet([...], raises=..., reason=...)``
    The database (or DataJoint, for the interoperability tests) does not support it yet.
``@pytest.mark.never([...], raises=..., reason=...)``
    The database will never support it: the test pins how frames refuses.
``@pytest.mark.backends("postgres", "mysql")``
    The test is about something only these backends have (a server connection to kill, the
    MySQL wire protocol, PostgreSQL's enum types); its instances on the other backends are
    deselected, not reported. Never use it for a gap: a gap is one of the three markers above.

A missing server still fails a marked test under ``FRAMES_REQUIRE_BACKENDS=all`` (the failure is
not the expected exception).

Options
-------
``--update-snapshots``
    Rewrite the expected SQL files of the compile tests (``tests/compile/snapshots``) instead of
    comparing with them.
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
#: The backend markers: an expected failure on the listed backends (see the module's docstring).
GAP_MARKERS = ("notimpl", "notyet", "never")
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the expected SQL of tests/compile/snapshots instead of comparing with it",
    )


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


def _backend_of(item: pytest.Item) -> str | None:
    """The backend a collected test runs on, or None if it is not parametrised by backend."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("backend_name") if callspec else None


def expected_failure(
    marker: pytest.Mark, item: pytest.Item
) -> tuple[tuple[str, ...], pytest.MarkDecorator]:
    """The backends of a ``notimpl``/``notyet``/``never`` ``marker`` on ``item``, and the strict
    ``xfail`` it stands for on them.

    Raises
    ------
    pytest.UsageError
        If the marker names an unknown backend, lacks ``raises`` or ``reason``, or marks a test
        that is not parametrised by backend.
    """
    where = f"{item.nodeid}: @pytest.mark.{marker.name}"
    (backends,) = marker.args or (marker.kwargs.get("backends"),)
    raises, reason = marker.kwargs.get("raises"), marker.kwargs.get("reason")
    if isinstance(backends, str) or not backends or set(backends) - set(BACKENDS):
        raise pytest.UsageError(f"{where} takes a list of backends among {BACKENDS}")
    classes = raises if isinstance(raises, tuple) else (raises,)
    if not all(isinstance(c, type) and issubclass(c, Exception) for c in classes):
        raise pytest.UsageError(f"{where} needs raises=<the exception class the gap raises>")
    if not reason:
        raise pytest.UsageError(f"{where} needs reason=<why the backend fails>")
    if _backend_of(item) is None:
        raise pytest.UsageError(f"{where} marks a test that does not use backend_name")
    xfail = pytest.mark.xfail(raises=raises, strict=True, reason=f"{marker.name}: {reason}")
    return tuple(backends), xfail


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Turn the backend markers into strict xfails on their backends, and deselect the
    instances of ``@pytest.mark.backends(...)`` tests on other backends (so that they are not
    reported as skipped)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        name = _backend_of(item)
        for marker in item.iter_markers():
            if marker.name in GAP_MARKERS:
                backends, xfail = expected_failure(marker, item)
                if name in backends:
                    item.add_marker(xfail)
        only = item.get_closest_marker("backends")
        (dropped if only and name and name not in only.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=[pytest.param(name, marks=getattr(pytest.mark, name)) for name in BACKENDS])
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
