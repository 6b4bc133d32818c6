// The parts of a training rank's memory that are not activations (rank_memory.h): the ZeRO-1 states of its
// stages, the FP8 copies of its FP8-GEMM weights, DeepEP's buffers.

#include <map>

#include "models/param_counts.h"
#include "models/tensor_parallel.h"
#include "models/training/rank_memory.h"
#include "models/training/tp_shards.h"
#include "models/training/zero_costs.h"
#include "models/weights.h"

namespace fathom::models::training {

RankStateBytes rank_state_bytes(const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                                const TrainingSpec& spec, const TrainingLayout& layout) {
  ChunkParams all;
  for (int s : rank_stages) {
    const ChunkParams p = chunk_params(stages.at(size_t(s)).blocks);
    all.dense += p.dense;
    all.expert += p.expert;
  }
  const double params = double(all.dense + all.expert);
  RankStateBytes out;
  out.parameters = params * hw::bytes_per_element(spec.parameter_gather_dtype);
  out.gradients = params * hw::bytes_per_element(spec.gradient_reduce_dtype);
  out.optimizer = zero1_shard_params(all, layout) * (hw::bytes_per_element(spec.master_weight_dtype) +
                                                     2.0 * hw::bytes_per_element(spec.optimizer_moment_dtype));
  return out;
}

double fp8_weight_bytes(const ModelArch& a, const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                        const TrainingLayout& layout, hw::DType gemm_dtype, int64_t copies) {
  return Fp8WeightBytes(a, layout, gemm_dtype, copies).of(stages, rank_stages);
}

Fp8WeightBytes::Fp8WeightBytes(const ModelArch& arch, const TrainingLayout& layout, hw::DType gemm_dtype,
                               int64_t copies)
    : arch_(arch), layout_(layout), counted_(gemm_dtype == hw::DType::fp8 && copies > 0), copies_(copies) {}

// The FP8 bytes of one layer on this GPU, by layer kind (computed once per kind). Under TP a GPU holds its
// shard of the attention, dense-FFN and shared-expert weights and of the MTP eh_proj (tp_shards.h; MLA's
// down-projections whole).
double Fp8WeightBytes::layer_bytes(LayerKind kind) {
  const auto found = per_layer_.find(kind);
  if (found != per_layer_.end()) return found->second;
  double bytes = 0;
  // Routed experts whole (expert TP 1) with the arch's shapes; the rest as a TP rank holds it
  // (training_tp_layer_weights: the shared experts and eh_proj split too).
  const auto add = [&](const std::vector<WeightTensor>& tensors, bool routed) {
    for (const WeightTensor& t : tensors) {
      if (!t.quantizable || (t.group == WeightGroup::routed_experts) != routed) continue;
      const int64_t n = routed ? layout_.experts_per_gpu : t.copies;
      bytes += tensor_bytes(arch_, t.rows, t.cols, true, hw::DType::fp8).value() * double(n);
    }
  };
  add(layer_weights(arch_, kind), true);
  add(training_tp_layer_weights(arch_, kind, layout_.tp), false);
  per_layer_.emplace(kind, bytes);
  return bytes;
}

double Fp8WeightBytes::of(const std::vector<Stage>& stages, const std::vector<int>& rank_stages) {
  if (!counted_) return 0;
  double bytes = 0;
  for (int s : rank_stages) {
    for (const BlockCost& b : stages.at(size_t(s)).blocks) {
      if (b.kind != BlockKind::layer && b.kind != BlockKind::mtp) continue;  // embedding, LM head: BF16
      bytes += layer_bytes(arch_.kind_of_layer(b.layer));
    }
  }
  return bytes * double(copies_);
}

double deepep_buffer_bytes(const ModelArch& a, const TrainingLayout& layout, const TrainingSpec& spec,
                           int64_t domain_gpus) {
  if (layout.ep <= 1 || !a.is_moe()) return 0;
  const double channels = double(spec.communication_sms / 2);
  const double nvl_peers = double(std::min(layout.ep, domain_gpus));
  const double rdma_peers = layout.ep_domains > 1 ? double(layout.ep_domains) : 0.0;
  const double h = double(a.hidden);
  const double slot = h * 2.0 + h / 128.0 * 4.0 + double(a.experts_per_token) * (8.0 + 4.0);
  return channels * slot *
         (nvl_peers * double(spec.deepep_nvl_buffer_tokens) +
          2.0 * rdma_peers * double(spec.deepep_rdma_buffer_tokens));
}

}  // namespace fathom::models::training
