#!/usr/bin/env bash
# Runs the two libFuzzer harnesses (built by tools/setup-sanitize.sh) for a number of seconds in all, split
# between them (two thirds to the scenario harness, the rest to the trace-and-claims harness); a finding in
# either fails the run.
#  - tests/fuzz/scenario_fuzzer.cpp: scenarios through check, run and memory, and a capped plan when they have a
#    plan section. Seeds: the shipped scenarios (and their hw/, models/, calibration/ files), tests/fuzz/seeds
#    (plan seeds among them) and every past finding in tests/fuzz_regressions. It keeps two thirds of the time
#    (its inputs reach far more code: every scenario kind, three commands).
#  - tests/fuzz/input_fuzzer.cpp: profiler traces (calibrate trace, compare-trace) and claims files (verify).
#    Seeds: tests/fuzz/input_seeds and every past finding in tests/fuzz_input_regressions.
# New coverage goes to build-asan/fuzz-corpus and build-asan/fuzz-input-corpus (kept between runs, not
# committed); a finding is written to build-asan/fuzz-findings/ (scenario harness) or
# build-asan/fuzz-input-findings/ and fails the run: reproduce it with `build-asan/fathom_scenario_fuzzer <file>`
# (or fathom_input_fuzzer), fix it, and add the file to tests/fuzz_regressions/ (tests/fuzz_input_regressions/).
# Usage: tools/fuzz.sh [seconds in all, default 60] [more libFuzzer flags for both, e.g. -jobs=2]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
scenario_seconds=$(((seconds * 2 + 2) / 3))
input_seconds=$((seconds - scenario_seconds))
[ "$input_seconds" -ge 1 ] || input_seconds=1
mkdir -p build-asan/fuzz-corpus build-asan/fuzz-findings build-asan/fuzz-input-corpus build-asan/fuzz-input-findings
build-asan/fathom_scenario_fuzzer -max_total_time="$scenario_seconds" -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
  -dict=tests/fuzz/scenario.dict -artifact_prefix=build-asan/fuzz-findings/ -print_final_stats=1 "$@" \
  build-asan/fuzz-corpus scenarios tests/fuzz/seeds tests/fuzz_regressions
exec build-asan/fathom_input_fuzzer -max_total_time="$input_seconds" -timeout=30 -rss_limit_mb=4096 -max_len=16384 \
  -dict=tests/fuzz/input.dict -artifact_prefix=build-asan/fuzz-input-findings/ -print_final_stats=1 "$@" \
  build-asan/fuzz-input-corpus tests/fuzz/input_seeds tests/fuzz_input_regressions
