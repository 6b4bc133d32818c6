#pragma once
// CRAQ chains over storage targets (published-figures ST05; 3FS docs/design_notes.md "chain table").
// Layout "rotating": one chain per (node, SSD); chain j = s + S*i puts replica r on node (s + r) mod S,
// SSD i. Every SSD then holds exactly R targets (one per chain position), every node is head, middle
// and tail equally often, and a chain's replicas are on R distinct nodes (R <= S).

#include <cstdint>
#include <vector>

namespace fathom::models::storage {

struct StorageTarget {
  int64_t node = 0;
  int64_t ssd = 0;
};

// chains[j][r] = the target of replica r (r = 0 is the head) of chain j.
using ChainTable = std::vector<std::vector<StorageTarget>>;

// Throws std::invalid_argument unless 1 <= replication <= nodes.
ChainTable rotating_chain_table(int64_t nodes, int64_t ssds_per_node, int64_t replication);

}  // namespace fathom::models::storage
