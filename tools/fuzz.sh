#!/usr/bin/env bash
# Runs the libFuzzer scenario harness (tests/fuzz/scenario_fuzzer.cpp, built by tools/setup-sanitize.sh) for
# a number of seconds. Seeds: the shipped scenarios (and their hw/, models/, calibration/ files),
# tests/fuzz/seeds and every past finding in tests/fuzz_regressions. New coverage goes to
# build-asan/fuzz-corpus (kept between runs, not committed); a finding is written to build-asan/fuzz-findings/
# and fails the run: reproduce it with `build-asan/fathom_scenario_fuzzer <file>`, fix it, and add the file to
# tests/fuzz_regressions/.
# Usage: tools/fuzz.sh [seconds, default 60] [more libFuzzer flags, e.g. -jobs=2]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
mkdir -p build-asan/fuzz-corpus build-asan/fuzz-findings
exec build-asan/fathom_scenario_fuzzer -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
  -dict=tests/fuzz/scenario.dict -artifact_prefix=build-asan/fuzz-findings/ -print_final_stats=1 "$@" \
  build-asan/fuzz-corpus scenarios tests/fuzz/seeds tests/fuzz_regressions
