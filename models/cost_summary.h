#pragma once
// Per-token costs of a model by layer kind (dense / moe / mtp) and in total, at a given prefill
// length and decode context: what `fathom model` prints and a quick planner reads.
//
// Contract: one sequence (batch 1) with the default MoE load. prefill = one L-token prefill
// (logits for the last token only) divided by L; decode = one decode step at context C; training =
// forward + backward (F + B + W) of one L-token sequence divided by L, logits and loss on every
// token. Headline totals are the main model (embedding + layers + head); MTP is reported apart.

#include <cstdint>
#include <vector>

#include "models/model_arch.h"
#include "models/ops.h"
#include "sim/units.h"

namespace fathom::models {

// Per-token costs of one layer of a kind, and how many such layers the model has.
struct LayerKindCost {
  LayerKind kind = LayerKind::dense;
  int64_t count = 0;
  int64_t params = 0;            // one layer, all tensors (MTP: the module's unique params)
  int64_t params_activated = 0;  // one layer, top-k routed experts only
  Flops prefill_flops_per_token;
  Flops decode_flops_per_token;
  Flops training_flops_per_token;
  Bytes kv_cache_bytes_per_token;  // one layer, BF16
};

// The whole model's per-token costs.
struct CostSummary {
  int64_t seq_len = 0;
  int64_t context = 0;
  std::vector<LayerKindCost> layers;  // kinds present, in order dense, moe, mtp
  Flops embedding_head_prefill_flops_per_token;
  Flops embedding_head_decode_flops_per_token;
  Flops embedding_head_training_flops_per_token;
  Flops prefill_flops_per_token;   // main model
  Flops decode_flops_per_token;    // main model
  Flops training_flops_per_token;  // main model
  Flops training_flops_per_token_with_mtp;
};

// Throws std::invalid_argument if seq_len or context < 1.
CostSummary summarize_costs(const ModelArch& arch, int64_t seq_len, int64_t context, const CostOptions& options);

}  // namespace fathom::models
