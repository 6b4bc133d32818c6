#pragma once
// Closed-form max-min rates of the symmetric storage cluster (fidelity level `analytic`): every client
// alike, every storage node alike, traffic spread evenly by the chain table. The flow simulator gives
// the same answer on these cases (tests/models/storage_analytic_test.cpp); callers that need an answer
// in microseconds (the serving simulator per window, the training step) use these.

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_fabric.h"

namespace fathom::models::storage {

struct SymmetricRate {
  BytesPerSecond per_client;  // bytes per second each client reads (or writes, logically)
  ResourceClass bottleneck = ResourceClass::storage_nic;
  BytesPerSecond capacity_per_client;  // the same limit without the clients' own demand cap
};

// Each of `clients` client nodes reads evenly from every storage node, at most `demand` (0 = unlimited)
// and at most `cpu` (0 = not modelled); operations are fs.io_size bytes each.
SymmetricRate symmetric_read_rate(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, int64_t clients,
                                  BytesPerSecond demand = BytesPerSecond(0.0),
                                  BytesPerSecond cpu = BytesPerSecond(0.0));

// Each of `clients` client nodes writes evenly through CRAQ chains of length fs.replication.
SymmetricRate symmetric_write_rate(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, int64_t clients);

}  // namespace fathom::models::storage
