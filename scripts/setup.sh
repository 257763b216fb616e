#!/usr/bin/env bash
# Create .venv and install microfolio into it, with every dependency it needs.
#   scripts/setup.sh          the package (enough for `microfolio demo`)
#   scripts/setup.sh --test   plus the dev tools and the system packages the tests use (PostgreSQL server)
# Re-running is cheap: the pip step is skipped while pyproject.toml and constraints.txt are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
need_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python="$(scripts/find-python.sh)"

if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv >/dev/null 2>&1; then
    apt_install python3-venv
    rm -rf .venv
    "$python" -m venv .venv
  fi
fi

extras=""
if [ "$mode" = "--test" ]; then
  extras="[dev]"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "installing the PostgreSQL server (apt-get) for the store tests ..."
    apt_install postgresql
  fi
fi

stamp=".venv/.stamp-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)${extras:+-test}"
if [ ! -f "$stamp" ]; then
  echo "installing microfolio${extras} into .venv ..."
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".${extras}"
  rm -f .venv/.stamp-*
  touch "$stamp"
fi
