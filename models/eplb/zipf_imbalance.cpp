#include "models/eplb/zipf_imbalance.h"

#include <algorithm>

#include "models/eplb/expert_load.h"
#include "models/eplb/gpu_load.h"
#include "models/eplb/routing_noise.h"

namespace fathom::models::eplb {

int64_t eplb_node_groups(int64_t ep_gpus, const hw::NodeSpec& node) {
  const int64_t per_node = std::max<int64_t>(1, node.gpus_per_node);
  const int64_t domain = hw::scaleup_domain_gpus(node);
  if (ep_gpus <= domain) return 1;
  if (ep_gpus % domain == 0) return ep_gpus / domain;
  return std::max<int64_t>(1, ep_gpus / per_node);
}

ZipfImbalance zipf_imbalance(const ModelArch& a, const EpGroupLayout& group, const ZipfImbalanceSpec& load) {
  ZipfImbalance out;
  if (!a.is_moe()) return out;
  ZipfLoadSpec zipf;
  zipf.layers = static_cast<int>(a.moe_layer_count());
  zipf.experts = static_cast<int>(a.routed_experts);
  zipf.exponent = load.exponent;
  zipf.seed = load.seed;
  const LoadMatrix loads = zipf_loads(zipf);
  const EplbConfig config{.num_replicas = static_cast<int>(a.routed_experts + group.redundant_experts),
                          .num_groups = static_cast<int>(std::max<int64_t>(1, a.n_group)),
                          .num_nodes = static_cast<int>(group.nodes),
                          .num_gpus = static_cast<int>(group.gpus)};
  const EplbOutcome outcome = evaluate_eplb(loads, config);
  out.before = outcome.before_summary.mean;
  out.after = outcome.after_summary.mean;
  for (const LayerGpuLoad& l : outcome.before) out.before_per_layer.push_back(l.imbalance);
  for (const LayerGpuLoad& l : outcome.after) {
    out.after_per_layer.push_back(l.imbalance);
    out.after_gpu_tokens.push_back(l.tokens_per_gpu);
  }
  return out;
}

std::vector<double> realized_per_layer(const ZipfImbalance& z, double slots) {
  std::vector<double> out;
  out.reserve(z.after_gpu_tokens.size());
  for (const std::vector<double>& l : z.after_gpu_tokens) out.push_back(routing_noise_factor(l, slots));
  return out;
}

}  // namespace fathom::models::eplb
