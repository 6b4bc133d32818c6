#include "models/serving/expert_imbalance.h"

#include "models/eplb/expert_load.h"
#include "models/eplb/gpu_load.h"

namespace fathom::models::serving {
namespace {

void imbalance_of(const ModelArch& a, const UnitSpec& unit, int64_t gpus_per_node, const ExpertLoadSpec& load,
                  double& before, double& after) {
  eplb::ZipfLoadSpec zipf;
  zipf.layers = static_cast<int>(a.moe_layer_count());
  zipf.experts = static_cast<int>(a.routed_experts);
  zipf.exponent = load.zipf_exponent;
  zipf.seed = load.seed;
  const eplb::LoadMatrix loads = eplb::zipf_loads(zipf);
  const eplb::EplbConfig config{.num_replicas = static_cast<int>(a.routed_experts + unit.redundant_experts),
                                .num_groups = static_cast<int>(std::max<int64_t>(1, a.n_group)),
                                .num_nodes = static_cast<int>(unit.gpus / gpus_per_node),
                                .num_gpus = static_cast<int>(unit.gpus)};
  const eplb::EplbOutcome outcome = eplb::evaluate_eplb(loads, config);
  before = outcome.before_summary.mean;
  after = outcome.after_summary.mean;
}

}  // namespace

ExpertImbalance expert_imbalance(const ModelArch& arch, const ServingSpec& spec) {
  ExpertImbalance out;
  if (!arch.is_moe()) return out;
  const int64_t per_node = spec.prefill.unit.gpus / spec.prefill.unit.nodes;
  imbalance_of(arch, spec.prefill.unit, per_node, spec.expert_load, out.prefill_before, out.prefill_after);
  imbalance_of(arch, spec.decode.unit, per_node, spec.expert_load, out.decode_before, out.decode_after);
  return out;
}

}  // namespace fathom::models::serving
