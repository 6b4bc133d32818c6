"""The Python module against the CLI (docs/python.md): `run`'s values, `load`'s sets, the same errors.

Run by CTest (tests/python/CMakeLists.txt) as `python3 -m pytest tests/python` with PYTHONPATH at the
module's build folder and FATHOM_BINARY naming build/fathom. Values are compared exactly: the module and
the CLI run the same code, so every number must be the same double."""

import os
import subprocess
import sys

import pytest
from cli_helpers import ROOT, SERVING_DAY, SHIPPED, assert_identical, cli, cli_json

import fathom


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
        assert isinstance(report.table(spec["name"]).rows, list)
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
