"""Finding and running a dot program: system Graphviz, else graphviz-pure; clear failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from frames.api import render as render_module
from frames.api.render import find_dot_program, render
from frames.errors import FramesError

SOURCE = 'digraph { "Session" -> "Recording"; }'


def test_graphviz_pure_is_found_without_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        render_module.shutil,
        "which",
        lambda name, *a, **k: None if name == "dot" else real_which(name),
    )
    assert Path(find_dot_program()).name.startswith("graphviz-pure")
    assert b"Recording" in render(SOURCE, "svg")


def test_system_dot_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        render_module.shutil,
        "which",
        lambda name, *a, **k: "/opt/gv/dot" if name == "dot" else None,
    )
    assert find_dot_program() == "/opt/gv/dot"


def test_no_dot_program_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(render_module, "_script_dirs", lambda: [tmp_path])
    with pytest.raises(FramesError, match="pip install graphviz-pure"):
        render(SOURCE, "svg")


def test_failing_dot_program_reports_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error near line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(render_module, "find_dot_program", lambda: str(fake))
    with pytest.raises(FramesError, match=r"exit code 3.*syntax error near line 1"):
        render(SOURCE, "svg")


def test_hanging_dot_program_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(render_module, "find_dot_program", lambda: str(fake))
    monkeypatch.setattr(render_module, "RENDER_TIMEOUT", 0.5)
    with pytest.raises(FramesError, match="did not finish"):
        render(SOURCE, "svg")
