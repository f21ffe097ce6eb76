"""Rendering Graphviz DOT text with a ``dot`` program, with or without a system Graphviz.

Graphviz's ``dot`` on ``PATH`` if there is one, else the ``graphviz-pure`` executable (a
self-contained port of ``dot``, installed with frames).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from frames.errors import FramesError

__all__ = ["RENDER_TIMEOUT", "find_dot_program", "render"]

#: Seconds a ``dot`` program may run before rendering is abandoned.
RENDER_TIMEOUT = 60.0


def _script_dirs() -> list[Path]:
    """Directories where pip puts the ``graphviz-pure`` executable for this interpreter."""
    dirs = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts:
        dirs.append(Path(scripts))
    return dirs


def find_dot_program() -> str:
    """The ``dot`` program used to render diagrams.

    Graphviz's ``dot`` on ``PATH`` if present, else ``graphviz-pure`` next to the running Python
    (where ``pip install graphviz-pure`` puts it) or on ``PATH``.

    Returns
    -------
    str
        The path of the executable.

    Raises
    ------
    FramesError
        If neither program is found, saying how to install one.
    """
    system_dot = shutil.which("dot")
    if system_dot:
        return system_dot
    executable = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for directory in _script_dirs():
        candidate = directory / executable
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which("graphviz-pure")
    if on_path:
        return on_path
    raise FramesError(
        "Diagram rendering needs a Graphviz 'dot' program and none was found: no 'dot' on PATH "
        f"and no 'graphviz-pure' next to {sys.executable} or on PATH. Install one with "
        "'pip install graphviz-pure' (a self-contained port of dot, no system libraries), or "
        "install Graphviz ('apt install graphviz', 'brew install graphviz', 'conda install "
        "graphviz'). make_dot() and make_mermaid() need neither."
    )


def render(dot_source: str, fmt: str) -> bytes:
    """``dot_source`` rendered as ``fmt`` (``'svg'``, ``'png'``, ...) by :func:`find_dot_program`.

    Raises
    ------
    FramesError
        If no program is found, or it fails or times out.
    """
    program = find_dot_program()
    command = [program, f"-T{fmt}"]
    try:
        completed = subprocess.run(
            command,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise FramesError(
            f"Diagram rendering: '{' '.join(command)}' did not finish within "
            f"{RENDER_TIMEOUT:g} s; try a smaller diagram, or save(... '.dot') and render it "
            "yourself."
        ) from exc
    except OSError as exc:
        raise FramesError(f"Diagram rendering: could not run {program}: {exc}") from exc
    if completed.returncode != 0 or not completed.stdout:
        stderr = completed.stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise FramesError(
            f"Diagram rendering: '{' '.join(command)}' failed with exit code "
            f"{completed.returncode} producing {fmt}: {stderr}"
        )
    return completed.stdout
