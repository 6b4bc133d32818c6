#pragma once
// The two building blocks of EPLB (deepseek-ai/EPLB @ d52c72d, eplb.py, MIT): balanced packing
// with equal item counts, and greedy replication of the heaviest expert. One row (one layer, or
// one node of one layer) at a time, in float32 like the original.

#include <vector>

namespace fathom::models::eplb {

// Assignment of items to packs: pack[i] and rank_in_pack[i] of item i.
struct Packing {
  std::vector<int> pack;
  std::vector<int> rank_in_pack;
};

// Packs weight.size() items into num_packs packs of weight.size() / num_packs items each: items
// in stable descending order, each into the lightest pack that still has room (lowest index on
// ties). With one item per pack, item i goes to pack i (as the original's shortcut).
Packing balanced_packing(const std::vector<float>& weight, int num_packs);

// Replication of num_log logical experts into num_phy >= num_log physical ones.
struct Replication {
  std::vector<int> phy2log;  // [num_phy]
  std::vector<int> rank;     // [num_phy] replica index of that physical expert
  std::vector<int> logcnt;   // [num_log]
};

// Physical i < num_log is logical i; each further one replicates the expert with the largest
// weight / count (first one on ties).
Replication replicate_experts(const std::vector<float>& weight, int num_phy);

// inv[perm[i]] = i.
std::vector<int> inverse_permutation(const std::vector<int>& perm);

}  // namespace fathom::models::eplb
