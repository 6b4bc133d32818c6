"""Report.table: rows, columns, units and to_pandas (with pandas, and the ImportError without it); metric
units through report.units / report.unit()."""

import sys

import pytest
from cli_helpers import ROOT, SERVING_DAY, TRAINING

import fathom


@pytest.fixture(scope="module")
def serving():
    return fathom.run(fathom.load(SERVING_DAY))


def test_windows_table_rows_columns_units(serving):
    table = serving.table("windows")
    assert table.rows is serving.data["windows"]  # the report's own rows, as the CLI's --json has them
    assert len(table) == len(serving.data["windows"]) > 0
    assert table.columns[:3] == ["window", "start_h", "end_h"]
    assert set(table.columns) <= set(table.rows[0])
    assert table.units["start_h"] == "h"
    assert table.units["ttft_p99_s"] == "s"
    assert table.units["cost_usd"] == "USD"
    assert table[0] == table.rows[0]


def test_scaled_columns_give_the_unit_of_the_values():
    # The training report shows time_s in ms (scale 1e3) and shares in % (scale 100); the rows hold s and
    # fractions, and units says so.
    report = fathom.run(ROOT / TRAINING)
    units = {key: unit for spec in report.tables for key, unit in report.table(spec["name"]).units.items()}
    assert units["time_s"] == "s"
    assert units["share"] == ""
    assert fathom._raw_unit("x", 7) == "x/7"  # an unknown scale is written out, never guessed


def test_unknown_table_names_the_tables(serving):
    with pytest.raises(KeyError, match="the tables are windows"):
        serving.table("nope")


def test_metric_units(serving):
    assert serving.units["/nodes/average"] == serving.unit("nodes.average") == serving.unit("/nodes/average")
    assert all(isinstance(u, str) for u in serving.units.values())
    assert set(serving.units) == {m["path"] for m in serving.metrics}
    with pytest.raises(KeyError, match="no metric"):
        serving.unit("no.such")


def test_to_pandas(serving):
    pandas = pytest.importorskip("pandas")
    table = serving.table("windows")
    frame = table.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns[: len(table.columns)]) == table.columns
    assert len(frame) == len(table.rows)
    assert frame["nodes"].tolist() == [row["nodes"] for row in table.rows]
    assert frame.attrs["units"]["cost_usd"] == "USD"


def test_to_pandas_without_pandas_says_what_to_install(serving, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    with pytest.raises(ImportError, match="python3-pandas"):
        serving.table("windows").to_pandas()
    assert serving.table("windows").rows  # the plain rows still there
