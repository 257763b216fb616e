#!/usr/bin/env bash
# Print the first Python >= 3.11 on PATH, or fail with one error line.
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo "error: microfolio needs Python >= 3.11; install it (e.g. apt-get install python3) and re-run" >&2
exit 1
