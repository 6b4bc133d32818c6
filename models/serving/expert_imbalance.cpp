#include "models/serving/expert_imbalance.h"

#include "models/eplb/zipf_imbalance.h"

namespace fathom::models::serving {
UnitImbalance unit_expert_imbalance(const ModelArch& a, const UnitSpec& unit, const hw::NodeSpec& node,
                                    const ExpertLoadSpec& load) {
  if (!a.is_moe()) return {};
  const eplb::ZipfImbalance z = eplb::zipf_imbalance(a,
                                                     {.gpus = unit.gpus,
                                                      .nodes = eplb::eplb_node_groups(unit.gpus, node),
                                                      .redundant_experts = unit.redundant_experts},
                                                     {.exponent = load.zipf_exponent, .seed = load.seed});
  return {z.before, z.after, std::make_shared<const eplb::RoutingNoiseCurve>(z.after_gpu_tokens)};
}

ExpertImbalance expert_imbalance(const ModelArch& arch, const ServingSpec& spec, const hw::NodeSpec& node) {
  ExpertImbalance out;
  if (!arch.is_moe()) return out;
  const UnitImbalance prefill = unit_expert_imbalance(arch, spec.prefill.unit, node, spec.expert_load);
  const UnitImbalance decode = unit_expert_imbalance(arch, spec.decode.unit, node, spec.expert_load);
  out.prefill_before = prefill.before;
  out.prefill_after = prefill.after;
  out.decode_before = decode.before;
  out.decode_after = decode.after;
  out.prefill_noise = prefill.noise;
  out.decode_noise = decode.noise;
  return out;
}

}  // namespace fathom::models::serving
