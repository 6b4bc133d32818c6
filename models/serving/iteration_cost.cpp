#include "models/serving/iteration_cost.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fathom::models::serving {
namespace {

bool is_moe(const ModelArch& a, int64_t layer) {
  return layer < a.layers ? a.kind_of_layer(layer) == LayerKind::moe : a.mtp_layer_is_moe;
}

// Sum of kernel times, with the attention and routed-expert parts split out.
ForwardCost price(const std::vector<Op>& ops, const hw::KernelCostModel& kernels) {
  ForwardCost c;
  for (const Op& op : ops) {
    const Seconds t = kernels.time(op.work);
    c.compute += t;
    const hw::KernelFamily f = op.work.family;
    if (f == hw::KernelFamily::mla_decode || f == hw::KernelFamily::attention_decode ||
        f == hw::KernelFamily::attention_prefill) {
      c.attention += t;
    } else if (f == hw::KernelFamily::grouped_gemm_masked || f == hw::KernelFamily::grouped_gemm_contiguous) {
      c.experts += t;
    }
  }
  return c;
}

void add(ForwardCost& into, const ForwardCost& c, double times) {
  into.total += c.total * times;
  into.compute += c.compute * times;
  into.communication += c.communication * times;
  into.exposed_communication += c.exposed_communication * times;
  into.attention += c.attention * times;
  into.experts += c.experts * times;
}

}  // namespace

IterationCostModel::IterationCostModel(const ModelChoice& model, const hw::NodeSpec& node,
                                       const hw::KernelCostModel& kernels, double prefill_imbalance,
                                       double decode_imbalance)
    : model_(model),
      node_(node),
      kernels_(kernels),
      prefill_imbalance_(prefill_imbalance),
      decode_imbalance_(decode_imbalance) {
  options_ = default_cost_options(model.arch);
  options_.weight_dtype = model.weights_dtype;
  options_.kv_dtype = model.kv_cache_dtype;
}

int64_t IterationCostModel::local_experts(const UnitSpec& unit) const {
  const int64_t physical = model_.arch.routed_experts + unit.redundant_experts;
  if (physical % unit.gpus != 0) throw std::invalid_argument("routed + redundant experts must divide over the unit");
  return physical / unit.gpus;
}

std::vector<Op> IterationCostModel::layer_ops(int64_t layer, const LayerShape& s, const MoeLoad& load) const {
  if (s.decode) {
    return decode_layer_ops(
        model_.arch, layer,
        DecodeShape{.sequences = s.sequences, .context = s.context, .tokens_per_sequence = s.tokens_per_sequence},
        options_, load);
  }
  return prefill_layer_ops(model_.arch, layer,
                           PrefillShape{.sequences = s.sequences, .seq_len = s.seq_len, .prefix_len = s.prefix_len},
                           options_, load);
}

ForwardCost IterationCostModel::one_layer(int64_t layer, const LayerShape& s, const UnitSpec& unit,
                                          double imbalance) const {
  const ModelArch& a = model_.arch;
  const double mb = static_cast<double>(unit.micro_batches);
  const double tokens = static_cast<double>(s.sequences * (s.decode ? s.tokens_per_sequence : s.seq_len));
  if (!is_moe(a, layer)) {
    ForwardCost c = price(layer_ops(layer, s, MoeLoad{}), kernels_);
    c.compute = c.compute * mb;
    c.attention = c.attention * mb;
    c.total = c.compute;
    return c;
  }
  // The busiest GPU receives `imbalance` times the mean routed tokens of its local experts.
  const double physical = static_cast<double>(a.routed_experts + unit.redundant_experts);
  const double per_expert =
      tokens * static_cast<double>(a.experts_per_token) * static_cast<double>(unit.gpus) / physical * imbalance;
  ForwardCost c =
      price(layer_ops(layer, s, MoeLoad{.experts = local_experts(unit), .tokens_per_expert = per_expert}), kernels_);
  c.compute = c.compute * mb;
  c.attention = c.attention * mb;
  c.experts = c.experts * mb;
  hw::AllToAllShape comm{.tokens_per_gpu = tokens * imbalance,
                         .top_k = a.experts_per_token,
                         .ep_gpus = unit.gpus,
                         .max_nodes_per_token = a.topk_group,
                         .bytes_per_token = Bytes(0),
                         .style = unit.comm_style,
                         .nvlink_local = unit.nvlink_local};
  comm.bytes_per_token = hw::payload_bytes_per_token(a.hidden, hw::DType::fp8);  // FP8 dispatch (S13)
  const Seconds dispatch = hw::ep_alltoall_time(comm, node_);
  comm.bytes_per_token = hw::payload_bytes_per_token(a.hidden, hw::DType::bf16);  // BF16 combine (S13)
  const Seconds combine = hw::ep_alltoall_time(comm, node_);
  c.communication = (dispatch + combine) * mb;
  c.total = unit.micro_batches >= 2 ? std::max(c.compute, c.communication) : c.compute + c.communication;
  c.exposed_communication = c.total - c.compute;
  return c;
}

ForwardCost IterationCostModel::layers(const LayerShape& s, const UnitSpec& unit, double imbalance,
                                       bool include_mtp) const {
  const ModelArch& a = model_.arch;
  ForwardCost out;
  // Fold: price the first dense and the first MoE layer, multiply by their counts.
  const int64_t dense = a.dense_layer_count();
  const int64_t moe = a.moe_layer_count();
  int64_t first_dense = -1, first_moe = -1;
  for (int64_t l = 0; l < a.layers; ++l) {
    int64_t& first = a.kind_of_layer(l) == LayerKind::moe ? first_moe : first_dense;
    if (first < 0) first = l;
  }
  if (dense > 0) add(out, one_layer(first_dense, s, unit, imbalance), static_cast<double>(dense));
  if (moe > 0) add(out, one_layer(first_moe, s, unit, imbalance), static_cast<double>(moe));
  if (include_mtp && a.mtp_layers > 0)
    add(out, one_layer(a.layers, s, unit, imbalance), static_cast<double>(a.mtp_layers));
  return out;
}

ForwardCost IterationCostModel::decode_step(int64_t batch, double context, const DecodeSpec& decode,
                                            const MtpSpec& mtp) const {
  const int64_t mb = decode.unit.micro_batches;
  LayerShape s;
  s.decode = true;
  s.sequences = std::max<int64_t>(1, (batch + mb - 1) / mb);
  s.tokens_per_sequence = 1 + mtp.draft_tokens;
  s.context = std::max<int64_t>(1, std::llround(context));
  ForwardCost c = layers(s, decode.unit, decode_imbalance_, mtp.draft_tokens > 0);
  const int64_t tokens = batch * s.tokens_per_sequence;
  ForwardCost edge = price(embedding_ops(model_.arch, tokens, options_), kernels_);
  add(edge, price(head_ops(model_.arch, tokens, options_), kernels_), 1.0);
  edge.total = edge.compute;
  add(c, edge, 1.0);
  c.total += decode.unit.overhead;
  return c;
}

ForwardCost IterationCostModel::prefill_forward(int64_t tokens, double seq_len, double prefix_len,
                                                const PrefillSpec& prefill) const {
  const int64_t mb = prefill.unit.micro_batches;
  LayerShape s;
  s.decode = false;
  s.seq_len = std::max<int64_t>(1, std::llround(seq_len));
  s.prefix_len = std::max<int64_t>(0, std::llround(prefix_len));
  // Tokens split evenly over micro-batches, whole sequences each (at least one).
  const double per_mb = static_cast<double>(tokens) / static_cast<double>(mb);
  s.sequences = std::max<int64_t>(1, std::llround(per_mb / static_cast<double>(s.seq_len)));
  s.seq_len = std::max<int64_t>(1, std::llround(per_mb / static_cast<double>(s.sequences)));
  ForwardCost c = layers(s, prefill.unit, prefill_imbalance_, false);
  const int64_t sequences = s.sequences * mb;
  ForwardCost edge = price(embedding_ops(model_.arch, tokens, options_), kernels_);
  add(edge, price(head_ops(model_.arch, sequences, options_), kernels_), 1.0);
  edge.total = edge.compute;
  add(c, edge, 1.0);
  c.total += prefill.unit.overhead;
  return c;
}

}  // namespace fathom::models::serving
