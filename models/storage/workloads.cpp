#include "models/storage/workloads.h"

#include <fmt/format.h>

#include <stdexcept>

namespace fathom::models::storage {
namespace {

FoldSpec read_fold(const SpecReader& storage) {
  FoldSpec f;
  if (!storage.has("fold")) {
    f.clients = 32;
    f.storage_nodes = 32;
    storage.text_or("fold", "clients 32, storage_nodes 32",
                    "32 representative clients and storage nodes, SSDs of a node aggregated");
    return f;
  }
  const SpecReader r = storage.child("fold");
  f.clients = r.at_least("clients", r.integer_or("clients", 32, "32 representative clients"), 0);
  f.storage_nodes = r.at_least("storage_nodes", r.integer_or("storage_nodes", 32, "32 representative nodes"), 0);
  f.aggregate_ssds = r.boolean_or("aggregate_ssds", true, "a node's SSDs as one disk");
  f.per_chain = r.boolean_or("per_chain", false, "flows per (client, node) pair");
  r.finish();
  return f;
}

}  // namespace

StorageWorkload read_storage_workload(const SpecReader& storage) {
  StorageWorkload w;
  w.kind = storage.choice("workload", {"peak_read", "graysort", "checkpoint", "kv_cache_read", "task_job"});
  const SpecReader r = storage.child(w.kind);
  // Objects of the other workloads may stay in a scenario (switch with --set storage.workload=...).
  for (const char* other : {"peak_read", "graysort", "checkpoint", "kv_cache_read", "task_job"}) {
    if (other != w.kind && storage.has(other)) storage.raw(other);
  }
  if (w.kind == "peak_read") {
    w.peak_read.bytes_per_client = r.quantity<Bytes>("bytes_per_client");
    r.positive("bytes_per_client", w.peak_read.bytes_per_client.value());
    if (r.has("background")) {
      const SpecReader b = r.child("background");
      w.peak_read.background_rx_per_client = b.quantity_or<BytesPerSecond>("client_rx", "0B/s", "none");
      w.peak_read.background_tx_per_client = b.quantity_or<BytesPerSecond>("client_tx", "0B/s", "none");
      b.finish();
    }
  } else if (w.kind == "graysort") {
    w.graysort.input = r.quantity<Bytes>("input");
    r.positive("input", w.graysort.input.value());
    w.graysort.partitions = r.at_least("partitions", r.integer("partitions"), 1);
    w.graysort.cpu_throughput_per_client =
        r.quantity_or<BytesPerSecond>("cpu_throughput_per_client", "0B/s", "CPU not modelled");
    w.graysort.client_memory = r.quantity_or<Bytes>("client_memory", "0B", "memory not checked");
  } else if (w.kind == "checkpoint") {
    w.checkpoint.state = r.quantity<Bytes>("state");
    r.positive("state", w.checkpoint.state.value());
    w.checkpoint.writers = r.at_least("writers", r.integer_or("writers", 0, "every client writes"), 0);
  } else if (w.kind == "task_job") {
    w.task_job = read_task_job(r);
  } else {
    w.kv_cache_read.demand_per_client = r.quantity<BytesPerSecond>("demand_per_client");
    r.positive("demand_per_client", w.kv_cache_read.demand_per_client.value());
    w.kv_cache_read.block_size = r.quantity<Bytes>("block_size");
    r.positive("block_size", w.kv_cache_read.block_size.value());
    w.kv_cache_read.duration = r.quantity_or<Seconds>("duration", "1s", "a steady second of reads");
    r.positive("duration", w.kv_cache_read.duration.value());
  }
  r.finish();
  w.fold = read_fold(storage);
  return w;
}

StoragePlan plan_workload(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const StorageWorkload& w) {
  StoragePlan plan;
  plan.clients = cluster.clients;
  if (w.kind == "peak_read") {
    StorageFabric f(cluster, fs, w.fold, BytesPerSecond(0.0), w.perturbations);
    f.add_reads(w.peak_read.bytes_per_client, Seconds(0.0));
    f.add_background(w.peak_read.background_rx_per_client, w.peak_read.background_tx_per_client);
    if (w.peak_read.background_rx_per_client.value() > 0 || w.peak_read.background_tx_per_client.value() > 0) {
      plan.notes.push_back(fmt::format(
          "background traffic reserved on every client NIC: {:.3g} GB/s in, {:.3g} GB/s out",
          w.peak_read.background_rx_per_client.value() / 1e9, w.peak_read.background_tx_per_client.value() / 1e9));
    }
    plan.phases.push_back({"read", std::move(f)});
    plan.has_end = false;
  } else if (w.kind == "graysort") {
    const GraySortSpec& g = w.graysort;
    const Bytes per_client = g.input / static_cast<double>(cluster.clients);
    const Bytes partition = g.input / static_cast<double>(g.partitions);
    if (g.client_memory.value() > 0 && partition > g.client_memory) {
      throw std::invalid_argument(
          fmt::format("a partition ({:.3g} B) does not fit in client memory", partition.value()));
    }
    plan.notes.push_back(fmt::format("partition size {:.3g} GiB; {:.1f} partitions per client",
                                     partition.value() / (1024.0 * 1024 * 1024),
                                     static_cast<double>(g.partitions) / static_cast<double>(cluster.clients)));
    for (const char* phase : {"shuffle", "sort"}) {
      StorageFabric f(cluster, fs, w.fold, g.cpu_throughput_per_client, w.perturbations);
      f.add_reads(per_client, Seconds(0.0));
      f.add_writes(per_client, Seconds(0.0));
      plan.phases.push_back({phase, std::move(f)});
    }
  } else if (w.kind == "checkpoint") {
    hw::StorageClusterSpec writers = cluster;
    if (w.checkpoint.writers > 0) writers.clients = w.checkpoint.writers;
    plan.clients = writers.clients;
    StorageFabric f(writers, fs, w.fold, BytesPerSecond(0.0), w.perturbations);
    f.add_writes(w.checkpoint.state / static_cast<double>(writers.clients), Seconds(0.0));
    plan.phases.push_back({"write", std::move(f)});
  } else if (w.kind == "task_job") {
    plan.notes.push_back("task job: phases run by task_phase.h (no bulk phase planned)");
  } else {
    const KvCacheReadSpec& k = w.kv_cache_read;
    FilesystemSpec per_block = fs;
    per_block.io_size = k.block_size;  // one operation per KV block
    StorageFabric f(cluster, per_block, w.fold, BytesPerSecond(0.0), w.perturbations);
    f.add_reads(k.demand_per_client * k.duration, Seconds(0.0), k.demand_per_client);
    plan.phases.push_back({"kv_read", std::move(f)});
    plan.has_end = false;
  }
  return plan;
}

}  // namespace fathom::models::storage
