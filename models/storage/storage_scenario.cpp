#include "models/storage/storage_scenario.h"

#include <algorithm>

#include "models/storage/storage_perturbations.h"
#include "sim/spec_reader.h"

namespace fathom::models::storage {
namespace {

constexpr double kBytesPerFlow = 4096;
constexpr double kSecondsPerFlow = 2e-6;
// Max-min sharing grows worse than linearly with the flows in flight (ARCHITECTURE.md §3): measured
// 2.1 s for 9,000 flows, 43 s for 36,000 and 359 s for 90,000 (peak_read folds 100x90, 200x180, 500x180).
constexpr double kSecondsPerFlowPair = 5e-8;

// Simulated count of a folded dimension: all of them when the fold is 0 or not smaller.
double simulated(int64_t fold, int64_t all) { return double(fold <= 0 || fold >= all ? all : fold); }

}  // namespace

StorageScenario read_storage_scenario(const ScenarioDocument& doc, ProvenanceLog& log) {
  const SpecReader top(doc.root, doc.label, "", &log);
  StorageScenario run;
  top.choice("kind", {"storage"});
  run.name = top.has("name") ? top.text("name") : doc.label;
  if (top.has("description")) top.text("description");
  const SpecReader storage = top.child("storage");
  run.cluster = hw::read_storage_cluster_spec(storage.child("cluster"));
  run.fs = read_filesystem_spec(storage.child("filesystem"));
  if (run.fs.replication > run.cluster.storage_nodes) {
    storage.child("filesystem")
        .fail("replication", "exceeds the number of storage nodes (replicas sit on distinct nodes)");
  }
  run.workload = read_storage_workload(storage);
  const int64_t folded_nodes = run.workload.fold.storage_nodes;
  if (folded_nodes > 0 && folded_nodes < run.fs.replication && folded_nodes < run.cluster.storage_nodes) {
    storage.fail("fold", "simulate at least as many storage nodes as the replication factor");
  }
  storage.finish();
  run.workload.perturbations =
      read_storage_perturbations(top, run.cluster.storage_nodes, run.fs.replication, run.workload.kind);
  if (!run.workload.perturbations.empty()) run.workload.fold.storage_nodes = 0;  // the fold they break
  top.finish();
  // Resource guard: refuse before plan_workload builds a flow per (client, node) pair.
  if (const auto why = sim::over_budget(estimate_storage_work(run.cluster, run.fs, run.workload))) {
    storage.fail("fold", *why + "; fold it (storage.fold.clients, storage.fold.storage_nodes, aggregate_ssds)");
  }
  return run;
}

sim::WorkEstimate estimate_storage_work(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs,
                                        const StorageWorkload& w) {
  const FoldSpec& fold = w.fold;
  const int64_t clients = w.kind == "checkpoint" && w.checkpoint.writers > 0 ? w.checkpoint.writers : cluster.clients;
  const double k = simulated(fold.clients, clients);
  const double m = simulated(fold.storage_nodes, cluster.storage_nodes);
  const double ssds = double(std::max<int64_t>(1, cluster.storage_node.ssd_count));
  const double targets = fold.per_chain ? m * ssds : m * (fold.aggregate_ssds ? 1.0 : ssds);
  const double reads = k * targets;
  const double writes = k * targets * double(std::max<int64_t>(1, fs.replication));
  double flows = 0;  // of the largest phase
  double all = 0;    // of every phase (built together)
  if (w.kind == "graysort") {
    flows = reads + writes;
    all = 2 * flows;
  } else if (w.kind == "task_job") {
    // One read and one write simulation per wave shape (at most two shapes) per phase, run one by one.
    flows = writes;
    all = 4 * double(w.task_job.phases.size()) * (reads + writes);
  } else if (w.kind == "checkpoint") {
    flows = all = writes;
  } else {
    flows = all = reads;
  }
  sim::WorkEstimate e;
  e.items = all;
  e.item_name = "flows";
  e.bytes = all * kBytesPerFlow;
  const double phases = flows > 0 ? all / flows : 1;
  e.seconds = phases * (kSecondsPerFlow * flows + kSecondsPerFlowPair * flows * flows);
  return e;
}

}  // namespace fathom::models::storage
