#pragma once
// One training chunk as a profiler trace shows it: a forward chunk and a backward chunk (input and
// weight gradients) of `layers` consecutive MoE layers of one pipeline stage, each for one micro-batch,
// on the most-loaded GPU of an EP group. Built from the training block costs
// (models/training/block_costs.h) and timed by the training stage plan (stage_plan.h): overlapped as a
// DualPipe F&B pair (V3TR §3.2.1 Figure 4: each forward block paired with a backward block, compute at
// the SMs left beside communication, max(compute', all-to-alls) per pair), or run one after the other
// with every all-to-all exposed. The per-kernel-family rows split each block's priced compute in the
// proportions of its ops (training_layer_ops + recompute_ops), so they add up to the stage plan's times.

#include "hw/cluster_spec.h"
#include "hw/kernel_cost_model.h"
#include "models/deployment/model_choice.h"
#include "models/serving/iteration_cost.h"
#include "models/unit/unit_spec.h"

namespace fathom::models::unit {

struct TrainingChunkCost {
  serving::Breakdown rows;
  double step_s = 0;      // the F&B pair (or F then B)
  double forward_s = 0;   // compute of the forward chunk as run
  double backward_s = 0;  // compute of the backward chunk (B + W) as run
  int64_t micro_batch_tokens = 0;
  int64_t first_layer = 0;  // the chunk's first decoder layer
};

// Contract: `expert_imbalance` >= 1 is the busiest GPU's routed tokens over the mean.
TrainingChunkCost training_chunk_cost(const UnitScenario& s, const hw::KernelCostModel& kernels,
                                      double expert_imbalance);

}  // namespace fathom::models::unit
