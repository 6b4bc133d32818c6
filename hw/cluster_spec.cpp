#include "hw/cluster_spec.h"

namespace fathom::hw {

ClusterSpec read_cluster_spec(const SpecReader& r) {
  ClusterSpec c;
  c.node = read_node_spec(r.child("node"));
  c.nodes = r.at_least("nodes", r.integer("nodes"), 1);
  r.finish();
  return c;
}

}  // namespace fathom::hw
