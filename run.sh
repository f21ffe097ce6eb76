#!/usr/bin/env bash
# Set-up and entry points of frames. Creates .venv on first use and installs frames into it.
#   ./run.sh tutorial   run the tutorial pipeline on embedded DuckDB (writes tutorial_pipeline.svg)
#   ./run.sh test       run the whole test suite (PostgreSQL/MySQL tests need the servers)
#   ./run.sh lint       check formatting (ruff format), lint (ruff check) and types (mypy, on
#                       frames; settings in pyproject.toml [tool.mypy])
# The tutorial installs frames alone; the tests add the [test] extra (pytest, Hypothesis, ...).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

install() {  # extra ("" or "test"), modules that must import afterwards
    local extra=$1 modules=$2 stamp=.venv/.installed${1:+-$1}
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv
    fi
    if ! .venv/bin/python -c "import $modules" >/dev/null 2>&1 || [ pyproject.toml -nt "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e ".${extra:+[$extra]}"
        touch "$stamp"
    fi
}

command=${1:-}
shift || true
case "$command" in
    tutorial) install "" frames; exec .venv/bin/python examples/tutorial.py "$@" ;;
    test) install test "frames, pytest, hypothesis"; exec .venv/bin/python -m pytest "$@" ;;
    lint)
        install test "frames, pytest, hypothesis, mypy"
        paths=(frames tests benchmarks examples)
        .venv/bin/ruff format --check "${paths[@]}"
        .venv/bin/ruff check "${paths[@]}"
        .venv/bin/mypy
        ;;
    *) echo "usage: ./run.sh tutorial | test [pytest arguments] | lint" >&2; exit 2 ;;
esac
