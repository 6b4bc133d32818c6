// Speed of the storage model at the flow level: the 180-node peak-read scenario (ST01) as shipped,
// and with larger folds, to show how the SimGrid run grows with the number of flows.

#include <fmt/format.h>

#include <chrono>
#include <string>

#include "hw/storage_spec.h"
#include "models/storage/storage_summary.h"
#include "models/storage/workloads.h"
#include "sim/flow_network.h"
#include "sim/scenario_document.h"

using namespace fathom;
using namespace fathom::models::storage;

namespace {

double run_once(const std::string& file, const std::vector<std::string>& sets, double* read_rate, size_t* flows) {
  const auto t0 = std::chrono::steady_clock::now();
  const ScenarioDocument doc = load_scenario(file, sets);
  const SpecReader top(doc.root, doc.label, "");
  const SpecReader storage = top.child("storage");
  const hw::StorageClusterSpec cluster = hw::read_storage_cluster_spec(storage.child("cluster"));
  const FilesystemSpec fs = read_filesystem_spec(storage.child("filesystem"));
  const StoragePlan plan = plan_workload(cluster, fs, read_storage_workload(storage));
  std::vector<PhaseSummary> phases;
  *flows = 0;
  for (const auto& p : plan.phases) {
    phases.push_back(summarise_phase(p.name, p.fabric, sim::simulate_flows(p.fabric.network())));
    *flows += p.fabric.network().flows().size();
  }
  *read_rate = summarise_job(plan.clients, std::move(phases)).read_rate().value();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main() {
  const std::string file = std::string(FATHOM_SOURCE_DIR) + "/scenarios/3fs-peak-read-180-nodes.json";
  struct Case {
    std::string label;
    std::vector<std::string> sets;
  };
  const Case cases[] = {
      {"as shipped (fold 50 clients x 36 nodes)", {}},
      {"fold 100 clients x 90 nodes", {"storage.fold.clients=100", "storage.fold.storage_nodes=90"}},
      {"fold 100 clients x 180 nodes", {"storage.fold.clients=100", "storage.fold.storage_nodes=180"}},
      {"every client and node (500 x 180)", {"storage.fold.clients=500", "storage.fold.storage_nodes=180"}},
  };
  fmt::print("storage_bench: {}\n", file);
  for (const Case& c : cases) {
    double best = 1e9, rate = 0;
    size_t flows = 0;
    for (int i = 0; i < 3; ++i) best = std::min(best, run_once(file, c.sets, &rate, &flows));
    fmt::print("  {:<40} {:>6} flows  {:8.3f} s (best of 3)  read {:.1f} GB/s\n", c.label, flows, best, rate / 1e9);
  }
  return 0;
}
