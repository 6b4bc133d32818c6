#pragma once
// Per-micro-batch costs of each block of the model on one GPU of a training job: compute time of
// its forward (F), input-gradient backward (B) and weight-gradient backward (W) ops from the kernel
// cost model, and the expert-parallel all-to-all time of its forward and backward (DeepEP normal
// kernels, hw/ep_alltoall_cost.h). A block is the embedding, one decoder layer, an MTP module or
// the output head (final norm, LM head, cross-entropy).

#include <cstdint>
#include <string>
#include <vector>

#include "hw/kernel_cost_model.h"
#include "hw/node_spec.h"
#include "models/model_arch.h"
#include "models/ops.h"
#include "models/training/training_layout.h"
#include "models/training/training_spec.h"
#include "sim/units.h"

namespace fathom::models::training {

enum class BlockKind { embedding, layer, mtp, head };

// One block's cost for one micro-batch on the most-loaded GPU of its EP group.
struct BlockCost {
  BlockKind kind = BlockKind::layer;
  int64_t layer = -1;            // decoder layer or MTP layer index (arch.layers + j); -1 otherwise
  bool moe = false;              // has routed experts (all-to-alls)
  double forward_s = 0;          // compute of F at the full SM count
  double backward_input_s = 0;   // compute of B (input gradients)
  double backward_weight_s = 0;  // compute of W (weight gradients)
  double forward_comm_s = 0;     // dispatch + combine, forward
  double backward_comm_s = 0;    // gradient dispatch + gradient combine, backward
  Flops flops;                   // F + B + W FLOPs of this GPU for one micro-batch
  int64_t dense_params = 0;      // parameters replicated on every GPU of the stage (ZeRO over dp)
  int64_t expert_params = 0;     // routed-expert parameters on one GPU (ZeRO over expert_dp)

  double compute_s() const { return forward_s + backward_input_s + backward_weight_s; }
  std::string label() const;
};

// Everything the block costing needs.
struct BlockCostInputs {
  const ModelArch& arch;
  bool include_mtp;
  CostOptions options;
  const TrainingSpec& spec;
  const TrainingLayout& layout;
  const hw::NodeSpec& node;
  const hw::KernelCostModel& cost_model;
};

// The blocks in model order: embedding, layers 0..L-1, MTP modules (if included), head.
std::vector<BlockCost> block_costs(const BlockCostInputs& in);

// Time of one all-to-all of `tokens` tokens per GPU with `dtype` payloads under the layout.
Seconds ep_alltoall_s(const BlockCostInputs& in, double tokens, hw::DType dtype);

}  // namespace fathom::models::training
