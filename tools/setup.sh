#!/usr/bin/env bash
# Installs what fathom needs from Debian packages (only what is missing), then configures and builds
# incrementally into build/. Safe to re-run: a second run installs nothing and rebuilds only changes.
# Usage: tools/setup.sh            (as root on Debian; sudo is used when not root and available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config libsimgrid-dev libboost-graph-dev libeigen3-dev
          nlohmann-json3-dev catch2 libfmt-dev libcli11-dev clang-format git)
# The HTML report inlines Vega-Lite (npm) and its test renders the page in headless Chromium.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
packages+=(chromium)
# Distributed plan sweeps (`mpirun -n N fathom plan`, docs/plan.md); optional at build time, tested when present.
packages+=(libopenmpi-dev openmpi-bin)
# The Python module `import fathom` (build/python, docs/python.md) and its pytest suite.
packages+=(python3-dev pybind11-dev python3-pytest)
# Tables as DataFrames and the plotted what-if sweep (examples/what_if_sweep.py); both optional to the module.
packages+=(python3-pandas python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fathom setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Vega-Lite for `--report` pages, pinned by reports/web/package-lock.json; installed once.
if [ ! -d reports/web/node_modules/vega-embed ]; then
  npm ci --prefix reports/web --no-audit --no-fund --loglevel=error >/dev/null
fi

build_type="${FATHOM_BUILD_TYPE:-Release}"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
cmake --build build -j"$(nproc)"
# `import fathom` without PYTHONPATH (a .pth file naming build/python; docs/python.md).
tools/python-path.sh
