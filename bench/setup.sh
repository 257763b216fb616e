#!/usr/bin/env bash
# Create bench/.peers: a virtual environment with microfolio (editable, with its dev tools) and
# the peer libraries it is benchmarked against. The peers are installed only here, never into
# the project's .venv. Re-running is cheap: pip is skipped while the inputs are unchanged.
#   bench/setup.sh            create or update bench/.peers
#   bench/setup.sh --force    reinstall even if nothing changed
set -euo pipefail
cd "$(dirname "$0")/.."

python="$(scripts/find-python.sh)"

venv=bench/.peers
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv with $python ..."
  "$python" -m venv "$venv"
fi

stamp="$venv/.stamp-$(cat pyproject.toml constraints.txt bench/peers.txt | sha256sum | cut -c1-16)"
if [ "${1:-}" = "--force" ] || [ ! -f "$stamp" ]; then
  echo "installing microfolio[dev] and the peers (bench/peers.txt) into $venv ..."
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -c constraints.txt -e ".[dev]" -r bench/peers.txt
  rm -f "$venv"/.stamp-*
  touch "$stamp"
fi
"$venv/bin/python" - <<'PY'
from importlib.metadata import version
print("bench/.peers ready:", ", ".join(
    f"{name} {version(name)}" for name in ("microfolio", "skfolio", "pyportfolioopt", "riskfolio-lib")
))
PY
