#!/usr/bin/env python3
"""A what-if sweep from Python, plotted: DeepSeek-V3 pre-training on 2,048 H800 (the shipped scenario at
fidelity analytic), the predicted step time as the per-expert load skew (expert_load.zipf_exponent, over its
stated range 0-0.3) and the SMs given to DeepEP communication (training.communication_sms) vary.

    python3 examples/what_if_sweep.py OUT.png [--points N]

Writes the plot to OUT.png (matplotlib, Agg backend: no display needed) and prints one line per curve.
Run as the CTest test "python: example"; docs/python.md walks through it."""

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

import fathom  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "deepseek-v3-pretrain-2048xh800.json"
COMMUNICATION_SMS = (16, 20, 24, 32)  # 20 is the scenario's (published:T08)


def sweep(points):
    """{communication_sms: [(zipf_exponent, step time s, MFU)]}, one analytic run per point."""
    curves = {}
    for sms in COMMUNICATION_SMS:
        curve = []
        for i in range(points):
            zipf = 0.3 * i / (points - 1)
            scenario = fathom.load(SCENARIO, set={"fidelity": "analytic", "expert_load.zipf_exponent.value": zipf,
                                                  "training.communication_sms.value": sms})
            report = fathom.run(scenario)
            curve.append((zipf, report.step.time_s, report.mfu_bf16))
        curves[sms] = curve
    return curves


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", help="where to write the plot")
    parser.add_argument("--points", type=int, default=7, help="skew values per curve (default 7)")
    args = parser.parse_args()
    if args.points < 2:
        parser.error("--points: at least 2")
    curves = sweep(args.points)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for sms, curve in curves.items():
        ax.plot([z for z, _, _ in curve], [t for _, t, _ in curve], marker="o", label=f"{sms} communication SMs")
        print(f"communication_sms={sms}: step {curve[0][1]:.3f} s at zipf 0 -> {curve[-1][1]:.3f} s at zipf 0.3")
    ax.set_xlabel("expert load skew (Zipf exponent)")
    ax.set_ylabel("predicted step time (s)")
    ax.set_title("DeepSeek-V3 pre-training, 2,048 H800: fathom, fidelity analytic", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    with open(args.png, "rb") as written:
        if written.read(8) != b"\x89PNG\r\n\x1a\n":
            print(f"{args.png}: not a PNG file after writing it", file=sys.stderr)
            return 1
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
