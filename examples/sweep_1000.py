#!/usr/bin/env python3
"""A sweep of 1,000 analytic configurations from Python, timed (issue #19; docs/python.md "Sweeps"):
DeepSeek-V3 pre-training on 2,048 H800 at fidelity analytic, 40 expert-load skews (zipf_exponent 0-0.3, its
stated range) x 25 communication SM counts (8-32). Each configuration is a fresh fathom.load with its set=
and one fathom.run. Prints the time, serial and over a thread pool (analytic runs release the GIL), and the
fastest configuration. tests/python/test_sweep.py runs a 50-configuration version in CI.

    python3 examples/sweep_1000.py [--threads N]"""

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fathom

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "deepseek-v3-pretrain-2048xh800.json"
CONFIGURATIONS = [(0.3 * i / 39, sms) for i in range(40) for sms in range(8, 33)]  # 40 x 25 = 1,000


def one(configuration):
    zipf, sms = configuration
    scenario = fathom.load(SCENARIO, set={"fidelity": "analytic", "expert_load.zipf_exponent.value": zipf,
                                          "training.communication_sms.value": sms})
    return fathom.run(scenario).step.time_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="pool size (default: every core)")
    args = parser.parse_args()
    start = time.perf_counter()
    serial = [one(c) for c in CONFIGURATIONS]
    serial_s = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        pooled = list(pool.map(one, CONFIGURATIONS))
    pooled_s = time.perf_counter() - start
    assert pooled == serial, "a pooled run differs from the serial one"
    best = min(range(len(serial)), key=serial.__getitem__)
    print(f"{len(CONFIGURATIONS)} analytic configurations: {serial_s:.2f} s serial "
          f"({1e3 * serial_s / len(CONFIGURATIONS):.1f} ms each), {pooled_s:.2f} s on {args.threads} threads")
    print(f"fastest: zipf_exponent {CONFIGURATIONS[best][0]:.3f}, communication_sms {CONFIGURATIONS[best][1]}: "
          f"step {serial[best]:.3f} s")


if __name__ == "__main__":
    main()
