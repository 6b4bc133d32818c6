#pragma once
// How a training job maps onto the cluster (V3TR §3.2, T02): PP pipeline stages, each stage's GPUs
// split into EP groups, attention and dense layers data-parallel over every GPU of a stage, ZeRO-1
// over the data-parallel replicas. Derived from the scenario, never typed in.

#include <cstdint>
#include <string_view>

#include "hw/cluster_spec.h"
#include "models/deployment/parallelism.h"
#include "models/model_arch.h"
#include "models/schedule/schedule.h"
#include "models/training/training_spec.h"
#include "sim/spec_reader.h"

namespace fathom::models::training {

// The derived layout of one training job.
struct TrainingLayout {
  int64_t gpus = 0;  // cluster GPUs
  int64_t pp = 1;    // pipeline ranks
  int64_t tp = 1;    // tensor parallelism of attention and dense FFNs (1 in DeepSeek-V3 training)
  // TP communication overlap (Megatron-LM / Transformer Engine --tp-comm-overlap): a pass's TP all-gathers and
  // reduce-scatters run under the GEMMs of its TP blocks (block_costs.h, BlockCost::tp_exposed_forward_s).
  bool tp_comm_overlap = false;
  int64_t dp = 1;                   // pipelines = gpus / (pp * tp): the ZeRO-1 group of dense params
  int64_t ep = 1;                   // GPUs of one expert-parallel group (drawn from the dp x tp GPUs of a stage)
  int64_t ep_groups_per_stage = 1;  // gpus per stage (dp x tp) / ep
  int64_t experts_per_gpu = 0;      // routed experts of one MoE layer on one GPU
  int64_t expert_dp = 1;            // replicas of one expert per stage: the ZeRO-1 group of expert params
  int64_t ep_nodes = 1;             // nodes (hosts, NVL72 trays) one EP group spans
  // NVLink (scale-up) domains one EP group spans: its all-to-all runs on NVLink inside a domain and on the
  // scale-out NICs between domains (hw/ep_alltoall_cost.h). Equal to ep_nodes on HGX (one domain per node).
  int64_t ep_domains = 1;
  // The GPUs of a pipeline stage (dp x tp, consecutive) lie in one NVLink domain, and so do its dense and expert
  // data-parallel groups: the ZeRO-1 rings run on NVLink (zero_costs.h), not the NICs.
  bool dp_in_one_domain = false;
  int64_t micro_batch_tokens = 0;  // tokens of one micro-batch on one pipeline
  int64_t tokens_per_step = 0;     // dp * micro_batches * micro-batch tokens
  // Of a micro-batch, the tokens one GPU holds between TP blocks (sequence parallelism): micro_batch_tokens / tp.
  int64_t tokens_per_gpu() const { return micro_batch_tokens / (tp > 1 ? tp : 1); }
};

// Reads the "parallelism" section of a training scenario: pp and ep required, tp (default 1), dp
// (optional: derived from the cluster, checked when given) and redundant_experts (must be 0).
ParallelismSpec read_training_parallelism(const SpecReader& reader);

// Derives the layout and checks it: parallelism against the model and cluster (validate_parallelism),
// tp dividing the GPUs of an NVLink domain (tp_group_misfit: a TP group may span the trays of an NVL72 rack,
// never two domains) and the sequence length (Megatron-LM's sequence parallelism), ep dividing the dp x tp GPUs of a
// stage, parallelism.dp (if given) equal to the derived one, global_batch_sequences (if given) equal to dp *
// micro_batches * micro_batch_sequences, batch_ramp.start_global_batch_sequences (if given) at most that final batch.
// Throws InputError naming the JSON path. `parallelism` and `training` are the sections' readers.
TrainingLayout derive_layout(const SpecReader& parallelism, const ParallelismSpec& p, bool dp_given,
                             const SpecReader& training, const TrainingSpec& spec, const ModelArch& arch,
                             const hw::ClusterSpec& cluster);

// The smallest micro-batch count >= max(at_least, 1) that `schedule` takes on `pp` ranks by its registry traits
// (docs/schedules.md §1): dualpipe an even count >= 2·pp, dualpipev >= 2·pp, interleaved_1f1b a multiple of pp,
// 1f1b and zb1p any. build_schedule checks
// training.micro_batches with it; the batch ramp rounds its micro-batch counts up with it.
int64_t accepted_micro_batches(std::string_view schedule, int64_t pp, int64_t at_least);

// Builds the schedule, turning its constraint errors into InputError at `training.schedule` or
// `training.micro_batches` / `parallelism.pp` as appropriate.
schedule::Schedule build_schedule(const SpecReader& parallelism, const SpecReader& training, const TrainingSpec& spec,
                                  int64_t pp);

}  // namespace fathom::models::training
