#pragma once
// Per-GPU memory of each pipeline rank of a training step, against HBM (docs/memory.md "Training memory";
// issue #5, #20). One GPU of each rank (every replica of a rank holds the same, up to the EP imbalance that
// the most-loaded GPU of each layer already carries in the block costs):
//  - parameters: the BF16 compute copy (training.parameter_gather_dtype — what the ZeRO-1 all-gather
//    delivers and the optimizer writes) of every stage the rank holds (two for DualPipe/DualPipeV: 2x
//    parameters, K32/K33); dense params whole, routed experts experts_per_gpu per MoE layer
//    (BlockCost::dense_params / expert_params);
//  - FP8 weights: with FP8 GEMMs (T26), training.fp8_weight_copies copies of every FP8-GEMM weight of
//    those stages with their 128x128 block scales (fp8_weight_bytes);
//  - gradients: the full buffer of the parameters at training.gradient_reduce_dtype (FP32, T26),
//    accumulated over the micro-batches before the reduce-scatter;
//  - optimizer: ZeRO-1 master weights + two AdamW moments (T26: FP32, BF16, BF16) for the rank's shard
//    (zero1_shard_params: dense / dp + expert / expert_dp);
//  - activations: an ESTIMATE (not measured) — the tensors one micro-batch keeps from its forward to its
//    backward, item by item (activation_items), walked through the schedule's unit order: a micro-batch's
//    tensors live from its F to its B; after an input-only B (Bi) the GEMM inputs stay until its W;
//  - DeepEP buffers: the normal kernels' NVLink and RDMA buffers (deepep_buffer_bytes);
//  - workspace: training.workspace (2 GiB by default, assumed): CUDA context, library workspaces, NCCL.

#include <map>
#include <string>
#include <vector>

#include "models/ops.h"
#include "models/schedule/schedule.h"
#include "models/training/activation_bytes.h"
#include "models/training/training_run.h"
#include "sim/provenance.h"

namespace fathom::models::training {

// One tensor a micro-batch keeps from its forward to its backward, for one block.
struct ActivationItem {
  std::string name;           // the same name for the same tensor of every block (the report sums by name)
  double bytes = 0;           // one micro-batch of this block on this GPU
  bool weight_input = false;  // a GEMM input the W pass reads: kept after an input-only B until the W
  std::string basis;          // why it is kept, at which dtype
};

// What decides the items (docs/memory.md, "Training memory").
struct ActivationRules {
  // V3TR §3.3.3, T29 (FP8 GEMMs): GEMM inputs cached in FP8 with one FP32 scale per 1x128 tile; the
  // attention output (the Linear after attention's input, which attention's backward reads too) kept once
  // in E5M6; the MoE SwiGLU inputs cached in FP8 and their outputs recomputed. Otherwise everything at
  // activation_dtype and the SwiGLU outputs kept.
  bool fp8_recipe = false;
  bool keep_expert_outputs = false;  // training.keep_expert_outputs
  RecomputeSet recompute;            // V3TR §3.2.3: recomputed norms and up-projections keep no output
  hw::DType activation_dtype = hw::DType::bf16;
};

// Bytes per element of an FP8-cached activation (1 B + an FP32 scale per 1x128 tile, T26) and of the E5M6
// attention output (12 bits + the same tile scale, T29).
inline constexpr double kFp8CachedBytes = 1.0 + 4.0 / 128.0;
inline constexpr double kE5M6CachedBytes = 1.5 + 4.0 / 128.0;

// The items of one block for a micro-batch of `tokens` tokens: `kind` embedding, head, or a decoder layer /
// MTP module (`layer`: its index, arch.layers + j for MTP module j); `moe_rows` = the routed-expert rows
// this GPU receives (experts_per_gpu x tokens per expert, imbalance included; 0 for a dense layer).
std::vector<ActivationItem> activation_items(const ModelArch& arch, BlockKind kind, int64_t layer, int64_t tokens,
                                             double moe_rows, const ActivationRules& rules);
ActivationBytes activation_bytes(const std::vector<ActivationItem>& items);

// The rules and the items of every block of every stage (prediction.stages order) as the scenario sets them.
ActivationRules activation_rules(const TrainingScenario& s);
std::vector<std::vector<ActivationItem>> stage_activation_items(const TrainingScenario& s,
                                                                const std::vector<Stage>& stages);
std::vector<ActivationBytes> stage_activation_bytes(const TrainingScenario& s, const std::vector<Stage>& stages);

// Peak activation bytes on each rank: walks the rank's units in program order, adding a stage's
// `stored` at each F, releasing it at a full B, releasing all but `weight_inputs` at a Bi and those at
// the W (inside an F&B unit the forward counts first, as schedule::peak_activations does). Computed from
// the live counts after each forward (schedule::ScheduleDigest::after_forward), where a peak can occur.
std::vector<double> peak_activation_bytes(const schedule::Schedule& schedule,
                                          const std::vector<ActivationBytes>& per_stage);

// What is alive on a rank at its activation peak: per stage, micro-batches holding all their tensors
// (`full`) and micro-batches past an input-only B holding only their GEMM inputs (`weight_only`).
using PeakComposition = schedule::LiveCounts;
std::vector<PeakComposition> peak_activation_composition(const schedule::Schedule& schedule,
                                                         const std::vector<ActivationBytes>& per_stage);

// Parameter, gradient and optimizer bytes of a rank holding `rank_stages` of `stages`.
struct RankStateBytes {
  double parameters = 0, gradients = 0, optimizer = 0;
};
RankStateBytes rank_state_bytes(const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                                const TrainingSpec& spec, const TrainingLayout& layout);

// The FP8 copies of the FP8-GEMM weights (models/weights.h `quantizable`: attention projections, FFN and
// expert matrices, MTP eh_proj; not the embedding, LM head, router or norms) of a rank holding
// `rank_stages`: `copies` x (1 B per weight + one FP32 scale per 128x128 block), routed experts
// experts_per_gpu per MoE layer. 0 unless `gemm_dtype` is FP8.
double fp8_weight_bytes(const ModelArch& arch, const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                        const TrainingLayout& layout, hw::DType gemm_dtype, int64_t copies);

// The same for many ranks of one layout: each layer kind's bytes computed once (training_memory asks for
// every rank). `arch` must outlive it.
class Fp8WeightBytes {
 public:
  Fp8WeightBytes(const ModelArch& arch, const TrainingLayout& layout, hw::DType gemm_dtype, int64_t copies);
  double of(const std::vector<Stage>& stages, const std::vector<int>& rank_stages);

 private:
  double layer_bytes(LayerKind kind);
  const ModelArch& arch_;
  const TrainingLayout layout_;
  const bool counted_;  // FP8 GEMMs and at least one copy
  const int64_t copies_;
  std::map<LayerKind, double> per_layer_;
};

// DeepEP's normal-kernel buffers on one GPU (docs/memory.md): channels = communication_sms / 2 (T08: 20 SMs,
// 10 channels); per channel an NVLink ring of nvl_buffer_tokens token slots per NVLink peer (the GPUs of
// the NVLink domain in the EP group; `domain_gpus` = hw::scaleup_domain_gpus, the node's on HGX) and an RDMA ring
// of rdma_buffer_tokens slots per remote domain of the EP group,
// send and receive; a slot holds a BF16 hidden vector, its FP8 scales (hidden / 128 FP32) and its top-k
// expert ids (int64) and weights (FP32). 0 without expert parallelism.
double deepep_buffer_bytes(const ModelArch& arch, const TrainingLayout& layout, const TrainingSpec& spec,
                           int64_t domain_gpus);

struct RankMemory {
  int rank = 0;
  std::vector<int> stages;  // model stages the rank holds
  double parameters_bytes = 0, fp8_weights_bytes = 0, gradients_bytes = 0, optimizer_bytes = 0;
  double activations_bytes = 0;
  int activation_micro_batches = 0;  // peak micro-batches alive at once (schedule::peak_activations, K30–K33)
  double deepep_buffers_bytes = 0;
  double workspace_bytes = 0;
  double total_bytes = 0;
};

// One activation item summed over what is alive at a rank's peak.
struct ActivationItemTotal {
  std::string name;
  double bytes = 0;
  std::string basis;
};

struct TrainingMemory {
  std::vector<RankMemory> per_rank;
  int worst_rank = 0;  // largest total
  double hbm_bytes = 0;
  bool fits = false;          // the worst rank's total <= HBM
  double headroom_bytes = 0;  // HBM - the worst rank's total (negative when it does not fit)
  std::vector<ActivationItemTotal> worst_rank_activations;  // the worst rank's activation peak, item by item
  std::vector<ProvenanceEntry> assumptions;                 // what the estimate rests on (for the report's assumptions)
};

// The memory of every rank of the final-batch step of `p` (a pure function of the scenario and prediction).
TrainingMemory training_memory(const TrainingScenario& s, const TrainingPrediction& p);
// The same from the stages alone (`stages`: TrainingPrediction::stages or training_stages; each rank holds
// the stages of schedule::held_stages of s.schedule, what every step level reports), so that a configuration
// can be refused by memory before its step is priced (`fathom plan`). `assumptions` empty when `with_details`
// is false, and worst_rank_activations too (the search needs only the totals). `cache` (training_cache.h):
// the folded schedule and, without details, the stages' activation bytes are taken from it when there.
TrainingMemory training_memory(const TrainingScenario& s, const std::vector<Stage>& stages, bool with_details = true,
                               TrainingPriceCache* cache = nullptr);

}  // namespace fathom::models::training
