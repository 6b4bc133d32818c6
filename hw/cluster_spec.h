#pragma once
// A cluster (the scenario's "cluster" section): identical nodes. Fabrics and storage join it as
// their issues land.

#include <cstdint>

#include "hw/node_spec.h"

namespace fathom::hw {

struct ClusterSpec {
  NodeSpec node;
  int64_t nodes = 1;

  int64_t total_gpus() const { return nodes * node.gpus_per_node; }
};

// Reads {"node": {...}, "nodes": N}; `reader.finish()` is called.
ClusterSpec read_cluster_spec(const SpecReader& reader);

}  // namespace fathom::hw
