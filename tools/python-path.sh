#!/usr/bin/env bash
# Puts the built Python module `fathom` (build/python, docs/python.md) on /usr/bin/python3's path: one .pth
# file naming this checkout's build/python in Python's site directory, so `import fathom` works without
# PYTHONPATH. Idempotent (rewritten only when it names another folder); nothing when the module was not built.
# Usage: tools/python-path.sh [SITE_DIR]   (default /usr/lib/python3/dist-packages; tools/setup.sh calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/usr/lib/python3/dist-packages}"
if [ ! -d build/python/fathom ]; then
  echo "fathom setup: build/python/fathom not built; import fathom needs PYTHONPATH (docs/python.md)"
  exit 0
fi
line="$PWD/build/python"
file="$dir/fathom-build.pth"
if [ -f "$file" ] && [ "$(cat "$file")" = "$line" ]; then exit 0; fi
SUDO=""
[ -w "$dir" ] || SUDO="sudo"
echo "$line" | $SUDO tee "$file" >/dev/null
