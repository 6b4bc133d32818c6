#pragma once
// The registry of EPLB policies (name -> balancing function), listed by `fathom list`.

#include <string>

#include "models/eplb/eplb.h"
#include "sim/registry.h"

namespace fathom::models::eplb {

using PolicyFn = Placement (*)(const LoadMatrix& weight, const EplbConfig& config);

// "hierarchical" and "global", built once.
const Registry<PolicyFn>& policy_registry();

// The policy eplb.py picks: "hierarchical" when num_groups % num_nodes == 0, else "global".
std::string auto_policy_name(const EplbConfig& config);

}  // namespace fathom::models::eplb
