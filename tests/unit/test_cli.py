"""The ``dj`` command: version, help, bad schema arguments, and the console it starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

import frames
from frames.cli import cli


def test_version_and_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(["-V"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"frames {frames.__version__}\n"
    with pytest.raises(SystemExit) as exit_info:
        cli(["--help"])
    assert exit_info.value.code == 0 and "schema_name:alias" in capsys.readouterr().out
    assert frames.cli is cli


def test_schema_argument_needs_an_alias(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(["-s", "lab"])
    assert exit_info.value.code == 2
    assert "Use schema_name:alias" in capsys.readouterr().err


def test_console_runs_with_dj_loaded(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "frames.cli"], input="print(dj.__name__, 6 * 7)\n",
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(__import__("pathlib").Path(frames.__file__).parents[1])},
    )
    assert completed.returncode == 0
    assert "frames 42" in completed.stdout
    assert "REPL" in completed.stderr  # the banner goes where code.interact writes it
