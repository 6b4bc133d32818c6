#include "models/training/training_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "models/training/pipeline_layout.h"
#include "models/training/training_timeline.h"

namespace fathom::models::training {
namespace {

nlohmann::json breakdown_json(const RankBreakdown& b, double step_s) {
  return {
      {"time_s", step_s},
      {"forward_s", b.forward_s},
      {"backward_input_s", b.backward_input_s},
      {"backward_weight_s", b.backward_weight_s},
      {"bubble_s", b.bubble_s},
      {"exposed_comm_s", b.exposed_ep_comm_s + b.exposed_dp_comm_s},
      {"exposed_ep_comm_s", b.exposed_ep_comm_s},
      {"exposed_dp_comm_s", b.exposed_dp_comm_s},
      {"optimizer_s", b.optimizer_s},
      {"pipeline_end_s", b.pipeline_end_s},
      {"stages", b.stages},
  };
}

nlohmann::json stages_json(const TrainingPrediction& p) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t s = 0; s < p.stages.size(); ++s) {
    const auto& st = p.stages[s];
    double f = 0, b = 0, w = 0, fc = 0, bc = 0;
    nlohmann::json blocks = nlohmann::json::array();
    for (const auto& blk : st.blocks) {
      f += blk.forward_s, b += blk.backward_input_s, w += blk.backward_weight_s;
      fc += blk.forward_comm_s(), bc += blk.backward_comm_s();
      blocks.push_back(blk.label());
    }
    out.push_back({{"stage", s},
                   {"blocks", blocks},
                   {"forward_s", f},
                   {"backward_input_s", b},
                   {"backward_weight_s", w},
                   {"forward_alltoall_s", fc},
                   {"backward_alltoall_s", bc},
                   {"expert_imbalance", mean_expert_imbalance(st.blocks)}});
  }
  return out;
}

// The pipeline sends per stage boundary (pipeline_sends.h): boundary b joins rank b and rank (b + 1) mod pp, the
// last one the wrap of interleaved 1F1B; the counts are of the pp - 1 boundaries rank 0 .. pp-1.
nlohmann::json pp_sends_json(const PipelineSends& s) {
  nlohmann::json boundary_s = nlohmann::json::array();
  for (size_t b = 0; b < s.over_nvlink.size(); ++b) boundary_s.push_back(s.over_nvlink[b] ? s.nvlink_s : s.nic_s);
  return {{"nic_s", s.nic_s},
          {"nvlink_s", s.nvlink_s},
          {"nvlink_boundaries", s.nvlink_boundaries()},
          {"nic_boundaries", s.nic_boundaries()},
          {"boundary_s", boundary_s}};
}

// The "batch_ramp" key: null without training.batch_ramp.
nlohmann::json batch_ramp_json(const TrainingPrediction& p) {
  if (!p.batch_ramp) return nullptr;
  nlohmann::json segments = nlohmann::json::array();
  for (const auto& seg : p.batch_ramp->segments) {
    segments.push_back({{"target_global_batch_sequences", seg.target_global_batch_sequences},
                        {"global_batch_sequences", seg.global_batch_sequences},
                        {"micro_batches", seg.micro_batches},
                        {"step_s", seg.step_s},
                        {"tokens", seg.tokens},
                        {"steps", seg.steps}});
  }
  return {{"segments", segments},
          {"ramp_tokens", p.batch_ramp->ramp_tokens},
          {"ramp_steps", p.batch_ramp->ramp_steps},
          {"ramp_gpu_hours", p.batch_ramp->ramp_gpu_hours},
          {"step_simulations", p.batch_ramp->distinct_micro_batch_counts}};
}

// The "memory" key: per-GPU memory of every pipeline rank against HBM (rank_memory.h).
nlohmann::json memory_json(const TrainingMemory& m) {
  nlohmann::json ranks = nlohmann::json::array();
  for (const auto& r : m.per_rank) {
    ranks.push_back({{"rank", r.rank},
                     {"stages", r.stages},
                     {"parameters_bytes", r.parameters_bytes},
                     {"fp8_weights_bytes", r.fp8_weights_bytes},
                     {"gradients_bytes", r.gradients_bytes},
                     {"optimizer_bytes", r.optimizer_bytes},
                     {"activations_bytes", r.activations_bytes},
                     {"activation_micro_batches", r.activation_micro_batches},
                     {"deepep_buffers_bytes", r.deepep_buffers_bytes},
                     {"workspace_bytes", r.workspace_bytes},
                     {"total_bytes", r.total_bytes}});
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : m.worst_rank_activations)
    items.push_back({{"name", i.name}, {"bytes", i.bytes}, {"basis", i.basis}});
  return {{"per_rank", ranks},
          {"worst_rank", m.worst_rank},
          {"worst_rank_activations", items},
          {"hbm_bytes", m.hbm_bytes},
          {"fits", m.fits},
          {"headroom_bytes", m.headroom_bytes}};
}

nlohmann::json result_json(const nlohmann::json& scenario, const TrainingScenario& s, const TrainingPrediction& p,
                           const TrainingMemory& memory, const ProvenanceLog& log) {
  const auto& crit = p.step.ranks[p.step.critical_rank];
  nlohmann::json per_rank = nlohmann::json::array();
  for (const auto& b : p.step.ranks) per_rank.push_back(breakdown_json(b, p.step.step_s));
  nlohmann::json step = breakdown_json(crit, p.step.step_s);
  step["checkpoint_amortised_s"] = p.checkpoint ? p.checkpoint->amortised_s : 0.0;
  nlohmann::json checkpoint = nullptr;
  if (p.checkpoint) {
    checkpoint = {{"bytes", p.checkpoint->bytes.value()},
                  {"time_s", p.checkpoint->time.value()},
                  {"bottleneck", p.checkpoint->bottleneck},
                  {"writers", p.checkpoint->writers},
                  {"every_steps", s.checkpoint->every_steps}};
  }
  nlohmann::json out = {
      {"kind", "training"},
      {"name", s.name},
      {"fidelity", s.fidelity},
      {"schedule", s.spec.schedule},
      {"gpu", s.cluster.node.gpu.name},
      {"gpus", s.layout.gpus},
      {"calibration_device", s.calibration.device},
      {"calibration_mismatch", hw::calibration_mismatch_json(p.calibration_mismatch)},
      {"layout",
       {{"pp", s.layout.pp},
        {"dp", s.layout.dp},
        {"ep", s.layout.ep},
        {"tp", s.layout.tp},
        {"expert_dp", s.layout.expert_dp},
        {"experts_per_gpu", s.layout.experts_per_gpu},
        {"ep_nodes", s.layout.ep_nodes},
        {"ep_domains", s.layout.ep_domains},
        {"micro_batches", s.spec.micro_batches},
        {"micro_batch_tokens", s.layout.micro_batch_tokens},
        {"schedule_stages", s.schedule->stages},
        {"stage_layout", s.spec.pipeline_layout ? s.spec.pipeline_layout->text : "min-max partition"},
        {"stage_cut", layout_of(p.stages)}}},
      {"step", step},
      {"expert_imbalance", s.spec.expert_imbalance},
      {"expert_imbalance_expected_loads", s.expert_imbalance_expected_loads},
      {"expert_imbalance_before_eplb", s.expert_imbalance_before_eplb},
      {"expert_imbalance_source", s.expert_load ? "eplb" : "training.expert_imbalance"},
      {"checkpoint", checkpoint},
      {"time_per_step_s", p.time_per_step_s},
      {"critical_rank", p.step.critical_rank},
      {"pipeline_s", p.step.pipeline_s},
      {"per_rank", per_rank},
      {"stages", stages_json(p)},
      {"compute_slowdown_overlapped", p.compute_slowdown},
      {"pp_transfer_s", p.pp_transfer_s},
      {"pp_sends", pp_sends_json(p.pp_sends)},
      {"tokens_per_step", p.tokens_per_step},
      {"tokens_per_day", p.tokens_per_day},
      {"model_flops_per_step", p.model_flops_per_step},
      {"model_flops_6nd_per_step", p.model_flops_6nd_per_step},
      {"executed_flops_per_step", p.executed_flops_per_step},
      {"mfu_bf16", p.mfu_bf16},
      {"mfu_bf16_6nd", p.mfu_bf16_6nd},
      {"mfu_fp8", p.mfu_fp8},
      {"achieved_tflops_per_gpu", p.achieved_tflops_per_gpu},
      {"token_budget", s.spec.token_budget},
      {"steps_for_budget", p.steps_for_budget},
      {"batch_ramp", batch_ramp_json(p)},
      {"gpu_hours", p.gpu_hours},
      {"cost_usd", p.cost_usd},
      {"memory", memory_json(memory)},
      {"engine_tasks", p.step.tasks},
      {"engine_flows", p.step.flows},
      {"folds", s.perturbations.empty()
                    ? training_folds(s.fidelity)
                    : perturbed_training_folds(s.perturbations, s.layout, training_folds(s.fidelity))},
      {"assumptions", assumptions_json(log)},
      {"scenario", scenario},
  };
  if (p.step_failure) out["step_failure"] = *p.step_failure;  // node_removed (training_perturbations.h)
  if (p.redistributed_micro_batches > 0) out["redistributed_micro_batches"] = p.redistributed_micro_batches;
  if (p.goodput) {  // only with a "failures" section (training_goodput.h)
    const TrainingGoodput& g = *p.goodput;
    const auto band = [](const Band& b) {
      return nlohmann::json{{"low", b.low}, {"value", b.value}, {"high", b.high}};
    };
    out["goodput"] = {{"system_mtbf_s", g.system_mtbf_s},
                      {"checkpoint_s", g.checkpoint_s},
                      {"restart_s", g.restart_s},
                      {"interval_s", g.interval_s},
                      {"goodput", band(g.goodput)},
                      {"optimal_interval_s", band(g.optimal_interval_s)},
                      {"optimal_every_steps", g.optimal_every_steps},
                      {"optimal_goodput", g.optimal_goodput},
                      {"young_interval_s", g.young_interval_s}};
  }
  return out;
}

// The critical rank's step as table rows (what the text shows first).
nlohmann::json step_rows(const TrainingPrediction& p) {
  const auto& c = p.step.ranks[p.step.critical_rank];
  const double t = p.step.step_s;
  nlohmann::json rows = nlohmann::json::array();
  const auto row = [&](const char* part, double v) {
    rows.push_back({{"part", part}, {"time_s", v}, {"share", t > 0 ? v / t : 0.0}});
  };
  row("forward (F)", c.forward_s);
  row("backward, input (B)", c.backward_input_s);
  row("backward, weights (W)", c.backward_weight_s);
  row("exposed EP all-to-all", c.exposed_ep_comm_s);
  row("pipeline bubble", c.bubble_s);
  row("exposed ZeRO-1 collectives", c.exposed_dp_comm_s);
  row("optimizer", c.optimizer_s);
  return rows;
}

std::vector<std::string> lines(const TrainingScenario& s, const TrainingPrediction& p, const TrainingMemory& m) {
  std::vector<std::string> out = {
      fmt::format("{} x {} ({} GPUs); {} PP{} x DP{} (EP{}, {} experts per GPU), {} micro-batches of {} tokens; "
                  "fidelity {}; critical rank {}",
                  s.cluster.nodes, s.cluster.node.gpu.name, s.layout.gpus, s.spec.schedule, s.layout.pp, s.layout.dp,
                  s.layout.ep, s.layout.experts_per_gpu, s.spec.micro_batches, s.layout.micro_batch_tokens, s.fidelity,
                  p.step.critical_rank),
      fmt::format("Stages: {} ({})",
                  s.spec.pipeline_layout ? "training.pipeline_layout \"" + s.spec.pipeline_layout->text + "\""
                                         : std::string("min-max partition"),
                  layout_of(p.stages)),
      fmt::format("Kernel calibration: {} ({}){}", s.calibration.device, s.calibration.method,
                  p.calibration_mismatch ? ", another GPU's (see the warning)" : ""),
      fmt::format("MFU (BF16 peak, op-level FLOPs) {:.1f}%; with 6·N·D {:.1f}%; against the FP8 peak {:.1f}%",
                  100 * p.mfu_bf16, 100 * p.mfu_bf16_6nd, 100 * p.mfu_fp8),
      fmt::format("Expert imbalance (max/mean routed tokens per GPU) {:.3f}{}", s.spec.expert_imbalance,
                  s.expert_load ? fmt::format(" after EPLB with routing noise ({:.3f} of the expected loads, {:.3f} "
                                              "before EPLB)",
                                              s.expert_imbalance_expected_loads, s.expert_imbalance_before_eplb)
                                : std::string(" (training.expert_imbalance)")),
      fmt::format("{:.4g} tokens: {:.0f} steps, {:.4g} GPU-hours, {:.4g} USD at {} USD per GPU-hour{}",
                  s.spec.token_budget, p.steps_for_budget, p.gpu_hours, p.cost_usd, s.gpu_hour_price.value(),
                  p.batch_ramp ? fmt::format(" (the batch ramp's first {:.4g} tokens in {:.0f} steps included)",
                                             p.batch_ramp->ramp_tokens, p.batch_ramp->ramp_steps)
                               : std::string()),
      fmt::format("Memory: worst rank {} holds {:.1f} of {:.1f} GiB HBM: {}", m.worst_rank,
                  m.per_rank.at(size_t(m.worst_rank)).total_bytes / 1073741824.0, m.hbm_bytes / 1073741824.0,
                  m.fits ? "fits" : "DOES NOT FIT"),
  };
  const PipelineSends& sends = p.pp_sends;
  if (sends.nvlink_boundaries() > 0 || (!sends.over_nvlink.empty() && sends.over_nvlink.back())) {
    // Shown only when a boundary runs on NVLink (stages sharing a domain, pipeline_sends.h).
    out.push_back(fmt::format(
        "Pipeline sends: {} of {} stage boundaries inside an NVLink domain ({:.3f} ms each), "
        "{} on the NIC ({:.3f} ms each){}",
        sends.nvlink_boundaries(), sends.over_nvlink.size() - 1, sends.nvlink_s * 1e3, sends.nic_boundaries(),
        sends.nic_s * 1e3, sends.over_nvlink.back() ? "; the wrap from the last rank to rank 0 on NVLink" : ""));
  }
  if (p.step_failure) out.push_back("STEP FAILS: " + *p.step_failure + " (the figures above: the step without it)");
  if (p.redistributed_micro_batches > 0) {
    out.push_back(fmt::format("Node removed: each remaining replica runs {} micro-batches (the global batch kept)",
                              p.redistributed_micro_batches));
  }
  if (p.checkpoint) {
    out.push_back(
        fmt::format("Checkpoint: {:.4g} GB by {} nodes in {:.1f} s ({}-bound), every {} steps: {:.1f} ms "
                    "per step (blocking), included in the GPU-hours",
                    p.checkpoint->bytes.value() / 1e9, p.checkpoint->writers, p.checkpoint->time.value(),
                    p.checkpoint->bottleneck, s.checkpoint->every_steps, p.checkpoint->amortised_s * 1e3));
  }
  if (p.goodput) {
    const TrainingGoodput& g = *p.goodput;
    out.push_back(fmt::format(
        "Goodput under failures: {:.1f}% ({:.1f}-{:.1f}%) at a checkpoint every {:.0f} s of work (system MTBF "
        "{:.1f} h, restart {:.0f} s); best every {:.0f} s = {:.0f} steps ({:.0f}-{:.0f} s): {:.1f}% (Young "
        "sqrt(2 delta M) {:.0f} s)",
        100 * g.goodput.value, 100 * g.goodput.low, 100 * g.goodput.high, g.interval_s, g.system_mtbf_s / 3600,
        g.restart_s, g.optimal_interval_s.value, g.optimal_every_steps, g.optimal_interval_s.low,
        g.optimal_interval_s.high, 100 * g.optimal_goodput, g.young_interval_s));
  }
  return out;
}

std::vector<MetricSpec> metrics() {
  return {
      {"/step/time_s", "s", "step"},
      {"/step/forward_s", "s", "forward (F) on the critical rank"},
      {"/step/backward_input_s", "s", "backward for inputs (B)"},
      {"/step/backward_weight_s", "s", "backward for weights (W)"},
      {"/step/bubble_s", "s", "pipeline bubble"},
      {"/step/exposed_comm_s", "s", "communication not hidden (EP all-to-all and ZeRO-1)"},
      {"/mfu_bf16", "", "MFU against the BF16 peak (op-level FLOPs)"},
      {"/achieved_tflops_per_gpu", "TFLOPS", "achieved per GPU"},
      {"/tokens_per_day", "tokens", "tokens per day"},
      {"/gpu_hours", "GPU-h", "GPU-hours for the token budget"},
      {"/cost_usd", "USD", "cost of the token budget"},
      {"/memory/worst_rank_total_bytes", "B", "memory of the worst pipeline rank"},
      {"/tokens_per_step", "tokens", "tokens per step", false},
      {"/mfu_fp8", "", "MFU against the FP8 peak", false},
  };
}

std::vector<TableSpec> tables(bool ramp) {
  std::vector<TableSpec> t = {
      {"step",
       "Step on the critical rank",
       "/step_breakdown",
       {{"part", "part", ""}, {"time_s", "time", "ms", 1e3, 1}, {"share", "share", "%", 100, 1}},
       {{"bar", "part", "time_s", "", "", "", "time per step (s)"}}},
      {"stages",
       "Per micro-batch, per stage (full SMs; imbalance: mean max/mean of the stage's MoE layers)",
       "/stages",
       {{"stage", "stage", ""},
        {"layers", "blocks", ""},
        {"forward_s", "F", "ms", 1e3, 1},
        {"backward_input_s", "B", "ms", 1e3, 1},
        {"backward_weight_s", "W", "ms", 1e3, 1},
        {"forward_alltoall_s", "a2a fwd", "ms", 1e3, 1},
        {"backward_alltoall_s", "a2a bwd", "ms", 1e3, 1},
        {"expert_imbalance", "imbalance", "", 1, 3}}},
      {"memory",
       "Memory per GPU of each pipeline rank (GiB; activations an estimate at the peak of live micro-batches)",
       "/memory/per_rank",
       {{"rank", "rank", ""},
        {"parameters_bytes", "params", "", 1.0 / 1073741824, 1},
        {"fp8_weights_bytes", "FP8 weights", "", 1.0 / 1073741824, 1},
        {"gradients_bytes", "grads", "", 1.0 / 1073741824, 1},
        {"optimizer_bytes", "optimizer", "", 1.0 / 1073741824, 1},
        {"activations_bytes", "activations", "", 1.0 / 1073741824, 1},
        {"activation_micro_batches", "live mb", ""},
        {"deepep_buffers_bytes", "DeepEP", "", 1.0 / 1073741824, 1},
        {"workspace_bytes", "workspace", "", 1.0 / 1073741824, 1},
        {"total_bytes", "total", "", 1.0 / 1073741824, 1}}},
      {"activations",
       "The worst rank's activations at its peak",
       "/memory/worst_rank_activations",
       {{"name", "item", ""}, {"bytes", "GiB", "", 1.0 / 1073741824, 2}, {"basis", "basis", ""}}},
  };
  if (ramp) {
    t.push_back({"batch_ramp",
                 "Batch ramp, one row per slice (included in the GPU-hours)",
                 "/batch_ramp/segments",
                 {{"target_global_batch_sequences", "target seq", "", 1, 0},
                  {"micro_batches", "micro-batches", ""},
                  {"global_batch_sequences", "batch seq", ""},
                  {"step_s", "step", "ms", 1e3, 1},
                  {"tokens", "tokens", ""},
                  {"steps", "steps", "", 1, 0}}});
  }
  return t;
}

}  // namespace

Report training_report(const TrainingScenario& s, const TrainingPrediction& p, const TrainingMemory& memory,
                       const ProvenanceLog& log, const nlohmann::json& scenario) {
  Report rep;
  rep.kind = "training";
  rep.title = s.name;
  rep.data = result_json(scenario, s, p, memory, log);
  rep.data["step_breakdown"] = step_rows(p);
  rep.data["memory"]["worst_rank_total_bytes"] = memory.per_rank.at(size_t(memory.worst_rank)).total_bytes;
  for (nlohmann::json& st : rep.data["stages"]) {
    const nlohmann::json& blocks = st["blocks"];
    st["layers"] =
        fmt::format("{} blocks: {}{}", blocks.size(), blocks.empty() ? "" : blocks.front().get<std::string>(),
                    blocks.size() > 1 ? " .. " + blocks.back().get<std::string>() : "");
  }
  if (p.calibration_mismatch) rep.warnings.push_back(hw::calibration_mismatch_text(p.calibration_mismatch));
  rep.lines = lines(s, p, memory);
  rep.metrics = metrics();
  rep.tables = tables(p.batch_ramp.has_value());
  if (!p.step.slices.empty()) {
    rep.data["timeline"] = timeline_rows(p.step.slices);
    rep.data["pipeline"] = pipeline_rows(p.step.slices);
    for (TableSpec& t : timeline_tables()) rep.tables.push_back(std::move(t));
    rep.timeline = "timeline";
  }
  return rep;
}

}  // namespace fathom::models::training
