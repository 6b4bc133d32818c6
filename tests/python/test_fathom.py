"""The Python module against the CLI (docs/python.md): the same values, the same errors.

Run by CTest (tests/python/CMakeLists.txt) as `python3 -m pytest tests/python` with PYTHONPATH at the
module's build folder and FATHOM_BINARY naming build/fathom. Values are compared exactly: the module and
the CLI run the same code, so every number must be the same double."""

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import fathom

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("FATHOM_BINARY", str(ROOT / "build" / "fathom"))
SERVING_DAY = ROOT / "scenarios" / "deepseek-v3-r1-serving-day.json"

# One shipped scenario of each kind the module runs (serving, unit, storage, training).
SHIPPED = [
    "scenarios/deepseek-v3-r1-serving-day.json",
    "scenarios/unit/deepseek-v3-decode-ep128-h800.json",
    "scenarios/3fs-graysort-25-nodes.json",
    "scenarios/deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json",
]


def cli(*args):
    return subprocess.run([BINARY, *args], cwd=ROOT, capture_output=True, text=True)


def cli_json(scenario, *sets):
    done = cli("run", scenario, "--json", *[a for s in sets for a in ("--set", s)])
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


@pytest.mark.parametrize("scenario", SHIPPED)
def test_values_identical_to_the_cli_json(scenario):
    report = fathom.run(fathom.load(ROOT / scenario))
    assert_identical(report.data, cli_json(scenario))


def test_set_overrides_as_the_cli_applies_them():
    # A number keeps its type; a str is the text after '=' as on the command line.
    sets = {"autoscaling.headroom.value": 1.25, "economics.gpu_hour_price.value": "3USD/h"}
    scenario = fathom.load(SERVING_DAY, set=sets)
    assert scenario.data["autoscaling"]["headroom"]["value"] == 1.25
    report = fathom.run(scenario)
    expected = cli_json(str(SERVING_DAY), "autoscaling.headroom.value=1.25", "economics.gpu_hour_price.value=3USD/h")
    assert_identical(report.data, expected)
    assert report.cost_usd != fathom.run(fathom.load(SERVING_DAY)).cost_usd  # the overrides took effect


def test_done_when_line_of_issue_19():
    # The issue's check, as written, from the repository root.
    done = subprocess.run(
        [sys.executable, "-c",
         "import fathom; print(fathom.run(fathom.load('scenarios/deepseek-v3-r1-serving-day.json')).nodes.average)"],
        cwd=ROOT, capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == cli_json(str(SERVING_DAY))["nodes"]["average"]


def test_attribute_item_and_metric_access_agree():
    report = fathom.run(fathom.load(SERVING_DAY))
    assert report.kind == "serving"
    assert report.nodes.average == report["nodes"]["average"] == report.data["nodes"]["average"]
    for metric in report.metrics:
        assert isinstance(report.metric(metric["path"]), (int, float)), metric["path"]
        assert "unit" in metric
    for spec in report.tables:
        rows = report.table(spec["name"])
        assert isinstance(rows, list)
    with pytest.raises(AttributeError, match="no key 'no_such_key'"):
        report.no_such_key


@pytest.mark.parametrize(
    "args, sets",
    [
        (["scenarios/deepseek-v3-r1-serving-day.json"], {"nosuch.key": 1}),
        (["scenarios/deepseek-v3-r1-serving-day.json"], {"days": "abc"}),
        (["scenarios/no-such-scenario.json"], {}),
        (["scenarios/deepseek-v3-decode-unit-h800.json"], {}),  # no "kind": `run` refuses it
    ],
)
def test_input_errors_carry_the_cli_line(args, sets, monkeypatch):
    monkeypatch.chdir(ROOT)  # relative paths, as the CLI is given them
    done = cli("run", *args, *[a for k, v in sets.items() for a in ("--set", f"{k}={v}")])
    assert done.returncode == 2
    line = done.stderr.strip()
    assert line.startswith("fathom: error: ") and "\n" not in line
    with pytest.raises(fathom.InputError) as caught:
        fathom.run(fathom.load(args[0], set=sets))
    assert str(caught.value) == line[len("fathom: error: "):]


def test_input_error_is_a_value_error():
    assert issubclass(fathom.InputError, ValueError)


def test_runs_in_threads_give_the_same_report():
    scenario = fathom.load(ROOT / SHIPPED[1])
    alone = fathom.run(scenario).data
    results = [None] * 4

    def one(i):
        results[i] = fathom.run(scenario).data

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == alone for r in results)
