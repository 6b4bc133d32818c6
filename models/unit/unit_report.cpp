#include "models/unit/unit_report.h"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace fathom::models::unit {
namespace {

std::vector<std::string> folds(UnitPhase phase) {
  if (phase == UnitPhase::training) {
    return {"one pipeline stage's chunk of identical MoE layers on the most-loaded GPU of its EP group",
            "expert parallelism: all-to-alls priced per GPU from its traffic (hw/ep_alltoall_cost)"};
  }
  return {"all dense layers priced once, all MoE layers priced once (identical layers)",
          "one GPU of the unit: the most-loaded for the routed experts, the busiest DP rank for attention",
          "expert parallelism: all-to-alls priced per GPU from its traffic (hw/ep_alltoall_cost)"};
}

double achieved_tflops(const serving::CostRow& r) { return r.time_s > 0 ? r.flops / r.time_s / 1e12 : 0.0; }

nlohmann::json breakdown_json(const UnitResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.breakdown) {
    rows.push_back({{"name", row.name},
                    {"kind", row.kind},
                    {"time_s", row.row.time_s},
                    {"exposed_s", row.row.exposed_s},
                    {"flops", row.row.flops},
                    {"bytes", row.row.bytes},
                    {"achieved_tflops", achieved_tflops(row.row)},
                    {"share", r.step_s > 0 ? row.row.exposed_s / r.step_s : 0.0},
                    {"bound", std::string(serving::to_string(row.bound))}});
  }
  return rows;
}

nlohmann::json unit_json(const UnitScenario& s, const UnitResult& r) {
  nlohmann::json out = {
      {"kind", "unit"},
      {"phase", std::string(to_string(r.phase))},
      {"gpu", s.cluster.node.gpu.name},
      {"gpus", s.parallelism.ep},
      {"ep", s.parallelism.ep},
      // The cluster: ep_groups independent EP groups of `gpus` GPUs each, every one stepping as priced.
      {"ep_groups", s.ep_groups},
      {"cluster_gpus", s.cluster.total_gpus()},
      {"cluster_tokens_per_s", r.tokens_per_s_per_gpu * static_cast<double>(s.cluster.total_gpus())},
      {"step_s", r.step_s},
      {"tokens_per_step_per_gpu", r.tokens_per_step_per_gpu},
      {"tokens_per_s_per_gpu", r.tokens_per_s_per_gpu},
      {"tokens_per_s_per_node", r.tokens_per_s_per_node},
      {"compute_s", r.compute_s},
      {"communication_s", r.communication_s},
      {"exposed_communication_s", r.exposed_communication_s},
      {"overhead_s", r.overhead_s},
      {"expert_imbalance", r.expert_imbalance},
      {"expert_imbalance_expected_loads", r.expert_imbalance_expected_loads},
      {"expert_imbalance_before_eplb", r.expert_imbalance_before_eplb},
      {"eplb_node_groups", r.eplb_node_groups},
      {"tokens_per_local_expert", r.tokens_per_local_expert},
      {"breakdown", breakdown_json(r)},
      {"calibration", r.calibration_device},
      {"calibration_mismatch", hw::calibration_mismatch_json(r.calibration_mismatch)},
      {"folds", folds(r.phase)},
  };
  if (r.phase == UnitPhase::prefill) {
    out["tokens_per_gpu"] = s.prefill.tokens_per_gpu;
    out["prompt_tokens"] = s.prompt_tokens;
    out["cached_prefix_tokens"] = s.cached_prefix_tokens;
    out["micro_batches"] = s.prefill.unit.micro_batches;
  } else if (r.phase == UnitPhase::decode) {
    out["batch_per_gpu"] = *s.decode.batch_per_gpu;
    out["context_tokens"] = s.context_tokens;
    out["micro_batches"] = s.decode.unit.micro_batches;
    out["attention_imbalance"] = r.attention_imbalance;
    out["tokens_per_s_per_request"] = r.tokens_per_s_per_request;
  } else {
    out["layers"] = s.training.layers;
    out["micro_batch_tokens"] = s.training.spec.micro_batch_sequences * s.training.spec.sequence_length;
  }
  if (r.memory) {
    out["memory"] = {{"fits", r.memory->fits},
                     {"total_bytes", r.memory->total.value()},
                     {"headroom_bytes", r.memory->headroom.value()},
                     {"hbm_capacity_bytes", r.memory->hbm_capacity.value()}};
  }
  return out;
}

std::vector<MetricSpec> metrics(UnitPhase phase, bool memory) {
  std::vector<MetricSpec> m = {
      {"/step_s", "s", "step"},
      {"/tokens_per_s_per_gpu", "tokens/s", "tokens per second per GPU"},
      {"/tokens_per_s_per_node", "tokens/s", "tokens per second per node"},
      {"/cluster_tokens_per_s", "tokens/s", "tokens per second of the cluster (every EP group)", false},
      {"/ep_groups", "", "independent EP groups in the cluster", false},
      {"/compute_s", "s", "compute on the critical path"},
      {"/exposed_communication_s", "s", "communication not hidden by overlap"},
      {"/expert_imbalance", "", "expert imbalance (busiest GPU / mean, after EPLB, routing noise at this step)"},
      {"/tokens_per_step_per_gpu", "tokens", "tokens per step per GPU", false},
      {"/communication_s", "s", "all-to-all time, hidden or not", false},
      {"/overhead_s", "s", "overhead per step", false},
      {"/expert_imbalance_expected_loads", "", "expert imbalance of the expected loads after EPLB", false},
      {"/expert_imbalance_before_eplb", "", "expert imbalance before EPLB", false},
      {"/tokens_per_local_expert", "tokens", "routed tokens per local expert", false},
  };
  if (phase == UnitPhase::decode) {
    m.push_back({"/tokens_per_s_per_request", "tokens/s", "tokens per second per request"});
    m.push_back({"/attention_imbalance", "", "attention imbalance (busiest DP rank / mean)"});
  }
  if (memory) m.push_back({"/memory/total_bytes", "B", "memory per GPU at this batch"});
  return m;
}

TableSpec breakdown_table() {
  return {"breakdown",
          "Breakdown: kernel families and communication phases (exposed times add up to the step)",
          "/breakdown",
          {{"name", "row", ""},
           {"time_s", "time", "ms", 1e3, 3},
           {"exposed_s", "exposed", "ms", 1e3, 3},
           {"share", "share", "%", 100, 1},
           {"flops", "TFLOP", "", 1e-12, 2},
           {"bytes", "GB", "", 1e-9, 2},
           {"achieved_tflops", "TFLOPS", "", 1, 0},
           {"bound", "bound", ""}},
          {{"bar", "name", "exposed_s", "bound", "", "", "exposed time per step (s)"}}};
}

}  // namespace

Report unit_report(const UnitScenario& s, const UnitResult& r, const ProvenanceLog& log,
                   const nlohmann::json& scenario) {
  Report rep;
  rep.kind = "unit";
  rep.title = s.name;
  rep.data = unit_json(s, r);
  rep.data["assumptions"] = assumptions_json(log);
  rep.data["scenario"] = scenario;
  if (r.calibration_mismatch) rep.warnings.push_back(hw::calibration_mismatch_text(r.calibration_mismatch));
  rep.lines.push_back(fmt::format("{} unit, EP{} on {} x {}", to_string(r.phase), s.parallelism.ep, s.cluster.nodes,
                                  s.cluster.node.gpu.name));
  if (s.ep_groups > 1) {
    rep.lines.push_back(
        fmt::format("The cluster holds {} independent EP groups of {} GPUs ({} GPUs): the step is one "
                    "group's; cluster throughput {:.0f} tokens/s",
                    s.ep_groups, s.parallelism.ep, s.cluster.total_gpus(),
                    r.tokens_per_s_per_gpu * static_cast<double>(s.cluster.total_gpus())));
  }
  rep.lines.push_back(fmt::format("Kernel calibration: {} ({}){}", s.calibration.device, s.calibration.method,
                                  r.calibration_mismatch ? ", another GPU's (see the warning)" : ""));
  if (r.memory) {
    rep.lines.push_back(fmt::format("Memory: {:.1f} of {:.1f} GiB ({})", r.memory->total.value() / (1 << 30),
                                    r.memory->hbm_capacity.value() / (1 << 30),
                                    r.memory->fits ? "fits" : "DOES NOT FIT"));
  }
  rep.metrics = metrics(r.phase, r.memory.has_value());
  rep.tables = {breakdown_table()};
  return rep;
}

}  // namespace fathom::models::unit
