#!/usr/bin/env bash
# Builds the robustness build (docs/architecture.md, "Robustness") into build-asan/: the whole project and
# its tests with clang, AddressSanitizer + UndefinedBehaviorSanitizer, and the libFuzzer harnesses (scenarios;
# profiler traces and claims files) (FATHOM_FUZZ=ON). Installs only the Debian packages that are missing (clang, libFuzzer and the sanitizer
# runtimes), on top of what tools/setup.sh installs. Safe to re-run: configures once, builds incrementally.
# Usage: tools/setup-sanitize.sh      then: ctest --test-dir build-asan -j2; tools/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fathom setup-sanitize: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f build-asan/build.ninja ]; then
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DFATHOM_FUZZ=ON \
    -DFATHOM_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
fi
cmake --build build-asan -j"$(nproc)"
