#!/usr/bin/env bash
# Builds calib/kernels standalone (CUDA + CMake only), runs fathom-calib-runner on GPU 0 and writes
# <gpu>-measured.json (docs/calibration-gpu.md). Run from anywhere; extra arguments go to the runner
# (e.g. --quick, --only mla_decode,dense_gemm, --repeats 30).
# Output: into $OUT when set (the device tool's folder), else scenarios/calibration/; the build and
# run logs and an nvidia-smi snapshot go beside it.
# The commit: FATHOM_GIT_COMMIT=<sha>, or git rev-parse HEAD where .git exists.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir="${OUT:-scenarios/calibration}"
build="${FATHOM_GPU_BUILD:-build-gpu}"
mkdir -p "$out_dir"
commit="${FATHOM_GIT_COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || true)"
logs="$out_dir"
[ "$out_dir" = "scenarios/calibration" ] && logs="$build"
mkdir -p "$logs"
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER >"$logs/nvidia-smi.txt" 2>&1 || true

# Preflight: one clear line instead of CMake's "No CMAKE_CUDA_COMPILER could be found" or a CUDA error.
command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || {
  echo "run-on-gpu: error: nvcc not found (neither on PATH nor /usr/local/cuda/bin): the CUDA toolkit is needed" >&2
  exit 1
}
command -v nvcc >/dev/null 2>&1 || export PATH="/usr/local/cuda/bin:$PATH"
nvidia-smi -L >/dev/null 2>&1 || {
  echo "run-on-gpu: error: nvidia-smi -L failed: no NVIDIA GPU or driver visible" >&2
  exit 1
}

start=$(date +%s)
cmake -S calib/kernels -B "$build" -DCMAKE_BUILD_TYPE=Release >"$logs/build.log" 2>&1
cmake --build "$build" -j"$(nproc)" >>"$logs/build.log" 2>&1 || { tail -40 "$logs/build.log"; exit 1; }
echo "run-on-gpu: built in $(($(date +%s) - start))s (log: $logs/build.log)"

args=(--out-dir "$out_dir" --git-commit "$commit")
[ -n "$driver" ] && args+=(--driver "$driver")
set +e
file=$("$build/fathom-calib-runner" "${args[@]}" "$@" 2> >(tee "$logs/run.log" >&2))
rc=$?
set -e
echo "run-on-gpu: runner exit $rc after $(($(date +%s) - start))s; wrote ${file:-nothing}"
exit $rc
