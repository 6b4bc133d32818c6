// `fathom plan <scenario> [--json] [--report DIR]`: the capacity search of issue #14 (docs/plan.md) — for a
// serving scenario the least-cost fleet that meets its SLO over the day, for a training scenario the
// fastest (or cheapest) layout and schedule for its token budget under HBM.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "models/plan/plan_report.h"
#include "models/serving/serving_inputs.h"
#include "reports/formats.h"
#include "reports/report_dir.h"
#include "tools/commands.h"
#include "tools/scenario_options.h"

namespace fathom::tools {
namespace {

// A progress bar on stderr, shown once a run has lasted two seconds, and only on a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() {
    if (shown_) std::fputs("\n", stderr);
  }
  void operator()(int64_t done, int64_t all) {
    if (!enabled_ || all <= 0) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < 2.0) return;
    const int percent = static_cast<int>(100 * done / all);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    shown_ = true;
    constexpr int kWidth = 40;
    const int filled = kWidth * percent / 100;
    fmt::print(stderr, "\rplanning [{}{}] {:3d}% ({}/{})", std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(kWidth - filled), '.'), percent, done, all);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  bool shown_ = false;
  int last_percent_ = -1;
};

struct PlanOptions {
  std::string report_dir;
};

Report plan_report_of(const ScenarioDocument& doc) {
  const std::string kind =
      doc.root.contains("kind") && doc.root["kind"].is_string() ? doc.root["kind"].get<std::string>() : "";
  if (kind != "serving" && kind != "training") {
    throw InputError(fmt::format("{}: kind: fathom plan searches serving and training scenarios, not \"{}\"", doc.label,
                                 printable(kind)));
  }
  std::optional<SpecReader> plan;
  if (doc.root.contains("plan")) {
    if (!doc.root["plan"].is_object()) throw InputError(fmt::format("{}: plan: expected an object", doc.label));
    plan.emplace(doc.root["plan"], doc.label, "plan");
  }
  const std::string title = doc.root.value("name", doc.label);
  ProgressBar bar(isatty(fileno(stderr)) != 0);
  const auto progress = [&bar](int64_t done, int64_t all) { bar(done, all); };
  if (kind == "serving") {
    const models::plan::ServingPlanSpec spec = models::plan::read_serving_plan(plan);
    ProvenanceLog log;
    models::serving::read_serving_inputs(doc, &log);  // the scenario as written: its own errors first
    auto types = models::plan::serving_node_types(doc, spec);
    return models::plan::serving_plan_report(models::plan::plan_serving(std::move(types), spec, progress), title);
  }
  const int64_t nodes = doc.root.contains("cluster") && doc.root["cluster"].is_object()
                            ? SpecReader(doc.root["cluster"], doc.label, "cluster").integer("nodes")
                            : 1;
  const models::plan::TrainingPlanSpec spec = models::plan::read_training_plan(plan, nodes);
  return models::plan::training_plan_report(models::plan::plan_training(doc, spec, progress), title);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Search the configurations of a serving or training scenario for the cheapest / fastest that meets it");
  opts->add_to(*cmd);
  cmd->add_option("--report", o->report_dir,
                  "Write report.json, a CSV per table, summary.md and a self-contained report.html into DIR");
  cmd->callback([opts, o] {
    const ScenarioDocument doc = opts->load();
    const Report report = plan_report_of(doc);
    fmt::print("{}", reports::render(report, opts->json ? "json" : "text"));
    if (!o->report_dir.empty()) reports::write_report_dir(report, o->report_dir);
  });
}

}  // namespace fathom::tools
