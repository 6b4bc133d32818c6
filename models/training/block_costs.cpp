#include "models/training/block_costs.h"

#include <fmt/format.h>

#include "hw/ep_alltoall_cost.h"
#include "models/param_counts.h"

namespace fathom::models::training {
namespace {

void add_ops(const hw::KernelCostModel& model, const std::vector<Op>& ops, BlockCost& b) {
  for (const Op& op : ops) {
    const double t = model.time(op.work).value();
    switch (op.pass) {
      case Pass::forward:
        b.forward_s += t;
        break;
      case Pass::backward_input:
        b.backward_input_s += t;
        break;
      case Pass::backward_weight:
        b.backward_weight_s += t;
        break;
    }
    b.flops += op.work.flops;
  }
}

// DeepEP normal kernels (V3TR §3.2.2): forward dispatch (FP8, T29) and combine (BF16); the backward
// mirrors them: the output gradient is dispatched to the experts (FP8 per T29: "a similar strategy is
// applied to the activation gradient before MoE down-projections") and the input gradients are
// combined back (BF16, T29). The most-loaded GPU receives `expert_imbalance` times the mean.
void add_alltoalls(const BlockCostInputs& in, BlockCost& b) {
  const double tokens = double(in.layout.micro_batch_tokens) * in.spec.expert_imbalance;
  b.forward_comm_s =
      (ep_alltoall_s(in, tokens, in.spec.dispatch_dtype) + ep_alltoall_s(in, tokens, in.spec.combine_dtype)).value();
  b.backward_comm_s =
      (ep_alltoall_s(in, tokens, in.spec.backward_dispatch_dtype) + ep_alltoall_s(in, tokens, in.spec.combine_dtype))
          .value();
}

}  // namespace

std::string BlockCost::label() const {
  switch (kind) {
    case BlockKind::embedding:
      return "embedding";
    case BlockKind::head:
      return "head";
    case BlockKind::mtp:
      return fmt::format("mtp{}", layer);
    case BlockKind::layer:
      return fmt::format("layer{}", layer);
  }
  return "?";
}

Seconds ep_alltoall_s(const BlockCostInputs& in, double tokens, hw::DType dtype) {
  hw::AllToAllShape s;
  s.tokens_per_gpu = tokens;
  s.top_k = in.arch.experts_per_token;
  s.ep_gpus = in.layout.ep;
  s.max_nodes_per_token = in.spec.max_nodes_per_token;
  s.bytes_per_token = hw::payload_bytes_per_token(in.arch.hidden, dtype);
  s.style = hw::AllToAllStyle::normal;
  if (s.ep_gpus <= 1) return Seconds(0);
  return hw::ep_alltoall_time(s, in.node);
}

std::vector<BlockCost> block_costs(const BlockCostInputs& in) {
  const ModelArch& a = in.arch;
  const int64_t T = in.layout.micro_batch_tokens;
  const PrefillShape shape{in.spec.micro_batch_sequences, in.spec.sequence_length, true};
  const ParamCounts counts = count_params(a);
  // Expert parallelism: each GPU runs experts_per_gpu experts, each receiving the tokens the ep GPUs
  // of its group route to it (ep * T * top_k / experts on average), times the imbalance.
  MoeLoad ep_load;
  if (a.is_moe()) {
    ep_load.experts = in.layout.experts_per_gpu;
    ep_load.tokens_per_expert = double(in.layout.ep) * double(T) * double(a.experts_per_token) /
                                double(a.routed_experts) * in.spec.expert_imbalance;
  }
  const int64_t expert_params_per_gpu = counts.per_expert * in.layout.experts_per_gpu;
  std::vector<BlockCost> out;

  BlockCost emb;
  emb.kind = BlockKind::embedding;
  add_ops(in.cost_model, training_embedding_ops(a, T, in.options), emb);
  emb.dense_params = counts.embedding;
  out.push_back(emb);

  const int64_t last = a.layers + (in.include_mtp ? a.mtp_layers : 0);
  for (int64_t l = 0; l < last; ++l) {
    BlockCost b;
    b.layer = l;
    b.kind = l < a.layers ? BlockKind::layer : BlockKind::mtp;
    const LayerKind kind = a.kind_of_layer(l);
    b.moe = (kind == LayerKind::moe) || (kind == LayerKind::mtp && a.mtp_layer_is_moe);
    add_ops(in.cost_model, training_layer_ops(a, l, shape, in.options, b.moe ? ep_load : MoeLoad{}), b);
    const int64_t all = kind == LayerKind::mtp ? counts.mtp_module : layer_params(a, kind, false);
    const int64_t experts = b.moe ? counts.per_expert * a.routed_experts : 0;
    b.dense_params = all - experts;
    b.expert_params = b.moe ? expert_params_per_gpu : 0;
    if (b.moe) add_alltoalls(in, b);
    out.push_back(b);
  }

  BlockCost head;
  head.kind = BlockKind::head;
  add_ops(in.cost_model, training_head_ops(a, T, in.options), head);
  head.dense_params = counts.head;
  out.push_back(head);
  return out;
}

}  // namespace fathom::models::training
