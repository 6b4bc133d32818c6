#pragma once
// Time of one forward on one GPU of a serving unit, from the model's ops priced by the kernel cost
// model and the all-to-all cost of its dispatch/combine:
//  - a decode step: `batch` requests per GPU at mean context `context`, each verifying the MTP draft
//    (1 + draft tokens per request), plus the MTP module's own forward;
//  - a prefill forward: `tokens` computed tokens per GPU from sequences of `seq_len` new tokens after
//    `prefix_len` cached ones.
// Overlap (S12): with m >= 2 micro-batches, a MoE layer takes max(compute of all micro-batches,
// dispatch + combine of all micro-batches): each micro-batch's all-to-all runs while another
// computes. With m = 1 they add. Dense layers have no all-to-all.
// Symmetry fold: all dense layers are alike, as are all MoE layers, so one of each is priced and
// multiplied by its count.

#include <cstdint>

#include "hw/kernel_cost_model.h"
#include "hw/node_spec.h"
#include "models/deployment/model_choice.h"
#include "models/ops.h"
#include "models/serving/serving_spec.h"

namespace fathom::models::serving {

struct ForwardCost {
  Seconds total;                  // the forward, overhead included
  Seconds compute;                // kernel time on the GPU
  Seconds communication;          // dispatch + combine time
  Seconds exposed_communication;  // communication not hidden behind compute
  Seconds attention;              // of compute: attention kernels
  Seconds experts;                // of compute: routed-expert grouped GEMMs
};

class IterationCostModel {
 public:
  // Contract: the three references outlive this object. `expert_imbalance` is the busiest GPU's
  // routed tokens over the mean (>= 1), for prefill and decode units respectively.
  IterationCostModel(const ModelChoice& model, const hw::NodeSpec& node, const hw::KernelCostModel& kernels,
                     double prefill_imbalance, double decode_imbalance);

  ForwardCost decode_step(int64_t batch, double context, const DecodeSpec& decode, const MtpSpec& mtp) const;
  ForwardCost prefill_forward(int64_t tokens, double seq_len, double prefix_len, const PrefillSpec& prefill) const;

  // Routed experts each GPU of the unit holds; throws std::invalid_argument if they do not divide.
  int64_t local_experts(const UnitSpec& unit) const;

 private:
  struct LayerShape {
    bool decode = true;
    int64_t sequences = 1;  // per micro-batch
    int64_t tokens_per_sequence = 1;
    int64_t seq_len = 1;     // prefill
    int64_t prefix_len = 0;  // prefill
    int64_t context = 1;     // decode
  };
  ForwardCost layers(const LayerShape& per_micro_batch, const UnitSpec& unit, double imbalance, bool include_mtp) const;
  ForwardCost one_layer(int64_t layer, const LayerShape& shape, const UnitSpec& unit, double imbalance) const;
  std::vector<Op> layer_ops(int64_t layer, const LayerShape& shape, const MoeLoad& load) const;

  const ModelChoice& model_;
  const hw::NodeSpec& node_;
  const hw::KernelCostModel& kernels_;
  CostOptions options_;
  double prefill_imbalance_;
  double decode_imbalance_;
};

}  // namespace fathom::models::serving
