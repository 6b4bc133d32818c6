"""fathom from Python: the simulator of the `fathom` command, in-process (docs/python.md).

    import fathom
    report = fathom.run(fathom.load("scenarios/deepseek-v3-r1-serving-day.json", set={"days": 2}))
    report.nodes.average          # a top-level key as an attribute, nested objects likewise
    report["nodes"]["average"]    # or as dict keys; report.data is the plain dict (= `fathom run --json`)
    report.units["/nodes/average"]                 # a metric's unit
    report.table("windows").to_pandas()            # a table as a DataFrame (pandas), or .rows as dicts
    fathom.plan(scenario), fathom.verify("scenarios/claims/open-source-week.json"), fathom.compare(a, b)

The work is done by the extension fathom._core, built from the same libraries as the CLI.
"""

import json as _json

from . import _core
from ._core import InputError, Scenario

__all__ = ["InputError", "Report", "Scenario", "Table", "Tree", "compare", "load", "plan", "run", "verify"]
__version__ = _core.version


class Tree:
    """A JSON object with its keys as attributes (`tree.nodes.average`) and as items (`tree["nodes"]`).
    Nested objects come back as Trees; numbers, strings, lists and None as they are."""

    def __init__(self, data):
        self._data = data

    @staticmethod
    def _wrap(value):
        return Tree(value) if isinstance(value, dict) else value

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return Tree._wrap(self._data[name])
        except KeyError:
            raise AttributeError(f"no key {name!r}; the keys are {', '.join(self._data)}") from None

    def __getitem__(self, key):
        return Tree._wrap(self._data[key])

    def __contains__(self, key):
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def keys(self):
        return self._data.keys()

    def __dir__(self):
        return list(self._data) + ["keys"]

    def __repr__(self):
        return f"Tree({self._data!r})"


class Report(Tree):
    """A command's result: `data` is the report's JSON (exactly what the command prints with --json, as Python
    values); `kind` and `title` name the run; `metrics` lists the headline numbers (JSON pointer `path`,
    `unit`, `description`) and `units` maps each metric's pointer to its unit; `tables` lists the tables
    (`name`, `path`, `columns`), which `table(name)` returns as a Table."""

    def __init__(self, result):
        super().__init__(result["data"])
        self.data = result["data"]
        self.kind = result["kind"]
        self.title = result["title"]
        self.metrics = result["metrics"]
        self.tables = result["tables"]
        self.units = {m["path"]: m["unit"] for m in self.metrics}

    def metric(self, path):
        """The value at a metric's JSON pointer, e.g. report.metric("/nodes/average")."""
        return _pointer(self.data, path)

    def unit(self, path):
        """A metric's unit, by JSON pointer ("/nodes/average") or dotted path ("nodes.average")."""
        pointer = path if path.startswith("/") else "/" + path.replace(".", "/")
        try:
            return self.units[pointer]
        except KeyError:
            raise KeyError(f"no metric {path!r}; the metrics are {', '.join(self.units)}") from None

    def table(self, name):
        """The table `name` (see `tables`) as a Table: .rows, .columns, .units, .to_pandas()."""
        for spec in self.tables:
            if spec["name"] == name:
                return Table(spec, _pointer(self.data, spec["path"]))
        raise KeyError(f"no table {name!r}; the tables are {', '.join(t['name'] for t in self.tables)}")

    def to_json(self, indent=2):
        return _json.dumps(self.data, indent=indent)

    def __repr__(self):
        return f"<fathom.Report {self.kind}: {self.title}>"


# The unit of a column's values from its display unit and scale (the shown value is value * scale, and the
# unit names the shown value, sim/report.h ColumnSpec): the scales the reports use. Another pair is written
# "<unit>/<scale>" (multiply the value by scale to get <unit>).
_RAW_UNITS = {
    ("ms", 1e3): "s",
    ("us", 1e6): "s",
    ("%", 100.0): "",
    ("GFLOP", 1e-9): "FLOP",
    ("GB", 1e-9): "B",
    ("MUSD", 1e-6): "USD",
    ("(billions)", 1e-9): "",
    ("", 1e-9): "",
    ("", 1e-12): "",
}


def _raw_unit(unit, scale):
    if scale == 1:
        return unit
    return _RAW_UNITS.get((unit, float(scale)), f"{unit}/{scale:g}")


class Table:
    """One table of a report. `rows`: a list of dicts (the report's JSON, values as the CLI's --json has them);
    `columns`: the keys the report shows, in order; `units`: {column key: unit of its values in `rows`};
    `headers`: {key: the header the text report prints}; `to_pandas()`: a pandas DataFrame of the rows."""

    def __init__(self, spec, rows):
        self.name = spec["name"]
        self.title = spec["title"]
        self.rows = rows
        self.columns = [c["key"] for c in spec["columns"]]
        self.headers = {c["key"]: c["header"] for c in spec["columns"]}
        self.units = {c["key"]: _raw_unit(c["unit"], c["scale"]) for c in spec["columns"]}

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def to_pandas(self):
        """The rows as a pandas DataFrame: the shown columns first, then any other key of the rows; the units
        in df.attrs["units"]. ImportError (naming the package to install) without pandas."""
        try:
            import pandas
        except ImportError as e:
            raise ImportError(
                "fathom: Table.to_pandas() needs pandas (Debian: apt-get install python3-pandas; or pip install "
                "pandas); without it use table.rows, a list of dicts") from e
        extra = [k for row in self.rows for k in row if k not in self.columns]
        order = self.columns + list(dict.fromkeys(extra))
        frame = pandas.DataFrame(self.rows, columns=[k for k in order if any(k in row for row in self.rows)])
        frame.attrs["units"] = dict(self.units)
        frame.attrs["title"] = self.title
        return frame

    def __repr__(self):
        return f"<fathom.Table {self.name}: {len(self.rows)} rows x {len(self.columns)} columns>"


def _pointer(data, path):
    for part in path.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _assignment(key, value):
    # A str is the text after '=' as written on the command line (JSON if it parses, else a string);
    # anything else is written as JSON, so 2, 2.5, True, None, lists and dicts keep their types.
    return f"{key}={value if isinstance(value, str) else _json.dumps(value)}"


def load(path, set=None):  # noqa: A002 (the CLI's flag name)
    """Resolve a scenario file as `fathom run PATH --set key=value ...` does: includes merged, then each
    override of `set` (a dict {"path.to.key": value}, in order) applied. Raises fathom.InputError."""
    items = set.items() if isinstance(set, dict) else ()
    return _core.load(str(path), [_assignment(k, v) for k, v in items])


def _loaded(scenario, set=None):  # noqa: A002
    return scenario if isinstance(scenario, Scenario) else load(scenario, set=set)


def run(scenario, bands=0, seed=1, threads=0):
    """`fathom run` of a scenario of any kind (serving, training, storage, unit), loaded or a path: a Report.
    bands=N (2..100000) is `--bands N`: the scenario's ranged values sampled N times (Latin hypercube, `seed`,
    `threads`; 0: every core), a report of p5/p50/p95 bands. The GIL is released while it runs. Raises
    fathom.InputError with the CLI's one-line message for bad input."""
    return Report(_core.run(_loaded(scenario), bands, seed, threads))


def plan(scenario, bands=0, seed=1, threads=0):
    """`fathom plan` of a serving or training scenario (loaded or a path): the capacity search's Report
    (docs/plan.md); bands=N as `--bands N` (the best configuration's bands under "best_bands")."""
    return Report(_core.plan(_loaded(scenario), bands, seed, threads))


def verify(claims, bands=0, seed=1, threads=0):
    """`fathom verify CLAIMS`: every claim of a claims file (a path, docs/claims.md) run and judged: a Report.
    bands=N as `--bands N`. Runs one at a time on the module's SimGrid thread (a claim may run any kind)."""
    if isinstance(claims, Scenario):
        raise TypeError("fathom.verify takes the path of a claims file (docs/claims.md), not a scenario")
    return Report(_core.verify(str(claims), bands, seed, threads))


def compare(a, b, set=None, set_a=None, set_b=None):  # noqa: A002
    """`fathom compare A B [--set ...] [--set-a ...] [--set-b ...]`: two scenarios' headline metrics side by
    side with B / A, a Report. A and B are paths (loaded with `set` then `set_a`/`set_b`, in that order, as the
    CLI applies them) or loaded Scenarios (then the sets must be None: they were applied when loading)."""
    def side(x, own):
        if isinstance(x, Scenario):
            if set or own:
                raise ValueError("fathom.compare: set=, set_a=, set_b= apply to paths; load a Scenario with its sets")
            return x, x.file
        return load(x, set={**(set or {}), **(own or {})}), str(x)

    (doc_a, name_a), (doc_b, name_b) = side(a, set_a), side(b, set_b)
    return Report(_core.compare(doc_a, doc_b, name_a, name_b))
