"""A sweep of analytic configurations from Python (docs/python.md "Sweeps"): 50 decode-unit batch sizes here,
so CI stays fast; examples/sweep_1000.py times 1,000. Each configuration is a fresh load with its own set=."""

import time

from cli_helpers import ROOT, UNIT, assert_identical, cli_json

import fathom

BATCHES = list(range(4, 204, 4))  # 50 configurations


def test_sweep_of_50_analytic_configurations():
    start = time.perf_counter()
    reports = {b: fathom.run(fathom.load(ROOT / UNIT, set={"unit.batch_per_gpu.value": b})) for b in BATCHES}
    elapsed = time.perf_counter() - start
    assert len(reports) == 50
    print(f"50 unit runs from Python: {elapsed:.2f} s")
    # Spot checks against the CLI at both ends and the middle.
    for b in (BATCHES[0], BATCHES[25], BATCHES[-1]):
        assert_identical(reports[b].data, cli_json(UNIT, f"unit.batch_per_gpu.value={b}"))
    # Each batch size is its own run: no two reports alike.
    assert len({repr(r.data) for r in reports.values()}) == 50
