#pragma once
// Checkpoint writes as the training simulator sees them (published-figures §10 Day 5: 3FS holds the
// checkpoints). The caller computes the state size (weights + FP32 master copy + optimizer moments).
//
// Contract: checkpoint_write(cluster, fs, state, writers) is the symmetric closed form (no SimGrid):
// `writers` client nodes each write state/writers bytes through CRAQ chains of length fs.replication;
// the job takes (state/writers) / per-writer rate. SSD bytes = R x state; storage-network bytes =
// state (client to chain head) + (R-1) x state (chain forwarding). `fathom run` with workload
// "checkpoint" simulates the same job at the flow level.

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/symmetric_rates.h"

namespace fathom::models::storage {

struct CheckpointWrite {
  Seconds time;
  SymmetricRate rate;  // per writer
  Bytes ssd_bytes;
  Bytes network_bytes;
};

CheckpointWrite checkpoint_write(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, Bytes state,
                                 int64_t writers);

}  // namespace fathom::models::storage
