#include "hw/cluster_spec.h"

namespace fathom::hw {

ClusterSpec read_cluster_spec(const SpecReader& r) {
  ClusterSpec c;
  c.node = read_node_spec(r.child("node"));
  // At most a million nodes: far beyond any cluster, and low enough that GPU counts never overflow.
  c.nodes = r.at_most("nodes", r.at_least("nodes", r.integer("nodes"), 1), 1'000'000);
  r.finish();
  return c;
}

}  // namespace fathom::hw
