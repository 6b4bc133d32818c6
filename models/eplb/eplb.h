#pragma once
// EPLB: expert-parallel load balancing — which logical experts get redundant replicas and on
// which GPU every physical replica lives, so that per-GPU expert load is balanced.
//
// Ported from deepseek-ai/EPLB @ d52c72d (eplb.py, 2025-03-24, MIT licence, (c) DeepSeek).
// Contract:
//  - weight[layer][logical expert] >= 0 (finite); all layers have the same number of experts.
//  - n_logical % num_groups == 0, num_gpus % num_nodes == 0, num_replicas % num_gpus == 0,
//    num_replicas >= n_logical; violations throw InputError (one line, naming the parameter).
//  - Loads are cast to float (float32) as the original does, so ties break exactly as in PyTorch:
//    stable descending sorts, the lowest-index pack on equal pack weights, the first maximum.

#include <string>
#include <vector>

namespace fathom::models::eplb {

using LoadMatrix = std::vector<std::vector<double>>;  // [layer][logical expert] tokens
using IndexMatrix = std::vector<std::vector<int>>;

// The balancing knobs of one EP deployment.
struct EplbConfig {
  int num_replicas = 0;  // physical expert slots per layer (logical experts + redundant ones)
  int num_groups = 1;    // expert groups (DeepSeek-V3: 8)
  int num_nodes = 1;     // server nodes of the EP group
  int num_gpus = 1;      // GPUs of the EP group
};

// The names the constraint errors use for each knob (the CLI passes its flag names).
struct EplbConfigNames {
  std::string replicas = "num_replicas";
  std::string groups = "num_groups";
  std::string nodes = "num_nodes";
  std::string gpus = "num_gpus";
  std::string experts = "logical experts";
};

// Where every physical replica lives and which logical expert it serves, per layer.
struct Placement {
  IndexMatrix phy2log;               // [layer][physical replica] -> logical expert
  std::vector<IndexMatrix> log2phy;  // [layer][logical][k] -> physical replica, -1 padded
  IndexMatrix logcnt;                // [layer][logical] -> number of replicas
  int replicas_per_gpu = 0;          // physical replica p sits on GPU p / replicas_per_gpu
  bool hierarchical = false;         // which policy produced it
};

// Throws InputError when `config` cannot balance `num_logical` experts (see Contract).
void check_config(int num_logical, const EplbConfig& config, const EplbConfigNames& names = {});
// Throws InputError on an empty or ragged matrix or a negative / non-finite load.
void check_loads(const LoadMatrix& weight, const std::string& label = "weights");

// The hierarchical policy: pack groups onto nodes, replicate inside each node, pack replicas
// onto the node's GPUs. Requires num_groups % num_nodes == 0.
Placement rebalance_experts_hierarchical(const LoadMatrix& weight, const EplbConfig& config);
// The global policy: replicate ignoring groups and nodes (hierarchical with groups = nodes = 1).
Placement rebalance_experts_global(const LoadMatrix& weight, const EplbConfig& config);

// The entry point of eplb.py: hierarchical when num_groups % num_nodes == 0, else global.
Placement rebalance_experts(const LoadMatrix& weight, const EplbConfig& config);
Placement rebalance_experts(const LoadMatrix& weight, int num_replicas, int num_groups, int num_nodes, int num_gpus);

}  // namespace fathom::models::eplb
