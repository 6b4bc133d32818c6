#include "models/storage/chain_table.h"

#include <stdexcept>

namespace fathom::models::storage {

ChainTable rotating_chain_table(int64_t nodes, int64_t ssds_per_node, int64_t replication) {
  if (replication < 1 || replication > nodes) {
    throw std::invalid_argument("replication must be between 1 and the number of storage nodes");
  }
  ChainTable chains;
  chains.reserve(static_cast<size_t>(nodes * ssds_per_node));
  for (int64_t i = 0; i < ssds_per_node; ++i) {
    for (int64_t s = 0; s < nodes; ++s) {
      std::vector<StorageTarget> chain;
      for (int64_t r = 0; r < replication; ++r) chain.push_back({(s + r) % nodes, i});
      chains.push_back(std::move(chain));
    }
  }
  return chains;
}

}  // namespace fathom::models::storage
