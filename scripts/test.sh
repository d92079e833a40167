#!/usr/bin/env bash
# The project's test command (README and .ci/run call it verbatim): lint, type-check, and the
# test suite on SQLite and on a real PostgreSQL. Starts a throwaway PostgreSQL cluster when
# DOZOR_TEST_PG_URL is not already set, and fails if it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

started=""
if [ -z "${DOZOR_TEST_PG_URL:-}" ]; then
  eval "$(bash .ci/pg.sh start)"
  started="$DOZOR_PG_DIR"
  trap 'bash .ci/pg.sh stop "$started"' EXIT
fi
export DOZOR_TEST_PG_URL
export CI="${CI:-true}"  # a missing PostgreSQL fails the run instead of skipping tests

ruff format --check .
ruff check .
mypy
python -m pytest -q -p no:cacheprovider "$@"
