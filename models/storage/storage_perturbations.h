#pragma once
// Asymmetric what-ifs of a storage scenario (issue #16; docs/storage.md, "Perturbations"): the scenario's
// optional top-level `perturbations` array names storage nodes that do not behave like the rest.
// Kinds (each item: {"kind": ..., "node": {"value": v}, "factor": {"value": f, "source": ...}}):
//  - ssd_slowdown {node, factor >= 1}: every SSD of storage node `node` reads and writes `factor` times slower
//    (a worn or throttled drive set): its disks' read and write bandwidths / factor. Several on one node
//    multiply.
//  - storage_node_down {node}: the node serves nothing. Its chunks are read from the other members of its CRAQ
//    chains (rotating chain table, chain_table.h): a chain that holds it splits its reads over its R - 1
//    survivors instead of its R replicas, so a survivor u takes on c(u) / (R (R - 1)) of the down node's read
//    share, c(u) the chains (per SSD) holding both (rotating layout: R - |u - v| for cyclic distance < R;
//    R = 3: the neighbours +-1 carry 4/3 of a node's reads, +-2 carry 7/6). Reads only (peak_read,
//    kv_cache_read): re-forming chains for writes is not modelled. Needs replication >= 2; at most one.
// Folds: a perturbed node is not like the rest, so the storage-node fold (m of S nodes stand for all,
// balanced chain table) is broken: every storage node is simulated. Kept: the client fold (clients still
// all alike: each reads evenly from every node), a node's SSDs as one disk (they are slowed together), flows
// per (client, node) pair (a pair's flow carries the node's share plus what it takes over) and the NIC and
// fabric-core folds. task_job workloads take no perturbation (their stages run their own folded fabrics).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/spec_reader.h"

namespace fathom::models::storage {

struct StoragePerturbation {
  std::string kind;  // ssd_slowdown | storage_node_down
  int64_t node = 0;
  double factor = 1;             // ssd_slowdown
  std::string describe() const;  // one line, e.g. "ssd_slowdown: storage node 7's SSDs x2 slower"
};

// Reads `perturbations` (an array of objects) of the scenario's top level; absent: none. Errors are
// InputError "<file>: perturbations[.<i>.<key>]: <what>".
std::vector<StoragePerturbation> read_storage_perturbations(const SpecReader& top, int64_t storage_nodes,
                                                            int64_t replication, const std::string& workload);

// The share of storage node `down`'s reads that node `node` takes over (0 for `down` itself, for down < 0
// and for an unrelated node); summed over the nodes: 1. Rotating chain table of `nodes` and `replication`.
double takeover_share(int64_t node, int64_t down, int64_t nodes, int64_t replication);

// The fold a perturbation breaks, one line (empty when there is none).
std::vector<std::string> broken_storage_folds(const std::vector<StoragePerturbation>& perturbations,
                                              int64_t storage_nodes);

}  // namespace fathom::models::storage
