#pragma once
// The prediction of a "unit" scenario (docs/unit.md): the step of one engine (prefill forward or
// decode step, priced by the serving day's own IterationCostModel) or one training chunk
// (training_chunk.h), its tokens per second per GPU and per node, and its breakdown by kernel family
// and communication phase, whose exposed times add up to the step.

#include <optional>
#include <vector>

#include "hw/calibration_match.h"
#include "models/deployment/memory_footprint.h"
#include "models/serving/iteration_cost.h"
#include "models/unit/unit_spec.h"

namespace fathom::models::unit {

struct UnitResult {
  UnitPhase phase = UnitPhase::decode;
  double step_s = 0;
  // Tokens one GPU produces per step: prefill, the computed prompt tokens; decode, the accepted output
  // tokens batch x (1 + drafts x acceptance); training, the micro-batch's tokens (one forward and one
  // backward chunk of them).
  double tokens_per_step_per_gpu = 0;
  double tokens_per_s_per_gpu = 0;
  double tokens_per_s_per_node = 0;
  double compute_s = 0, communication_s = 0, exposed_communication_s = 0, overhead_s = 0;
  // Busiest GPU's routed tokens over the mean: as priced (after EPLB, with routing noise at this step's routed
  // slots; the given factor of expert_load.imbalance as is), of the expected loads after EPLB, and before EPLB.
  double expert_imbalance = 1, expert_imbalance_expected_loads = 1, expert_imbalance_before_eplb = 1;
  int64_t eplb_node_groups = 1;    // EPLB's hierarchical node groups: the EP group's NVLink domains
  double attention_imbalance = 1;  // decode: busiest DP rank's contexts over the mean
  double tokens_per_local_expert = 0;
  double tokens_per_s_per_request = 0;  // decode
  std::vector<serving::NamedCostRow> breakdown;
  std::optional<MemoryFootprint> memory;  // prefill and decode: the GPU's memory at this batch
  std::string calibration_device;
  std::optional<hw::CalibrationMismatch> calibration_mismatch;  // another GPU's kernel calibration in use
};

// The memory a prefill or decode unit holds at its batch (fathom memory reads unit scenarios with it).
MemoryRequest unit_memory_request(const UnitScenario& s);

UnitResult predict_unit(const UnitScenario& s);

}  // namespace fathom::models::unit
