// fathom._core: the simulator as a Python extension (pybind11), over the same libraries as the `fathom`
// command (tools/, fathom_cli): no second implementation. The package python/fathom/__init__.py wraps it.
//  - load(path, sets) -> Scenario: the scenario file resolved exactly as `fathom run <path> --set s...`
//    resolves it (load_scenario with the scenario library, each `sets` item "path.to.key=value").
//  - run(scenario, bands, seed, threads), plan(...), verify(claims_file, ...), compare(a, b, name_a, name_b)
//    -> dict: {"kind", "title", "data", "metrics", "tables"}, through the functions `fathom run`, `plan`,
//    `verify` and `compare` call (tools/run_kinds.h, plan_report.h, claim_runner.h); "data" is the Report's
//    JSON tree (what the command prints with --json) as Python values, "metrics"/"tables" its schema.
// Contract: a fathom::InputError becomes fathom.InputError with the one line the CLI prints after
// "fathom: error: ". The GIL is released while simulating; runs that may enter SimGrid (a process singleton
// bound to one thread: RunKind::one_thread kinds, fidelity "flow", and every verify) run one at a time on
// one module thread (SimgridThread); the others on the calling thread, in parallel.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/error.h"
#include "sim/report.h"
#include "sim/scenario_document.h"
#include "sim/strict_json.h"
#include "tools/build_info.h"
#include "tools/claim_runner.h"
#include "tools/plan_report.h"
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
      columns.append(py::dict(py::arg("key") = c.key, py::arg("header") = c.header, py::arg("unit") = c.unit,
                              py::arg("scale") = c.scale));
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

// SimGrid's engine is process-global and bound to the thread that created it (sim/simgrid_engine.h: created
// once, never shut down; its maestro context belongs to that thread): a run entering it from a second thread
// crashes the process. So every run that may enter SimGrid runs on this one module thread, one at a time, in
// call order; the calling Python thread waits for it (GIL released). Never destroyed: the thread is detached
// and ends with the process.
class SimgridThread {
 public:
  static SimgridThread& instance() {
    static SimgridThread* const thread = new SimgridThread();
    return *thread;
  }

  // `work`'s report, or its exception rethrown here.
  fathom::Report run(std::function<fathom::Report()> work) {
    std::packaged_task<fathom::Report()> task(std::move(work));
    std::future<fathom::Report> done = task.get_future();
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    ready_.notify_one();
    return done.get();
  }

 private:
  SimgridThread() {
    std::thread([this] { loop(); }).detach();
  }

  [[noreturn]] void loop() {
    for (;;) {
      std::packaged_task<fathom::Report()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<fathom::Report()>> queue_;
};

// `work` with the GIL released: on the SimGrid thread when `on_simgrid_thread`, else on the calling thread
// (analytic and event runs of several Python threads go in parallel).
fathom::Report simulate(bool on_simgrid_thread, std::function<fathom::Report()> work) {
  py::gil_scoped_release release;
  return on_simgrid_thread ? SimgridThread::instance().run(std::move(work)) : work();
}

// `fathom run [--bands N --seed S --threads T]`.
py::dict run(const fathom::ScenarioDocument& doc, int bands, uint64_t seed, int threads) {
  const fathom::tools::RunKind& make = fathom::tools::run_kind_of(doc);
  fathom::tools::RunOptions options;  // no timeline, no progress line
  options.format = "json";
  options.bands = bands;
  options.seed = seed;
  options.threads = threads;
  const bool simgrid = fathom::tools::enters_simgrid(doc);
  if (simgrid) options.threads = 1;  // --bands samples on the SimGrid thread, one after another
  return report_to_python(simulate(simgrid, [&] { return fathom::tools::run_or_bands_report(doc, make, options); }));
}

// `fathom plan [--bands N --seed S --threads T]`, in one process.
py::dict plan(const fathom::ScenarioDocument& doc, int bands, uint64_t seed, int threads) {
  fathom::tools::PlanOptions options;
  options.bands = bands;
  options.seed = seed;
  options.threads = threads;
  return report_to_python(simulate(false, [&] {
    const fathom::tools::PlanRanks ranks;
    return *fathom::tools::plan_report_of(doc, options, ranks);  // one rank: always a report
  }));
}

// `fathom verify FILE [--bands N --seed S --threads T]`: on the SimGrid thread (a claim may run any kind).
py::dict verify(const std::string& file, int bands, uint64_t seed, int threads) {
  fathom::tools::VerifyOptions options;
  options.bands = bands;
  options.seed = seed;
  options.threads = threads;
  return report_to_python(simulate(true, [&] { return fathom::tools::verify_claims_report(file, options); }));
}

// `fathom compare A B`, the scenarios already loaded (with their own sets).
py::dict compare(const fathom::ScenarioDocument& a, const fathom::ScenarioDocument& b, const std::string& name_a,
                 const std::string& name_b) {
  const bool serialise = fathom::tools::enters_simgrid(a) || fathom::tools::enters_simgrid(b);
  return report_to_python(simulate(serialise, [&] { return fathom::tools::compare_report_of(a, b, name_a, name_b); }));
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
  m.def("run", &run, py::arg("scenario"), py::arg("bands") = 0, py::arg("seed") = 1, py::arg("threads") = 0,
        "`fathom run` of a scenario of any kind (bands > 0: its --bands sweep): its Report as a dict");
  m.def("plan", &plan, py::arg("scenario"), py::arg("bands") = 0, py::arg("seed") = 1, py::arg("threads") = 0,
        "`fathom plan` of a serving or training scenario: its Report as a dict");
  m.def("verify", &verify, py::arg("claims"), py::arg("bands") = 0, py::arg("seed") = 1, py::arg("threads") = 0,
        "`fathom verify CLAIMS`: its Report as a dict");
  m.def("compare", &compare, py::arg("a"), py::arg("b"), py::arg("name_a"), py::arg("name_b"),
        "`fathom compare A B` of two loaded scenarios: its Report as a dict");
  m.attr("version") = fathom::tools::version_line();
}
