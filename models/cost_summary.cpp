#include "models/cost_summary.h"

#include <stdexcept>
#include <vector>

#include "models/param_counts.h"

namespace fathom::models {
namespace {

// The layers of `kind` (the MTP modules for mtp).
std::vector<int64_t> layers_of(const ModelArch& a, LayerKind kind) {
  std::vector<int64_t> out;
  if (kind == LayerKind::mtp) {
    for (int64_t j = 0; j < a.mtp_layers; ++j) out.push_back(a.layers + j);
    return out;
  }
  for (int64_t l = 0; l < a.layers; ++l) {
    if (a.kind_of_layer(l) == kind) out.push_back(l);
  }
  return out;
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
    const std::vector<int64_t> members = layers_of(a, kind);
    const int64_t count = static_cast<int64_t>(members.size());
    if (count == 0) continue;
    // Layers of a kind differ only in their attention (full or sliding window): the first of each is
    // priced and a kind's per-layer FLOPs are the mean over its layers.
    struct Share {
      int64_t layer = -1;
      double count = 0;
    };
    Share full, sliding;
    for (int64_t l : members) {
      Share& share = a.is_sliding(l) ? sliding : full;
      if (share.layer < 0) share.layer = l;
      share.count += 1;
    }
    const auto mean = [&](const auto& flops_of) {
      if (sliding.count == 0) return flops_of(full.layer);
      if (full.count == 0) return flops_of(sliding.layer);
      return (flops_of(full.layer) * full.count + flops_of(sliding.layer) * sliding.count) / double(count);
    };
    LayerKindCost c;
    c.kind = kind;
    c.count = count;
    c.params = layer_params(a, kind, false);
    c.params_activated = layer_params(a, kind, true);
    c.prefill_flops_per_token =
        mean([&](int64_t l) { return total_flops(prefill_layer_ops(a, l, prefill, options)) / L; });
    c.decode_flops_per_token = mean([&](int64_t l) { return total_flops(decode_layer_ops(a, l, decode, options)); });
    c.training_flops_per_token =
        mean([&](int64_t l) { return total_flops(training_layer_ops(a, l, train, options)) / L; });
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
