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


def _console(
    args: list[str], code: str, cwd, module: str = "frames.cli", path: str = "", **env: str
) -> subprocess.CompletedProcess:
    """Run ``python -m module args`` with ``code`` on stdin; ``path`` goes before frames."""
    root = str(Path(frames.__file__).parents[1])
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=code,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"PYTHONPATH": f"{path}:{root}" if path else root, **env},
    )


def _rename_package(directory: Path, own_cli: bool = False) -> str:
    """A ``datajoint`` package in ``directory`` that only re-exports frames (as a test
    harness's rename package does), with a ``cli`` module of its own if ``own_cli``."""
    package = directory / "datajoint"
    package.mkdir()
    (package / "__init__.py").write_text("from frames import *  # noqa: F403\n")
    if own_cli:
        (package / "cli.py").write_text("print('own console of the package')\n")
    return str(directory)


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


def test_datajoint_cli_of_a_rename_package_is_frames_console(tmp_path) -> None:
    """``python -m datajoint.cli`` where ``datajoint`` re-exports frames without a ``cli``
    module, in a process that never called ``install_as_datajoint()``."""
    completed = _console(
        ["-u", "a_user", "--host", "a_host"],
        "print(dj.config['database.user'], dj.config['database.host'], dj.__name__)\n"
        "import sys; print(sys.modules['frames.cli'].__spec__.name)\n",
        tmp_path,
        module="datajoint.cli",
        path=_rename_package(tmp_path),
    )
    assert completed.returncode == 0, completed.stderr
    assert "a_user a_host frames" in completed.stdout
    assert "frames.cli" in completed.stdout  # the frames module keeps its own spec
    assert "RuntimeWarning" not in completed.stderr


def test_import_datajoint_cli_of_a_rename_package_is_the_frames_module(tmp_path) -> None:
    completed = _console(
        [],
        "import sys, datajoint.cli\n"
        "print(datajoint.cli is sys.modules['frames.cli'], datajoint.cli.__spec__.name)\n",
        tmp_path,
        path=_rename_package(tmp_path),
    )
    assert completed.returncode == 0, completed.stderr
    assert "True frames.cli" in completed.stdout


def test_a_package_with_its_own_cli_module_keeps_it(tmp_path) -> None:
    completed = _console(
        [], "", tmp_path, module="datajoint.cli", path=_rename_package(tmp_path, own_cli=True)
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "own console of the package\n"


def test_console_shows_a_loaded_schema_as_datajoint_does(tmp_path) -> None:
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    connection = frames.connect(url)
    frames.Schema("lab", connection=connection)
    connection.close()
    completed = _console(
        ["-s", "lab:pipeline"], "pipeline.schema\n", tmp_path, FRAMES_DATABASE_URL=url
    )
    assert completed.returncode == 0, completed.stderr
    assert "Schema `lab` on Connection(" in completed.stdout
