#pragma once
// What many predictions of one training scenario share when only its layout changes (`fathom plan`: cluster
// nodes, PP, EP, schedule, micro-batch size and count, checkpoint writers; docs/plan.md "Speed"): the files the
// reader loads, EPLB's placements, the kernel cost models and the priced blocks. A cached value is exactly what
// the uncached path computes (the same functions on the same inputs), so predictions through a cache are
// bit-identical to `fathom run`'s.
//
// Contract: every scenario read or predicted through one cache has the same model (HF config), GPU,
// calibration, kernel time factors and training section apart from the searched keys, and the files do not
// change while the cache lives. Not thread-safe: one cache per thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "hw/calibration.h"
#include "hw/calibration_match.h"
#include "hw/kernel_cost_model.h"
#include "models/eplb/zipf_imbalance.h"
#include "models/model_arch.h"
#include "models/schedule/schedule_digest.h"
#include "models/training/activation_bytes.h"
#include "models/training/block_costs.h"
#include "models/training/stage_plan.h"

namespace fathom::models::training {

// What block_costs reads from a layout and a spec that the search varies; the rest is fixed by the contract.
struct BlockShapeKey {
  int64_t ep = 0, ep_nodes = 0, experts_per_gpu = 0, micro_batch_tokens = 0, micro_batch_sequences = 0, tp = 1;
  auto operator<=>(const BlockShapeKey&) const = default;
};

// A cut of the model into stages: the block shape, the stage count, the ranks interleaved 1F1B spreads
// them over (0 for the other schedules; partition_stages) and training.pipeline_layout as written ("" = none).
using StageKey = std::tuple<BlockShapeKey, int, int, std::string>;

// Read by read_training_scenario (training_run.h).
struct TrainingReadCache {
  std::map<std::string, ModelArch> hf_configs;          // by resolved path
  std::map<std::string, hw::Calibration> calibrations;  // by resolved path
  // zipf_imbalance by (EP GPUs, EP nodes, Zipf exponent, seed) of the one model.
  std::map<std::tuple<int64_t, int64_t, double, uint64_t>, eplb::ZipfImbalance> imbalances;
  // Its per-MoE-layer factors with routing noise (eplb::realized_per_layer), by the same key and the routed slots.
  std::map<std::tuple<int64_t, int64_t, double, uint64_t, double>, std::vector<double>> realized;
  // The schedules by (name, PP, virtual stages, micro-batches), generated once each (their rules are a function
  // of these alone).
  std::map<std::tuple<std::string, int64_t, int64_t, int64_t>, std::shared_ptr<const schedule::Schedule>> schedules;
};

// Filled by predict_training and training_stages (training_run.h).
struct TrainingPriceCache {
  // The GPU's kernel cost model, and the same with training.communication_sms taken (T08).
  std::optional<hw::KernelCostModel> cost_model, overlapped_cost_model;
  std::map<BlockShapeKey, std::vector<BlockCost>> blocks;  // block_costs per shape
  std::map<StageKey, std::vector<Stage>> stages;           // cut_stages per StageKey
  // The unit plans over each of those stages (the analytic step's unit times), filled as steps ask.
  std::map<StageKey, UnitPlans> unit_plans;
  // The activation bytes each of those stages keeps per micro-batch (rank_memory.h stage_activation_bytes).
  std::map<StageKey, std::vector<ActivationBytes>> activation_bytes;
  // The analytic level's folded schedules (schedule_digest.h) by (schedule, PP, virtual stages, micro-batches): the
  // batch ramp's steps and the search's configurations share them.
  schedule::DigestCache digests;
  // The FLOPs of one sequence (op-level, forward + backward + weight): the main model's, and what executes
  // (with the MTP modules and the recomputation). The same for every layout.
  struct SequenceFlops {
    double model = 0, executed = 0;
  };
  std::optional<SequenceFlops> sequence_flops;
  // hw::calibration_mismatch of the one GPU and calibration, once: it serializes the calibration, ~0.16 ms a
  // prediction (`perf`, 2026-12-01: 12% of `fathom plan` on the TP2 PP8 VP4 scenario, 2,059 predictions).
  std::optional<std::optional<hw::CalibrationMismatch>> calibration_mismatch;
};

}  // namespace fathom::models::training
