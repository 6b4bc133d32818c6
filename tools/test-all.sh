#!/usr/bin/env bash
# Runs every test (README quick start, command 2, after tools/setup.sh; .ci/run runs the same):
#   1. the house checks: clang-format over every source, the include direction (docs/architecture.md §7);
#   2. the suite (ctest, build/);
#   3. the robustness build (docs/architecture.md, "Robustness"): the suite again under ASan + UBSan in
#      build-asan/ (tools/setup-sanitize.sh installs clang and builds it), then 60 s of fuzzing (both
#      harnesses: scenarios, then traces and claims files; tools/fuzz.sh).
# Usage: tools/test-all.sh [--quick]   (--quick: steps 1 and 2 only, for a fast local loop)
# Any failure stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
case "${1:-}" in
  "") ;;
  --quick) quick=true ;;
  *) echo "fathom test-all: error: unknown option '$1' (expected --quick or nothing)" >&2; exit 2 ;;
esac

tools/check-format.sh
tools/check-includes.sh
ctest --test-dir build --output-on-failure -j2
if ! $quick; then
  tools/setup-sanitize.sh
  ctest --test-dir build-asan --output-on-failure -j2
  tools/fuzz.sh 60
fi
