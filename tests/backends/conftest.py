"""Fixtures of the backend tests (the backend parametrisation itself is in tests/conftest.py)."""

from __future__ import annotations

import pytest
from backend_helpers import TableMaker

from frames.backends.base import Backend


@pytest.fixture
def make_table(backend: Backend, schema_name: str) -> TableMaker:
    """A :class:`TableMaker` for the test's backend and fresh schema."""
    return TableMaker(backend, schema_name)
