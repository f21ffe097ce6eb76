#!/usr/bin/env bash
# Set-up and entry points of frames. Creates .venv on first use and installs frames into it.
#   ./run.sh tutorial   run the tutorial pipeline on embedded DuckDB (writes tutorial_pipeline.svg)
#   ./run.sh test       run the whole test suite (PostgreSQL/MySQL tests need the servers)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import frames, pytest, hypothesis" >/dev/null 2>&1 \
        || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    touch .venv/.installed
fi
command=${1:-}
shift || true
case "$command" in
    tutorial) exec .venv/bin/python examples/tutorial.py "$@" ;;
    test) exec .venv/bin/python -m pytest "$@" ;;
    *) echo "usage: ./run.sh tutorial | test [pytest arguments]" >&2; exit 2 ;;
esac
