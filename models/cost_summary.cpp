#include "models/cost_summary.h"

#include <stdexcept>

#include "models/param_counts.h"

namespace fathom::models {
namespace {

int64_t first_layer_of(const ModelArch& a, LayerKind kind) {
  if (kind == LayerKind::mtp) return a.layers;
  for (int64_t l = 0; l < a.layers; ++l) {
    if (a.kind_of_layer(l) == kind) return l;
  }
  return -1;
}

}  // namespace

CostSummary summarize_costs(const ModelArch& a, int64_t seq_len, int64_t context, const CostOptions& options) {
  if (seq_len < 1 || context < 1) throw std::invalid_argument("seq_len and context must be at least 1");
  CostSummary s;
  s.seq_len = seq_len;
  s.context = context;
  const double L = double(seq_len);
  const PrefillShape prefill{1, seq_len, false};
  const PrefillShape train{1, seq_len, true};
  const DecodeShape decode{1, context};

  for (LayerKind kind : {LayerKind::dense, LayerKind::moe, LayerKind::mtp}) {
    const int64_t layer = first_layer_of(a, kind);
    const int64_t count = kind == LayerKind::dense ? a.dense_layer_count()
                          : kind == LayerKind::moe ? a.moe_layer_count()
                                                   : a.mtp_layers;
    if (layer < 0 || count == 0) continue;
    LayerKindCost c;
    c.kind = kind;
    c.count = count;
    c.params = layer_params(a, kind, false);
    c.params_activated = layer_params(a, kind, true);
    c.prefill_flops_per_token = total_flops(prefill_layer_ops(a, layer, prefill, options)) / L;
    c.decode_flops_per_token = total_flops(decode_layer_ops(a, layer, decode, options));
    c.training_flops_per_token = total_flops(training_layer_ops(a, layer, train, options)) / L;
    c.kv_cache_bytes_per_token = kv_cache_bytes_per_token_per_layer(a, hw::DType::bf16);
    s.layers.push_back(c);
  }

  s.embedding_head_prefill_flops_per_token =
      (total_flops(embedding_ops(a, seq_len, options)) + total_flops(head_ops(a, 1, options))) / L;
  s.embedding_head_decode_flops_per_token =
      total_flops(embedding_ops(a, 1, options)) + total_flops(head_ops(a, 1, options));
  s.embedding_head_training_flops_per_token =
      (total_flops(training_embedding_ops(a, seq_len, options)) + total_flops(training_head_ops(a, seq_len, options))) /
      L;

  s.prefill_flops_per_token = s.embedding_head_prefill_flops_per_token;
  s.decode_flops_per_token = s.embedding_head_decode_flops_per_token;
  s.training_flops_per_token = s.embedding_head_training_flops_per_token;
  for (const auto& c : s.layers) {
    const double n = double(c.count);
    if (c.kind == LayerKind::mtp) {
      s.training_flops_per_token_with_mtp = c.training_flops_per_token * n;
      continue;
    }
    s.prefill_flops_per_token += c.prefill_flops_per_token * n;
    s.decode_flops_per_token += c.decode_flops_per_token * n;
    s.training_flops_per_token += c.training_flops_per_token * n;
  }
  s.training_flops_per_token_with_mtp += s.training_flops_per_token;
  return s;
}

}  // namespace fathom::models
