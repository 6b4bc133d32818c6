#include "models/eplb/policy_registry.h"

namespace fathom::models::eplb {

const Registry<PolicyFn>& policy_registry() {
  static const Registry<PolicyFn> registry{
      "eplb policy",
      {
          {"hierarchical",
           "EPLB: pack expert groups onto nodes, replicate hot experts within a node, pack replicas onto GPUs "
           "(prefill, groups % nodes == 0)",
           &rebalance_experts_hierarchical},
          {"global", "EPLB: replicate hot experts globally ignoring groups, pack replicas onto GPUs (decode, large EP)",
           &rebalance_experts_global},
      }};
  return registry;
}

std::string auto_policy_name(const EplbConfig& config) {
  return config.num_nodes > 0 && config.num_groups % config.num_nodes == 0 ? "hierarchical" : "global";
}

}  // namespace fathom::models::eplb
