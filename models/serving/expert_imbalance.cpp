#include "models/serving/expert_imbalance.h"

#include "models/eplb/zipf_imbalance.h"

namespace fathom::models::serving {
namespace {

void imbalance_of(const ModelArch& a, const UnitSpec& unit, int64_t gpus_per_node, const ExpertLoadSpec& load,
                  double& before, double& after) {
  const eplb::ZipfImbalance z = eplb::zipf_imbalance(
      a, {.gpus = unit.gpus, .nodes = unit.gpus / gpus_per_node, .redundant_experts = unit.redundant_experts},
      {.exponent = load.zipf_exponent, .seed = load.seed});
  before = z.before;
  after = z.after;
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
