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
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "hw/calibration.h"
#include "hw/kernel_cost_model.h"
#include "models/eplb/zipf_imbalance.h"
#include "models/model_arch.h"
#include "models/training/block_costs.h"
#include "models/training/stage_plan.h"

namespace fathom::models::training {

// What block_costs reads from a layout and a spec that the search varies; the rest is fixed by the contract.
struct BlockShapeKey {
  int64_t ep = 0, ep_nodes = 0, experts_per_gpu = 0, micro_batch_tokens = 0, micro_batch_sequences = 0, tp = 1;
  auto operator<=>(const BlockShapeKey&) const = default;
};

// Read by read_training_scenario (training_run.h).
struct TrainingReadCache {
  std::map<std::string, ModelArch> hf_configs;          // by resolved path
  std::map<std::string, hw::Calibration> calibrations;  // by resolved path
  // zipf_imbalance by (EP GPUs, EP nodes, Zipf exponent, seed) of the one model.
  std::map<std::tuple<int64_t, int64_t, double, uint64_t>, eplb::ZipfImbalance> imbalances;
};

// Filled by predict_training and training_stages (training_run.h).
struct TrainingPriceCache {
  // The GPU's kernel cost model, and the same with training.communication_sms taken (T08).
  std::optional<hw::KernelCostModel> cost_model, overlapped_cost_model;
  std::map<BlockShapeKey, std::vector<BlockCost>> blocks;  // block_costs per shape
  // partition_stages per (shape, stages, interleaved ranks: 0 unless interleaved 1F1B)
  std::map<std::tuple<BlockShapeKey, int, int>, std::vector<Stage>> stages;
};

}  // namespace fathom::models::training
