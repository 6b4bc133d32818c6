// `fathom plan <scenario> [--json] [--report DIR] [--bands [N]]`: the capacity search of issue #14 (docs/plan.md) — for
// a serving scenario the least-cost fleet that meets its SLO over the day, for a training scenario the fastest (or
// cheapest) layout and schedule for its token budget under HBM.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>

#include "models/plan/plan_report.h"
#include "models/serving/serving_inputs.h"
#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/band_sweep.h"
#include "tools/commands.h"
#include "tools/plan_mpi.h"
#include "tools/plan_report.h"
#include "tools/run_kinds.h"
#include "tools/scenario_options.h"

namespace fathom::tools {
namespace {

// A progress bar on stderr, shown once a run has lasted two seconds, and only on a terminal; there it ends with
// the items evaluated (training: configurations; serving: phase options) and the search's wall time (the report
// itself stays the same bytes for the same input).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() {
    if (shown_) std::fputs("\n", stderr);
  }
  // After the search (not on a failure): "planned 12096 of 12096 in 2.05 s wall".
  void finish(std::string_view what) const {
    if (!enabled_ || all_ <= 0) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    fmt::print(stderr, "{}planned {} of {} {} in {:.2f} s wall\n", shown_ ? "\r\033[K" : "", done_, all_, what,
               elapsed);
    shown_ = false;
  }
  void operator()(int64_t done, int64_t all) {
    done_ = done;
    all_ = all;
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
  mutable bool shown_ = false;
  int last_percent_ = -1;
  int64_t done_ = 0, all_ = 0;
};

// The bands of the best configuration (sim/band_sweep.h) under "/best_bands" of the plan's report.
void add_best_bands(Report& plan, const ScenarioDocument& best, const PlanOptions& o,
                    Report (*report_of)(const ScenarioDocument&, const RunOptions&)) {
  if (o.bands < 2 || o.bands > 100000) throw InputError(fmt::format("--bands {}: use 2 to 100000 samples", o.bands));
  const Report bands = band_report(sweep_bands(best, o.bands, o.seed, band_threads(best, o.threads),
                                               [&](const ScenarioDocument& d) { return report_of(d, RunOptions{}); }));
  plan.data["best_bands"] = bands.data;
  for (MetricSpec m : bands.metrics) {
    m.path = "/best_bands" + m.path;
    m.headline = false;
    m.description = "best configuration, bands: " + m.description;
    plan.metrics.push_back(m);
  }
  for (TableSpec t : bands.tables) {
    t.path = "/best_bands" + t.path;
    t.name = "best_bands_" + t.name;
    t.title = "Bands of the best configuration: " + t.title;
    plan.tables.push_back(t);
  }
  for (const std::string& w : bands.warnings) plan.warnings.push_back(w);
}

// This rank's share (`price` of {rank, ranks}, as bytes), gathered on rank 0: every share in rank order there,
// nothing on the others. A failure on any rank stops every rank (no rank waits in the gather).
std::optional<std::vector<std::string>> gathered_shares(const PlanRanks& ranks,
                                                        const std::function<std::string(models::plan::Shard)>& price) {
  std::string mine;
  std::exception_ptr failure;
  try {
    mine = price({ranks.rank(), ranks.size()});
  } catch (...) {
    failure = std::current_exception();
  }
  if (ranks.any(failure != nullptr)) {
    if (failure) std::rethrow_exception(failure);
    throw InputError(fmt::format("fathom plan: another rank failed (rank {} of {})", ranks.rank(), ranks.size()));
  }
  std::vector<std::string> parts = ranks.gather(mine);
  if (ranks.rank() != 0) return std::nullopt;
  return parts;
}

// The training search, split over the ranks of `mpirun -n N` (one rank without it): each evaluates every N-th
// configuration, rank 0 collects them all.
std::optional<models::plan::TrainingPlanResult> distributed_training_plan(const ScenarioDocument& doc,
                                                                          const models::plan::TrainingPlanSpec& spec,
                                                                          const PlanRanks& ranks,
                                                                          const models::plan::PlanProgress& progress) {
  namespace mp = models::plan;
  if (ranks.size() == 1) return mp::plan_training(doc, spec, progress);
  const auto parts = gathered_shares(
      ranks, [&](mp::Shard shard) { return mp::encode_outcomes(mp::evaluate_training(doc, spec, shard, progress)); });
  if (!parts) return std::nullopt;
  std::vector<mp::TrainingOutcome> all;
  for (const std::string& bytes : *parts) {
    std::vector<mp::TrainingOutcome> part = mp::decode_outcomes(bytes);
    all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return mp::collect_training(doc, spec, std::move(all));
}

// The serving search, its phase options priced over the ranks of `mpirun -n N` (one rank without it); rank 0
// collects them, forms the product and checks the best.
std::optional<models::plan::ServingPlanResult> distributed_serving_plan(
    std::vector<models::plan::ServingNodeType> types, const models::plan::ServingPlanSpec& spec, const PlanRanks& ranks,
    const models::plan::PlanProgress& progress) {
  namespace mp = models::plan;
  if (ranks.size() == 1) return mp::plan_serving(std::move(types), spec, progress);
  const auto parts =
      gathered_shares(ranks, [&](mp::Shard shard) { return mp::price_serving_phases(types, spec, shard, progress); });
  if (!parts) return std::nullopt;
  return mp::collect_serving(std::move(types), spec, *parts);
}

}  // namespace

std::optional<Report> plan_report_of(const ScenarioDocument& doc, const PlanOptions& o, const PlanRanks& ranks) {
  const std::string kind = doc.kind().value_or("");
  if (kind != "serving" && kind != "training") {
    throw InputError(fmt::format("{}: kind: fathom plan searches serving and training scenarios, not \"{}\"", doc.label,
                                 printable(kind)));
  }
  std::optional<SpecReader> plan;
  if (doc.root.contains("plan")) {
    if (!doc.root["plan"].is_object()) throw InputError(fmt::format("{}: plan: expected an object", doc.label));
    plan.emplace(doc.root["plan"], doc.label, "plan");
  }
  const std::string title = doc.name();
  ProgressBar bar(isatty(fileno(stderr)) != 0);
  const auto progress = [&bar](int64_t done, int64_t all) { bar(done, all); };
  if (kind == "serving") {
    const models::plan::ServingPlanSpec spec = models::plan::read_serving_plan(plan);
    ProvenanceLog log;
    models::serving::read_serving_inputs(doc, &log);  // the scenario as written: its own errors first
    std::optional<models::plan::ServingPlanResult> shared =
        distributed_serving_plan(models::plan::serving_node_types(doc, spec), spec, ranks, progress);
    if (!shared) return std::nullopt;
    bar.finish("phase options");
    const models::plan::ServingPlanResult& r = *shared;
    Report rep = models::plan::serving_plan_report(r, title);
    if (o.bands != 0 && !r.best.empty()) {
      add_best_bands(rep, models::plan::configured_serving_document(doc, r, r.best.front()), o, &serving_report_of);
    }
    return rep;
  }
  const int64_t nodes = doc.root.contains("cluster") && doc.root["cluster"].is_object()
                            ? SpecReader(doc.root["cluster"], doc.label, "cluster").integer("nodes")
                            : 1;
  const models::plan::TrainingPlanSpec spec = models::plan::read_training_plan(plan, nodes);
  const std::optional<models::plan::TrainingPlanResult> shared = distributed_training_plan(doc, spec, ranks, progress);
  if (!shared) return std::nullopt;
  bar.finish("configurations");
  const models::plan::TrainingPlanResult& r = *shared;
  Report rep = models::plan::training_plan_report(r, title);
  if (o.bands != 0 && !r.best.empty()) {
    add_best_bands(rep, models::plan::configured_training_document(doc, r.best.front().config), o, &training_report_of);
  }
  return rep;
}

void add_plan_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Search the configurations of a serving or training scenario for the cheapest / fastest that meets it");
  opts->add_to(*cmd);
  cmd->add_option("--report", o->report_dir,
                  "Write report.json, a CSV per table, summary.md and a self-contained report.html into DIR");
  cmd->add_option("--bands", o->bands,
                  "Sample the best configuration's ranged values N times (Latin hypercube, default 64): p5/p50/p95 "
                  "of its headline metrics and their drivers")
      ->expected(0, 1)
      ->default_str("64");
  cmd->add_option("--seed", o->seed, "Seed of the --bands sampling")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for --bands (0: every core)")->capture_default_str();
  cmd->callback([opts, o] {
    const PlanRanks ranks;
    if (ranks.rank() != 0) {  // rank 0 alone speaks: its output, its errors, its progress bar
      std::freopen("/dev/null", "w", stdout);
      std::freopen("/dev/null", "w", stderr);
    }
    const ScenarioDocument doc = opts->load();
    const std::optional<Report> report = plan_report_of(doc, *o, ranks);
    if (!report) return;
    fmt::print("{}", reports::render(*report, opts->json ? "json" : "text"));
    if (!o->report_dir.empty()) reports::write_report_dir(*report, o->report_dir);
  });
}

}  // namespace fathom::tools
