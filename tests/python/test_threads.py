"""Threads (docs/python.md "Threads"): the GIL is released while simulating; analytic and event runs in a
ThreadPoolExecutor equal the serial runs; runs that enter SimGrid (storage, fidelity "flow") run one at a time
on the module's SimGrid thread, from whichever Python thread calls."""

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cli_helpers import ROOT, SERVING_DAY, STORAGE, TRAINING, UNIT, leaves

import fathom
from fathom import _core


def test_the_gil_is_released_while_simulating():
    # While another thread is inside the C++ run (~1-2 s), this thread keeps running Python. Were the GIL held,
    # none of its ticks could fall strictly inside the run.
    scenario = fathom.load(SERVING_DAY)
    span = {}

    def simulate():
        span["start"] = time.perf_counter()
        _core.run(scenario)
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=simulate)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    margin = 0.05
    inside = [t for t in ticks if span["start"] + margin < t < span["end"] - margin]
    assert span["end"] - span["start"] > 4 * margin  # the run is long enough to see
    assert len(inside) > 10


def _configurations():
    # (label, scenario): analytic (unit; training at fidelity analytic) and event (training's default) runs.
    return [
        ("unit b=32", fathom.load(ROOT / UNIT, set={"unit.batch_per_gpu.value": 32})),
        ("unit b=96", fathom.load(ROOT / UNIT, set={"unit.batch_per_gpu.value": 96})),
        ("training analytic", fathom.load(ROOT / TRAINING, set={"fidelity": "analytic"})),
        ("training event", fathom.load(ROOT / TRAINING)),
        ("training event 4096", fathom.load(ROOT / TRAINING, set={"training.global_batch_sequences.value": 4096, "training.micro_batches": 64})),
    ]


def test_analytic_and_event_runs_in_a_thread_pool_equal_the_serial_runs():
    configurations = _configurations() * 3
    serial = [fathom.run(s).data for _, s in configurations]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda c: fathom.run(c[1]).data, configurations))
    for (label, _), a, b in zip(configurations, serial, parallel):
        assert a == b, label
    assert serial[0] != serial[1]  # the configurations differ


def test_simgrid_runs_from_several_threads_run_on_one_thread_and_equal_the_serial_run():
    # Storage enters SimGrid, whose engine is bound to one thread: from the main thread and from pool threads
    # the module runs it on its SimGrid thread (without that, the second thread's run crashes the process).
    # Repeated SimGrid runs in one process agree to ~1e-15 relative, not bit for bit (docs/python.md).
    scenario = fathom.load(ROOT / STORAGE)
    serial = fathom.run(scenario).data
    with ThreadPoolExecutor(max_workers=2) as pool:
        parallel = list(pool.map(lambda _: fathom.run(scenario).data, range(2)))
    for data in parallel:
        ours, theirs = list(leaves(data)), list(leaves(serial))
        assert [p for p, _ in ours] == [p for p, _ in theirs]
        for (path, a), (_, b) in zip(ours, theirs):
            if isinstance(a, float):
                assert math.isclose(a, b, rel_tol=1e-12), path
            else:
                assert a == b, path
