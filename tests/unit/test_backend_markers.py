"""The backend parametrisation's marks and the notimpl/notyet/never markers (tests/conftest.py),
run on small generated test files with pytest's own ``pytester``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).resolve().parents[1] / "conftest.py").read_text(encoding="utf-8")
MARKERS = """
[pytest]
addopts = --strict-markers -p no:cacheprovider -p no:hypothesispytest
markers =
    duckdb: d
    postgres: p
    mysql: m
    backends(*names): b
    notimpl: n
    notyet: n
    never: n
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(MARKERS)
    return pytester


def test_a_gap_is_a_strict_xfail_with_its_exception(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest

        @pytest.mark.notimpl(["mysql"], raises=KeyError, reason="no keys there")
        def test_gap(backend_name):
            if backend_name == "mysql":
                raise KeyError("k")

        @pytest.mark.notyet(["postgres"], raises=KeyError, reason="closed meanwhile")
        def test_closed_gap(backend_name):
            pass

        @pytest.mark.never(["duckdb"], raises=KeyError, reason="another error")
        def test_other_error(backend_name):
            if backend_name == "duckdb":
                raise ValueError("v")
        """
    )
    result = suite.runpytest("-rfx")
    result.assert_outcomes(passed=6, xfailed=1, failed=2)
    for line in (
        "XFAIL *::test_gap?mysql? - notimpl: no keys there",
        "FAILED *::test_closed_gap?postgres?*",
        "?XPASS(strict)? notyet: closed meanwhile",
        "FAILED *::test_other_error?duckdb?*",
        "E   *ValueError: v",
    ):
        result.stdout.fnmatch_lines([line])


def test_a_gap_marker_without_exception_or_backend_parameter_is_a_usage_error(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        """
        import pytest

        @pytest.mark.notimpl(["mysql"], reason="no exception named")
        def test_vague(backend_name):
            pass
        """
    )
    result = suite.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*needs raises=*"])
    suite.makepyfile(
        """
        import pytest

        @pytest.mark.never(["oracle"], raises=KeyError, reason="r")
        def test_unknown_backend(backend_name):
            pass
        """
    )
    assert suite.runpytest().ret == pytest.ExitCode.USAGE_ERROR


def test_each_backend_is_selected_by_its_mark(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest

        def test_any(backend_name):
            pass

        @pytest.mark.backends("postgres", "mysql")
        def test_servers(backend_name):
            pass

        def test_no_backend():
            pass
        """
    )
    result = suite.runpytest("-m", "duckdb", "-v")
    result.assert_outcomes(passed=1, deselected=6)
    result.stdout.fnmatch_lines(["*test_any?duckdb? PASSED*"])
    result = suite.runpytest("-m", "postgres or mysql")
    result.assert_outcomes(passed=4, deselected=3)


def test_a_missing_server_still_fails_a_marked_test_when_every_backend_is_required(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMES_TEST_MYSQL_URL", "mysql://root@127.0.0.1:1/test")  # nothing there
    monkeypatch.setenv("FRAMES_REQUIRE_BACKENDS", "all")
    suite.makepyfile(
        """
        import pytest

        @pytest.mark.notimpl(["mysql"], raises=Exception, reason="any error")
        def test_gap(backend_name, backend_url):
            pass
        """
    )
    result = suite.runpytest("-m", "mysql")
    result.assert_outcomes(errors=1, deselected=2)
    result.stdout.fnmatch_lines(["*mysql backend unavailable*(FRAMES_REQUIRE_BACKENDS=all)*"])
