#!/usr/bin/env bash
# CI check: every C++/CUDA source is formatted as .clang-format says (clang-format --dry-run -Werror).
# Fails listing the files that differ; fix them with: clang-format -i <file>...
# Usage: tools/check-format.sh            (from anywhere; checks the repository's tracked sources)
set -euo pipefail
cd "$(dirname "$0")/.."

formatter="${CLANG_FORMAT:-}"
if [ -z "$formatter" ]; then
  for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null 2>&1; then formatter="$candidate"; break; fi
  done
fi
if [ -z "$formatter" ]; then
  echo "check-format: clang-format not found (tools/setup.sh installs it)" >&2
  exit 1
fi

# Tracked sources where this is a git checkout, else every source outside build folders.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.h' '*.hpp' '*.cc' '*.cu' '*.cuh')
else
  mapfile -t files < <(find . -path './build*' -prune -o -type f \
    \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' -o -name '*.cu' -o -name '*.cuh' \) -print |
    sed 's|^\./||' | sort)
fi

# One clang-format run over all files; each difference is reported as "<file>:<line>:<col>: error: ...".
mapfile -t bad < <(printf '%s\0' "${files[@]}" | xargs -0 "$formatter" --dry-run -Werror 2>&1 |
  sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} file(s) not formatted as .clang-format says ($("$formatter" --version | head -1)):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: $formatter -i ${bad[*]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
