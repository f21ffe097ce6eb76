"""The README's Python examples run, in order, on DuckDB.

Every ```` ```python ```` block of README.md (also one indented in a list item) runs in one fresh
interpreter, in the order of the README and in one namespace, as a reader following along would
run them: a subprocess in a temporary folder, without ``FRAMES_DATABASE_URL`` or DataJoint's
``DJ_*`` variables, so the default connection is in-memory DuckDB. A traceback names the README's
own line numbers.

A block that needs a database server, or only illustrates a fragment that cannot run on its own,
is preceded by ``<!-- no-test: why -->`` on the line before its fence. Keep them few: every
other block is executed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^(?P<indent> *)```(?P<language>\S*)\s*$")
_NO_TEST = re.compile(r"^\s*<!--\s*no-test:(?P<reason>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language, first code line (1-based) and code (dedented)."""

    language: str
    line: int
    code: str
    no_test: str | None  # the reason given by a ``<!-- no-test: reason -->`` line before it


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of the Markdown ``text``, in order.

    >>> [b.code for b in code_blocks("<!-- no-test: x -->\\n```python\\n1 + 1\\n```\\n")]
    ['1 + 1\\n']
    """
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening or not opening["language"]:
            i += 1
            continue
        indent, start = len(opening["indent"]), i + 1
        end = start
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        previous = next((line for line in reversed(lines[:i]) if line.strip()), "")
        marker = _NO_TEST.match(previous)
        code = "".join(line[indent:] + "\n" for line in lines[start:end])
        reason = marker["reason"].strip() if marker else None
        blocks.append(Block(opening["language"], start + 1, code, reason))
        i = end + 1
    return blocks


PYTHON = [
    block for block in code_blocks(README.read_text(encoding="utf-8")) if block.language == "python"
]

#: Runs the blocks it reads as JSON from stdin, each compiled with the README's line numbers.
_RUNNER = """
import json, sys, traceback
namespace = {"__name__": "__main__"}
for block in json.load(sys.stdin):
    source = "\\n" * (block["line"] - 1) + block["code"]
    try:
        exec(compile(source, "README.md", "exec"), namespace)
    except BaseException:
        print(f"README.md: the block at line {block['line']} failed:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def test_readme_has_python_examples() -> None:
    assert len([block for block in PYTHON if block.no_test is None]) >= 2


def test_every_no_test_marker_gives_its_reason() -> None:
    assert all(block.no_test for block in PYTHON if block.no_test is not None)


def test_readme_examples_run_on_duckdb(tmp_path: Path) -> None:
    blocks = [{"line": b.line, "code": b.code} for b in PYTHON if b.no_test is None]
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJ_") and name != "FRAMES_DATABASE_URL"
    }
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        input=json.dumps(blocks),
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(done.stderr[-6000:] or done.stdout[-6000:], pytrace=False)
