#pragma once
// A training scenario end to end (docs/training.md): read the sections strictly, derive the layout,
// price every block, cut the stages, simulate one step on the event engine, and turn it into
// throughput, MFU, GPU-hours and cost. The composition root (tools/run_training.cpp) turns it into a Report.

#include <memory>
#include <string>
#include <vector>

#include "hw/calibration_match.h"
#include "hw/cluster_spec.h"
#include "hw/kernel_cost_model.h"
#include "hw/kernel_time_factors.h"
#include "models/deployment/model_choice.h"
#include "models/training/batch_ramp.h"
#include "models/training/pipeline_sends.h"
#include "models/training/step_model.h"
#include "models/training/training_cache.h"
#include "models/training/training_extras.h"
#include "models/training/training_goodput.h"
#include "models/training/training_perturbations.h"
#include "sim/scenario_document.h"

namespace fathom::models::training {

// Everything a training scenario says, read and checked.
struct TrainingScenario {
  std::string name;
  hw::ClusterSpec cluster;
  ModelChoice model;
  TrainingSpec spec;
  TrainingLayout layout;
  // Shared and never changed: a search keeps one per (schedule, PP, micro-batches) (training_cache.h).
  std::shared_ptr<const schedule::Schedule> schedule;
  std::string calibration_file;
  hw::Calibration calibration;
  hw::KernelTimeFactors kernel_time_factors;  // optional section kernel_time_factors (uncertainty what-ifs)
  UsdPerHour gpu_hour_price;
  std::string fidelity = "event";
  ParallelismSpec parallelism;  // the section as read (the layout derived from it is `layout`)
  // The "expert_load" section: when given, spec.expert_imbalance is EPLB's after-placement figure with
  // routing noise at a micro-batch's routed slots (eplb/routing_noise.h) averaged over the MoE layers, and
  // layer_imbalance holds each layer's own.
  std::optional<eplb::ZipfImbalanceSpec> expert_load;
  double expert_imbalance_before_eplb = 1;     // contiguous placement (layer mean); else spec.expert_imbalance
  double expert_imbalance_expected_loads = 1;  // after EPLB, expected loads (layer mean); else spec.expert_imbalance
  // Per decoder layer (arch.layers entries; dense layers 1): EPLB's after-placement max/mean of that
  // layer with routing noise, which prices it (BlockCostInputs::layer_imbalance). Empty without the "expert_load"
  // section: spec.expert_imbalance then applies to every MoE layer.
  std::vector<double> layer_imbalance;
  std::optional<CheckpointSpec> checkpoint;
  // The optional "perturbations" array (training_perturbations.h): GPUs that do not behave like the rest;
  // when any, predict_training unfolds every data-parallel replica.
  std::vector<Perturbation> perturbations;
  // The optional "failures" section (training_goodput.h; needs "checkpoint"): goodput under failures.
  std::optional<FailureSpec> failures;
};

// Reads the scenario; every failure is InputError "<file>: <json.path>: <what>". `cache` (optional,
// training_cache.h): the HF config, the calibration and EPLB's imbalance are taken from it when there.
TrainingScenario read_training_scenario(const ScenarioDocument& doc, ProvenanceLog& log,
                                        TrainingReadCache* cache = nullptr);

// What `fathom plan` varies in a training scenario (models/plan/training_plan.h).
struct TrainingLayoutChoice {
  int64_t nodes = 0, pp = 0, ep = 0, micro_batch_sequences = 0, micro_batches = 0;
  std::string schedule;
};

// `read` (read_training_scenario of `doc`) with another layout: the same scenario as reading `doc` with
// cluster.nodes, parallelism.pp and .ep (dp derived), training.schedule, .micro_batch_sequences and
// .micro_batches set to `c` and every checkpoint writer a training node (the layout checks and their errors
// are the reader's own; tests/models/training_plan_test.cpp compares the two). Cheaper than a second read:
// the files, the model and every other section are taken from `read`.
TrainingScenario with_layout(const TrainingScenario& read, const ScenarioDocument& doc, const TrainingLayoutChoice& c,
                             TrainingReadCache* cache = nullptr);

// The symmetry folds applied, one line each (named in every report).
std::vector<std::string> training_folds(const std::string& fidelity);

// The prediction of one step and of the whole token budget.
struct TrainingPrediction {
  std::vector<Stage> stages;
  StepResult step;
  // The compute of all blocks with communication_sms taken over their full-GPU compute (the effective
  // slowdown of overlapped compute; sms / (sms - communication_sms) if every kernel were compute-bound).
  double compute_slowdown = 1;
  double pp_transfer_s = 0;  // one micro-batch send over the scale-out NIC (= pp_sends.nic_s)
  PipelineSends pp_sends;    // per stage boundary: NVLink or NIC (pipeline_sends.h)
  double tokens_per_step = 0;
  double tokens_per_day = 0;
  double model_flops_per_step = 0;      // op-level count, main model (embedding, layers, head), F+B+W
  double model_flops_6nd_per_step = 0;  // 6 * activated params * tokens
  double executed_flops_per_step = 0;   // op-level count with the MTP modules
  double mfu_bf16 = 0, mfu_bf16_6nd = 0, mfu_fp8 = 0;
  double achieved_tflops_per_gpu = 0;        // model_flops_per_step / gpus / step time
  double steps_for_budget = 0;               // ramp steps (if any) + the steady steps at the final batch
  std::optional<CheckpointCost> checkpoint;  // when the scenario has a "checkpoint" section
  double time_per_step_s = 0;                // final-batch step + amortised checkpoint: what gpu_hours prices
  // training.batch_ramp: the ramp's slices, each at its own step time (+ the amortised checkpoint).
  std::optional<BatchRampResult> batch_ramp;
  double gpu_hours = 0;  // ramp GPU-hours + steady steps * time_per_step_s * gpus / 3600
  double cost_usd = 0;
  // Set when the kernel calibration was made on another GPU than the cluster's (hw/calibration_match.h):
  // the families whose measured/published curves are that GPU's.
  std::optional<hw::CalibrationMismatch> calibration_mismatch;
  // With "failures" and "checkpoint": expected goodput and the optimal checkpoint interval.
  std::optional<TrainingGoodput> goodput;
  // A node_removed perturbation (training_perturbations.h): set when the step fails, and why; or the
  // micro-batches each remaining replica runs (redistribute; 0: no node removed).
  std::optional<std::string> step_failure;
  int64_t redistributed_micro_batches = 0;
};

// Every step is simulated through one function (a file-local simulate_step_at(micro_batches)): the
// final-batch step, and one per distinct micro-batch count of the batch ramp. `timeline`: fill the
// final-batch step's slices (for --trace; off by default, it costs more than the step itself).
// `cache` (optional, training_cache.h): the cost models and the block costs are taken from it when there.
TrainingPrediction predict_training(const TrainingScenario& scenario, int replicas = 1, bool timeline = false,
                                    TrainingPriceCache* cache = nullptr);

// The model cut into the schedule's stages: training.pipeline_layout's stages when given (pipeline_layout.h),
// else partition_stages' min-max cut (balanced over the ranks for interleaved_1f1b).
std::vector<Stage> cut_stages(const TrainingScenario& s, const std::vector<BlockCost>& blocks);

// The stages predict_training cuts (TrainingPrediction::stages), without pricing a step: what the memory model
// needs (`fathom plan` rejects by memory before it prices the step). Cached in `cache` when given.
const std::vector<Stage>& training_stages(const TrainingScenario& scenario, TrainingPriceCache& cache);

// What block_costs reads from `s` that a search varies (the key of TrainingPriceCache's blocks and stages).
BlockShapeKey block_shape(const TrainingScenario& s);

// The stage cut `s` prices (the key of TrainingPriceCache's stages, unit plans and activation bytes).
StageKey stage_key(const TrainingScenario& s);

// The folded schedule (schedule_digest.h) of `s` at `micro_batches` per pipeline, generated once per
// (schedule, PP, micro-batches) and kept in `cache`.
const schedule::ScheduleDigest& schedule_digest(const TrainingScenario& s, int64_t micro_batches,
                                                TrainingPriceCache& cache);

}  // namespace fathom::models::training
