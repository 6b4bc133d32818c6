#pragma once
// The max/mean routed tokens per GPU of one expert-parallel group under a Zipf expert-load skew, with
// and without DeepSeek's EPLB placement: shared by serving (prefill/decode units) and training (the
// EP group). Per-expert loads come from zipf_loads (one row per MoE layer), the placement from
// evaluate_eplb with the model's expert groups; the figure is the per-layer imbalance averaged over the
// MoE layers (each layer waits for its own busiest GPU).

#include <cstdint>

#include "models/model_arch.h"

namespace fathom::models::eplb {

// The GPUs that share the routed experts (one EP group / serving unit) and its redundant experts.
struct EpGroupLayout {
  int64_t gpus = 1;
  int64_t nodes = 1;
  int64_t redundant_experts = 0;
};

struct ZipfImbalanceSpec {
  double exponent = 0;  // 0 = uniform popularity
  uint64_t seed = 1;
};

struct ZipfImbalance {
  double before = 1;  // contiguous experts, no replicas
  double after = 1;   // EPLB placement
};

// Both 1 for a dense model.
ZipfImbalance zipf_imbalance(const ModelArch& arch, const EpGroupLayout& group, const ZipfImbalanceSpec& load);

}  // namespace fathom::models::eplb
