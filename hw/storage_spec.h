#pragma once
// A 3FS-style disaggregated storage cluster (scenarios/hw/storage/*.json): storage nodes with NICs and
// NVMe SSDs, client nodes with NICs, and the storage network as its own plane (published-figures N03).

#include <string>

#include "sim/spec_reader.h"

namespace fathom::hw {

// The network ports of one node: `count` NICs, each with a line rate and what a bulk transfer reaches.
struct StorageNicSpec {
  int64_t count = 0;
  BytesPerSecond bandwidth;             // line rate per NIC, per direction
  BytesPerSecond achievable_bandwidth;  // what bulk RDMA reaches per NIC, per direction
  Seconds latency;                      // one message across the storage network

  BytesPerSecond node_bandwidth() const { return achievable_bandwidth * static_cast<double>(count); }
  BytesPerSecond node_line_rate() const { return bandwidth * static_cast<double>(count); }
};

// One NVMe SSD; reads and writes have independent capacities (as a SimGrid Disk).
struct SsdSpec {
  Bytes capacity;
  BytesPerSecond read_bandwidth;
  BytesPerSecond write_bandwidth;
  Seconds read_latency;  // one small random read, for the KV-cache latency estimate
};

// A storage server: its NICs and its SSDs (one 3FS storage target group per SSD).
struct StorageNodeSpec {
  std::string name;
  StorageNicSpec nic;
  int64_t ssd_count = 0;
  SsdSpec ssd;
};

// A client (compute) node as the storage cluster sees it: its storage-plane NICs.
struct ClientNodeSpec {
  std::string name;
  StorageNicSpec nic;
};

enum class StorageFabricKind { non_blocking, two_layer };

// The storage network plane: non-blocking, or a two-layer (leaf/spine) fabric whose leaf uplinks carry
// 1/oversubscription of the ports below them. Storage and client nodes sit on separate leaves.
struct StorageNetworkSpec {
  std::string technology;  // "roce" or "infiniband": a label (N03: the storage plane is RoCE)
  StorageFabricKind kind = StorageFabricKind::non_blocking;
  double oversubscription = 1.0;  // leaf down-port bandwidth / leaf up-port bandwidth, >= 1
};

struct StorageClusterSpec {
  int64_t storage_nodes = 0;
  StorageNodeSpec storage_node;
  int64_t clients = 0;
  ClientNodeSpec client_node;
  StorageNetworkSpec network;

  Bytes raw_capacity() const;
};

// Reads a "cluster" object of a storage scenario; `reader.finish()` is called.
StorageClusterSpec read_storage_cluster_spec(const SpecReader& reader);

}  // namespace fathom::hw
