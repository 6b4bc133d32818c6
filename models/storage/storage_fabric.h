#pragma once
// Builds the flow network of a 3FS-style cluster for the flow simulator (sim/flow_network.h): one
// resource per NIC direction, per SSD (or per node's SSDs together) and per fabric core direction, and
// the flows of reads (served evenly by the replicas) and CRAQ chain writes (head, then forwarding hops).
// Plain data: it calls no simulator.
//
// Contract (symmetry folding, ARCHITECTURE.md §3): with all clients alike and the chain table balanced,
// the cluster is simulated as k of its N clients and m of its S storage nodes. Every flow keeps its
// bytes (a client's B bytes are split B/S per storage node); resources owned by a client are scaled by
// m/S, resources owned by a storage node by k/N, shared core links by k*m/(N*S). Max-min sharing is
// then exactly the unfolded one, so times are unchanged and cluster bytes = simulated bytes * scale().
// Write accounting: a client write of B bytes puts B on the client's NIC and the network to the chain
// head, R*B on SSDs (every replica), and (R-1)*B on storage-to-storage forwarding (NIC tx of each
// predecessor, rx of each successor, and the storage side of the fabric core).

#include <string>
#include <string_view>
#include <vector>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_perturbations.h"
#include "sim/flow_network.h"

namespace fathom::models::storage {

// `demand` is the clients' own request rate (a cap, not hardware): the bottleneck when demand is met.
// `metadata` is the metadata service of task jobs (task_job.h); no flow crosses it.
enum class ResourceClass { client_nic, storage_nic, ssd, network, client_ops, cpu, demand, metadata };
inline constexpr ResourceClass kResourceClasses[] = {
    ResourceClass::ssd,        ResourceClass::storage_nic, ResourceClass::network,  ResourceClass::client_nic,
    ResourceClass::client_ops, ResourceClass::cpu,         ResourceClass::metadata, ResourceClass::demand};
std::string_view to_string(ResourceClass c);

enum class FlowKind { read, write_head, write_forward, background };

struct FoldSpec {
  int64_t clients = 0;         // clients simulated (0 or >= N: all of them)
  int64_t storage_nodes = 0;   // storage nodes simulated (0 or >= S: all of them)
  bool aggregate_ssds = true;  // one disk per node carrying all its SSDs (traffic spreads evenly)
  bool per_chain = false;      // flows per (client, chain[, replica]) instead of per (client, node)
};

class StorageFabric {
 public:
  // `cpu_per_client` > 0 adds a per-client processing resource crossed by reads (e.g. sorting).
  // `perturbations` (storage_perturbations.h) need every storage node simulated (std::invalid_argument else):
  // ssd_slowdown divides the node's disk bandwidths; storage_node_down moves its reads to its chain peers.
  StorageFabric(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const FoldSpec& fold,
                BytesPerSecond cpu_per_client = BytesPerSecond(0.0),
                const std::vector<StoragePerturbation>& perturbations = {});

  // Every simulated client reads `per_client` bytes spread over all chains (optionally capped per client).
  void add_reads(Bytes per_client, Seconds start, BytesPerSecond cap_per_client = BytesPerSecond(0.0));
  // Every simulated client writes `per_client` bytes through CRAQ chains of length R.
  void add_writes(Bytes per_client, Seconds start);
  // Background traffic on every client NIC (rx, tx), from or to outside the storage cluster: a fixed
  // load reserved on the client NICs and the client side of the fabric core.
  void add_background(BytesPerSecond client_rx, BytesPerSecond client_tx);
  // Background bytes/s reserved on each link (its capacity in network() is what is left).
  const std::vector<BytesPerSecond>& reserved() const { return reserved_; }

  const sim::FlowNetwork& network() const { return net_; }
  const std::vector<ResourceClass>& link_classes() const { return link_class_; }  // per link id
  const std::vector<FlowKind>& flow_kinds() const { return flow_kind_; }          // per flow id
  double scale() const;  // cluster bytes per simulated byte: (N*S) / (k*m)
  int64_t simulated_clients() const { return k_; }
  int64_t simulated_storage_nodes() const { return m_; }
  std::vector<std::string> folds() const;  // every fold applied, named

 private:
  void reserve(int link, BytesPerSecond rate);
  int link(const std::string& name, ResourceClass c, BytesPerSecond bw, Seconds latency = Seconds(0.0));
  std::vector<int> disks_of(int64_t node) const;
  int disk_of(int64_t node, int64_t ssd) const;
  void add(FlowKind kind, sim::FlowSpec flow);

  hw::StorageClusterSpec cluster_;
  FilesystemSpec fs_;
  FoldSpec fold_;
  int64_t k_ = 0, m_ = 0;
  int64_t down_ = -1;  // the storage node that is down (storage_node_down), -1 none
  sim::FlowNetwork net_;
  std::vector<ResourceClass> link_class_;
  std::vector<FlowKind> flow_kind_;
  std::vector<BytesPerSecond> reserved_;  // per link
  std::vector<int> client_tx_, client_rx_, client_ops_, client_cpu_;
  std::vector<int> storage_tx_, storage_rx_;
  std::vector<std::vector<int>> disks_;  // per simulated node
  int core_client_up_ = -1, core_client_down_ = -1, core_storage_up_ = -1, core_storage_down_ = -1;
};

}  // namespace fathom::models::storage
