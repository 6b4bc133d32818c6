#!/usr/bin/env bash
# CI check: includes follow the dependency direction of ARCHITECTURE.md §2,
#   sim  <-  hw  <-  models, calib, reports  <-  tools
# A file may include its own folder and the folders below it, never one above or beside it (models,
# calib and reports do not include one another). tests/ and bench/ may include anything. The repository
# root is an include path of every target, so an upward include would compile; this check refuses it.
# Usage: tools/check-includes.sh            (from anywhere; exits 1 listing each offending line)
set -euo pipefail
cd "$(dirname "$0")/.."

# What each folder may include (its own folder is always allowed).
allowed_for() {
  case "$1" in
    sim) echo "sim" ;;
    hw) echo "sim hw" ;;
    models) echo "sim hw models" ;;
    calib) echo "sim hw calib" ;;
    reports) echo "sim hw reports" ;;
    tools) echo "sim hw models calib reports tools" ;;
    python) echo "sim hw models calib reports tools python" ;;
    *) echo "*" ;;
  esac
}
project_folders=" sim hw models calib reports tools python tests bench "

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.h' '*.hpp' '*.cc' '*.cu' '*.cuh')
else
  mapfile -t files < <(find . -path './build*' -prune -o -type f \
    \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' -o -name '*.cu' -o -name '*.cuh' \) -print |
    sed 's|^\./||' | sort)
fi

violations=0
checked=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  folder="${f%%/*}"
  allowed="$(allowed_for "$folder")"
  [ "$allowed" = "*" ] && continue
  checked=$((checked + 1))
  dir="$(dirname "$f")"
  while IFS=: read -r line text; do
    target="$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$text")"
    [ -n "$target" ] || continue
    first="${target%%/*}"
    if [[ "$target" == */* && "$project_folders" == *" $first "* ]]; then
      top="$first"                      # "hw/gpu_spec.h": relative to the repository root
    else
      resolved="$(realpath -m --relative-to=. "$dir/$target")"
      top="${resolved%%/*}"             # "x.h" or "../y.h": relative to the including file
    fi
    if [[ " $allowed " != *" $top "* ]]; then
      echo "$f:$line: $folder/ must not include $top/ (\"$target\"): allowed are $allowed (ARCHITECTURE.md §2)" >&2
      violations=$((violations + 1))
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
done
if ((violations)); then
  echo "check-includes: $violations include(s) against the dependency direction" >&2
  exit 1
fi
echo "check-includes: $checked files follow sim <- hw <- models, calib, reports <- tools"
