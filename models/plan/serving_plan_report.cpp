// The Report of a serving plan (plan_report.h).

#include <fmt/format.h>

#include "models/plan/plan_report.h"

namespace fathom::models::plan {
namespace {

const std::vector<std::string> kFolds = {
    "analytic: per configuration, one prefill and one decode GPU at steady state (the serving day's fast path); "
    "units per window = headroom x demand / unit capacity; no window simulation",
    "prefill and decode priced independently: a configuration's GPU-hours are the sum of its two phases'",
    "EPLB placement computed once per (EP size, nodes, redundant experts) and reused across node types and MTP",
    "the best configuration's day is simulated (window simulation) as the serving run would",
};

std::string label_of(const ServingPlanResult& r, const ServingPoint& p) {
  const ServingConfig& c = p.config;
  const int64_t gpn = r.node_types[c.node_type].inputs->cluster.node.gpus_per_node;
  return fmt::format("{} {} P{}n/EP{}+{} D{}n/EP{}+{} b{}{}", r.node_types[c.node_type].gpu, c.mtp ? "MTP" : "noMTP",
                     c.prefill_nodes, c.prefill_nodes * gpn, c.prefill_redundant, c.decode_nodes, c.decode_nodes * gpn,
                     c.decode_redundant, p.decode_batch_per_gpu, p.batch_source == "limit" ? " (limit)" : "");
}

nlohmann::json point_json(const ServingPlanResult& r, const ServingPoint& p) {
  const ServingConfig& c = p.config;
  const ServingNodeType& t = r.node_types[c.node_type];
  const int64_t gpn = t.inputs->cluster.node.gpus_per_node;
  return {
      {"label", label_of(r, p)},
      {"node_type", t.file},
      {"gpu", t.gpu},
      {"mtp", c.mtp},
      {"prefill_nodes_per_unit", c.prefill_nodes},
      {"prefill_ep", c.prefill_nodes * gpn},
      {"prefill_redundant_experts", c.prefill_redundant},
      {"decode_nodes_per_unit", c.decode_nodes},
      {"decode_ep", c.decode_nodes * gpn},
      {"decode_redundant_experts", c.decode_redundant},
      {"decode_batch_limit", c.decode_batch_limit},
      {"decode_batch_per_gpu", p.decode_batch_per_gpu},
      {"batch_source", p.batch_source},
      {"cost_usd_per_day", p.cost_usd_per_day},
      {"gpu_hours_per_day", p.gpu_hours_per_day},
      {"prefill_gpu_hours_per_day", p.prefill_gpu_hours},
      {"decode_gpu_hours_per_day", p.decode_gpu_hours},
      {"output_tokens_per_s_per_gpu", p.output_tokens_per_s_per_gpu},
      {"tokens_per_s_per_user", p.tokens_per_s_per_user},
      {"average_nodes", p.average_nodes},
      {"peak_nodes", p.peak_nodes},
      {"decode_step_s", p.decode_step_s},
      {"prefill_forward_s", p.prefill_forward_s},
      {"prefill_expert_imbalance", p.prefill_expert_imbalance},
      {"decode_expert_imbalance", p.decode_expert_imbalance},
  };
}

nlohmann::json points_json(const ServingPlanResult& r, const std::vector<ServingPoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const ServingPoint& p : points) out.push_back(point_json(r, p));
  return out;
}

nlohmann::json check_json(const ServingPlanResult& r) {
  if (!r.check) return nullptr;
  const serving::ServingResult& d = *r.check;
  const ServingPoint& b = r.best.front();
  return {
      {"cost_usd_per_day", d.cost.value()},
      {"gpu_hours_per_day", d.gpu_hours},
      {"average_nodes", d.nodes_average},
      {"peak_nodes", d.nodes_peak},
      {"slo_met_every_window", d.slo_met_every_window},
      {"ttft_p99_s", d.ttft_p99_s},
      {"tokens_per_s_per_request", d.decode_tokens_per_s_per_request},
      {"cost_over_analytic", d.cost.value() / b.cost_usd_per_day},
  };
}

std::vector<ColumnSpec> point_columns() {
  return {
      {"label", "configuration", ""},
      {"cost_usd_per_day", "cost", "USD/day", 1.0, 0},
      {"gpu_hours_per_day", "GPU-hours", "per day", 1.0, 0},
      {"output_tokens_per_s_per_gpu", "output tok/s/GPU", "tokens/s", 1.0, 0},
      {"tokens_per_s_per_user", "tok/s/user", "tokens/s", 1.0, 1},
      {"average_nodes", "avg nodes", "", 1.0, 1},
      {"peak_nodes", "peak nodes", "", 1.0, 0},
  };
}

}  // namespace

Report serving_plan_report(const ServingPlanResult& r, const std::string& title) {
  Report rep;
  rep.kind = "plan";
  rep.title = title;
  nlohmann::json types = nlohmann::json::array();
  for (const ServingNodeType& t : r.node_types) {
    types.push_back({{"node_type", t.file},
                     {"gpu", t.gpu},
                     {"searched", t.skipped.empty() ? "yes" : "no"},
                     {"skipped", t.skipped},
                     {"calibration", t.calibration},
                     {"gpu_hour_price_usd",
                      t.inputs ? nlohmann::json(t.inputs->economics.gpu_hour_price.value()) : nlohmann::json(nullptr)},
                     {"price_source", t.price_source},
                     {"calibration_mismatch", hw::calibration_mismatch_json(t.calibration_mismatch)}});
    if (t.calibration_mismatch) rep.warnings.push_back(hw::calibration_mismatch_text(t.calibration_mismatch));
  }
  nlohmann::json rejections = nlohmann::json::array();
  nlohmann::json rejected = {{"total", r.rejected.total()}};
  for (const Rejection why : kRejections) {
    const size_t i = static_cast<size_t>(why);
    rejected[to_string(why)] = r.rejected.count[i];
    rejections.push_back(
        {{"reason", to_string(why)}, {"count", r.rejected.count[i]}, {"example", r.rejected.example[i]}});
  }
  const ServingPlanSpec& s = r.spec;
  rep.data = {
      {"kind", "plan"},
      {"target", "serving"},
      {"scenario", title},
      {"objective", s.objective},
      {"space",
       {{"prefill_nodes_per_unit", s.prefill_nodes_per_unit},
        {"decode_nodes_per_unit", s.decode_nodes_per_unit},
        {"redundant_experts", s.redundant_experts},
        {"decode_batch_limits", s.decode_batch_limits},
        {"mtp", s.mtp}}},
      {"node_types", types},
      {"configurations", r.configurations},
      {"feasible", r.feasible},
      {"same_as_no_limit", r.same_as_no_limit},
      {"phase_pricings", r.phase_pricings},
      {"rejected", rejected},
      {"rejections", rejections},
      {"best", r.best.empty() ? nlohmann::json(nullptr) : point_json(r, r.best.front())},
      {"top", points_json(r, r.best)},
      {"throughput_front", points_json(r, r.throughput_front)},
      {"cost_front", points_json(r, r.cost_front)},
      {"throughput_front_size", r.throughput_front.size()},
      {"cost_front_size", r.cost_front.size()},
      {"check", check_json(r)},
      {"folds", kFolds},
  };
  rep.metrics = {
      {"/configurations", "", "configurations in the search space", true},
      {"/feasible", "", "configurations that fit HBM, divide the experts and meet the SLO analytically", true},
      {"/rejected/layout", "", "rejected: the unit's GPUs do not divide the experts", false},
      {"/rejected/memory", "", "rejected: does not fit in HBM", false},
      {"/rejected/slo", "", "rejected: cannot meet the speed or TTFT target", false},
      {"/throughput_front_size", "", "points on the tokens/s per GPU vs tokens/s per user front", false},
      {"/cost_front_size", "", "points on the cost vs tokens/s per user front", false},
  };
  if (!r.best.empty()) {
    const std::vector<MetricSpec> best = {
        {"/best/cost_usd_per_day", "USD", "best configuration: GPU cost of the day (analytic)", true},
        {"/best/gpu_hours_per_day", "GPU-h", "best configuration: GPU-hours of the day (analytic)", true},
        {"/best/output_tokens_per_s_per_gpu", "tokens/s", "best configuration: output tokens/s per GPU of the fleet",
         true},
        {"/best/tokens_per_s_per_user", "tokens/s", "best configuration: decode speed of one request", true},
        {"/best/average_nodes", "", "best configuration: nodes in use, day average", true},
    };
    rep.metrics.insert(rep.metrics.end(), best.begin(), best.end());
    rep.lines.push_back(fmt::format("best ({}): {}", s.objective, label_of(r, r.best.front())));
  }
  if (r.check) {
    const std::vector<MetricSpec> check = {
        {"/check/cost_usd_per_day", "USD", "best configuration, window simulation: GPU cost of the day", true},
        {"/check/average_nodes", "", "best configuration, window simulation: nodes, day average", true},
        {"/check/ttft_p99_s", "s", "best configuration, window simulation: p99 time to first token", false},
        {"/check/cost_over_analytic", "", "window simulation cost / analytic cost of the best configuration", false},
    };
    rep.metrics.insert(rep.metrics.end(), check.begin(), check.end());
    rep.lines.push_back(fmt::format("window simulation of the best: SLO met in every window: {}",
                                    r.check->slo_met_every_window ? "yes" : "no"));
  }
  rep.lines.push_back(fmt::format(
      "{} configurations: {} feasible, {} the same as without their batch limit, {} rejected (layout {}, memory {}, "
      "SLO {})",
      r.configurations, r.feasible, r.same_as_no_limit, r.rejected.total(), r.rejected.count[1], r.rejected.count[2],
      r.rejected.count[3]));
  rep.tables = {
      {"top", "Best configurations", "/top", point_columns()},
      {"throughput_front",
       "Pareto front: output tokens/s per GPU vs tokens/s per user",
       "/throughput_front",
       point_columns(),
       {scatter_chart("", "tokens_per_s_per_user", "tokens/s per user", "output_tokens_per_s_per_gpu",
                      "output tokens/s per GPU", "label")}},
      {"cost_front",
       "Pareto front: cost per day vs tokens/s per user",
       "/cost_front",
       point_columns(),
       {scatter_chart("", "tokens_per_s_per_user", "tokens/s per user", "cost_usd_per_day", "USD per day", "label")}},
      {"rejections",
       "Rejected configurations by reason",
       "/rejections",
       {{"reason", "reason", ""}, {"count", "count", "", 1.0, 0}, {"example", "first example", ""}}},
      {"node_types",
       "Node types",
       "/node_types",
       {{"node_type", "node file", ""}, {"gpu", "GPU", ""}, {"searched", "searched", ""}, {"skipped", "why not", ""}}},
  };
  return rep;
}

}  // namespace fathom::models::plan
