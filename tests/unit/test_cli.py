"""The ``dj`` command: version, help, bad schema arguments, and the console it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def _console(args: list[str], code: str, cwd, **env: str) -> subprocess.CompletedProcess:
    root = str(Path(frames.__file__).parents[1])
    return subprocess.run(
        [sys.executable, "-m", "frames.cli", *args],
        input=code,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PYTHONPATH": root, **env},
    )


def test_console_runs_with_dj_loaded(tmp_path) -> None:
    completed = _console([], "print(dj.__name__, 6 * 7)\n", tmp_path)
    assert completed.returncode == 0
    assert "frames 42" in completed.stdout
    assert "REPL" in completed.stderr  # the banner goes where code.interact writes it


def test_console_loads_schemas_as_modules(tmp_path) -> None:
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    connection = frames.connect(url)
    schema = frames.Schema("lab", connection=connection)

    @schema
    class Rig(frames.Lookup):
        definition = "rig : int16"
        contents = [{"rig": 1}, {"rig": 2}]

    connection.close()
    completed = _console(
        ["-s", "lab:pipeline"],
        "print(len(pipeline.Rig()), pipeline.__name__)\n",
        tmp_path,
        FRAMES_DATABASE_URL=url,
    )
    assert completed.returncode == 0, completed.stderr
    assert "2 pipeline" in completed.stdout
    assert "pipeline -> lab" in completed.stderr
