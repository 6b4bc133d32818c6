// Runner for scenarios of kind "storage": a 3FS-style cluster under a workload (docs/storage.md).

#include <fmt/format.h>

#include <stdexcept>

#include "hw/storage_spec.h"
#include "models/storage/kv_read.h"
#include "models/storage/storage_summary.h"
#include "models/storage/symmetric_rates.h"
#include "models/storage/workloads.h"
#include "reports/provenance_report.h"
#include "sim/flow_network.h"
#include "tools/run_kinds.h"
#include "tools/storage_report.h"

namespace fathom::tools {
namespace {

using namespace models::storage;

struct StorageRun {
  std::string name;
  hw::StorageClusterSpec cluster;
  FilesystemSpec fs;
  StorageWorkload workload;
};

StorageRun read_run(const ScenarioDocument& doc, ProvenanceLog& log) {
  const SpecReader top(doc.root, doc.label, "", &log);
  StorageRun run;
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
  top.finish();
  return run;
}

}  // namespace

void run_storage(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const StorageRun run = read_run(doc, log);
  StoragePlan plan;
  try {
    plan = plan_workload(run.cluster, run.fs, run.workload);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: storage.{}: {}", doc.label, run.workload.kind, e.what()));
  }
  if (options.validate_only) return;
  std::vector<PhaseSummary> phases;
  size_t flows = 0;
  for (const StoragePhasePlan& phase : plan.phases) {
    const sim::FlowResults r = sim::simulate_flows(phase.fabric.network());
    phases.push_back(summarise_phase(phase.name, phase.fabric, r));
    flows += phase.fabric.network().flows().size();
  }
  StorageReport report;
  report.name = run.name;
  report.workload = run.workload.kind;
  report.cluster = run.cluster;
  report.fs = run.fs;
  report.summary = summarise_job(plan.clients, std::move(phases));
  report.has_end = plan.has_end;
  report.folds = plan.phases.front().fabric.folds();
  report.notes = plan.notes;
  report.simulated_flows = flows;
  if (run.workload.kind == "kv_cache_read") {
    const KvCacheReadSpec& k = run.workload.kv_cache_read;
    report.kv = kv_read_throughput(run.cluster, run.fs, {run.cluster.clients, k.demand_per_client, k.block_size});
  }
  if (run.workload.kind == "peak_read") {
    report.analytic_read = symmetric_read_rate(run.cluster, run.fs, run.cluster.clients);
  }
  if (options.json) {
    nlohmann::json out = storage_report_json(report);
    out["assumptions"] = reports::assumptions_json(log);
    out["scenario"] = doc.root;
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{}", storage_report_text(report));
    const std::string assumed = reports::assumptions_text(log);
    if (!assumed.empty()) fmt::print("\nAssumed and default values:\n{}", assumed);
  }
}

}  // namespace fathom::tools
