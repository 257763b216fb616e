#!/usr/bin/env bash
# Run the optimiser benchmark in one process, single-threaded (one BLAS/OpenMP thread), so the
# comparison is fair. Arguments go to `python -m bench.optimizers` (see --help), e.g.
#   bench/run.sh                                  the full run -> bench/results/
#   bench/run.sh --quick --universes etfs         a smoke run, nothing written
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.peers/bin/python ]; then
  echo "error: bench/.peers is missing; create it with bench/setup.sh" >&2
  exit 1
fi
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1 RAYON_NUM_THREADS=1 PYTHONHASHSEED=0
exec bench/.peers/bin/python -m bench.optimizers "$@"
