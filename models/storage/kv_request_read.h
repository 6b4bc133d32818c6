#pragma once
// The time one serving request spends reading its cached prefix's KV blocks from 3FS (issue #17;
// published-figures ST04, ST05, ST06), through the same client model as the bulk jobs: the client path
// (FUSE or native USRBIO) sets the per-operation software cost (1 / the path's ops_per_s ceiling) and,
// through that ceiling times the IO size, the node's read rate (kv_read.h).
//
// Contract: for a request of `bytes` read in operations of `io_size` at a node whose KV read rate is
// `node_rate`, busy a fraction `utilisation` of the time with all its storage traffic,
//   ios       = ceil(bytes / io_size)
//   latency   = first_byte_latency                  (client NIC + storage NIC + SSD read latency, once:
//                                                    the request's operations are in flight together)
//   software  = ios x per_io_cost                   (the client issues and completes them one after another)
//   transfer  = bytes / node_rate                   (the deterministic service time S)
//   queueing  = rho S / (2 (1 - rho))               (M/D/1 mean wait, Pollaczek-Khinchine with a
//                                                    deterministic service; rho capped at 0.99)
//   total     = latency + software + transfer + queueing; all zero when bytes = 0 (no read at all).
// Throws std::invalid_argument on a negative size, a non-positive IO size or rate, or rho outside [0, 1].

#include <cstdint>
#include <string>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "sim/units.h"

namespace fathom::models::storage {

inline constexpr double kKvReadMaxUtilisation = 0.99;  // the queueing estimate's cap (as kv_read.h)

// The client side of KV-cache reads: what a serving node's reads cost apart from bandwidth.
struct KvReadClient {
  std::string path;            // "usrbio" or "fuse" (filesystem.client)
  Bytes io_size;               // bytes per read operation (kv_cache_storage.block_size)
  Seconds per_io_cost;         // 1 / ops_per_s of the path
  Seconds first_byte_latency;  // client NIC + storage NIC + SSD read latency
};

// The client model of a storage cluster and filesystem reading blocks of `block_size`.
KvReadClient kv_read_client(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, Bytes block_size);

struct KvRequestRead {
  Bytes bytes;               // KV bytes of the request's cached prefix
  BytesPerSecond node_rate;  // the node's KV read rate (storage NIC or the cluster's share, if lower)
  double utilisation = 0;    // of the node's storage link by all KV traffic, in [0, 1]
};

struct KvRequestReadTime {
  int64_t ios = 0;
  Seconds latency, software, transfer, queueing, total;
};

KvRequestReadTime kv_request_read_time(const KvReadClient& client, const KvRequestRead& read);

}  // namespace fathom::models::storage
