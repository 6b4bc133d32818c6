#!/usr/bin/env bash
# The ONE command a session with a lent GPU runs (issue #18's last part; docs/calibration-gpu.md
# "The GPU session"): part 1, the kernel calibration (calib/run-on-gpu.sh, full grid); part 2, one
# DeepSeek-V3 MoE layer forward + backward under PyTorch's profiler (calib/profile_moe_layer.py).
# The parts are independent: a failure of one leaves the other's files. Everything goes flat into
# $OUT (else build-gpu-session/), at most 8 files:
#   session.log                 time-stamped steps and both parts' exit codes
#   <gpu>-measured.json         part 1: the measured kernel table (rewritten after every section)
#   build.log run.log nvidia-smi.txt   part 1's logs (calib/run-on-gpu.sh)
#   moe-layer-trace.json moe-layer-facts.json   part 2
# Time: part 1 is cut at CALIB_TIMEOUT s (default 300; the runner keeps what it measured), part 2 at
# PROFILE_TIMEOUT s (default 150): at most ~7.5 minutes, expected 3-4 (the estimate is in the doc).
# Usage: FATHOM_GIT_COMMIT=<sha> calib/gpu-session.sh [--profile-on-cpu]
#   --profile-on-cpu   run part 2 on the CPU at small shapes when no GPU is visible (a dry run); without
#                      it, no GPU means part 2 fails with one line too.
# Exit status: 0 when both parts succeeded, else 1 (session.log says which failed).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
cpu_fallback=0
for a in "$@"; do
  case "$a" in
    --profile-on-cpu) cpu_fallback=1 ;;
    *)
      echo "gpu-session: unknown argument $a (usage: calib/gpu-session.sh [--profile-on-cpu])" >&2
      exit 2
      ;;
  esac
done
out="${OUT:-build-gpu-session}"
mkdir -p "$out"
log="$out/session.log"
t0=$(date +%s)
stamp() { echo "[$(date -u +%H:%M:%SZ) +$(($(date +%s) - t0))s] gpu-session: $*" | tee -a "$log"; }
python="${PYTHON:-python3}"
stamp "start; commit ${FATHOM_GIT_COMMIT:-unknown}; output $out"
nvidia-smi -L >>"$log" 2>&1 || echo "(nvidia-smi -L failed)" >>"$log"

# Part 1: the kernel calibration. Full grid, default repeats (3 warm-ups + 15 timed runs per shape).
stamp "part 1: calib/run-on-gpu.sh (timeout ${CALIB_TIMEOUT:-300}s)"
OUT="$out" timeout "${CALIB_TIMEOUT:-300}" calib/run-on-gpu.sh 2>&1 | tail -25 | tee -a "$log"
calib_rc=${PIPESTATUS[0]}
[ "$calib_rc" = 124 ] && stamp "part 1: cut at ${CALIB_TIMEOUT:-300}s; the measured file holds the sections finished"
stamp "part 1: exit $calib_rc"

# Part 2: the profiled MoE layer (DeepSeek-V3 shapes, EP64, 4096 tokens per GPU, BF16 + FP8 probe).
profile_args=(--out "$out")
if "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >>"$log" 2>&1; then
  profile_args+=(--device cuda)
elif [ "$cpu_fallback" = 1 ]; then
  stamp "part 2: no GPU visible to torch: on the CPU at 1/16 widths, 256 tokens (--profile-on-cpu; a dry run)"
  profile_args+=(--device cpu --scale-down 16 --tokens 256 --seq-len 256 --warmup 1 --steps 2)
else
  stamp "part 2: no GPU visible to torch (torch.cuda.is_available() is False or torch is missing); pass --profile-on-cpu for a CPU dry run"
fi
profile_rc=1
if [ "${#profile_args[@]}" -gt 2 ]; then
  stamp "part 2: calib/profile_moe_layer.py ${profile_args[*]} (timeout ${PROFILE_TIMEOUT:-150}s)"
  PYTHONUNBUFFERED=1 timeout "${PROFILE_TIMEOUT:-150}" "$python" calib/profile_moe_layer.py "${profile_args[@]}" 2>&1 |
    tail -25 | tee -a "$log"
  profile_rc=${PIPESTATUS[0]}
fi
stamp "part 2: exit $profile_rc"
ls -l "$out" >>"$log" 2>&1
stamp "done: calibration exit $calib_rc, profile exit $profile_rc"
[ "$calib_rc" = 0 ] && [ "$profile_rc" = 0 ]
