// Runner for scenarios of kind "training": one pre-training step under a pipeline schedule on the
// event engine, its breakdown, MFU, throughput, GPU-hours and cost (docs/training.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "models/training/rank_memory.h"
#include "models/training/training_run.h"
#include "reports/chrome_trace.h"
#include "reports/provenance_report.h"
#include "reports/text_table.h"
#include "sim/error.h"
#include "tools/run_kinds.h"

namespace fathom::tools {
namespace {

namespace tr = models::training;

nlohmann::json breakdown_json(const tr::RankBreakdown& b, double step_s) {
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

nlohmann::json stages_json(const tr::TrainingPrediction& p) {
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
                   {"expert_imbalance", tr::mean_expert_imbalance(st.blocks)}});
  }
  return out;
}

// The "batch_ramp" key: null without training.batch_ramp.
nlohmann::json batch_ramp_json(const tr::TrainingPrediction& p) {
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
nlohmann::json memory_json(const tr::TrainingMemory& m) {
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

nlohmann::json result_json(const ScenarioDocument& doc, const tr::TrainingScenario& s, const tr::TrainingPrediction& p,
                           const tr::TrainingMemory& memory, const ProvenanceLog& log) {
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
        {"micro_batches", s.spec.micro_batches},
        {"micro_batch_tokens", s.layout.micro_batch_tokens},
        {"schedule_stages", s.schedule.stages}}},
      {"step", step},
      {"expert_imbalance", s.spec.expert_imbalance},
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
      {"folds", tr::training_folds(s.fidelity)},
      {"assumptions", reports::assumptions_json(log)},
      {"scenario", doc.root},
  };
  return out;
}

std::string ms(double s) { return fmt::format("{:.1f}", s * 1e3); }

// The batch ramp (training.batch_ramp), one row per slice.
std::string ramp_text(const tr::BatchRampResult& r) {
  reports::TextTable t({"ramp slice", "target seq", "micro-batches", "batch seq", "step ms", "tokens", "steps"});
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const auto& seg = r.segments[i];
    t.add_row({std::to_string(i), fmt::format("{:.0f}", seg.target_global_batch_sequences),
               std::to_string(seg.micro_batches), std::to_string(seg.global_batch_sequences), ms(seg.step_s),
               fmt::format("{:.4g}", seg.tokens), fmt::format("{:.0f}", seg.steps)});
  }
  return fmt::format("Batch ramp: the first {:.4g} tokens in {:.0f} steps, {:.4g} GPU-hours (included above):\n",
                     r.ramp_tokens, r.ramp_steps, r.ramp_gpu_hours) +
         t.render();
}

// Per-GPU memory per rank in GiB, FITS / DOES NOT FIT for the worst rank, and its activations item by item.
std::string memory_text(const tr::TrainingMemory& m) {
  const auto gib = [](double b) { return fmt::format("{:.1f}", b / (1024.0 * 1024.0 * 1024.0)); };
  reports::TextTable t({"rank", "stages", "params", "FP8 weights", "grads", "optimizer", "activations (mb)", "DeepEP",
                        "workspace", "total GiB"});
  for (const auto& r : m.per_rank) {
    t.add_row({std::to_string(r.rank), fmt::format("{}", fmt::join(r.stages, ",")), gib(r.parameters_bytes),
               gib(r.fp8_weights_bytes), gib(r.gradients_bytes), gib(r.optimizer_bytes),
               fmt::format("{} ({})", gib(r.activations_bytes), r.activation_micro_batches),
               gib(r.deepep_buffers_bytes), gib(r.workspace_bytes), gib(r.total_bytes)});
  }
  const auto& w = m.per_rank.at(size_t(m.worst_rank));
  reports::TextTable items({fmt::format("rank {} activations at its peak", m.worst_rank), "GiB"});
  for (const auto& i : m.worst_rank_activations) items.add_row({i.name, fmt::format("{:.2f}", i.bytes / 1073741824.0)});
  return "\nMemory per GPU of each pipeline rank (GiB; activations an estimate, (mb) = peak live micro-batches):\n" +
         t.render() +
         fmt::format("Worst rank {}: {} of {} GiB HBM: {}, headroom {} GiB.\n", m.worst_rank, gib(w.total_bytes),
                     gib(m.hbm_bytes), m.fits ? "FITS" : "DOES NOT FIT", gib(m.headroom_bytes)) +
         "\n" + items.render();
}

std::string render_text(const tr::TrainingScenario& s, const tr::TrainingPrediction& p,
                        const tr::TrainingMemory& memory, const ProvenanceLog& log) {
  const auto& c = p.step.ranks[p.step.critical_rank];
  const double t = p.step.step_s;
  std::string out = fmt::format(
      "{}\n{} x {} ({} GPUs); {} PP{} x DP{} (EP{}, {} experts per GPU), {} micro-batches "
      "of {} tokens; fidelity {}\n\n",
      s.name, s.cluster.nodes, s.cluster.node.gpu.name, s.layout.gpus, s.spec.schedule, s.layout.pp, s.layout.dp,
      s.layout.ep, s.layout.experts_per_gpu, s.spec.micro_batches, s.layout.micro_batch_tokens, s.fidelity);
  if (p.calibration_mismatch) out += "WARNING: " + hw::calibration_mismatch_text(p.calibration_mismatch) + "\n\n";
  reports::TextTable table({fmt::format("step (rank {})", p.step.critical_rank), "ms", "share"});
  auto row = [&](const std::string& label, double v) {
    table.add_row({label, ms(v), fmt::format("{:.1f}%", 100.0 * v / t)});
  };
  row("forward (F)", c.forward_s);
  row("backward, input (B)", c.backward_input_s);
  row("backward, weights (W)", c.backward_weight_s);
  row("exposed EP all-to-all", c.exposed_ep_comm_s);
  row("pipeline bubble", c.bubble_s);
  row("exposed ZeRO-1 collectives", c.exposed_dp_comm_s);
  row("optimizer", c.optimizer_s);
  row("step", t);
  out += table.render();
  out += fmt::format(
      "\nTokens per step {:.4g}, per day {:.4g}. MFU (BF16 peak, op-level FLOPs) {:.1f}%; with 6·N·D {:.1f}%; "
      "against the FP8 peak {:.1f}%. Achieved {:.0f} TFLOPS per GPU.\n",
      p.tokens_per_step, p.tokens_per_day, 100 * p.mfu_bf16, 100 * p.mfu_bf16_6nd, 100 * p.mfu_fp8,
      p.achieved_tflops_per_gpu);
  out += fmt::format("Expert imbalance (max/mean routed tokens per GPU) {:.3f}{}.\n", s.spec.expert_imbalance,
                     s.expert_load ? fmt::format(" after EPLB ({:.3f} before)", s.expert_imbalance_before_eplb)
                                   : std::string(" (training.expert_imbalance)"));
  if (p.checkpoint) {
    out += fmt::format(
        "Checkpoint: {:.4g} GB by {} nodes in {:.1f} s ({}-bound), every {} steps: {:.1f} ms per step "
        "(blocking), included in the GPU-hours.\n",
        p.checkpoint->bytes.value() / 1e9, p.checkpoint->writers, p.checkpoint->time.value(), p.checkpoint->bottleneck,
        s.checkpoint->every_steps, p.checkpoint->amortised_s * 1e3);
  }
  out += fmt::format("{:.4g} tokens: {:.0f} steps, {:.4g} GPU-hours, {:.4g} USD at {} USD per GPU-hour.\n",
                     s.spec.token_budget, p.steps_for_budget, p.gpu_hours, p.cost_usd, s.gpu_hour_price.value());
  if (p.batch_ramp) out += ramp_text(*p.batch_ramp);
  reports::TextTable stages({"stage", "blocks", "F ms", "B ms", "W ms", "a2a fwd ms", "a2a bwd ms", "imbalance"});
  for (size_t i = 0; i < p.stages.size(); ++i) {
    const auto& st = p.stages[i];
    double f = 0, b = 0, w = 0, fc = 0, bc = 0;
    for (const auto& blk : st.blocks) {
      f += blk.forward_s, b += blk.backward_input_s, w += blk.backward_weight_s;
      fc += blk.forward_comm_s(), bc += blk.backward_comm_s();
    }
    stages.add_row({std::to_string(i),
                    fmt::format("{} blocks, layers {}-{}", st.blocks.size(), st.first_layer, st.last_layer), ms(f),
                    ms(b), ms(w), ms(fc), ms(bc), fmt::format("{:.3f}", tr::mean_expert_imbalance(st.blocks))});
  }
  out += "\nPer micro-batch, per stage (full SMs; imbalance: mean max/mean of the stage's MoE layers):\n" +
         stages.render();
  out += memory_text(memory);
  out += "\nFolds:\n";
  for (const auto& f : tr::training_folds(s.fidelity)) out += "  " + f + "\n";
  const std::string assumed = reports::assumptions_text(log);
  if (!assumed.empty()) out += "\nAssumed and default values:\n" + assumed;
  return out;
}

void write_trace(const std::string& file, const tr::TrainingPrediction& p, int ranks) {
  std::vector<reports::TraceSlice> slices;
  for (const auto& s : p.step.slices)
    slices.push_back({s.rank, static_cast<int>(s.track), s.name, s.category, s.start_s, s.duration_s});
  std::vector<reports::TraceTrack> tracks;
  for (int r = 0; r < ranks; ++r) {
    tracks.push_back({r, 0, fmt::format("pipeline rank {}", r), "compute (F, B, W, F&B, optimizer)"});
    tracks.push_back({r, 1, fmt::format("pipeline rank {}", r), "PP sends to the next rank"});
    tracks.push_back({r, 2, fmt::format("pipeline rank {}", r), "PP sends to the previous rank"});
    tracks.push_back({r, 3, fmt::format("pipeline rank {}", r), "ZeRO-1 reduce-scatter, all-gather"});
    tracks.push_back(
        {r, 4, fmt::format("pipeline rank {}", r), "expert all-to-all (one slice per DISPATCH or COMBINE phase)"});
  }
  reports::write_chrome_trace(file, slices, tracks);
}

}  // namespace

void run_training(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const tr::TrainingScenario scenario = tr::read_training_scenario(doc, log);
  if (!options.trace_file.empty() && scenario.fidelity == "analytic") {
    throw InputError("--trace: the analytic level has no timeline (use fidelity event or flow)");
  }
  if (options.validate_only) return;
  const tr::TrainingPrediction p = tr::predict_training(scenario, 1, !options.trace_file.empty());
  const tr::TrainingMemory memory = tr::training_memory(scenario, p);
  for (const auto& a : memory.assumptions) log.record(a);
  if (!options.trace_file.empty()) write_trace(options.trace_file, p, scenario.schedule.ranks);
  if (options.json) {
    fmt::print("{}\n", result_json(doc, scenario, p, memory, log).dump(2));
  } else {
    fmt::print("{}", render_text(scenario, p, memory, log));
  }
}

}  // namespace fathom::tools
