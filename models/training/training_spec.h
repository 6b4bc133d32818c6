#pragma once
// The scenario's "training" section (docs/training.md): the pipeline schedule, the batch, the
// communication settings of DeepEP-style expert parallelism, the ZeRO-1 dtypes and the token budget.

#include <cstdint>
#include <optional>
#include <string>

#include "hw/kernel_work.h"
#include "models/ops.h"
#include "models/training/batch_ramp.h"
#include "models/training/pipeline_layout.h"
#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::models::training {

// What one training step runs and how its communication is shaped.
struct TrainingSpec {
  std::string schedule = "dualpipe";    // a models::schedule registry name
  int64_t sequence_length = 0;          // tokens per sequence (T10)
  int64_t micro_batch_sequences = 1;    // sequences per micro-batch per pipeline (assumed)
  int64_t micro_batches = 0;            // micro-batches per step per pipeline (assumed)
  int64_t virtual_stages = 1;           // model chunks per pipeline rank (interleaved_1f1b only; 1 otherwise)
  int64_t global_batch_sequences = 0;   // 0 = not given; else must equal dp * micro_batches * micro_batch_sequences
  double token_budget = 0;              // tokens of the whole run (T09), for gpu_hours and cost
  int64_t communication_sms = 0;        // SMs reserved for communication while it overlaps compute (T08)
  int64_t max_nodes_per_token = 0;      // node-limited routing M (T05); 0 = no limit
  double expert_imbalance = 1.0;        // max / mean routed tokens per GPU (>= 1)
  bool expert_imbalance_given = false;  // written in the scenario (exclusive with the expert_load section)
  hw::DType dispatch_dtype = hw::DType::fp8;           // forward dispatch payload (T29)
  hw::DType combine_dtype = hw::DType::bf16;           // forward and backward combine payload (T29)
  hw::DType backward_dispatch_dtype = hw::DType::fp8;  // gradient before the down projections (T29)
  hw::DType pp_activation_dtype = hw::DType::bf16;     // pipeline send/recv payload
  hw::DType gradient_reduce_dtype = hw::DType::fp32;   // ZeRO-1 reduce-scatter payload (T26)
  hw::DType parameter_gather_dtype = hw::DType::bf16;  // ZeRO-1 all-gather payload
  hw::DType master_weight_dtype = hw::DType::fp32;     // optimizer master weights (T26)
  hw::DType optimizer_moment_dtype = hw::DType::bf16;  // AdamW moments (T26)
  RecomputeSet recompute;                              // forward ops recomputed in B (none by default)
  Bytes workspace;                   // per GPU: CUDA context, library workspaces, NCCL buffers (memory report only)
  bool keep_expert_outputs = false;  // the MoE combine keeps the expert outputs (memory report; rank_memory.h)
  int64_t fp8_weight_copies = 2;     // FP8 copies of the FP8-GEMM weights kept per step: W and its transpose
  int64_t deepep_nvl_buffer_tokens = 288;   // DeepEP normal kernels: NVLink ring slots per channel and peer
  int64_t deepep_rdma_buffer_tokens = 128;  // DeepEP normal kernels: RDMA ring slots per channel and remote node
  std::optional<BatchRampSpec> batch_ramp;  // T11's batch-size ramp; none = every step at the final batch
  // A user-written stage cut (Megatron-LM syntax, pipeline_layout.h); none = partition_stages' min-max cut.
  // Parsed here; checked against the schedule's stage count and the model's layers in read_training_scenario.
  std::optional<PipelineLayout> pipeline_layout;
};

// Reads the "training" object strictly; `reader.finish()` is called. Checks ranges only; the
// schedule's own constraints are checked when it is built (validate_training in training_layout.h),
// and batch_ramp's start batch against the final batch when the layout is derived (derive_layout).
TrainingSpec read_training_spec(const SpecReader& reader);

// The "economics" object of a training scenario: the rental price per GPU-hour (T19).
UsdPerHour read_gpu_hour_price(const SpecReader& reader);

}  // namespace fathom::models::training
