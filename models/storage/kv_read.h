#pragma once
// The on-disk KV cache as the serving simulator sees it (published-figures ST04, ST06; 3FS README §3):
// prefill client nodes read the KV blocks of prefix-cache hits from the storage cluster.
//
// Contract: kv_read_throughput(cluster, fs, query) answers, in microseconds and without SimGrid, how many
// bytes per second each of `clients` prefill nodes gets when each demands `demand_per_client`, and the
// latency of one block of `block_size` bytes at that load. The rate is the symmetric max-min rate
// (symmetric_rates.h; equal to the flow simulation, tested); one client operation per block, so the FUSE
// ceiling (ST05: ~400K 4 KiB reads/s) limits small blocks. Latency = per-operation software cost
// (1 / ops_per_s) + NIC latencies (request and data) + SSD read latency + block transfer at the slower
// NIC, the transfer stretched by 1 / (1 - utilisation) of the bottleneck (an M/M/1-style queueing
// estimate, utilisation capped at 0.99).

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_fabric.h"

namespace fathom::models::storage {

struct KvReadQuery {
  int64_t clients = 1;               // prefill client nodes reading at the same time
  BytesPerSecond demand_per_client;  // KV bytes per second each wants (0 = as much as it can get)
  Bytes block_size;                  // bytes per KV block read (one operation each)
};

struct KvReadResult {
  BytesPerSecond per_client;           // achieved read rate per client node
  BytesPerSecond capacity_per_client;  // the most a client could get at this client count
  bool demand_met = false;
  ResourceClass bottleneck = ResourceClass::storage_nic;  // demand when the demand is met
  double utilisation = 0;                                 // of the tightest hardware resource
  Seconds block_latency;                                  // one block, at this load
};

KvReadResult kv_read_throughput(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs,
                                const KvReadQuery& query);

}  // namespace fathom::models::storage
