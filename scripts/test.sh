#!/usr/bin/env bash
# The whole check, exactly as CI runs it: lint, format, types, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1
.venv/bin/ruff check --no-cache src tests bench
.venv/bin/ruff format --no-cache --check src tests bench
.venv/bin/mypy src
.venv/bin/python -m pytest -n 2 "$@"
