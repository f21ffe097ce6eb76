"""The examples in frames' docstrings run and show what they claim (doctest).

Every module of the ``frames`` package that holds an example (``>>>``) is a test; its examples
run with the module's globals, as ``python -m doctest`` would run them. An example that only
illustrates (it needs a database server, or names tables it does not declare) is marked
``# doctest: +SKIP``; the others are expected to run as written.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import frames

_FINDER = doctest.DocTestFinder()
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(frames.__path__, "frames.")
    if any(test.examples for test in _FINDER.find(importlib.import_module(info.name)))
)


def test_examples_are_found() -> None:
    assert {"frames.api.schema", "frames.sql.ddl", "frames.api.connection"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner()
    report: list[str] = []
    for test in _FINDER.find(module):
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, "".join(report)
