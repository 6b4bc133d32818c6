"""fathom.plan, fathom.verify, fathom.compare and bands= against `fathom plan`, `verify`, `compare` and
`run --bands` with --json: the module calls the functions the commands call (tools/plan_report.h,
tools/claim_runner.h, tools/run_kinds.h), so every leaf must be the same."""

import json

import pytest
from cli_helpers import ROOT, SERVING_DAY, UNIT, assert_identical, cli, cli_json

import fathom

CLAIMS = "scenarios/claims/open-source-week.json"
SERVING_H200 = "scenarios/deepseek-v3-r1-serving-day-h200.json"
TRAINING_PLAN = "scenarios/deepseek-v3-pretrain-2048xh800.json"  # a training scenario with feasible plans


@pytest.mark.parametrize("scenario", [str(SERVING_DAY.relative_to(ROOT)), TRAINING_PLAN])
def test_plan_identical_to_the_cli(scenario):
    report = fathom.plan(fathom.load(ROOT / scenario))
    assert report.kind == "plan"
    assert_identical(report.data, cli_json(scenario, command="plan"))


def test_plan_with_bands_identical_to_the_cli():
    report = fathom.plan(ROOT / TRAINING_PLAN, bands=4, seed=3)
    assert "best_bands" in report.data
    assert any(t["name"].startswith("best_bands_") for t in report.tables)
    assert_identical(report.data, cli_json(TRAINING_PLAN, command="plan", extra=("--bands", "4", "--seed", "3")))


def test_run_with_bands_identical_to_the_cli():
    report = fathom.run(ROOT / UNIT, bands=5, seed=2)
    assert_identical(report.data, cli_json(UNIT, extra=("--bands", "5", "--seed", "2")))
    assert report.data != fathom.run(ROOT / UNIT).data  # a band report, not the point run


def test_bands_out_of_range_is_the_cli_error():
    done = cli("run", UNIT, "--bands", "1")
    assert done.returncode == 2
    with pytest.raises(fathom.InputError) as caught:
        fathom.run(ROOT / UNIT, bands=1)
    assert str(caught.value) == done.stderr.strip()[len("fathom: error: "):] == "--bands 1: use 2 to 100000 samples"


def test_verify_identical_to_the_cli(monkeypatch):
    monkeypatch.chdir(ROOT)
    report = fathom.verify(CLAIMS)
    assert report.kind == "verify"
    assert_identical(report.data, cli_json(CLAIMS, command="verify"))


def test_verify_refuses_a_scenario():
    with pytest.raises(TypeError, match="claims file"):
        fathom.verify(fathom.load(ROOT / UNIT))


def test_verify_missing_file_is_the_cli_error(monkeypatch):
    monkeypatch.chdir(ROOT)
    done = cli("verify", "no-such-claims.json")
    assert done.returncode == 2
    with pytest.raises(fathom.InputError) as caught:
        fathom.verify("no-such-claims.json")
    assert str(caught.value) == done.stderr.strip()[len("fathom: error: "):]


def test_compare_identical_to_the_cli(monkeypatch):
    monkeypatch.chdir(ROOT)  # the report names A and B as given
    a = str(SERVING_DAY.relative_to(ROOT))
    report = fathom.compare(a, SERVING_H200, set={"economics.gpu_hour_price.value": "3USD/h"}, set_b={"autoscaling.headroom.value": 1.2})
    assert report.kind == "compare"
    done = cli("compare", a, SERVING_H200, "--json", "--set", "economics.gpu_hour_price.value=3USD/h", "--set-b", "autoscaling.headroom.value=1.2")
    assert done.returncode == 0, done.stderr
    assert_identical(report.data, json.loads(done.stdout))


def test_compare_of_loaded_scenarios_names_their_files(monkeypatch):
    monkeypatch.chdir(ROOT)
    a, b = fathom.load(str(SERVING_DAY.relative_to(ROOT))), fathom.load(SERVING_H200)
    report = fathom.compare(a, b)
    done = cli("compare", a.file, b.file, "--json")
    assert_identical(report.data, json.loads(done.stdout))
    with pytest.raises(ValueError, match="apply to paths"):
        fathom.compare(a, b, set={"economics.gpu_hour_price.value": 3})


def test_compare_of_two_kinds_is_the_cli_error(monkeypatch):
    monkeypatch.chdir(ROOT)
    a = str(SERVING_DAY.relative_to(ROOT))
    done = cli("compare", a, UNIT)
    assert done.returncode == 2
    with pytest.raises(fathom.InputError) as caught:
        fathom.compare(a, UNIT)
    assert str(caught.value) == done.stderr.strip()[len("fathom: error: "):]
