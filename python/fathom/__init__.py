"""fathom from Python: the simulator of the `fathom` command, in-process (docs/python.md).

    import fathom
    report = fathom.run(fathom.load("scenarios/deepseek-v3-r1-serving-day.json", set={"days": 2}))
    report.nodes.average          # a top-level key as an attribute, nested objects likewise
    report["nodes"]["average"]    # or as dict keys; report.data is the plain dict (= `fathom run --json`)

The work is done by the extension fathom._core, built from the same libraries as the CLI.
"""

import json as _json

from . import _core
from ._core import InputError, Scenario

__all__ = ["InputError", "Report", "Scenario", "Tree", "load", "run"]
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
    """A run's result: `data` is the report's JSON (exactly what `fathom run --json` prints, as Python values);
    `kind` and `title` name the run; `metrics` lists the headline numbers (JSON pointer `path`, `unit`,
    `description`); `tables` the tables (`name`, `path`, `columns`), whose rows `table(name)` returns."""

    def __init__(self, result):
        super().__init__(result["data"])
        self.data = result["data"]
        self.kind = result["kind"]
        self.title = result["title"]
        self.metrics = result["metrics"]
        self.tables = result["tables"]

    def metric(self, path):
        """The value at a metric's JSON pointer, e.g. report.metric("/nodes/average")."""
        return _pointer(self.data, path)

    def table(self, name):
        """The rows (a list of dicts) of the table `name` (see `tables`)."""
        for spec in self.tables:
            if spec["name"] == name:
                return _pointer(self.data, spec["path"])
        raise KeyError(f"no table {name!r}; the tables are {', '.join(t['name'] for t in self.tables)}")

    def to_json(self, indent=2):
        return _json.dumps(self.data, indent=indent)

    def __repr__(self):
        return f"<fathom.Report {self.kind}: {self.title}>"


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


def run(scenario):
    """Simulate a loaded scenario of any kind (serving, training, storage, unit): a Report. The GIL is
    released while it runs. Raises fathom.InputError with the CLI's one-line message for bad input."""
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    return Report(_core.run(scenario))
