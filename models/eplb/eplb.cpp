// Ported from deepseek-ai/EPLB @ d52c72d (eplb.py: rebalance_experts_hierarchical,
// rebalance_experts; 2025-03-24, MIT licence, (c) DeepSeek). Tensor ops are written out as loops
// over one layer; the comments name the original tensors.
#include "models/eplb/eplb.h"

#include <fmt/format.h>

#include <cmath>

#include "models/eplb/packing.h"
#include "sim/error.h"

namespace fathom::models::eplb {

void check_config(int num_logical, const EplbConfig& c, const EplbConfigNames& n) {
  auto positive = [](const std::string& name, int v) {
    if (v <= 0) throw InputError(fmt::format("{} {}: must be positive", name, v));
  };
  positive(n.experts, num_logical);
  positive(n.replicas, c.num_replicas);
  positive(n.groups, c.num_groups);
  positive(n.nodes, c.num_nodes);
  positive(n.gpus, c.num_gpus);
  if (num_logical % c.num_groups != 0) {
    throw InputError(fmt::format("{} {}: must divide the {} ({})", n.groups, c.num_groups, n.experts, num_logical));
  }
  if (c.num_gpus % c.num_nodes != 0) {
    throw InputError(fmt::format("{} {}: must be a multiple of {} {}", n.gpus, c.num_gpus, n.nodes, c.num_nodes));
  }
  if (c.num_replicas % c.num_gpus != 0) {
    throw InputError(fmt::format("{} {}: must be a multiple of {} {}", n.replicas, c.num_replicas, n.gpus, c.num_gpus));
  }
  if (c.num_replicas < num_logical) {
    throw InputError(
        fmt::format("{} {}: must be at least the {} ({})", n.replicas, c.num_replicas, n.experts, num_logical));
  }
}

void check_loads(const LoadMatrix& weight, const std::string& label) {
  if (weight.empty() || weight.front().empty()) throw InputError(label + ": no loads (need at least one layer)");
  const size_t width = weight.front().size();
  for (size_t l = 0; l < weight.size(); ++l) {
    if (weight[l].size() != width) {
      throw InputError(fmt::format("{}: layer {}: {} experts, but layer 0 has {}", label, l, weight[l].size(), width));
    }
    for (size_t e = 0; e < width; ++e) {
      if (!std::isfinite(weight[l][e]) || weight[l][e] < 0) {
        throw InputError(
            fmt::format("{}: layer {}, expert {}: load {} must be finite and >= 0", label, l, e, weight[l][e]));
      }
    }
  }
}

namespace {

// rebalance_experts_hierarchical for one layer: phy2log, phyrank, logcnt of that layer.
struct LayerResult {
  std::vector<int> phy2log;
  std::vector<int> phyrank;
  std::vector<int> logcnt;
};

LayerResult balance_layer(const std::vector<float>& weight, const EplbConfig& c) {
  const int num_log = static_cast<int>(weight.size());
  const int group_size = num_log / c.num_groups;
  const int groups_per_node = c.num_groups / c.num_nodes;
  const int log_per_node = num_log / c.num_nodes;
  const int phy_per_node = c.num_replicas / c.num_nodes;
  const int phy_per_gpu = c.num_replicas / c.num_gpus;

  // Step 1: pack groups onto nodes (tokens_per_group, group_pack_index, group_rank_in_pack).
  std::vector<float> tokens_per_group(c.num_groups, 0.0f);
  for (int g = 0; g < c.num_groups; ++g) {
    for (int j = 0; j < group_size; ++j) tokens_per_group[g] += weight[g * group_size + j];
  }
  const Packing groups = balanced_packing(tokens_per_group, c.num_nodes);
  // log2mlog: logical id -> node-major ("mlog") id; mlog2log its inverse.
  std::vector<int> log2mlog(num_log);
  for (int g = 0; g < c.num_groups; ++g) {
    const int base = (groups.pack[g] * groups_per_node + groups.rank_in_pack[g]) * group_size;
    for (int j = 0; j < group_size; ++j) log2mlog[g * group_size + j] = base + j;
  }
  const std::vector<int> mlog2log = inverse_permutation(log2mlog);

  LayerResult out{std::vector<int>(c.num_replicas), std::vector<int>(c.num_replicas), std::vector<int>(num_log)};
  std::vector<int> mlogcnt(num_log);
  for (int node = 0; node < c.num_nodes; ++node) {
    // Step 2: replicate inside the node (tokens_per_mlog row -> phy2mlog, phyrank, mlogcnt).
    std::vector<float> tokens_per_mlog(log_per_node);
    for (int k = 0; k < log_per_node; ++k) tokens_per_mlog[k] = weight[mlog2log[node * log_per_node + k]];
    const Replication rep = replicate_experts(tokens_per_mlog, phy_per_node);
    for (int k = 0; k < log_per_node; ++k) mlogcnt[node * log_per_node + k] = rep.logcnt[k];

    // Step 3: pack the node's physical experts onto its GPUs (tokens_per_phy -> phy2pphy).
    std::vector<float> tokens_per_phy(phy_per_node);
    for (int p = 0; p < phy_per_node; ++p) {
      const int m = rep.phy2log[p];
      tokens_per_phy[p] = tokens_per_mlog[m] / static_cast<float>(rep.logcnt[m]);
    }
    const Packing gpus = balanced_packing(tokens_per_phy, c.num_gpus / c.num_nodes);
    std::vector<int> phy2pphy(phy_per_node);
    for (int p = 0; p < phy_per_node; ++p) phy2pphy[p] = gpus.pack[p] * phy_per_gpu + gpus.rank_in_pack[p];
    const std::vector<int> pphy2phy = inverse_permutation(phy2pphy);

    // pphy2mlog = phy2mlog.gather(pphy2phy) + node offset; pphy2log = mlog2log.gather(pphy2mlog).
    for (int q = 0; q < phy_per_node; ++q) {
      const int phy = pphy2phy[q];
      const int mlog = rep.phy2log[phy] + node * log_per_node;
      out.phy2log[node * phy_per_node + q] = mlog2log[mlog];
      out.phyrank[node * phy_per_node + q] = rep.rank[phy];
    }
  }
  // logcnt = mlogcnt.gather(log2mlog).
  for (int l = 0; l < num_log; ++l) out.logcnt[l] = mlogcnt[log2mlog[l]];
  return out;
}

Placement balance(const LoadMatrix& weight, const EplbConfig& c, bool hierarchical) {
  check_loads(weight);
  const int num_log = static_cast<int>(weight.front().size());
  check_config(num_log, c);
  const EplbConfig used = hierarchical ? c : EplbConfig{c.num_replicas, 1, 1, c.num_gpus};
  if (used.num_groups % used.num_nodes != 0) {
    throw InputError(fmt::format("num_groups {}: the hierarchical policy needs a multiple of num_nodes {}",
                                 c.num_groups, c.num_nodes));
  }
  // log2phy's last dimension is num_redundant + 1, as in the original.
  const int max_replicas = c.num_replicas - num_log + 1;
  Placement out;
  out.replicas_per_gpu = c.num_replicas / c.num_gpus;
  out.hierarchical = hierarchical;
  for (const auto& row : weight) {
    const std::vector<float> w(row.begin(), row.end());  // weight.float()
    LayerResult r = balance_layer(w, used);
    IndexMatrix log2phy(num_log, std::vector<int>(max_replicas, -1));
    for (int p = 0; p < c.num_replicas; ++p) log2phy[r.phy2log[p]][r.phyrank[p]] = p;
    out.phy2log.push_back(std::move(r.phy2log));
    out.logcnt.push_back(std::move(r.logcnt));
    out.log2phy.push_back(std::move(log2phy));
  }
  return out;
}

}  // namespace

Placement rebalance_experts_hierarchical(const LoadMatrix& weight, const EplbConfig& config) {
  return balance(weight, config, true);
}

Placement rebalance_experts_global(const LoadMatrix& weight, const EplbConfig& config) {
  return balance(weight, config, false);
}

Placement rebalance_experts(const LoadMatrix& weight, const EplbConfig& config) {
  const bool hierarchical = config.num_nodes > 0 && config.num_groups % config.num_nodes == 0;
  return balance(weight, config, hierarchical);
}

Placement rebalance_experts(const LoadMatrix& weight, int num_replicas, int num_groups, int num_nodes, int num_gpus) {
  return rebalance_experts(weight, EplbConfig{num_replicas, num_groups, num_nodes, num_gpus});
}

}  // namespace fathom::models::eplb
