// fathom._core: the simulator as a Python extension (pybind11), over the same libraries as the `fathom`
// command (tools/, fathom_cli): no second implementation. The package python/fathom/__init__.py wraps it.
//  - load(path, sets) -> Scenario: the scenario file resolved exactly as `fathom run <path> --set s...`
//    resolves it (load_scenario with the scenario library, each `sets` item "path.to.key=value").
//  - run(scenario) -> dict: {"kind", "title", "data", "metrics", "tables"}; "data" is the Report's JSON
//    tree (what `fathom run --json` prints) as Python values, "metrics"/"tables" its schema (sim/report.h).
// Contract: a fathom::InputError becomes fathom.InputError with the one line the CLI prints after
// "fathom: error: ". The GIL is released while simulating; kinds that run SimGrid (RunKind::one_thread,
// a process singleton) are serialised by a mutex, so threads can call run() safely.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <mutex>
#include <string>
#include <vector>

#include "sim/error.h"
#include "sim/report.h"
#include "sim/scenario_document.h"
#include "sim/strict_json.h"
#include "tools/build_info.h"
#include "tools/run_kinds.h"

namespace py = pybind11;

namespace {

// A JSON tree as Python values. Non-finite numbers become None, as nlohmann's dump writes them (null),
// so the tree equals json.loads of the CLI's --json output.
py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: {
      const double v = j.get<double>();
      return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none());
    }
    case nlohmann::json::value_t::string:
      return py::str(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list out;
      for (const auto& item : j) out.append(to_python(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (const auto& [key, value] : j.items()) out[py::str(key)] = to_python(value);
      return out;
    }
    default:
      return py::none();  // binary and discarded values do not occur in a Report
  }
}

py::dict report_to_python(const fathom::Report& report) {
  py::list metrics;
  for (const fathom::MetricSpec& m : report.metrics) {
    metrics.append(py::dict(py::arg("path") = m.path, py::arg("unit") = m.unit, py::arg("description") = m.description,
                            py::arg("headline") = m.headline));
  }
  py::list tables;
  for (const fathom::TableSpec& t : report.tables) {
    py::list columns;
    for (const fathom::ColumnSpec& c : t.columns) {
      columns.append(py::dict(py::arg("key") = c.key, py::arg("header") = c.header, py::arg("unit") = c.unit));
    }
    tables.append(py::dict(py::arg("name") = t.name, py::arg("title") = t.title, py::arg("path") = t.path,
                           py::arg("columns") = columns));
  }
  return py::dict(py::arg("kind") = report.kind, py::arg("title") = report.title,
                  py::arg("data") = to_python(report.data), py::arg("metrics") = metrics, py::arg("tables") = tables);
}

fathom::ScenarioDocument load(const std::string& path, const std::vector<std::string>& sets) {
  return fathom::load_scenario(path, sets, fathom::tools::scenario_library());
}

py::dict run(const fathom::ScenarioDocument& doc) {
  const fathom::tools::RunKind& make = fathom::tools::run_kind_of(doc);
  fathom::tools::RunOptions options;  // a plain run: no timeline, no progress line, no bands
  options.format = "json";
  fathom::Report report;
  {
    py::gil_scoped_release release;
    static std::mutex one_thread_kinds;
    if (make.one_thread) {
      const std::lock_guard<std::mutex> lock(one_thread_kinds);
      report = make.report(doc, options);
    } else {
      report = make.report(doc, options);
    }
  }
  return report_to_python(report);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "fathom's simulator (the extension under the fathom package; see docs/python.md)";
  static py::exception<fathom::InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const fathom::InputError& e) {
      input_error(fathom::error_line(e.what()).c_str());  // the CLI's line
    }
  });

  py::class_<fathom::ScenarioDocument>(m, "Scenario", "A scenario file resolved: includes merged, --set applied")
      .def_property_readonly("file", [](const fathom::ScenarioDocument& d) { return d.file.string(); })
      .def_property_readonly("label", [](const fathom::ScenarioDocument& d) { return d.label; })
      .def_property_readonly("data", [](const fathom::ScenarioDocument& d) { return to_python(d.root); });

  m.def("load", &load, py::arg("path"), py::arg("sets") = std::vector<std::string>{},
        "Resolve a scenario file as `fathom run PATH --set S...` does (each S is \"path.to.key=value\")");
  m.def("run", &run, py::arg("scenario"), "Simulate a scenario of any kind: its Report as a dict");
  m.attr("version") = fathom::tools::version_line();
}
