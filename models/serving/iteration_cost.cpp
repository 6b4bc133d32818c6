#include "models/serving/iteration_cost.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "models/serving/attention_imbalance.h"
#include "models/tensor_parallel.h"

namespace fathom::models::serving {
namespace {

bool is_moe(const ModelArch& a, int64_t layer) {
  return layer < a.layers ? a.kind_of_layer(layer) == LayerKind::moe : a.mtp_layer_is_moe;
}

size_t family_index(hw::KernelFamily f) {
  const auto i = static_cast<size_t>(f);
  if (i >= kMaxKernelFamilies) throw std::logic_error("iteration_cost: raise kMaxKernelFamilies");
  return i;
}

// Kernel rows of `ops` on one kernel model; exposed_s is left for the caller.
Breakdown price(const std::vector<Op>& ops, const hw::KernelCostModel& kernels) {
  Breakdown b;
  for (const Op& op : ops) {
    const hw::KernelTime t = kernels.breakdown(op.work);
    CostRow& r = b.kernels[family_index(op.work.family)];
    r.time_s += t.total.value();
    r.flops += op.work.flops.value();
    r.bytes += op.work.bytes().value();
    if (t.compute_bound) r.compute_bound_s += t.total.value();
  }
  return b;
}

void scale(CostRow& r, double times) {
  r.time_s *= times;
  r.exposed_s *= times;
  r.flops *= times;
  r.bytes *= times;
  r.compute_bound_s *= times;
  r.latency_s *= times;
}

void add_row(CostRow& into, const CostRow& r, double times) {
  into.time_s += r.time_s * times;
  into.exposed_s += r.exposed_s * times;
  into.flops += r.flops * times;
  into.bytes += r.bytes * times;
  into.compute_bound_s += r.compute_bound_s * times;
  into.latency_s += r.latency_s * times;
}

double kernel_time(const Breakdown& b) {
  double t = 0;
  for (const CostRow& r : b.kernels) t += r.time_s;
  return t;
}

// Kernels on the critical stream with nothing beside them: every second is exposed.
void expose_kernels(Breakdown& b) {
  for (CostRow& r : b.kernels) r.exposed_s = r.time_s;
}

// Totals and the attention / expert split from the rows.
void summarise(ForwardCost& c) {
  using F = hw::KernelFamily;
  const Breakdown& b = c.rows;
  c.compute = Seconds(kernel_time(b));
  c.communication = Seconds(b.dispatch.time_s + b.combine.time_s + b.tensor_parallel.time_s);
  c.exposed_communication = Seconds(b.dispatch.exposed_s + b.combine.exposed_s + b.tensor_parallel.exposed_s);
  c.attention =
      Seconds(b.kernels[family_index(F::mla_decode)].time_s + b.kernels[family_index(F::attention_decode)].time_s +
              b.kernels[family_index(F::attention_prefill)].time_s);
  c.experts = Seconds(b.kernels[family_index(F::grouped_gemm_masked)].time_s +
                      b.kernels[family_index(F::grouped_gemm_contiguous)].time_s);
  double total = b.overhead.exposed_s + b.dispatch.exposed_s + b.combine.exposed_s + b.tensor_parallel.exposed_s;
  for (const CostRow& r : b.kernels) total += r.exposed_s;
  c.total = Seconds(total);
}

void add(ForwardCost& into, const ForwardCost& c, double times) {
  for (size_t i = 0; i < kMaxKernelFamilies; ++i) add_row(into.rows.kernels[i], c.rows.kernels[i], times);
  add_row(into.rows.dispatch, c.rows.dispatch, times);
  add_row(into.rows.combine, c.rows.combine, times);
  add_row(into.rows.overhead, c.rows.overhead, times);
  add_row(into.rows.tensor_parallel, c.rows.tensor_parallel, times);
  summarise(into);
}

// One all-to-all phase of every micro-batch of a layer.
CostRow alltoall_row(const hw::AllToAllShape& shape, const hw::NodeSpec& node, double micro_batches) {
  const hw::AllToAllTraffic traffic = hw::ep_alltoall_traffic(shape, node);
  CostRow r;
  r.time_s = hw::ep_alltoall_time(shape, node).value() * micro_batches;
  r.latency_s = hw::ep_alltoall_latency(traffic, node).value() * micro_batches;
  r.bytes = (traffic.over_ib.value() + traffic.over_nvlink.value()) * micro_batches;
  return r;
}

}  // namespace

double PhasePricing::imbalance_at(double tokens_per_gpu, const UnitSpec& unit, int64_t top_k) const {
  if (!routing_noise) return expert_imbalance;
  return routing_noise->factor(tokens_per_gpu * static_cast<double>(unit.gpus) * static_cast<double>(top_k));
}

std::string_view to_string(Bound b) {
  switch (b) {
    case Bound::compute:
      return "compute";
    case Bound::memory:
      return "memory";
    case Bound::network:
      return "network";
    case Bound::latency:
      return "latency";
  }
  return "?";
}

std::vector<NamedCostRow> breakdown_rows(const Breakdown& b) {
  std::vector<NamedCostRow> out;
  for (size_t i = 0; i < kMaxKernelFamilies; ++i) {
    const CostRow& r = b.kernels[i];
    if (r.time_s <= 0) continue;
    out.push_back({std::string(hw::to_string(static_cast<hw::KernelFamily>(i))), "kernel",
                   r.compute_bound_s >= 0.5 * r.time_s ? Bound::compute : Bound::memory, r});
  }
  for (const auto& [name, r] : {std::pair{"dispatch", &b.dispatch}, std::pair{"combine", &b.combine},
                                std::pair{"tp_collectives", &b.tensor_parallel}}) {
    if (r->time_s <= 0) continue;
    out.push_back({name, "communication", r->latency_s >= 0.5 * r->time_s ? Bound::latency : Bound::network, *r});
  }
  if (b.overhead.time_s > 0) out.push_back({"overhead", "overhead", Bound::latency, b.overhead});
  return out;
}

IterationCostModel::IterationCostModel(const ModelChoice& model, const hw::NodeSpec& node,
                                       const hw::KernelCostModel& kernels, PhasePricing prefill, PhasePricing decode)
    : model_(model), node_(node), kernels_(kernels), prefill_(prefill), decode_(decode) {
  options_ = default_cost_options(model.arch);
  options_.weight_dtype = model.weights_dtype;
  options_.kv_dtype = model.kv_cache_dtype;
  if (model.expert_dtype != model.weights_dtype) options_.expert_dtype = model.expert_dtype;
  if (model.attention_dtype != options_.activation_dtype) options_.attention_dtype = model.attention_dtype;
  const hw::GpuSpec& gpu = kernels.gpu();
  size_t i = 0;
  for (const int64_t sms : {prefill.communication_sms, decode.communication_sms}) {
    if (sms <= 0) continue;
    if (sms >= gpu.sm_count) throw std::invalid_argument("communication SMs leave none for compute");
    reduced_[i++] = {sms, kernels.with_compute_sms(gpu.sm_count - sms)};
  }
}

const hw::KernelCostModel& IterationCostModel::reduced_model(const UnitSpec& unit) const {
  if (unit.communication_sms <= 0) return kernels_;
  for (const auto& [sms, m] : reduced_) {
    if (sms == unit.communication_sms && m) return *m;
  }
  throw std::logic_error("IterationCostModel: a unit's communication_sms was not given to the constructor");
}

int64_t IterationCostModel::local_experts(const UnitSpec& unit) const {
  const int64_t physical = model_.arch.routed_experts + unit.redundant_experts;
  if (physical % unit.gpus != 0) throw std::invalid_argument("routed + redundant experts must divide over the unit");
  return physical / unit.gpus;
}

double IterationCostModel::tokens_per_local_expert(double tokens_per_gpu, const UnitSpec& unit,
                                                   double imbalance) const {
  const ModelArch& a = model_.arch;
  const double physical = static_cast<double>(a.routed_experts + unit.redundant_experts);
  return tokens_per_gpu * static_cast<double>(a.experts_per_token) * static_cast<double>(unit.gpus) / physical *
         imbalance;
}

std::vector<Op> IterationCostModel::unsharded_layer_ops(const ModelArch& arch, int64_t layer, const LayerShape& s,
                                                        const MoeLoad& load) const {
  if (s.decode) {
    return decode_layer_ops(
        arch, layer,
        DecodeShape{.sequences = s.sequences, .context = s.context, .tokens_per_sequence = s.tokens_per_sequence},
        options_, load);
  }
  return prefill_layer_ops(arch, layer,
                           PrefillShape{.sequences = s.sequences, .seq_len = s.seq_len, .prefix_len = s.prefix_len},
                           options_, load);
}

std::vector<Op> IterationCostModel::layer_ops(int64_t layer, const LayerShape& s, const MoeLoad& load,
                                              int64_t tp) const {
  std::vector<Op> own = unsharded_layer_ops(model_.arch, layer, s, load);
  if (tp <= 1) return own;
  // The TP blocks' ops come from the sharded arch over the group's tp x sequences: the attention ops
  // (between input_layernorm and attn_residual) and, in a dense layer, the FFN ops (between
  // post_attention_layernorm and ffn_residual). Norms and residuals stay on the GPU's own tokens
  // (sequence parallelism), as does everything of a MoE block.
  LayerShape group = s;
  group.sequences = s.sequences * tp;
  const std::vector<Op> sharded = unsharded_layer_ops(tp_sharded_arch(model_.arch, tp), layer, group, load);
  auto index_of = [](const std::vector<Op>& ops, std::string_view name) {
    for (size_t i = 0; i < ops.size(); ++i)
      if (ops[i].name == name) return std::ptrdiff_t(i);
    throw std::logic_error("iteration_cost: a layer without op " + std::string(name));
  };
  std::vector<std::pair<std::string_view, std::string_view>> blocks = {{"input_layernorm", "attn_residual"}};
  if (!is_moe(model_.arch, layer)) blocks.push_back({"post_attention_layernorm", "ffn_residual"});
  std::vector<Op> out;
  std::ptrdiff_t at = 0;
  for (const auto& [after, before] : blocks) {
    out.insert(out.end(), own.begin() + at, own.begin() + index_of(own, after) + 1);
    out.insert(out.end(), sharded.begin() + index_of(sharded, after) + 1, sharded.begin() + index_of(sharded, before));
    at = index_of(own, before);
  }
  out.insert(out.end(), own.begin() + at, own.end());
  return out;
}

ForwardCost IterationCostModel::one_layer(int64_t layer, const LayerShape& s, const UnitSpec& unit,
                                          double imbalance) const {
  const ModelArch& a = model_.arch;
  const double mb = static_cast<double>(unit.micro_batches);
  const double tokens = static_cast<double>(s.sequences * (s.decode ? s.tokens_per_sequence : s.seq_len));
  ForwardCost c;
  // TP: an all-gather and a reduce-scatter of the group's BF16 hidden states around each TP block (attention;
  // the FFN too in a dense layer), per micro-batch, exposed.
  CostRow tp_row;
  if (unit.tp > 1) {
    const double gathered = tokens * double(unit.tp) * double(a.hidden) * 2.0;  // BF16
    const TpCollective one = tp_ring_collective(gathered, unit.tp, node_);
    const double collectives = (is_moe(a, layer) ? 2.0 : 4.0) * mb;
    tp_row.time_s = tp_row.exposed_s = one.time_s * collectives;
    tp_row.latency_s = one.latency_s * collectives;
    tp_row.bytes = one.bytes_per_gpu * collectives;
  }
  if (!is_moe(a, layer)) {
    c.rows = price(layer_ops(layer, s, MoeLoad{}, unit.tp), kernels_);
    for (CostRow& r : c.rows.kernels) scale(r, mb);
    expose_kernels(c.rows);
    c.rows.tensor_parallel = tp_row;
    summarise(c);
    return c;
  }
  // The busiest GPU receives `imbalance` times the mean routed tokens of its local experts.
  const std::vector<Op> ops = layer_ops(
      layer, s,
      MoeLoad{.experts = local_experts(unit), .tokens_per_expert = tokens_per_local_expert(tokens, unit, imbalance)},
      unit.tp);
  Breakdown full = price(ops, kernels_);
  for (CostRow& r : full.kernels) scale(r, mb);
  hw::AllToAllShape comm{.tokens_per_gpu = tokens * imbalance,
                         .top_k = a.experts_per_token,
                         .ep_gpus = unit.gpus,
                         .max_nodes_per_token = a.topk_group,
                         .bytes_per_token = hw::payload_bytes_per_token(a.hidden, hw::DType::fp8),  // S13
                         .style = unit.comm_style,
                         .nvlink_local = unit.nvlink_local};
  full.dispatch = alltoall_row(comm, node_, mb);
  comm.bytes_per_token = hw::payload_bytes_per_token(a.hidden, hw::DType::bf16);  // BF16 combine (S13)
  full.combine = alltoall_row(comm, node_, mb);
  const double t_comm = full.dispatch.time_s + full.combine.time_s;
  c.rows = full;
  c.rows.tensor_parallel = tp_row;
  if (unit.micro_batches < 2) {
    // One micro-batch: the all-to-alls wait for the compute and the compute for them.
    expose_kernels(c.rows);
    c.rows.dispatch.exposed_s = c.rows.dispatch.time_s;
    c.rows.combine.exposed_s = c.rows.combine.time_s;
    summarise(c);
    return c;
  }
  Breakdown reduced = price(ops, reduced_model(unit));
  for (CostRow& r : reduced.kernels) scale(r, mb);
  const double c_reduced = kernel_time(reduced);
  // Share of the compute done beside communication (at the reduced SM count); the rest runs on the full GPU.
  const double beside = c_reduced > 0 ? std::min(1.0, t_comm / c_reduced) : 1.0;
  for (size_t i = 0; i < kMaxKernelFamilies; ++i) {
    CostRow& r = c.rows.kernels[i];
    if (r.time_s <= 0) continue;
    const double bound_share = r.compute_bound_s / r.time_s;
    r.time_s += (reduced.kernels[i].time_s - r.time_s) * beside;
    r.compute_bound_s = bound_share * r.time_s;
    r.exposed_s = r.time_s;
  }
  const double hidden_under = kernel_time(c.rows);
  const double exposed = std::max(0.0, t_comm - hidden_under);
  if (t_comm > 0) {
    c.rows.dispatch.exposed_s = exposed * full.dispatch.time_s / t_comm;
    c.rows.combine.exposed_s = exposed * full.combine.time_s / t_comm;
  }
  summarise(c);
  return c;
}

ForwardCost IterationCostModel::layers(const LayerShape& s, const UnitSpec& unit, double imbalance,
                                       bool include_mtp) const {
  const ModelArch& a = model_.arch;
  ForwardCost out;
  // Fold: price the first layer of each class (dense or MoE FFN, full or sliding-window attention) and
  // multiply by the class's count.
  struct LayerClass {
    int64_t first = -1;
    int64_t count = 0;
  };
  LayerClass classes[2][2];  // [moe][sliding]
  for (int64_t l = 0; l < a.layers; ++l) {
    LayerClass& c = classes[a.kind_of_layer(l) == LayerKind::moe][a.is_sliding(l)];
    if (c.first < 0) c.first = l;
    ++c.count;
  }
  for (const auto& by_ffn : classes) {
    for (const LayerClass& c : by_ffn) {
      if (c.count > 0) add(out, one_layer(c.first, s, unit, imbalance), static_cast<double>(c.count));
    }
  }
  if (include_mtp && a.mtp_layers > 0)
    add(out, one_layer(a.layers, s, unit, imbalance), static_cast<double>(a.mtp_layers));
  return out;
}

ForwardCost IterationCostModel::edges(int64_t tokens, int64_t logit_tokens, Seconds overhead) const {
  ForwardCost edge;
  edge.rows = price(embedding_ops(model_.arch, tokens, options_), kernels_);
  const Breakdown head = price(head_ops(model_.arch, logit_tokens, options_), kernels_);
  for (size_t i = 0; i < kMaxKernelFamilies; ++i) add_row(edge.rows.kernels[i], head.kernels[i], 1.0);
  expose_kernels(edge.rows);
  edge.rows.overhead.time_s = edge.rows.overhead.exposed_s = overhead.value();
  return edge;
}

IterationCostModel::LayerShape IterationCostModel::decode_shape(int64_t batch, const DecodeSpec& decode,
                                                                const MtpSpec& mtp) {
  const int64_t mb = decode.unit.micro_batches;
  LayerShape s;
  s.decode = true;
  s.sequences = std::max<int64_t>(1, (batch + mb - 1) / mb);
  s.tokens_per_sequence = 1 + mtp.draft_tokens;
  return s;
}

IterationCostModel::LayerShape IterationCostModel::prefill_shape(int64_t tokens, double seq_len, double prefix_len,
                                                                 const PrefillSpec& prefill) {
  const int64_t mb = prefill.unit.micro_batches;
  LayerShape s;
  s.decode = false;
  s.seq_len = std::max<int64_t>(1, std::llround(seq_len));
  s.prefix_len = std::max<int64_t>(0, std::llround(prefix_len));
  // Tokens split evenly over micro-batches, whole sequences each (at least one).
  const double per_mb = static_cast<double>(tokens) / static_cast<double>(mb);
  s.sequences = std::max<int64_t>(1, std::llround(per_mb / static_cast<double>(s.seq_len)));
  s.seq_len = std::max<int64_t>(1, std::llround(per_mb / static_cast<double>(s.sequences)));
  return s;
}

double IterationCostModel::decode_imbalance(const LayerShape& s, const UnitSpec& unit) const {
  return decode_.imbalance_at(double(s.sequences * s.tokens_per_sequence), unit, model_.arch.experts_per_token);
}

ForwardCost IterationCostModel::decode_step(int64_t batch, double context, const DecodeSpec& decode,
                                            const MtpSpec& mtp) const {
  // Under TP the DP attention ranks are the gpus / tp groups, each with the requests of its tp GPUs.
  const int64_t tp = std::max<int64_t>(1, decode.unit.tp);
  const double attention =
      decode.balanced_placement ? 1.0 : attention_imbalance(decode.context_cv, batch * tp, decode.unit.gpus / tp);
  LayerShape s = decode_shape(batch, decode, mtp);
  s.context = std::max<int64_t>(1, std::llround(context * attention));
  const double imbalance = decode_imbalance(s, decode.unit);
  ForwardCost c = layers(s, decode.unit, imbalance, mtp.draft_tokens > 0);
  const int64_t tokens = batch * s.tokens_per_sequence;
  add(c, edges(tokens, tokens, decode.unit.overhead), 1.0);
  c.attention_imbalance = attention;
  c.expert_imbalance = model_.arch.is_moe() ? imbalance : 1.0;
  return c;
}

double IterationCostModel::decode_tokens_per_local_expert(int64_t batch, const DecodeSpec& decode,
                                                          const MtpSpec& mtp) const {
  const LayerShape s = decode_shape(batch, decode, mtp);
  const double imbalance = decode_imbalance(s, decode.unit);
  return tokens_per_local_expert(static_cast<double>(batch * (1 + mtp.draft_tokens)), decode.unit, imbalance);
}

ForwardCost IterationCostModel::prefill_forward(int64_t tokens, double seq_len, double prefix_len,
                                                const PrefillSpec& prefill) const {
  const int64_t mb = prefill.unit.micro_batches;
  const LayerShape s = prefill_shape(tokens, seq_len, prefix_len, prefill);
  const double imbalance =
      prefill_.imbalance_at(double(s.sequences * s.seq_len), prefill.unit, model_.arch.experts_per_token);
  // With MTP speculation the MTP module runs over the prompt too: decode's drafts need its KV cache and
  // the first draft its hidden state (S45).
  ForwardCost c = layers(s, prefill.unit, imbalance, model_.mtp);
  add(c, edges(tokens, s.sequences * mb, prefill.unit.overhead), 1.0);
  c.expert_imbalance = model_.arch.is_moe() ? imbalance : 1.0;
  return c;
}

}  // namespace fathom::models::serving
