#pragma once
// Expert-load imbalance of the prefill and decode units: per-expert loads from a Zipf skew
// (models/eplb/expert_load), placed by DeepSeek's EPLB over the unit's GPUs with its redundant
// experts (S02, S10, S11), reported as the busiest GPU's routed tokens over the mean, averaged over
// the MoE layers (each layer waits for its own busiest GPU). `*_after` is the factor of the expected loads;
// a step waits for the busiest GPU of the loads it draws, which the routing-noise curve (eplb/routing_noise.h)
// gives as a function of the step's routed slots: IterationCostModel prices each forward with it.

#include <memory>

#include "hw/node_spec.h"
#include "models/eplb/routing_noise.h"
#include "models/model_arch.h"
#include "models/serving/serving_spec.h"

namespace fathom::models::serving {

struct ExpertImbalance {
  double prefill_before = 1, prefill_after = 1;  // without EPLB (contiguous experts) and with it
  double decode_before = 1, decode_after = 1;
  // The after-EPLB factor with routing noise as a function of a step's routed slots (null for a dense model).
  std::shared_ptr<const eplb::RoutingNoiseCurve> prefill_noise, decode_noise;
};

ExpertImbalance expert_imbalance(const ModelArch& arch, const ServingSpec& spec, const hw::NodeSpec& node);

// One unit's busiest-GPU over mean routed tokens, without EPLB (`before`) and with it (`after`), for units of
// `node`s, EPLB grouping experts per NVLink domain (eplb::eplb_node_groups). What expert_imbalance computes per
// phase (the planner caches it per layout).
struct UnitImbalance {
  double before = 1, after = 1;
  std::shared_ptr<const eplb::RoutingNoiseCurve> noise;  // after, with routing noise (null for a dense model)
};
UnitImbalance unit_expert_imbalance(const ModelArch& arch, const UnitSpec& unit, const hw::NodeSpec& node,
                                    const ExpertLoadSpec& load);

}  // namespace fathom::models::serving
