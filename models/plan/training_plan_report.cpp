// The Report of a training plan (plan_report.h).

#include <fmt/format.h>

#include "models/plan/plan_report.h"
#include "models/schedule/registry.h"

namespace fathom::models::plan {
namespace {

const std::vector<std::string> kFolds = {
    "analytic: every configuration's step at fidelity=analytic (the schedule's program timed with per-stage unit "
    "times, no engine), the batch ramp and checkpoint as the training run has them",
    "memory: the training memory model's worst pipeline rank against HBM",
    "the global batch (sequences per step) stays the scenario's: DP x micro-batch size x micro-batches",
    "check: the best configuration (plan.check_top of them) re-priced at fidelity=event (the schedule's task graph)",
};

// TP<n> when above 1, VP<n> for interleaved_1f1b: "128n TP2 PP8 VP4 EP64 DP64 interleaved_1f1b mbs1 x128".
std::string label_of(const TrainingPoint& p) {
  const TrainingConfig& c = p.config;
  return fmt::format("{}n {}PP{} {}EP{} DP{} {} mbs{} x{}", c.nodes, c.tp > 1 ? fmt::format("TP{} ", c.tp) : "", c.pp,
                     schedule::schedule_traits(c.schedule).virtual_stages ? fmt::format("VP{} ", c.virtual_stages) : "",
                     c.ep, p.dp, c.schedule, c.micro_batch_sequences, c.micro_batches);
}

nlohmann::json point_json(const TrainingPoint& p) {
  const TrainingConfig& c = p.config;
  return {
      {"label", label_of(p)},
      {"nodes", c.nodes},
      {"gpus", p.gpus},
      {"tp", c.tp},
      {"pp", c.pp},
      {"vp", c.virtual_stages},
      {"ep", c.ep},
      {"dp", p.dp},
      {"schedule", c.schedule},
      {"micro_batch_sequences", c.micro_batch_sequences},
      {"micro_batches", c.micro_batches},
      {"days", p.days},
      {"cost_usd", p.cost_usd},
      {"gpu_hours", p.gpu_hours},
      {"step_s", p.step_s},
      {"mfu_bf16", p.mfu_bf16},
      {"tokens_per_day", p.tokens_per_day},
      {"worst_rank_bytes", p.worst_rank_bytes},
      {"hbm_bytes", p.hbm_bytes},
  };
}

nlohmann::json points_json(const std::vector<TrainingPoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const TrainingPoint& p : points) out.push_back(point_json(p));
  return out;
}

nlohmann::json check_json(const TrainingCheck& c) {
  return {
      {"label", label_of(c.analytic)},
      {"step_s", c.step_s},
      {"days", c.days},
      {"gpu_hours", c.gpu_hours},
      {"cost_usd", c.cost_usd},
      {"mfu_bf16", c.mfu_bf16},
      {"analytic_step_s", c.analytic.step_s},
      {"step_over_analytic", c.step_over_analytic},
  };
}

std::vector<ColumnSpec> point_columns() {
  return {
      {"label", "configuration", ""},        {"days", "time", "days", 1.0, 1},
      {"cost_usd", "cost", "MUSD", 1e-6, 2}, {"step_s", "step", "s", 1.0, 2},
      {"mfu_bf16", "MFU", "%", 100.0, 1},    {"worst_rank_bytes", "worst rank", "GB", 1e-9, 1},
  };
}

}  // namespace

Report training_plan_report(const TrainingPlanResult& r, const std::string& title) {
  Report rep;
  rep.kind = "plan";
  rep.title = title;
  if (r.calibration_mismatch) rep.warnings.push_back(hw::calibration_mismatch_text(r.calibration_mismatch));
  nlohmann::json rejections = nlohmann::json::array();
  nlohmann::json rejected = {{"total", r.rejected.total()}};
  for (const Rejection why : {Rejection::layout, Rejection::memory}) {
    const size_t i = static_cast<size_t>(why);
    rejected[to_string(why)] = r.rejected.count[i];
    rejections.push_back(
        {{"reason", to_string(why)}, {"count", r.rejected.count[i]}, {"example", r.rejected.example[i]}});
  }
  const TrainingPlanSpec& s = r.spec;
  rep.data = {
      {"kind", "plan"},
      {"target", "training"},
      {"scenario", title},
      {"objective", s.objective},
      {"gpu", r.gpu},
      {"calibration_mismatch", hw::calibration_mismatch_json(r.calibration_mismatch)},
      {"global_batch_sequences", r.global_batch_sequences},
      {"space",
       {{"cluster_nodes", s.cluster_nodes},
        {"pp", s.pp},
        {"tp", s.tp},
        {"virtual_stages", s.virtual_stages},
        {"ep", s.ep},
        {"micro_batch_sequences", s.micro_batch_sequences},
        {"schedules", s.schedules}}},
      {"configurations", r.configurations},
      {"feasible", r.feasible},
      {"rejected", rejected},
      {"rejections", rejections},
      {"best", r.best.empty() ? nlohmann::json(nullptr) : point_json(r.best.front())},
      {"top", points_json(r.best)},
      {"front", points_json(r.front)},
      {"front_size", r.front.size()},
      {"folds", kFolds},
      {"check", r.checks.empty() ? nlohmann::json(nullptr) : check_json(r.checks.front())},
      {"checks",
       [&] {
         nlohmann::json out = nlohmann::json::array();
         for (const TrainingCheck& c : r.checks) out.push_back(check_json(c));
         return out;
       }()},
  };
  rep.metrics = {
      {"/configurations", "", "configurations in the search space", true},
      {"/feasible", "", "configurations that respect the layout rules and fit in HBM", true},
      {"/rejected/layout", "", "rejected: layout rules", false},
      {"/rejected/memory", "", "rejected: the worst pipeline rank does not fit in HBM", false},
      {"/front_size", "", "points on the cost vs time front", false},
  };
  if (!r.best.empty()) {
    const std::vector<MetricSpec> best = {
        {"/best/days", "days", "best configuration: time to train the token budget", true},
        {"/best/cost_usd", "USD", "best configuration: GPU cost of the token budget", true},
        {"/best/gpu_hours", "GPU-h", "best configuration: GPU-hours of the token budget", true},
        {"/best/step_s", "s", "best configuration: one step at the final batch", true},
        {"/best/mfu_bf16", "", "best configuration: model FLOPs utilisation (BF16 peak)", true},
        {"/best/worst_rank_bytes", "B", "best configuration: memory of the worst pipeline rank", false},
    };
    rep.metrics.insert(rep.metrics.end(), best.begin(), best.end());
    rep.lines.push_back(fmt::format("best ({}): {}", s.objective, label_of(r.best.front())));
  }
  if (!r.checks.empty()) {
    const std::vector<MetricSpec> check = {
        {"/check/step_s", "s", "best configuration, fidelity=event: one step at the final batch", true},
        {"/check/days", "days", "best configuration, fidelity=event: time to train the token budget", true},
        {"/check/step_over_analytic", "", "event step / analytic step of the best configuration", false},
    };
    rep.metrics.insert(rep.metrics.end(), check.begin(), check.end());
    for (const TrainingCheck& c : r.checks) {
      rep.lines.push_back(fmt::format("check at fidelity=event: {}: step {:.3f} s (analytic {:.3f} s, x{:.3f})",
                                      label_of(c.analytic), c.step_s, c.analytic.step_s, c.step_over_analytic));
    }
  }
  rep.lines.push_back(fmt::format("{} configurations, {} feasible, {} rejected (layout {}, memory {})",
                                  r.configurations, r.feasible, r.rejected.total(), r.rejected.count[1],
                                  r.rejected.count[2]));
  rep.tables = {
      {"top", "Best configurations", "/top", point_columns()},
      {"front",
       "Pareto front: cost vs time",
       "/front",
       point_columns(),
       {scatter_chart("", "days", "days", "cost_usd", "USD", "label")}},
      {"checks",
       "Best configurations re-priced at fidelity=event",
       "/checks",
       {{"label", "configuration", ""},
        {"analytic_step_s", "analytic step", "s", 1.0, 3},
        {"step_s", "event step", "s", 1.0, 3},
        {"step_over_analytic", "event / analytic", "", 1.0, 3},
        {"days", "event time", "days", 1.0, 1}}},
      {"rejections",
       "Rejected configurations by reason",
       "/rejections",
       {{"reason", "reason", ""}, {"count", "count", "", 1.0, 0}, {"example", "first example", ""}}},
  };
  return rep;
}

}  // namespace fathom::models::plan
