#pragma once
// Per-GPU expert load of a placement, and the max/mean imbalance the serving and training
// simulators need: the most-loaded GPU sets the grouped-GEMM time and the dispatch/combine volume.
//
// Contract:
//  - "before" is the default placement: logical experts laid out contiguously, GPU g holding
//    experts [floor(g*E/P), floor((g+1)*E/P)) (E/P each when P divides E), no replicas.
//  - "after" is an EPLB placement, each logical expert's load split evenly over its replicas.
//  - imbalance = max / mean of the per-GPU tokens of one layer (1 when the layer has no tokens);
//    max_share = max / total (the fraction of the layer's routed tokens the busiest GPU computes).

#include <string>
#include <vector>

#include "models/eplb/eplb.h"

namespace fathom::models::eplb {

// Token counts of one layer per GPU, and its summary.
struct LayerGpuLoad {
  std::vector<double> tokens_per_gpu;
  double max_tokens = 0;
  double mean_tokens = 0;
  double imbalance = 1;  // max / mean
  double max_share = 0;  // max / total
};

// Per-layer imbalance summarised over layers.
struct ImbalanceSummary {
  double max = 1;
  double mean = 1;
};

LayerGpuLoad summarize_gpu_tokens(std::vector<double> tokens_per_gpu);
std::vector<LayerGpuLoad> gpu_load_default(const LoadMatrix& loads, int num_gpus);
std::vector<LayerGpuLoad> gpu_load_placed(const LoadMatrix& loads, const Placement& placement, int num_gpus);
ImbalanceSummary summarize_imbalance(const std::vector<LayerGpuLoad>& layers);

// Everything one balancing run tells a caller: the placement, and the per-GPU load before/after.
struct EplbOutcome {
  std::string policy;  // "hierarchical" or "global"
  Placement placement;
  std::vector<LayerGpuLoad> before;
  std::vector<LayerGpuLoad> after;
  ImbalanceSummary before_summary;
  ImbalanceSummary after_summary;
};

// The API for simulators: per-layer loads + EPLB config -> placement and per-GPU token share.
// `policy` is "auto" (eplb.py's rule), or a name from policy_registry().
EplbOutcome evaluate_eplb(const LoadMatrix& loads, const EplbConfig& config, const std::string& policy = "auto");

}  // namespace fathom::models::eplb
