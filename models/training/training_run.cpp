#include "models/training/training_run.h"

#include <fmt/format.h>

#include <numeric>
#include <optional>

#include "hw/calibration.h"
#include "hw/ep_alltoall_cost.h"
#include "models/param_counts.h"
#include "models/schedule/registry.h"
#include "models/training/step_analytic.h"
#include "models/training/training_budget.h"

namespace fathom::models::training {

namespace {

// The readers of the sections the layout is checked against (their paths name the key to change).
struct LayoutReaders {
  const SpecReader& top;
  const SpecReader& parallelism;
  const SpecReader& training;
};

// The layout half of the reader: the resource guard, the schedule, the derived layout, EPLB's imbalance for
// its EP groups and the checks that involve the layout. `s` holds everything else already (the cluster, the
// model and the training spec with the searched keys set); `p` the parallelism section's values.
void complete_layout(TrainingScenario& s, const LayoutReaders& r, const ParallelismSpec& p, bool dp_given,
                     TrainingReadCache* cache) {
  const SpecReader& tr = r.training;
  const SpecReader& par = r.parallelism;
  // Resource guard (training_budget.h): refuse before the schedule and the step's task graph are built.
  if (const auto why = training_over_budget({.fidelity = s.fidelity,
                                             .schedule = s.spec.schedule,
                                             .pp = p.pp,
                                             .virtual_stages = s.spec.virtual_stages,
                                             .micro_batches = s.spec.micro_batches,
                                             .layers = s.model.arch.layers,
                                             .ramp_segments = s.spec.batch_ramp ? s.spec.batch_ramp->segments : 0})) {
    tr.fail("micro_batches", *why);
  }
  s.parallelism = p;
  // First: its rules name the key to change.
  const auto build = [&] { return std::make_shared<const schedule::Schedule>(build_schedule(par, tr, s.spec, p.pp)); };
  if (!cache) {
    s.schedule = build();
  } else {
    const auto key = std::make_tuple(s.spec.schedule, p.pp, s.spec.virtual_stages, s.spec.micro_batches);
    auto it = cache->schedules.find(key);
    if (it == cache->schedules.end()) it = cache->schedules.emplace(key, build()).first;
    s.schedule = it->second;
  }
  if (s.spec.virtual_stages > 1 && s.schedule->stages > s.model.arch.layers) {
    tr.fail("virtual_stages", fmt::format("pp {} x virtual_stages {} = {} stages exceed the model's {} layers", p.pp,
                                          s.spec.virtual_stages, s.schedule->stages, s.model.arch.layers));
  }
  if (s.spec.pipeline_layout) {
    const auto why =
        pipeline_layout_mismatch(*s.spec.pipeline_layout, s.spec.schedule, s.schedule->stages, p.pp,
                                 s.spec.virtual_stages, s.model.arch.layers, s.model.mtp ? s.model.arch.mtp_layers : 0);
    if (why) tr.fail("pipeline_layout", *why);
  }
  s.layout = derive_layout(par, p, dp_given, tr, s.spec, s.model.arch, s.cluster);
  if (s.layout.tp > 1 && s.fidelity == "flow") {
    par.fail("tp", fmt::format("{}: the flow level places one GPU per pipeline rank and replica; tensor parallelism "
                               "needs fidelity \"event\" or \"analytic\"",
                               s.layout.tp));
  }
  if (s.fidelity == "flow" && hw::scaleup_domain_gpus(s.cluster.node) > s.cluster.node.gpus_per_node) {
    r.top.fail("fidelity",
               fmt::format("\"flow\" maps GPUs to NVLink and NIC planes per node; an NVLink domain of {} GPUs "
                           "over {}-GPU nodes (NVL72) needs fidelity \"event\" or \"analytic\"",
                           hw::scaleup_domain_gpus(s.cluster.node), s.cluster.node.gpus_per_node));
  }
  s.expert_imbalance_before_eplb = s.expert_imbalance_expected_loads = s.spec.expert_imbalance;
  if (s.expert_load) {
    // Training has no redundant experts (parallelism.redundant_experts must be 0).
    const auto place = [&] {
      return eplb::zipf_imbalance(
          s.model.arch, {.gpus = s.layout.ep, .nodes = s.layout.ep_domains, .redundant_experts = 0}, *s.expert_load);
    };
    std::optional<eplb::ZipfImbalance> own;
    const eplb::ZipfImbalance* found = nullptr;
    if (cache) {
      const auto key = std::make_tuple(s.layout.ep, s.layout.ep_domains, s.expert_load->exponent, s.expert_load->seed);
      auto it = cache->imbalances.find(key);
      if (it == cache->imbalances.end()) it = cache->imbalances.emplace(key, place()).first;
      found = &it->second;
    } else {
      found = &own.emplace(place());
    }
    const eplb::ZipfImbalance& z = *found;
    // Each layer waits for the busiest GPU of the loads a micro-batch draws (routing noise, eplb/routing_noise.h):
    // S = the micro-batch's tokens per GPU over the EP group, top-k routed slots.
    const double slots = static_cast<double>(s.layout.tokens_per_gpu()) * static_cast<double>(s.layout.ep) *
                         static_cast<double>(s.model.arch.experts_per_token);
    std::vector<double> realized;
    if (cache) {
      const auto key =
          std::make_tuple(s.layout.ep, s.layout.ep_domains, s.expert_load->exponent, s.expert_load->seed, slots);
      auto it = cache->realized.find(key);
      if (it == cache->realized.end()) it = cache->realized.emplace(key, eplb::realized_per_layer(z, slots)).first;
      realized = it->second;
    } else {
      realized = eplb::realized_per_layer(z, slots);
    }
    s.expert_imbalance_before_eplb = z.before;
    s.expert_imbalance_expected_loads = z.after;
    // The MoE-layer mean: reported, and used by the MTP modules.
    s.spec.expert_imbalance =
        realized.empty() ? 1.0 : std::reduce(realized.begin(), realized.end()) / static_cast<double>(realized.size());
    s.layer_imbalance = decoder_layer_imbalance(s.model.arch, realized);
  }
  if (s.checkpoint && s.checkpoint->cluster.clients < s.cluster.nodes) {
    r.top.child("checkpoint")
        .child("storage")
        .child("cluster")
        .fail("clients", fmt::format("{} client nodes, but all {} training nodes write the checkpoint",
                                     s.checkpoint->cluster.clients, s.cluster.nodes));
  }
  const int64_t layers = s.model.arch.layers;
  if (s.schedule->stages > layers) {
    par.fail("pp", fmt::format("{} schedule stages for {} layers", s.schedule->stages, layers));
  }
}

}  // namespace

TrainingScenario read_training_scenario(const ScenarioDocument& doc, ProvenanceLog& log, TrainingReadCache* cache) {
  TrainingScenario s;
  const SpecReader top(doc.root, doc.label, "", &log);
  s.name = top.has("name") ? top.text("name") : doc.label;
  if (top.has("description")) top.text("description");
  if (top.has("plan")) top.raw("plan");  // the search space of `fathom plan` (models/plan/plan_spec.h)
  top.text("kind");
  s.fidelity = top.choice_or("fidelity", {"analytic", "event", "flow"}, "event", "the event-level engine");
  s.calibration_file = top.text("calibration");
  s.cluster = hw::read_cluster_spec(top.child("cluster"));
  s.model = read_model_choice(top.child("model"), doc, cache ? &cache->hf_configs : nullptr);
  refuse_inference_only_dtypes(top.child("model"), s.model);
  const SpecReader par = top.child("parallelism");
  const ParallelismSpec p = read_training_parallelism(par);
  const SpecReader tr = top.child("training");
  s.spec = read_training_spec(tr);
  within_context(tr, "sequence_length", s.spec.sequence_length, s.model.arch);
  if (top.has("expert_load")) {
    if (s.spec.expert_imbalance_given) {
      top.fail("expert_load", "cannot be given together with training.expert_imbalance (EPLB derives it)");
    }
    s.expert_load = read_training_expert_load(top.child("expert_load"));
  }
  if (top.has("checkpoint")) s.checkpoint = read_checkpoint_spec(top.child("checkpoint"));
  s.gpu_hour_price = read_gpu_hour_price(top.child("economics"));
  if (top.has("kernel_time_factors"))
    s.kernel_time_factors = hw::read_kernel_time_factors(top.child("kernel_time_factors"));
  if (top.has("failures")) {
    if (!s.checkpoint) top.fail("failures", "needs the checkpoint section (its interval and its write time)");
    s.failures = read_failure_spec(top.child("failures"));
  }
  if (top.has("perturbations")) top.raw("perturbations");  // read once the layout is known (below)
  top.finish();
  if (s.spec.communication_sms >= s.cluster.node.gpu.sm_count) {
    tr.fail("communication_sms", fmt::format("{} leaves no SMs of the {} for compute", s.spec.communication_sms,
                                             s.cluster.node.gpu.sm_count));
  }
  complete_layout(s, {top, par, tr}, p, par.has("dp"), cache);
  s.perturbations = read_perturbations(top, s.layout, s.cluster.nodes, s.cluster.node.gpus_per_node, s.fidelity);
  std::error_code missing;  // the non-throwing overload: a name too long for the OS is "not found"
  if (!std::filesystem::is_regular_file(doc.resolve_path(s.calibration_file), missing)) {
    top.fail("calibration", doc.not_found(s.calibration_file));
  }
  try {
    const std::filesystem::path file = doc.resolve_path(s.calibration_file);
    if (cache == nullptr) {
      s.calibration = hw::load_calibration(file);
    } else {
      auto it = cache->calibrations.find(file.string());
      if (it == cache->calibrations.end())
        it = cache->calibrations.emplace(file.string(), hw::load_calibration(file)).first;
      s.calibration = it->second;
    }
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: calibration: {}", doc.label, e.what()));
  }
  return s;
}

TrainingScenario with_layout(const TrainingScenario& read, const ScenarioDocument& doc, const TrainingLayoutChoice& c,
                             TrainingReadCache* cache) {
  TrainingScenario s = read;
  s.cluster.nodes = c.nodes;
  s.spec.schedule = c.schedule;
  s.spec.micro_batch_sequences = c.micro_batch_sequences;
  s.spec.micro_batches = c.micro_batches;
  if (s.checkpoint) s.checkpoint->cluster.clients = c.nodes;  // every training node writes its shards
  ParallelismSpec p = read.parallelism;
  p.pp = c.pp;
  p.ep = c.ep;
  const SpecReader top(doc.root, doc.label, "", nullptr);
  complete_layout(s, {top, top.child("parallelism"), top.child("training")}, p, false, cache);
  s.perturbations = read_perturbations(top, s.layout, s.cluster.nodes, s.cluster.node.gpus_per_node, s.fidelity);
  return s;
}

std::vector<std::string> training_folds(const std::string& fidelity) {
  if (fidelity == "analytic") {
    return {
        "pipeline: the schedule's program timed with each stage's own unit times and each boundary's sends, folded "
        "over the micro-batches (models/schedule/program_timing.h); no engine, no link queueing",
        "data parallelism: one replica; ZeRO-1 collectives priced over the whole group, the last chunk's "
        "reduce-scatter, the optimizer and the all-gather exposed after the pipeline",
        "expert parallelism: one representative (most-loaded) GPU per EP group and stage (hw/ep_alltoall_cost)",
    };
  }
  if (fidelity == "flow") {
    return {
        "data parallelism: one pipeline replica of dp simulated; its ZeRO-1 rings are flows to its own NIC "
        "(the image of the next replica's), which is what every replica's NIC carries",
        "expert parallelism: one representative (most-loaded) GPU per EP group and stage; each all-to-all "
        "phase is one per-node aggregated IB flow and one NVLink flow (hw/ep_alltoall_traffic) to its own "
        "links, the images of its EP peers'",
        "network planes: one plane; pipeline, all-to-all and ZeRO-1 flows of a GPU share its NIC max-min; "
        "the fat-tree core is non-blocking (N04)",
    };
  }
  return {
      "data parallelism: one pipeline replica of dp simulated; ZeRO-1 collectives priced over the whole group",
      "expert parallelism: one representative (most-loaded) GPU per EP group and stage; all-to-alls priced "
      "per GPU from its traffic (hw/ep_alltoall_cost)",
      "network planes: one plane; rail-aligned pipeline and data-parallel traffic stays on the GPU's own NIC, "
      "on separate queues (no contention between traffic classes at this level)",
  };
}

namespace {

// What every step simulation of one prediction shares: the block costs do not depend on the
// micro-batch count, only the schedule does.
struct StepContext {
  const TrainingScenario& scenario;
  const std::vector<Stage>& stages;
  double pp_transfer_s;
  const PipelineSends* pp_sends;  // per stage boundary, NVLink or NIC (pipeline_sends.h)
  const hw::KernelCostModel& cost_model;
  int replicas;
  const FlowStepInputs* flow;                            // null: the event level
  TrainingPriceCache* cache;                             // null: nothing kept between predictions
  const std::vector<GpuFactors>* gpu_factors = nullptr;  // perturbed GPUs (replicas = dp); null: none
};

// The scenario's schedule at `micro_batches` per pipeline (its own, or generated for a batch-ramp slice).
std::shared_ptr<const schedule::Schedule> schedule_at(const TrainingScenario& s, int64_t micro_batches) {
  if (micro_batches == s.spec.micro_batches) return s.schedule;
  const auto& entry = schedule::schedule_registry().get(s.spec.schedule, "training.schedule");
  return std::make_shared<const schedule::Schedule>(
      entry.make(schedule::ScheduleParams{int(s.layout.pp), int(micro_batches), int(s.spec.virtual_stages)}));
}

// THE step simulation of predict_training: one step at `micro_batches` per pipeline (the scenario's own
// count, or a batch-ramp slice's count, already accepted by the schedule: accepted_micro_batches).
StepResult simulate_step_at(const StepContext& c, int64_t micro_batches, bool timeline = false) {
  const TrainingScenario& s = c.scenario;
  TrainingSpec spec = s.spec;
  spec.micro_batches = micro_batches;
  TrainingLayout layout = s.layout;
  layout.tokens_per_step = layout.dp * micro_batches * layout.micro_batch_tokens;
  if (s.fidelity == "analytic" && c.cache) {
    const schedule::ScheduleDigest& d = schedule_digest(s, micro_batches, *c.cache);
    const StageKey plans_key = stage_key(s);
    auto plans = c.cache->unit_plans.find(plans_key);
    if (plans == c.cache->unit_plans.end()) plans = c.cache->unit_plans.try_emplace(plans_key, c.stages).first;
    StepInputs in{d.header,     c.stages,   c.pp_transfer_s, spec,     layout, s.cluster.node,
                  c.cost_model, c.replicas, c.flow,          timeline, &d,     &plans->second};
    in.pp_sends = c.pp_sends;
    return analytic_step(in);
  }
  const std::shared_ptr<const schedule::Schedule> sch = schedule_at(s, micro_batches);
  StepInputs in{*sch,           c.stages,     c.pp_transfer_s, spec,   layout,
                s.cluster.node, c.cost_model, c.replicas,      c.flow, timeline};
  in.gpu_factors = c.gpu_factors;
  in.pp_sends = c.pp_sends;
  return s.fidelity == "analytic" ? analytic_step(in) : simulate_step(in);
}

}  // namespace

// Interleaved 1F1B holds stage s on rank s mod pp: its cuts balance the ranks too (partition_stages).
int interleaved_ranks(const TrainingScenario& s) {
  return schedule::schedule_traits(s.schedule->name).virtual_stages ? s.schedule->ranks : 0;
}

BlockShapeKey block_shape(const TrainingScenario& s) {
  return {s.layout.ep,
          s.layout.ep_nodes,
          s.layout.experts_per_gpu,
          s.layout.micro_batch_tokens,
          s.spec.micro_batch_sequences,
          s.layout.tp};
}

StageKey stage_key(const TrainingScenario& s) {
  return {block_shape(s), s.schedule->stages, interleaved_ranks(s),
          s.spec.pipeline_layout ? s.spec.pipeline_layout->text : std::string()};
}

std::vector<Stage> cut_stages(const TrainingScenario& s, const std::vector<BlockCost>& blocks) {
  if (s.spec.pipeline_layout) return layout_stages(blocks, *s.spec.pipeline_layout);
  return partition_stages(blocks, s.schedule->stages, interleaved_ranks(s));
}

const schedule::ScheduleDigest& schedule_digest(const TrainingScenario& s, int64_t micro_batches,
                                                TrainingPriceCache& cache) {
  return cache.digests.at(s.spec.schedule, int(s.layout.pp), int(s.spec.virtual_stages), int(micro_batches),
                          [&](int m) { return schedule_at(s, m); });
}

namespace {

hw::KernelCostModel kernel_cost_model(const TrainingScenario& s) {
  return hw::KernelCostModel(s.cluster.node.gpu, s.calibration, s.kernel_time_factors);
}

// The GPU with communication_sms taken from compute (T08), for the compute beside the all-to-alls.
hw::KernelCostModel overlapped_cost_model(const TrainingScenario& s, const hw::KernelCostModel& full) {
  return full.with_compute_sms(s.cluster.node.gpu.sm_count - s.spec.communication_sms);
}

void fill_cost_models(const TrainingScenario& s, TrainingPriceCache& cache) {
  if (!cache.cost_model) cache.cost_model.emplace(kernel_cost_model(s));
  if (!cache.overlapped_cost_model) cache.overlapped_cost_model.emplace(overlapped_cost_model(s, *cache.cost_model));
}

BlockCostInputs block_inputs(const TrainingScenario& s, const hw::KernelCostModel& cost_model,
                             const hw::KernelCostModel& overlapped) {
  CostOptions options = default_cost_options(s.model.arch);
  options.weight_dtype = s.model.weights_dtype;
  return BlockCostInputs{s.model.arch,   s.model.mtp, options,           s.spec,     s.layout,
                         s.cluster.node, cost_model,  s.layer_imbalance, &overlapped};
}

const std::vector<BlockCost>& cached_blocks(const TrainingScenario& s, TrainingPriceCache& cache) {
  fill_cost_models(s, cache);
  const BlockShapeKey key = block_shape(s);
  auto it = cache.blocks.find(key);
  if (it == cache.blocks.end()) {
    it = cache.blocks.emplace(key, block_costs(block_inputs(s, *cache.cost_model, *cache.overlapped_cost_model))).first;
  }
  return it->second;
}

// The FLOPs of one sequence: the main model's, and what executes (MTP modules and recomputation included).
TrainingPriceCache::SequenceFlops sequence_flops(const TrainingScenario& s, const CostOptions& options) {
  const PrefillShape one{1, s.spec.sequence_length, true};
  const std::vector<Op> executed = training_model_ops(s.model.arch, one, options, s.model.mtp);
  return {total_flops(training_model_ops(s.model.arch, one, options, false)).value(),
          (total_flops(executed) + total_flops(recompute_ops(executed, s.spec.recompute))).value()};
}

}  // namespace

const std::vector<Stage>& training_stages(const TrainingScenario& s, TrainingPriceCache& cache) {
  const std::vector<BlockCost>& blocks = cached_blocks(s, cache);
  const StageKey key = stage_key(s);
  auto it = cache.stages.find(key);
  if (it == cache.stages.end()) it = cache.stages.emplace(key, cut_stages(s, blocks)).first;
  return it->second;
}

TrainingPrediction predict_training(const TrainingScenario& s, int replicas, bool timeline, TrainingPriceCache* cache) {
  // A perturbation breaks the data-parallel fold: every replica is simulated (training_perturbations.h).
  std::vector<GpuFactors> gpu_factors;
  // Symmetric ones (background_traffic) keep it: the folded replicas all get the same factors.
  if (breaks_data_parallel_fold(s.perturbations)) {
    replicas = int(s.layout.dp);
    gpu_factors = perturbed_gpu_factors(s.perturbations, s.layout);
  } else if (!s.perturbations.empty()) {
    gpu_factors = perturbed_gpu_factors(s.perturbations, s.layout, std::max(1, replicas));
  }
  if (replicas > 1) {
    const auto why = training_over_budget({.fidelity = s.fidelity,
                                           .schedule = s.spec.schedule,
                                           .pp = s.layout.pp,
                                           .virtual_stages = s.spec.virtual_stages,
                                           .micro_batches = s.spec.micro_batches,
                                           .layers = s.model.arch.layers,
                                           .replicas = replicas,
                                           .ramp_segments = s.spec.batch_ramp ? s.spec.batch_ramp->segments : 0});
    if (why) throw InputError(fmt::format("{}: {}", s.name, *why));
  }
  TrainingPrediction out;
  const ModelArch& arch = s.model.arch;
  if (!cache) {
    out.calibration_mismatch = hw::calibration_mismatch(s.cluster.node.gpu, s.calibration);
  } else {
    if (!cache->calibration_mismatch) {
      cache->calibration_mismatch.emplace(hw::calibration_mismatch(s.cluster.node.gpu, s.calibration));
    }
    out.calibration_mismatch = *cache->calibration_mismatch;
  }
  std::optional<hw::KernelCostModel> own_model, own_overlapped;
  if (!cache) {
    own_model.emplace(kernel_cost_model(s));
    own_overlapped.emplace(overlapped_cost_model(s, *own_model));
  } else {
    fill_cost_models(s, *cache);
  }
  const hw::KernelCostModel& cost_model = cache ? *cache->cost_model : *own_model;
  const BlockCostInputs in = block_inputs(s, cost_model, cache ? *cache->overlapped_cost_model : *own_overlapped);
  std::vector<BlockCost> own_blocks;
  if (!cache) own_blocks = block_costs(in);
  const std::vector<BlockCost>& blocks = cache ? cached_blocks(s, *cache) : own_blocks;
  out.stages = cache ? training_stages(s, *cache) : cut_stages(s, blocks);
  double full = 0, reduced = 0;
  for (const BlockCost& b : blocks) {
    full += b.compute_s();
    reduced += b.overlapped.forward_s + b.overlapped.backward_input_s + b.overlapped.backward_weight_s;
  }
  out.compute_slowdown = full > 0 ? reduced / full : 1.0;
  // Activations (forward) or their gradients (backward) of one micro-batch to the neighbouring rank, per
  // stage boundary over NVLink when both stages lie in one NVLink domain, else over the scale-out NIC
  // (pipeline_sends.h). pp_transfer_s stays the NIC send.
  const double pp_bytes =
      double(s.layout.tokens_per_gpu()) * double(arch.hidden) * hw::bytes_per_element(s.spec.pp_activation_dtype);
  out.pp_sends = pipeline_sends(pp_bytes, s.layout, s.cluster.node);
  out.pp_transfer_s = out.pp_sends.nic_s;
  const FlowStepInputs flow{in, pp_bytes};
  const StepContext ctx{s,
                        out.stages,
                        out.pp_transfer_s,
                        &out.pp_sends,
                        cost_model,
                        replicas,
                        s.fidelity == "flow" ? &flow : nullptr,
                        cache,
                        gpu_factors.empty() ? nullptr : &gpu_factors};
  // A removed node: the step fails, or the remaining replicas take its replicas' micro-batches.
  int64_t micro_batches = s.spec.micro_batches;
  if (const std::optional<NodeRemoval> removal = node_removal(s.perturbations, s.layout, s.spec.micro_batches)) {
    out.step_failure = removal->failure;
    if (!removal->failure) {
      micro_batches = accepted_micro_batches(s.spec.schedule, s.layout.pp, removal->micro_batches);
      out.redistributed_micro_batches = micro_batches;
    }
  }
  out.step = simulate_step_at(ctx, micro_batches, timeline);

  const double step = out.step.step_s;
  const double gpus = double(s.layout.gpus);
  out.tokens_per_step = double(s.layout.tokens_per_step);
  out.tokens_per_day = out.tokens_per_step * 86400.0 / step;
  const double sequences = double(s.layout.dp * s.spec.micro_batches * s.spec.micro_batch_sequences);
  std::optional<TrainingPriceCache::SequenceFlops> own_flops;
  const TrainingPriceCache::SequenceFlops& flops =
      cache && cache->sequence_flops ? *cache->sequence_flops : own_flops.emplace(sequence_flops(s, in.options));
  if (cache && !cache->sequence_flops) cache->sequence_flops = flops;
  out.model_flops_per_step = flops.model * sequences;
  out.executed_flops_per_step = flops.executed * sequences;
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
    if (s.failures) {
      out.goodput = training_goodput(*s.failures, s.layout.gpus, s.cluster.nodes, step, s.checkpoint->every_steps,
                                     out.checkpoint->time.value());
    }
  }
  if (!s.spec.batch_ramp) {
    out.gpu_hours = out.steps_for_budget * out.time_per_step_s * gpus / 3600.0;
  } else {
    // T11: the first ramp_tokens at a growing batch (batch_ramp.h), the rest at the final batch; the
    // amortised checkpoint is charged on every step.
    const RampShape shape{s.layout.dp, s.spec.micro_batch_sequences, s.spec.sequence_length, s.spec.micro_batches,
                          s.layout.gpus};
    const double checkpoint_s = out.checkpoint ? out.checkpoint->amortised_s : 0.0;
    out.batch_ramp = evaluate_batch_ramp(
        *s.spec.batch_ramp, shape, [&](int64_t c) { return accepted_micro_batches(s.spec.schedule, s.layout.pp, c); },
        [&](int64_t c) { return c == s.spec.micro_batches ? step : simulate_step_at(ctx, c).step_s; }, checkpoint_s);
    const double steady_steps = (s.spec.token_budget - out.batch_ramp->ramp_tokens) / out.tokens_per_step;
    out.steps_for_budget = out.batch_ramp->ramp_steps + steady_steps;
    out.gpu_hours = out.batch_ramp->ramp_gpu_hours + steady_steps * out.time_per_step_s * gpus / 3600.0;
  }
  out.cost_usd = out.gpu_hours * s.gpu_hour_price.value();
  return out;
}

}  // namespace fathom::models::training
