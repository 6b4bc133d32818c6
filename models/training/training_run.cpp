#include "models/training/training_run.h"

#include <fmt/format.h>

#include "hw/calibration.h"
#include "models/param_counts.h"

namespace fathom::models::training {

TrainingScenario read_training_scenario(const ScenarioDocument& doc, ProvenanceLog& log) {
  TrainingScenario s;
  const SpecReader top(doc.root, doc.label, "", &log);
  s.name = top.has("name") ? top.text("name") : doc.label;
  if (top.has("description")) top.text("description");
  top.text("kind");
  s.fidelity = top.choice_or("fidelity", {"analytic", "event", "flow"}, "event", "the event-level engine");
  if (s.fidelity != "event") {
    top.fail(
        "fidelity",
        fmt::format("\"{}\" is not implemented for training yet (only \"event\"; see docs/training.md)", s.fidelity));
  }
  s.calibration_file = top.text("calibration");
  s.cluster = hw::read_cluster_spec(top.child("cluster"));
  s.model = read_model_choice(top.child("model"), doc);
  const SpecReader par = top.child("parallelism");
  const ParallelismSpec p = read_training_parallelism(par);
  const SpecReader tr = top.child("training");
  s.spec = read_training_spec(tr);
  if (top.has("expert_load")) {
    if (s.spec.expert_imbalance_given) {
      top.fail("expert_load", "cannot be given together with training.expert_imbalance (EPLB derives it)");
    }
    s.expert_load = read_training_expert_load(top.child("expert_load"));
  }
  if (top.has("checkpoint")) s.checkpoint = read_checkpoint_spec(top.child("checkpoint"));
  s.gpu_hour_price = read_gpu_hour_price(top.child("economics"));
  top.finish();
  if (s.spec.communication_sms >= s.cluster.node.gpu.sm_count) {
    tr.fail("communication_sms", fmt::format("{} leaves no SMs of the {} for compute", s.spec.communication_sms,
                                             s.cluster.node.gpu.sm_count));
  }
  s.schedule = build_schedule(par, tr, s.spec, p.pp);  // first: its rules name the key to change
  s.layout = derive_layout(par, p, par.has("dp"), tr, s.spec, s.model.arch, s.cluster);
  s.expert_imbalance_before_eplb = s.spec.expert_imbalance;
  if (s.expert_load) {
    // Training has no redundant experts (parallelism.redundant_experts must be 0).
    const eplb::ZipfImbalance z = eplb::zipf_imbalance(
        s.model.arch, {.gpus = s.layout.ep, .nodes = s.layout.ep_nodes, .redundant_experts = 0}, *s.expert_load);
    s.expert_imbalance_before_eplb = z.before;
    s.spec.expert_imbalance = z.after;
  }
  if (s.checkpoint && s.checkpoint->cluster.clients < s.cluster.nodes) {
    top.child("checkpoint")
        .child("storage")
        .child("cluster")
        .fail("clients", fmt::format("{} client nodes, but all {} training nodes write the checkpoint",
                                     s.checkpoint->cluster.clients, s.cluster.nodes));
  }
  const int64_t layers = s.model.arch.layers;
  if (s.schedule.stages > layers) {
    par.fail("pp", fmt::format("{} schedule stages for {} layers", s.schedule.stages, layers));
  }
  if (!std::filesystem::exists(doc.resolve_path(s.calibration_file))) {
    top.fail("calibration", fmt::format("file {} does not exist", doc.resolve_path(s.calibration_file).string()));
  }
  try {
    s.calibration = hw::load_calibration(doc.resolve_path(s.calibration_file));
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: calibration: {}", doc.label, e.what()));
  }
  return s;
}

std::vector<std::string> training_folds() {
  return {
      "data parallelism: one pipeline replica of dp simulated; ZeRO-1 collectives priced over the whole group",
      "expert parallelism: one representative (most-loaded) GPU per EP group and stage; all-to-alls priced "
      "per GPU from its traffic (hw/ep_alltoall_cost)",
      "network planes: one plane; rail-aligned pipeline and data-parallel traffic stays on the GPU's own NIC",
  };
}

TrainingPrediction predict_training(const TrainingScenario& s, int replicas) {
  TrainingPrediction out;
  const ModelArch& arch = s.model.arch;
  const hw::KernelCostModel cost_model(s.cluster.node.gpu, s.calibration);
  CostOptions options = default_cost_options(arch);
  options.weight_dtype = s.model.weights_dtype;
  const BlockCostInputs in{arch, s.model.mtp, options, s.spec, s.layout, s.cluster.node, cost_model};
  const std::vector<BlockCost> blocks = block_costs(in);
  out.stages = partition_stages(blocks, s.schedule.stages);
  const double sms = double(s.cluster.node.gpu.sm_count);
  out.compute_slowdown = sms / (sms - double(s.spec.communication_sms));
  // Activations (forward) or their gradients (backward) of one micro-batch to the neighbouring rank
  // over the scale-out NIC (stages live on different nodes).
  const double pp_bytes =
      double(s.layout.micro_batch_tokens) * double(arch.hidden) * hw::bytes_per_element(s.spec.pp_activation_dtype);
  out.pp_transfer_s =
      s.cluster.node.scaleout_nic.latency.value() + pp_bytes / s.cluster.node.scaleout_nic.achievable_bandwidth.value();
  const StepInputs step_in{s.schedule, out.stages,     out.compute_slowdown, out.pp_transfer_s, s.spec,
                           s.layout,   s.cluster.node, cost_model,           replicas};
  out.step = simulate_step(step_in);

  const double step = out.step.step_s;
  const double gpus = double(s.layout.gpus);
  out.tokens_per_step = double(s.layout.tokens_per_step);
  out.tokens_per_day = out.tokens_per_step * 86400.0 / step;
  const double sequences = double(s.layout.dp * s.spec.micro_batches * s.spec.micro_batch_sequences);
  const PrefillShape one{1, s.spec.sequence_length, true};
  out.model_flops_per_step = total_flops(training_model_ops(arch, one, options, false)).value() * sequences;
  out.executed_flops_per_step = total_flops(training_model_ops(arch, one, options, s.model.mtp)).value() * sequences;
  out.model_flops_6nd_per_step = 6.0 * double(count_params(arch).activated_per_token) * out.tokens_per_step;
  const double bf16 = s.cluster.node.gpu.peak_bf16_dense.value();
  const double fp8 = s.cluster.node.gpu.peak_fp8_dense.value();
  out.mfu_bf16 = out.model_flops_per_step / (gpus * bf16 * step);
  out.mfu_bf16_6nd = out.model_flops_6nd_per_step / (gpus * bf16 * step);
  out.mfu_fp8 = out.model_flops_per_step / (gpus * fp8 * step);
  out.achieved_tflops_per_gpu = out.model_flops_per_step / gpus / step / 1e12;
  out.steps_for_budget = s.spec.token_budget / out.tokens_per_step;
  out.time_per_step_s = step;
  if (s.checkpoint) {
    // Every training node writes its shards (ZeRO-1, PP and EP spread the state over all of them).
    out.checkpoint = checkpoint_cost(*s.checkpoint, checkpoint_state_bytes(arch, s.model.mtp, s.spec), s.cluster.nodes);
    out.time_per_step_s += out.checkpoint->amortised_s;
  }
  out.gpu_hours = out.steps_for_budget * out.time_per_step_s * gpus / 3600.0;
  out.cost_usd = out.gpu_hours * s.gpu_hour_price.value();
  return out;
}

}  // namespace fathom::models::training
