"""What the Python tests share: the repository root, the CLI (build/fathom or FATHOM_BINARY), and the exact
comparison of a Report's JSON with the CLI's --json (every leaf, same type, same double)."""

import json
import math
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("FATHOM_BINARY", str(ROOT / "build" / "fathom"))
SERVING_DAY = ROOT / "scenarios" / "deepseek-v3-r1-serving-day.json"
UNIT = "scenarios/unit/deepseek-v3-decode-ep128-h800.json"
TRAINING = "scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json"
STORAGE = "scenarios/3fs-graysort-25-nodes.json"

# One shipped scenario of each kind the module runs (serving, unit, storage, training).
SHIPPED = ["scenarios/deepseek-v3-r1-serving-day.json", UNIT, STORAGE, TRAINING]


def cli(*args):
    return subprocess.run([BINARY, *args], cwd=ROOT, capture_output=True, text=True)


def cli_json(scenario, *sets, command="run", extra=()):
    done = cli(command, scenario, "--json", *extra, *[a for s in sets for a in ("--set", s)])
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def leaves(tree, path=""):
    """Every leaf of a JSON tree as (path, value), in order."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, f"{path}/{key}")
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from leaves(value, f"{path}/{i}")
    else:
        yield path, tree


def assert_identical(ours, theirs):
    ours_leaves, theirs_leaves = list(leaves(ours)), list(leaves(theirs))
    assert [p for p, _ in ours_leaves] == [p for p, _ in theirs_leaves]
    numbers = 0
    for (path, a), (_, b) in zip(ours_leaves, theirs_leaves):
        assert type(a) is type(b), path
        if isinstance(a, float):
            assert a == b or (math.isnan(a) and math.isnan(b)), f"{path}: {a!r} != {b!r}"
            numbers += 1
        else:
            assert a == b, path
    assert numbers > 0  # the comparison saw numbers, not only text
