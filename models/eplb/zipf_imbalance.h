#pragma once
// The max/mean routed tokens per GPU of one expert-parallel group under a Zipf expert-load skew, with
// and without DeepSeek's EPLB placement: shared by serving (prefill/decode units) and training (the
// EP group). Per-expert loads come from zipf_loads (one row per MoE layer), the placement from
// evaluate_eplb with the model's expert groups. Each MoE layer waits for its own busiest GPU, so the
// per-layer max/mean factors are returned (training prices every layer with its own), and their mean
// over the MoE layers (serving's single factor per unit).

#include <cstdint>
#include <vector>

#include "hw/node_spec.h"
#include "models/model_arch.h"

namespace fathom::models::eplb {

// The node groups EPLB's hierarchical policy packs expert groups onto, for an EP group of `ep_gpus` GPUs on
// `node`s: the group's NVLink (scale-up) domains, where the replicas of a node group reach each other without
// the NICs. An HGX node is its own domain (ep / gpus_per_node groups, as before; 1 for an EP group inside one
// node); an NVL72 rack is one domain of 18 trays (EP72: 1 group, EP144: 2, EP32 on 8 trays: 1). An EP group
// that spans domains unevenly (EP108 on 72-GPU domains) keeps one group per node.
int64_t eplb_node_groups(int64_t ep_gpus, const hw::NodeSpec& node);

// The GPUs that share the routed experts (one EP group / serving unit) and its redundant experts.
struct EpGroupLayout {
  int64_t gpus = 1;
  int64_t nodes = 1;  // EPLB's node groups (eplb_node_groups)
  int64_t redundant_experts = 0;
};

struct ZipfImbalanceSpec {
  double exponent = 0;  // 0 = uniform popularity
  uint64_t seed = 1;
};

struct ZipfImbalance {
  double before = 1;  // contiguous experts, no replicas: the mean of before_per_layer
  double after = 1;   // EPLB placement: the mean of after_per_layer
  // Max/mean routed tokens per GPU (>= 1) of each MoE layer, one entry per MoE layer in model order
  // (the main decoder layers with ModelArch::moe_layer set, ascending; MTP modules excluded).
  // `before`/`after` are exactly their sum in this order divided by the count (summarize_imbalance).
  std::vector<double> before_per_layer;
  std::vector<double> after_per_layer;
  // Each MoE layer's expected routed tokens per GPU after EPLB (LayerGpuLoad::tokens_per_gpu, same order):
  // the shares routing_noise.h draws a step's slots from. after_per_layer is their max / mean.
  std::vector<std::vector<double>> after_gpu_tokens;
};

// Each MoE layer's factor after EPLB with routing noise at `slots` routed slots per step (routing_noise.h), in
// after_per_layer's order; the expected-load after_per_layer for slots = infinity.
std::vector<double> realized_per_layer(const ZipfImbalance& z, double slots);

// A dense model: `before` = `after` = 1 and empty per-layer vectors.
ZipfImbalance zipf_imbalance(const ModelArch& arch, const EpGroupLayout& group, const ZipfImbalanceSpec& load);

}  // namespace fathom::models::eplb
