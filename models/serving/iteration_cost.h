#pragma once
// Time of one forward on one GPU of a serving unit, from the model's ops priced by the kernel cost
// model and the all-to-all cost of its dispatch/combine — THE pricing of a prefill forward and a decode
// step, shared by the serving day (models/serving) and the unit run kind (models/unit):
//  - a decode step: `batch` requests per GPU at mean context `context`, each verifying the MTP draft
//    (1 + draft tokens per request), plus the MTP module's own forward;
//  - a prefill forward: `tokens` computed tokens per GPU from sequences of `seq_len` new tokens after
//    `prefix_len` cached ones.
// Overlap (S12): with m >= 2 micro-batches a MoE layer's all-to-alls (dispatch + combine of every
// micro-batch, time T_c) run while another micro-batch computes; with m = 1 they add to the compute.
// While an all-to-all is in flight its kernels hold `communication_sms` SMs (T08 for DeepEP's normal
// kernels; S41: the low-latency kernels hold none), so the compute beside it runs on the remaining SMs
// (hw::GpuSpec::with_compute_sms, as training does): with C_f the layer's compute on the full GPU and
// C_r on the reduced one, the layer takes
//     T_c >= C_r:  T_c                              (compute entirely beside communication)
//     T_c <  C_r:  T_c + C_f (1 - T_c / C_r)         (the part done beside T_c at the reduced rate, the
//                                                    rest at the full rate)
// which is never below the no-reservation max(C_f, T_c). Dense layers have no all-to-all.
// Expert imbalance: the busiest GPU's routed tokens are `imbalance` times the mean, scaling its grouped GEMMs'
// rows and its all-to-all volume. With a routing-noise curve (PhasePricing::routing_noise) the factor is the
// expected busiest of the loads a step draws, at the step's routed slots S = tokens per micro-batch per GPU x
// unit GPUs x top-k (eplb/routing_noise.h): larger at small decode batches; otherwise the fixed factor.
// Decode attention imbalance (attention_imbalance.h): the busiest DP rank's attention reads
// `attention_imbalance` times the mean context; every rank waits for it at the next dispatch.
// Tensor parallelism (UnitSpec::tp > 1, tensor_parallel.h): attention (and dense FFNs) of one GPU run
// with heads / tp on the tp·b tokens of its TP group, the MoE block on the GPU's own b tokens; each TP
// block adds an all-gather and a reduce-scatter of the group's BF16 hidden states over NVLink, on the
// critical path (row "tp_collectives", exposed; assumed: not overlapped with the other micro-batch).
// Symmetry fold: all dense layers are alike, as are all MoE layers, so one of each is priced and
// multiplied by its count.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hw/kernel_cost_model.h"
#include "hw/node_spec.h"
#include "models/deployment/model_choice.h"
#include "models/eplb/routing_noise.h"
#include "models/ops.h"
#include "models/serving/serving_spec.h"

namespace fathom::models::serving {

// What limits a breakdown row (docs/unit.md): a kernel family's compute or HBM traffic, a
// communication phase's bandwidth or fixed latency.
enum class Bound { compute, memory, network, latency };
std::string_view to_string(Bound b);

// The accumulated cost of a kernel family, a communication phase or the per-forward overhead.
struct CostRow {
  double time_s = 0;           // as run (compute beside communication at the reduced SM count)
  double exposed_s = 0;        // what overlap does not hide; the rows' exposed_s add up to the forward
  double flops = 0;            // arithmetic of the row's kernels (0 for communication)
  double bytes = 0;            // HBM bytes (kernels) or bytes sent over IB + NVLink (communication)
  double compute_bound_s = 0;  // kernels: time of the invocations whose compute term dominates
  double latency_s = 0;        // communication: the fixed part (link latencies)
};

// Room for every hw::KernelFamily, indexed by its enum value.
inline constexpr size_t kMaxKernelFamilies = 16;

// A forward's cost split: one row per kernel family, the two all-to-all phases and the overhead.
struct Breakdown {
  std::array<CostRow, kMaxKernelFamilies> kernels{};
  CostRow dispatch, combine, overhead;
  CostRow tensor_parallel;  // TP all-gathers and reduce-scatters (0 without TP)
};

// A non-empty row of a breakdown with its name ("dense_gemm", ..., "dispatch", "combine", "overhead"),
// what it is ("kernel", "communication", "overhead") and its bound.
struct NamedCostRow {
  std::string name;
  std::string kind;
  Bound bound = Bound::compute;
  CostRow row;
};
std::vector<NamedCostRow> breakdown_rows(const Breakdown& b);

struct ForwardCost {
  Seconds total;                   // the forward, overhead included
  Seconds compute;                 // kernel time on the GPU (as run, SM reservation included)
  Seconds communication;           // dispatch + combine (+ TP collectives) time
  Seconds exposed_communication;   // communication not hidden behind compute
  Seconds attention;               // of compute: attention kernels
  Seconds experts;                 // of compute: routed-expert grouped GEMMs
  double attention_imbalance = 1;  // decode: busiest DP rank's context sum over the mean (1 for prefill)
  double expert_imbalance = 1;     // busiest GPU's routed tokens over the mean, as priced (routing noise included)
  Breakdown rows;                  // per kernel family / communication phase / overhead
};

// How one phase (prefill or decode) of a deployment is priced beyond its UnitSpec.
struct PhasePricing {
  double expert_imbalance = 1;    // busiest GPU's routed tokens over the mean (>= 1): used when routing_noise is null
  int64_t communication_sms = 0;  // = the phase's UnitSpec::communication_sms
  // The factor as a function of a step's routed slots (expected loads + routing noise); null: expert_imbalance.
  std::shared_ptr<const eplb::RoutingNoiseCurve> routing_noise = nullptr;

  // The factor a forward of `tokens_per_gpu` tokens per micro-batch per GPU on `unit` is priced at.
  double imbalance_at(double tokens_per_gpu, const UnitSpec& unit, int64_t top_k) const;
};

class IterationCostModel {
 public:
  // Contract: the three references outlive this object. A reduced-SM kernel model is built here for
  // each phase's communication_sms; a call's UnitSpec::communication_sms must be one of them
  // (std::logic_error otherwise).
  IterationCostModel(const ModelChoice& model, const hw::NodeSpec& node, const hw::KernelCostModel& kernels,
                     PhasePricing prefill, PhasePricing decode);

  ForwardCost decode_step(int64_t batch, double context, const DecodeSpec& decode, const MtpSpec& mtp) const;
  ForwardCost prefill_forward(int64_t tokens, double seq_len, double prefix_len, const PrefillSpec& prefill) const;

  // Routed experts each GPU of the unit holds; throws std::invalid_argument if they do not divide.
  int64_t local_experts(const UnitSpec& unit) const;
  // Routed tokens each local expert of the busiest GPU receives from `tokens_per_gpu` tokens per GPU.
  double tokens_per_local_expert(double tokens_per_gpu, const UnitSpec& unit, double imbalance) const;
  // The same for a decode step of `batch` requests per GPU (MTP drafts included), at that step's factor.
  double decode_tokens_per_local_expert(int64_t batch, const DecodeSpec& decode, const MtpSpec& mtp) const;

 private:
  struct LayerShape {
    bool decode = true;
    int64_t sequences = 1;  // per micro-batch
    int64_t tokens_per_sequence = 1;
    int64_t seq_len = 1;     // prefill
    int64_t prefix_len = 0;  // prefill
    int64_t context = 1;     // decode: keys the busiest rank's attention reads per sequence
  };
  // One micro-batch of a decode step / prefill forward (the decode context is left for the caller).
  static LayerShape decode_shape(int64_t batch, const DecodeSpec& decode, const MtpSpec& mtp);
  static LayerShape prefill_shape(int64_t tokens, double seq_len, double prefix_len, const PrefillSpec& prefill);
  // The expert imbalance a decode micro-batch of shape `s` is priced at (PhasePricing::imbalance_at).
  double decode_imbalance(const LayerShape& s, const UnitSpec& unit) const;
  ForwardCost layers(const LayerShape& per_micro_batch, const UnitSpec& unit, double imbalance, bool include_mtp) const;
  // The embedding of `tokens`, the final norm and LM head on `logit_tokens`, and the per-forward overhead.
  ForwardCost edges(int64_t tokens, int64_t logit_tokens, Seconds overhead) const;
  ForwardCost one_layer(int64_t layer, const LayerShape& shape, const UnitSpec& unit, double imbalance) const;
  std::vector<Op> layer_ops(int64_t layer, const LayerShape& shape, const MoeLoad& load, int64_t tp) const;
  std::vector<Op> unsharded_layer_ops(const ModelArch& arch, int64_t layer, const LayerShape& shape,
                                      const MoeLoad& load) const;
  const hw::KernelCostModel& reduced_model(const UnitSpec& unit) const;

  const ModelChoice& model_;
  const hw::NodeSpec& node_;
  const hw::KernelCostModel& kernels_;
  CostOptions options_;
  PhasePricing prefill_;
  PhasePricing decode_;
  // The GPU with a unit's communication_sms taken (with_compute_sms), keyed by that count.
  std::array<std::pair<int64_t, std::optional<hw::KernelCostModel>>, 2> reduced_;
};

}  // namespace fathom::models::serving
