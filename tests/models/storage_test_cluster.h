#pragma once
// Test neighbour: a tiny storage cluster whose throughput is computable by hand, and a helper that
// plans, simulates and summarises a workload on it.

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_summary.h"
#include "models/storage/workloads.h"
#include "sim/flow_network.h"

namespace fathom::test {

// 2 storage nodes (1 NIC, 10 GB/s achievable, 12.5 line; 2 SSDs of 8 GB/s read, 3 GB/s write) and
// 4 clients (1 NIC, 6 GB/s achievable, 7.5 line), non-blocking; chains of 2; USRBIO far from binding.
inline hw::StorageClusterSpec tiny_cluster() {
  hw::StorageClusterSpec c;
  c.storage_nodes = 2;
  c.storage_node.name = "tiny storage";
  c.storage_node.nic = {1, BytesPerSecond(12.5e9), BytesPerSecond(10e9), Seconds(0.0)};
  c.storage_node.ssd_count = 2;
  c.storage_node.ssd = {Bytes(1e12), BytesPerSecond(8e9), BytesPerSecond(3e9), Seconds(80e-6)};
  c.clients = 4;
  c.client_node.name = "tiny client";
  c.client_node.nic = {1, BytesPerSecond(7.5e9), BytesPerSecond(6e9), Seconds(0.0)};
  c.network.technology = "roce";
  return c;
}

inline models::storage::FilesystemSpec tiny_fs() {
  models::storage::FilesystemSpec f;
  f.chunk_size = Bytes(4.0 * 1024 * 1024);
  f.replication = 2;
  f.chain_table = "rotating";
  f.fuse_ops_per_s = 400000;
  f.usrbio_ops_per_s = 1e9;
  f.io_size = Bytes(4.0 * 1024 * 1024);
  return f;
}

inline models::storage::StorageSummary run_plan(const models::storage::StoragePlan& plan) {
  std::vector<models::storage::PhaseSummary> phases;
  for (const auto& p : plan.phases) {
    phases.push_back(models::storage::summarise_phase(p.name, p.fabric, sim::simulate_flows(p.fabric.network())));
  }
  return models::storage::summarise_job(plan.clients, std::move(phases));
}

inline models::storage::StorageSummary run_workload(const hw::StorageClusterSpec& c,
                                                    const models::storage::FilesystemSpec& fs,
                                                    const models::storage::StorageWorkload& w) {
  return run_plan(models::storage::plan_workload(c, fs, w));
}

inline models::storage::StorageWorkload peak_read(Bytes per_client, models::storage::FoldSpec fold = {}) {
  models::storage::StorageWorkload w;
  w.kind = "peak_read";
  w.peak_read.bytes_per_client = per_client;
  w.fold = fold;
  return w;
}

}  // namespace fathom::test
