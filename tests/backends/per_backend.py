"""Module-wide test data per backend: load once per backend URL, drop when the module ends.

``backend_url`` is a per-test parametrised fixture, so a module-scoped fixture cannot depend on
it directly; :class:`PerBackend` caches what a loader context manager yields for each URL
instead, and closes everything (schema first, then its connection) at the end of the module.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any

import pytest

import frames as dj

Loader = Callable[[dj.Connection], AbstractContextManager[Any]]


class PerBackend:
    """What ``loader(connection)`` yields, once per backend URL (or the error it raised)."""

    def __init__(self, stack: ExitStack, loader: Loader) -> None:
        self.stack = stack
        self.loader = loader
        self.by_url: dict[str, Any] = {}

    def get(self, url: str) -> Any:
        """The loaded value for ``url``; fails the test if loading failed."""
        if url not in self.by_url:
            try:
                connection = dj.connect(url)
                self.stack.callback(connection.close)  # runs after the loader's cleanup
                self.by_url[url] = self.stack.enter_context(self.loader(connection))
            except Exception as error:  # fail each test with it instead of reloading
                self.by_url[url] = error
        value = self.by_url[url]
        if isinstance(value, Exception):
            pytest.fail(f"loading test data on {url} failed: {value!r}")
        return value
