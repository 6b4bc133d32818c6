#include "models/unit/unit_run.h"

#include <cmath>
#include <memory>

#include "models/deployment/model_memory_facts.h"
#include "models/eplb/routing_noise.h"
#include "models/eplb/zipf_imbalance.h"
#include "models/unit/training_chunk.h"

namespace fathom::models::unit {
namespace {

void totals(UnitResult& r, const serving::Breakdown& rows) {
  r.breakdown = serving::breakdown_rows(rows);
  for (const serving::NamedCostRow& row : r.breakdown) {
    if (row.kind == "kernel") r.compute_s += row.row.time_s;
    if (row.kind == "communication") {
      r.communication_s += row.row.time_s;
      r.exposed_communication_s += row.row.exposed_s;
    }
    if (row.kind == "overhead") r.overhead_s += row.row.time_s;
  }
}

}  // namespace

MemoryRequest unit_memory_request(const UnitScenario& s) {
  MemoryRequest q;
  q.include_mtp = s.model.mtp;
  q.workspace = s.decode.workspace;
  // Under TP each GPU keeps the KV of its group's requests (MLA: the latent is not split, tensor_parallel.h);
  // the MoE block (shared experts included) runs whole on each GPU's own tokens.
  const int64_t tp = s.parallelism.tp;
  q.shared_experts_sharded_by_tp = false;
  if (s.phase == UnitPhase::decode) {
    q.requests_per_gpu = *s.decode.batch_per_gpu * tp;
    q.context_tokens = s.context_tokens;
    q.tokens_per_forward = *s.decode.batch_per_gpu * (1 + s.mtp.draft_tokens);
  } else {
    const int64_t computed = s.prompt_tokens - s.cached_prefix_tokens;
    q.requests_per_gpu = (s.prefill.tokens_per_gpu + computed - 1) / computed * tp;
    q.context_tokens = s.prompt_tokens;
    q.tokens_per_forward = s.prefill.tokens_per_gpu;
    q.include_mtp = false;
  }
  return q;
}

UnitResult predict_unit(const UnitScenario& s) {
  UnitResult r;
  r.phase = s.phase;
  const ModelArch& a = s.model.arch;
  const hw::KernelCostModel kernels(s.cluster.node.gpu, s.calibration, s.kernel_time_factors);
  r.calibration_device = s.calibration.device;
  r.calibration_mismatch = hw::calibration_mismatch(s.cluster.node.gpu, s.calibration);
  const int64_t ep = s.parallelism.ep;
  // EPLB groups experts per NVLink domain of the EP group (an HGX node; an NVL72 rack of 18 trays).
  const int64_t nodes = eplb::eplb_node_groups(ep, s.cluster.node);
  r.eplb_node_groups = nodes;
  // The fixed form (expert_load.imbalance) is taken as the realized factor: no routing noise on top.
  std::shared_ptr<const eplb::RoutingNoiseCurve> noise;
  if (s.zipf && a.is_moe()) {
    const eplb::ZipfImbalance z =
        eplb::zipf_imbalance(a, {.gpus = ep, .nodes = nodes, .redundant_experts = s.parallelism.redundant_experts},
                             {.exponent = s.zipf->zipf_exponent, .seed = s.zipf->seed});
    r.expert_imbalance = r.expert_imbalance_expected_loads = z.after;
    r.expert_imbalance_before_eplb = z.before;
    noise = std::make_shared<const eplb::RoutingNoiseCurve>(z.after_gpu_tokens);
  } else {
    r.expert_imbalance = r.expert_imbalance_expected_loads = r.expert_imbalance_before_eplb = s.expert_imbalance;
  }
  const double gpus_per_node = static_cast<double>(s.cluster.node.gpus_per_node);
  if (s.phase == UnitPhase::training) {
    // The chunk's routed slots: the micro-batch's tokens per GPU (its own under TP) over the EP group, top-k;
    // each MoE layer's factor at them, averaged (as the training step prices each layer with its own).
    if (noise) {
      const training::TrainingSpec& t = s.training.spec;
      const double own = static_cast<double>(t.micro_batch_sequences * t.sequence_length / s.parallelism.tp);
      r.expert_imbalance = noise->direct(own * static_cast<double>(ep) * static_cast<double>(a.experts_per_token));
    }
    const TrainingChunkCost c = training_chunk_cost(s, kernels, r.expert_imbalance);
    totals(r, c.rows);
    r.step_s = c.step_s;
    // Under TP a GPU holds 1/tp of the micro-batch between TP blocks (sequence parallelism): its own tokens.
    const int64_t own_tokens = c.micro_batch_tokens / s.parallelism.tp;
    r.tokens_per_step_per_gpu = static_cast<double>(own_tokens);
    r.tokens_per_local_expert = static_cast<double>(own_tokens * a.experts_per_token) * static_cast<double>(ep) /
                                static_cast<double>(a.routed_experts) * r.expert_imbalance;
  } else {
    const serving::UnitSpec& unit = s.phase == UnitPhase::prefill ? s.prefill.unit : s.decode.unit;
    const serving::IterationCostModel cost(s.model, s.cluster.node, kernels,
                                           {r.expert_imbalance, unit.communication_sms, noise},
                                           {r.expert_imbalance, unit.communication_sms, noise});
    serving::ForwardCost f;
    if (s.phase == UnitPhase::prefill) {
      const double computed = static_cast<double>(s.prompt_tokens - s.cached_prefix_tokens);
      f = cost.prefill_forward(s.prefill.tokens_per_gpu, computed, static_cast<double>(s.cached_prefix_tokens),
                               s.prefill);
      r.tokens_per_step_per_gpu = static_cast<double>(s.prefill.tokens_per_gpu);
      r.tokens_per_local_expert =
          cost.tokens_per_local_expert(static_cast<double>(s.prefill.tokens_per_gpu), unit, f.expert_imbalance);
    } else {
      const int64_t batch = *s.decode.batch_per_gpu;
      f = cost.decode_step(batch, static_cast<double>(s.context_tokens), s.decode, s.mtp);
      r.tokens_per_step_per_gpu = static_cast<double>(batch) * s.mtp.tokens_per_step();
      r.tokens_per_s_per_request = s.mtp.tokens_per_step() / f.total.value();
      r.tokens_per_local_expert = cost.decode_tokens_per_local_expert(batch, s.decode, s.mtp);
    }
    totals(r, f.rows);
    r.step_s = f.total.value();
    r.expert_imbalance = f.expert_imbalance;
    r.attention_imbalance = f.attention_imbalance;
    ParallelismSpec p = s.parallelism;
    p.dp = p.ep / p.tp;
    r.memory = memory_footprint(memory_facts(s.model), p, unit_memory_request(s), s.cluster.node.gpu.hbm_capacity);
  }
  r.tokens_per_s_per_gpu = r.tokens_per_step_per_gpu / r.step_s;
  r.tokens_per_s_per_node = r.tokens_per_s_per_gpu * gpus_per_node;
  return r;
}

}  // namespace fathom::models::unit
