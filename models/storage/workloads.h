#pragma once
// Storage workloads (scenario key "storage.workload") and their plans: one StorageFabric per phase,
// to be run by the flow simulator and summarised with storage_summary.h.
//  - peak_read: every client reads a large file set in parallel, optionally with background traffic
//    on its NIC (published-figures ST01).
//  - graysort: two phases through the storage cluster (ST03): shuffle (read the input, write the
//    partitions) then sort (read the partitions, write the output); reads pass the client's CPU.
//  - checkpoint: every writer writes its share of a training state through CRAQ chains.
//  - kv_cache_read: prefill clients read KV blocks at a demanded rate (ST04); see kv_read.h.
//  - task_job: phases of tasks (metadata -> read -> compute -> write) in waves; see task_job.h. It plans
//    no phase here: task_phase.h runs it, one flow simulation per I/O stage.

#include <optional>
#include <string>
#include <vector>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_fabric.h"
#include "models/storage/storage_perturbations.h"
#include "models/storage/task_job.h"
#include "sim/spec_reader.h"

namespace fathom::models::storage {

struct PeakReadSpec {
  Bytes bytes_per_client;
  BytesPerSecond background_rx_per_client{0.0};
  BytesPerSecond background_tx_per_client{0.0};
};

struct GraySortSpec {
  Bytes input;
  int64_t partitions = 0;
  BytesPerSecond cpu_throughput_per_client{0.0};  // 0 = CPU not modelled
  Bytes client_memory{0.0};                       // 0 = not checked
};

struct CheckpointSpec {
  Bytes state;          // weights + FP32 master + optimizer moments, the whole job
  int64_t writers = 0;  // client nodes writing (0 = all clients)
};

struct KvCacheReadSpec {
  BytesPerSecond demand_per_client;
  Bytes block_size;
  Seconds duration;
};

struct StorageWorkload {
  std::string kind;  // peak_read | graysort | checkpoint | kv_cache_read | task_job
  PeakReadSpec peak_read;
  GraySortSpec graysort;
  CheckpointSpec checkpoint;
  KvCacheReadSpec kv_cache_read;
  TaskJobSpec task_job;
  FoldSpec fold;
  std::vector<StoragePerturbation> perturbations;  // the scenario's (storage_perturbations.h); none: symmetric
};

// Reads "workload", the matching workload object and "fold" from the "storage" object (not finished).
StorageWorkload read_storage_workload(const SpecReader& storage);

struct StoragePhasePlan {
  std::string name;
  StorageFabric fabric;
};

struct StoragePlan {
  std::vector<StoragePhasePlan> phases;
  int64_t clients = 0;  // client nodes taking part (the per-client rates divide by this)
  bool has_end = true;  // false: a steady-state measurement (no job time)
  std::vector<std::string> notes;
};

// Throws InputError-free std::invalid_argument for impossible plans (the caller adds the JSON path).
StoragePlan plan_workload(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const StorageWorkload& w);

}  // namespace fathom::models::storage
