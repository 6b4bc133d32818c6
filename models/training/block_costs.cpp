#include "models/training/block_costs.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "hw/ep_alltoall_cost.h"
#include "hw/repeated_kernel_times.h"
#include "models/param_counts.h"
#include "models/tensor_parallel.h"
#include "models/training/tp_shards.h"

namespace fathom::models::training {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The forward op names of a layer's TP blocks (attention: the forward ops between input_layernorm and
// attn_residual; a dense FFN's between post_attention_layernorm and ffn_residual; a MoE layer's shared expert,
// its shared_* ops, split like a dense FFN in training: tp_shards.h).
std::vector<std::string> tp_block_names(const std::vector<Op>& ops, bool dense_ffn) {
  std::vector<std::string> names;
  bool inside = false;
  for (const Op& op : ops) {
    if (op.pass != Pass::forward) continue;
    if (op.name == "attn_residual" || op.name == "ffn_residual") inside = false;
    if (inside || (!dense_ffn && starts_with(op.name, "shared_"))) names.push_back(op.name);
    if (op.name == "input_layernorm" || (dense_ffn && op.name == "post_attention_layernorm")) inside = true;
  }
  return names;
}

// Whether op `name` belongs to a TP block: one of `names` or "<one of names>.<suffix>" (its B, W or recompute op).
bool in_tp_block(const std::vector<std::string>& names, const std::string& name) {
  for (const std::string& n : names) {
    if (name == n || (name.size() > n.size() && starts_with(name, n) && name[n.size()] == '.')) return true;
  }
  return false;
}

void add_to_pass(PassTimes& t, Pass pass, double s) {
  switch (pass) {
    case Pass::forward:
      t.forward_s += s;
      break;
    case Pass::backward_input:
      t.backward_input_s += s;
      break;
    case Pass::backward_weight:
      t.backward_weight_s += s;
      break;
  }
}

// The compute of `ops` per pass into `all`, and per Figure 4 component (`parts`: 1 MLP, 2 post; empty:
// none) into `into`: each op priced once. The GEMMs of the ops `tp_block` marks (empty: none) also into
// `tp_gemm`.
void price(hw::RepeatedKernelTimes& times, const std::vector<Op>& ops, const std::vector<int>& parts,
           const std::vector<bool>& tp_block, PassTimes& all, BlockParts& into, PassTimes& tp_gemm) {
  times.begin();
  for (size_t i = 0; i < ops.size(); ++i) {
    const double s = times.time(i, ops[i].work).value();
    add_to_pass(all, ops[i].pass, s);
    if (!tp_block.empty() && tp_block[i] && hw::is_gemm_family(ops[i].work.family))
      add_to_pass(tp_gemm, ops[i].pass, s);
    const int c = parts.empty() ? 0 : parts[i];
    if (c == 1) add_to_pass(into.mlp, ops[i].pass, s);
    if (c == 2) add_to_pass(into.post, ops[i].pass, s);
  }
}

// layer_component_of_ops, which reads only the ops' names, roles and passes, for a run of blocks: decoder
// layers of one kind repeat the same ops, so the split is computed again only when those change.
class ComponentsOfOps {
 public:
  const std::vector<int>& of(const std::vector<Op>& ops) {
    if (!same_as_last(ops)) {
      last_.clear();
      for (const Op& op : ops) last_.push_back({op.name, op.role, op.pass});
      parts_ = layer_component_of_ops(ops);
    }
    return parts_;
  }

 private:
  struct Seen {
    std::string name;
    OpRole role;
    Pass pass;
  };
  bool same_as_last(const std::vector<Op>& ops) const {
    if (ops.size() != last_.size()) return false;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].role != last_[i].role || ops[i].pass != last_[i].pass || ops[i].name != last_[i].name) return false;
    }
    return true;
  }
  std::vector<Seen> last_;
  std::vector<int> parts_;
};

// What block_costs reuses from one block to the next (the decoder layers repeat their ops): the kernel times of
// the full GPU and of the GPU with the communication SMs taken, and the Figure 4 split.
struct Repeats {
  hw::RepeatedKernelTimes full, overlapped;
  ComponentsOfOps components;
};

// A block's F/B/W ops plus the recomputation the spec asks for (in B), at the full SM count and with
// the communication SMs taken, and their split into Figure 4's components (decoder layers, MTP modules).
// `tp_names` (tp_block_names; empty: no TP) marks the TP blocks' ops, whose GEMM times go to `tp_gemm` and
// `overlapped_tp_gemm`.
void add_training_ops(const BlockCostInputs& in, std::vector<Op> ops, BlockCost& b, Repeats& repeats,
                      const std::vector<std::string>& tp_names = {}, PassTimes* tp_gemm = nullptr,
                      PassTimes* overlapped_tp_gemm = nullptr) {
  const std::vector<Op> again = recompute_ops(ops, in.spec.recompute);
  ops.insert(ops.end(), again.begin(), again.end());
  static const std::vector<int> none;
  const std::vector<int>& parts =
      b.kind == BlockKind::layer || b.kind == BlockKind::mtp ? repeats.components.of(ops) : none;
  std::vector<bool> tp_block;
  if (!tp_names.empty()) {
    tp_block.reserve(ops.size());
    for (const Op& op : ops) tp_block.push_back(in_tp_block(tp_names, op.name));
  }
  PassTimes full, unused_full, unused_overlapped;
  price(repeats.full, ops, parts, tp_block, full, b.full_parts, tp_gemm ? *tp_gemm : unused_full);
  b.forward_s += full.forward_s;
  b.backward_input_s += full.backward_input_s;
  b.backward_weight_s += full.backward_weight_s;
  if (in.overlapped_cost_model) {
    price(repeats.overlapped, ops, parts, tp_block, b.overlapped, b.overlapped_parts,
          overlapped_tp_gemm ? *overlapped_tp_gemm : unused_overlapped);
  } else {
    b.overlapped += full;
    b.overlapped_parts = b.full_parts;
    if (tp_gemm && overlapped_tp_gemm) *overlapped_tp_gemm += *tp_gemm;
  }
  for (const Op& op : ops) b.flops += op.work.flops;
}

// DeepEP normal kernels (V3TR §3.2.2): forward dispatch (FP8, T29) and combine (BF16); the backward
// mirrors them: the output gradient is dispatched to the experts (FP8 per T29: "a similar strategy is
// applied to the activation gradient before MoE down-projections") and the input gradients are
// combined back (BF16, T29). The layer's most-loaded GPU receives b.expert_imbalance times the mean.
void add_alltoalls(const BlockCostInputs& in, BlockCost& b) {
  const double tokens = double(in.layout.tokens_per_gpu()) * b.expert_imbalance;
  b.alltoall_tokens = tokens;
  b.dispatch_s = ep_alltoall_s(in, tokens, in.spec.dispatch_dtype).value();
  b.combine_s = ep_alltoall_s(in, tokens, in.spec.combine_dtype).value();
  b.combine_backward_s = ep_alltoall_s(in, tokens, in.spec.backward_dispatch_dtype).value();
  b.dispatch_backward_s = ep_alltoall_s(in, tokens, in.spec.combine_dtype).value();
}

// Tensor parallelism (models/tensor_parallel.h): a decoder layer's ops with the TP blocks' ops (attention: the
// forward ops between input_layernorm and attn_residual; a dense FFN's between post_attention_layernorm and
// ffn_residual; with their B, W and recompute ops, named "<forward op>.<suffix>") taken from `sharded` (the
// sharded arch over the whole micro-batch), everything else from `own` (the GPU's own tokens). Both lists come
// from the same layer kind, so they list the same op names in the same order.
std::vector<Op> splice_tp_blocks(const std::vector<Op>& own, const std::vector<Op>& sharded, bool dense_ffn) {
  if (own.size() != sharded.size()) throw std::logic_error("splice_tp_blocks: op lists differ");
  const std::vector<std::string> tp_names = tp_block_names(own, dense_ffn);
  std::vector<Op> out;
  out.reserve(own.size());
  for (size_t i = 0; i < own.size(); ++i) {
    if (own[i].name != sharded[i].name) throw std::logic_error("splice_tp_blocks: op lists differ at " + own[i].name);
    out.push_back(in_tp_block(tp_names, own[i].name) ? sharded[i] : own[i]);
  }
  return out;
}

}  // namespace

TpCollective block_tp_collectives_per_pass(const BlockCostInputs& in, bool moe, bool mtp_module) {
  if (in.layout.tp <= 1) return {};
  const double gathered = double(in.layout.micro_batch_tokens) * double(in.arch.hidden) * 2.0;
  // A MoE layer's shared expert is a TP block of its own (tp_shards.h): two more, as a dense FFN. An MTP
  // module's eh_proj: three more (2h in, h out; see the header).
  const double rings = ((!moe || in.arch.shared_experts > 0) ? 4.0 : 2.0) + (mtp_module ? 3.0 : 0.0);
  const TpCollective one = tp_ring_collective(gathered, in.layout.tp, in.node);
  return {rings * one.bytes_per_gpu, rings * one.latency_s, rings * one.time_s};
}

namespace {

// The max/mean factor of block `l` (decoder layer, or MTP module when l >= arch.layers): see BlockCostInputs.
double imbalance_of(const BlockCostInputs& in, int64_t l) {
  if (in.layer_imbalance.empty() || l >= in.arch.layers) return in.spec.expert_imbalance;
  return in.layer_imbalance[static_cast<size_t>(l)];
}

}  // namespace

double exposed_tp_collectives_s(double collectives_s, double tp_gemm_s, bool overlap) {
  return overlap ? std::max(0.0, collectives_s - tp_gemm_s) : collectives_s;
}

PassTimes& PassTimes::operator+=(const PassTimes& o) {
  forward_s += o.forward_s;
  backward_input_s += o.backward_input_s;
  backward_weight_s += o.backward_weight_s;
  return *this;
}

PassTimes PassTimes::operator-(const PassTimes& o) const {
  return {forward_s - o.forward_s, backward_input_s - o.backward_input_s, backward_weight_s - o.backward_weight_s};
}

std::vector<int> layer_component_of_ops(const std::vector<Op>& ops) {
  std::vector<const Op*> forward;
  for (const Op& op : ops)
    if (op.pass == Pass::forward) forward.push_back(&op);
  const std::ptrdiff_t none = -1, n = std::ssize(forward);
  std::ptrdiff_t mlp_begin = none;
  for (std::ptrdiff_t i = 0; i < n; ++i)
    if (starts_with(forward[size_t(i)]->name, "router")) mlp_begin = i + 1;
  if (mlp_begin == none) {
    bool residual = false;
    for (std::ptrdiff_t i = 0; i < n && mlp_begin == none; ++i) {
      const OpRole role = forward[size_t(i)]->role;
      if (residual && role == OpRole::rms_norm) mlp_begin = i + 1;
      residual = residual || role == OpRole::residual_add;
    }
  }
  std::ptrdiff_t post_begin = none;
  if (mlp_begin != none) {
    for (std::ptrdiff_t i = mlp_begin; i < n; ++i)
      if (forward[size_t(i)]->role == OpRole::residual_add) post_begin = i;
  }
  std::vector<std::pair<std::string, int>> named;  // forward op name -> component
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const int c = mlp_begin == none || i < mlp_begin ? 0 : (post_begin != none && i >= post_begin ? 2 : 1);
    named.emplace_back(forward[size_t(i)]->name, c);
  }
  std::vector<int> out;
  out.reserve(ops.size());
  int previous = 0;
  for (const Op& op : ops) {
    size_t best = 0;
    int c = previous;
    for (const auto& [name, comp] : named) {
      const bool match = op.name == name ||
                         (op.name.size() > name.size() && starts_with(op.name, name) && op.name[name.size()] == '.');
      if (match && name.size() > best) best = name.size(), c = comp;
    }
    out.push_back(c);
    previous = c;
  }
  return out;
}

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

hw::AllToAllShape alltoall_shape(const BlockCostInputs& in, double tokens, hw::DType dtype) {
  hw::AllToAllShape s;
  s.tokens_per_gpu = tokens;
  s.top_k = in.arch.experts_per_token;
  s.ep_gpus = in.layout.ep;
  s.max_nodes_per_token = in.spec.max_nodes_per_token;
  s.bytes_per_token = hw::payload_bytes_per_token(in.arch.hidden, dtype);
  s.style = hw::AllToAllStyle::normal;
  return s;
}

Seconds ep_alltoall_s(const BlockCostInputs& in, double tokens, hw::DType dtype) {
  if (in.layout.ep <= 1) return Seconds(0);
  return hw::ep_alltoall_time(alltoall_shape(in, tokens, dtype), in.node);
}

MoeLoad ep_moe_load(const ModelArch& a, const TrainingLayout& layout, double imbalance) {
  if (!a.is_moe()) return MoeLoad{};
  return MoeLoad{.experts = layout.experts_per_gpu,
                 .tokens_per_expert = double(layout.ep) * double(layout.tokens_per_gpu()) *
                                      double(a.experts_per_token) / double(a.routed_experts) * imbalance};
}

std::vector<Op> training_block_ops(const BlockCostInputs& in, int64_t layer, const MoeLoad& load) {
  const int64_t tp = in.layout.tp;
  const PrefillShape shape{in.spec.micro_batch_sequences, in.spec.sequence_length / tp, true};
  std::vector<Op> ops = training_layer_ops(in.arch, layer, shape, in.options, load);
  if (tp <= 1) return ops;
  const LayerKind kind = in.arch.kind_of_layer(layer);
  const bool moe = (kind == LayerKind::moe) || (kind == LayerKind::mtp && in.arch.mtp_layer_is_moe);
  const PrefillShape whole{in.spec.micro_batch_sequences, in.spec.sequence_length, true};
  return splice_tp_blocks(ops, training_layer_ops(training_tp_arch(in.arch, tp), layer, whole, in.options, load), !moe);
}

std::vector<BlockCost> block_costs(const BlockCostInputs& in) {
  const ModelArch& a = in.arch;
  // Between TP blocks a GPU holds 1/tp of the micro-batch (sequence parallelism): the embedding, head, norms,
  // residuals and MoE blocks run on those tokens, the TP blocks on the whole micro-batch with the sharded arch.
  const int64_t T = in.layout.tokens_per_gpu();
  const int64_t tp = in.layout.tp;
  const ParamCounts counts = count_params(a);
  if (!in.layer_imbalance.empty() && std::ssize(in.layer_imbalance) != a.layers) {
    throw std::invalid_argument(fmt::format("block_costs: {} per-layer imbalance factors for {} decoder layers",
                                            in.layer_imbalance.size(), a.layers));
  }
  const int64_t expert_params_per_gpu = counts.per_expert * in.layout.experts_per_gpu;
  std::vector<BlockCost> out;
  Repeats repeats{hw::RepeatedKernelTimes(in.cost_model),
                  hw::RepeatedKernelTimes(in.overlapped_cost_model ? *in.overlapped_cost_model : in.cost_model),
                  {}};

  BlockCost emb;
  emb.kind = BlockKind::embedding;
  add_training_ops(in, training_embedding_ops(a, T, in.options), emb, repeats);
  emb.dense_params = counts.embedding / tp;  // vocabulary-parallel under TP (Megatron-LM)
  out.push_back(emb);

  const int64_t last = a.layers + (in.include_mtp ? a.mtp_layers : 0);
  for (int64_t l = 0; l < last; ++l) {
    BlockCost b;
    b.layer = l;
    b.kind = l < a.layers ? BlockKind::layer : BlockKind::mtp;
    const LayerKind kind = a.kind_of_layer(l);
    b.moe = (kind == LayerKind::moe) || (kind == LayerKind::mtp && a.mtp_layer_is_moe);
    if (b.moe) b.expert_imbalance = imbalance_of(in, l);
    const MoeLoad load = b.moe ? ep_moe_load(a, in.layout, b.expert_imbalance) : MoeLoad{};
    std::vector<Op> ops = training_block_ops(in, l, load);
    std::vector<std::string> tp_names;
    if (tp > 1) tp_names = tp_block_names(ops, !b.moe);  // the spliced list keeps the op names
    PassTimes tp_gemm, overlapped_tp_gemm;
    add_training_ops(in, std::move(ops), b, repeats, tp_names, &tp_gemm, &overlapped_tp_gemm);
    if (tp > 1) {
      b.tp_collective_s = block_tp_collectives_per_pass(in, b.moe, b.kind == BlockKind::mtp).time_s;
      b.tp_gemm = tp_gemm;
      const double c = b.tp_collective_s;
      b.tp_exposed_forward_s = exposed_tp_collectives_s(c, tp_gemm.forward_s, in.layout.tp_comm_overlap);
      b.tp_exposed_backward_input_s = exposed_tp_collectives_s(c, tp_gemm.backward_input_s, in.layout.tp_comm_overlap);
      b.forward_s += b.tp_exposed_forward_s;
      b.backward_input_s += b.tp_exposed_backward_input_s;
      b.overlapped.forward_s += exposed_tp_collectives_s(c, overlapped_tp_gemm.forward_s, in.layout.tp_comm_overlap);
      b.overlapped.backward_input_s +=
          exposed_tp_collectives_s(c, overlapped_tp_gemm.backward_input_s, in.layout.tp_comm_overlap);
    }
    // Under TP a GPU holds 1/tp of the TP blocks' weights (the shared experts' too): the layer's parameters less
    // what sharding removes; the rest of its non-expert parameters are replicated over the TP group.
    const TpLayerParams tp_params = tp_layer_params(a, kind, tp);
    const int64_t all = (kind == LayerKind::mtp ? counts.mtp_module : layer_params(a, kind, false)) - tp_params.removed;
    const int64_t experts = b.moe ? counts.per_expert * a.routed_experts : 0;
    b.dense_params = all - experts;
    b.tp_replicated_params = tp_params.replicated;
    b.expert_params = b.moe ? expert_params_per_gpu : 0;
    if (b.moe) add_alltoalls(in, b);
    out.push_back(b);
  }

  BlockCost head;
  head.kind = BlockKind::head;
  add_training_ops(in, training_head_ops(a, T, in.options), head, repeats);
  head.dense_params = counts.head / tp;  // vocabulary-parallel under TP (Megatron-LM)
  out.push_back(head);
  return out;
}

double mean_expert_imbalance(const std::vector<BlockCost>& blocks) {
  double sum = 0;
  int64_t n = 0;
  for (const BlockCost& b : blocks) {
    if (!b.moe) continue;
    sum += b.expert_imbalance;
    ++n;
  }
  return n == 0 ? 1.0 : sum / double(n);
}

}  // namespace fathom::models::training
