#pragma once
// A day of PD-disaggregated serving (issue #4): per planning window, the fewest prefill and decode
// units that meet the SLO at that window's load (steady-state capacity times the headroom policy,
// then checked and raised by the event-level window simulation), and the day's throughput, node
// counts, cost, revenue and margin.

#include <functional>
#include <optional>
#include <string>

#include "hw/cluster_spec.h"
#include "hw/kernel_cost_model.h"
#include "models/deployment/model_choice.h"
#include "models/param_counts.h"
#include "models/serving/economics.h"
#include "models/serving/serving_result.h"
#include "models/serving/serving_spec.h"
#include "models/serving/traffic.h"
#include "models/storage/kv_request_read.h"

namespace fathom::models::serving {

// What limits prefix-cache reads when the scenario has no kv_cache_storage section.
inline constexpr const char* kNodeStorageNic = "prefill node storage NIC";

struct ServingInputs {
  std::string label;  // scenario file name, for errors
  ModelChoice model;
  hw::ClusterSpec cluster;
  hw::KernelCostModel kernels;
  DailyTraffic traffic;
  Economics economics;
  ServingSpec spec;
  // Prefix-cache reads from the storage cluster, per prefill node (the kv_cache_storage section, read
  // through models/storage/kv_read); absent: the node's storage NIC alone limits them.
  std::optional<BytesPerSecond> kv_read_per_node;
  std::string kv_read_bottleneck = kNodeStorageNic;
  // The 3FS client path and per-operation costs of those reads (kv_request_read.h); absent without a
  // kv_cache_storage section: a request's read is then its transfer and queueing at the node's NIC only.
  std::optional<storage::KvReadClient> kv_read_client;
};

// The client path the report names: "usrbio", "fuse", or "none" (no kv_cache_storage section).
std::string kv_read_client_path(const ServingInputs& in);

// The KV-cache read of a window's mean request (every request reads its cache_hit_fraction of its prompt):
// its cached prefix's cache (kv.of(hit tokens): sliding-window layers only their window) at the node's KV
// read rate, the node's storage link busy with the window's reads of hits and writes of new KV (each request
// moves kv.of(its input), as the prefill capacity counts them) spread over `prefill_nodes`.
storage::KvRequestReadTime window_kv_read(const ServingInputs& in, const RequestMix& mix, const KvCacheSize& kv,
                                          double requests_per_s, int64_t prefill_nodes);

// Called after each window with (windows done, windows in all).
using Progress = std::function<void(size_t, size_t)>;

// The KV-cache read/write rate one prefill GPU gets: its node's storage NICs, or the storage cluster's
// per-node rate when lower, shared by the node's GPUs. Throws InputError when prefix-cache hits need a
// storage NIC the node lacks.
BytesPerSecond storage_bandwidth_per_gpu(const ServingInputs& in);

// The unit's GPUs divide its routed + redundant experts (each GPU holds the same number; S10, S11).
bool experts_divide(const ModelArch& arch, const UnitSpec& unit);

ServingResult simulate_serving_day(const ServingInputs& in, const Progress& progress = {});

}  // namespace fathom::models::serving
