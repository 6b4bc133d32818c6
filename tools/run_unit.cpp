// Runner for scenarios of kind "unit" (docs/unit.md): one prefill or decode engine, or one training
// chunk, at a fixed batch, with its breakdown by kernel family and communication phase.

#include <fmt/format.h>

#include "models/unit/unit_run.h"
#include "reports/provenance_report.h"
#include "reports/text_table.h"
#include "tools/run_kinds.h"

namespace fathom::tools {
namespace {

using models::unit::UnitPhase;
using models::unit::UnitResult;
using models::unit::UnitScenario;

std::vector<std::string> folds(UnitPhase phase) {
  if (phase == UnitPhase::training) {
    return {"one pipeline stage's chunk of identical MoE layers on the most-loaded GPU of its EP group",
            "expert parallelism: all-to-alls priced per GPU from its traffic (hw/ep_alltoall_cost)"};
  }
  return {"all dense layers priced once, all MoE layers priced once (identical layers)",
          "one GPU of the unit: the most-loaded for the routed experts, the busiest DP rank for attention",
          "expert parallelism: all-to-alls priced per GPU from its traffic (hw/ep_alltoall_cost)"};
}

double achieved_tflops(const models::serving::CostRow& r) { return r.time_s > 0 ? r.flops / r.time_s / 1e12 : 0.0; }

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
                    {"bound", std::string(models::serving::to_string(row.bound))}});
  }
  return rows;
}

nlohmann::json unit_json(const UnitScenario& s, const UnitResult& r) {
  nlohmann::json out = {
      {"kind", "unit"},
      {"phase", std::string(models::unit::to_string(r.phase))},
      {"gpu", s.cluster.node.gpu.name},
      {"gpus", s.parallelism.ep},
      {"ep", s.parallelism.ep},
      {"step_s", r.step_s},
      {"tokens_per_step_per_gpu", r.tokens_per_step_per_gpu},
      {"tokens_per_s_per_gpu", r.tokens_per_s_per_gpu},
      {"tokens_per_s_per_node", r.tokens_per_s_per_node},
      {"compute_s", r.compute_s},
      {"communication_s", r.communication_s},
      {"exposed_communication_s", r.exposed_communication_s},
      {"overhead_s", r.overhead_s},
      {"expert_imbalance", r.expert_imbalance},
      {"expert_imbalance_before_eplb", r.expert_imbalance_before_eplb},
      {"tokens_per_local_expert", r.tokens_per_local_expert},
      {"breakdown", breakdown_json(r)},
      {"calibration", r.calibration_device},
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

std::string unit_text(const UnitScenario& s, const UnitResult& r) {
  std::string out = fmt::format("{}\n\n", s.name);
  out += fmt::format("{} unit, EP{} on {} x {}: step {:.3f} ms, {:.0f} tokens/s per GPU, {:.0f} tokens/s per node\n",
                     models::unit::to_string(r.phase), s.parallelism.ep, s.cluster.nodes, s.cluster.node.gpu.name,
                     r.step_s * 1e3, r.tokens_per_s_per_gpu, r.tokens_per_s_per_node);
  out += fmt::format("Expert imbalance {:.2f} (before EPLB {:.2f}), {:.1f} routed tokens per local expert",
                     r.expert_imbalance, r.expert_imbalance_before_eplb, r.tokens_per_local_expert);
  if (r.phase == UnitPhase::decode) {
    out += fmt::format("; attention imbalance {:.3f}; {:.1f} tokens/s per request", r.attention_imbalance,
                       r.tokens_per_s_per_request);
  }
  out += "\n";
  if (r.memory) {
    out += fmt::format("Memory: {:.1f} of {:.1f} GiB ({})\n", r.memory->total.value() / (1 << 30),
                       r.memory->hbm_capacity.value() / (1 << 30), r.memory->fits ? "fits" : "DOES NOT FIT");
  }
  out += "\n";
  reports::TextTable t({"row", "time ms", "exposed ms", "share", "TFLOP", "GB", "TFLOPS", "bound"});
  for (const auto& row : r.breakdown) {
    t.add_row({row.name, fmt::format("{:.3f}", row.row.time_s * 1e3), fmt::format("{:.3f}", row.row.exposed_s * 1e3),
               fmt::format("{:.1f}%", 100.0 * row.row.exposed_s / r.step_s),
               fmt::format("{:.2f}", row.row.flops / 1e12), fmt::format("{:.2f}", row.row.bytes / 1e9),
               fmt::format("{:.0f}", achieved_tflops(row.row)), std::string(models::serving::to_string(row.bound))});
  }
  t.add_row(
      {"step", fmt::format("{:.3f}", r.step_s * 1e3), fmt::format("{:.3f}", r.step_s * 1e3), "100.0%", "", "", "", ""});
  out += t.render();
  return out;
}

}  // namespace

void run_unit(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const UnitScenario s = models::unit::read_unit_scenario(doc, log);
  if (options.validate_only) return;
  const UnitResult r = models::unit::predict_unit(s);
  if (options.json) {
    nlohmann::json out = unit_json(s, r);
    out["assumptions"] = reports::assumptions_json(log);
    out["scenario"] = doc.root;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{}", unit_text(s, r));
  const std::string assumed = reports::assumptions_text(log);
  if (!assumed.empty()) fmt::print("\nAssumed and default values:\n{}", assumed);
}

}  // namespace fathom::tools
