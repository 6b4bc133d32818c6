// Speed of the storage model at the flow level: the 180-node peak-read scenario (ST01) as shipped,
// and with larger folds, to show how the SimGrid run grows with the number of flows, up to the 200,000
// concurrent flows of issue #16 (target: under 60 s on the 2-core dev container). Prints wall and process
// CPU time (the container is shared: CPU time is the steadier figure) and the growth exponent b of
// cpu ~ flows^b (least squares on the logs, over the cases from 9,000 flows up).

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <string>

#include "hw/storage_spec.h"
#include "models/storage/storage_summary.h"
#include "models/storage/workloads.h"
#include "sim/flow_network.h"
#include "sim/scenario_document.h"

using namespace fathom;
using namespace fathom::models::storage;

namespace {

double run_once(const std::string& file, const std::vector<std::string>& sets, double* read_rate, size_t* flows,
                double* cpu_s) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
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
  *cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
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
      {"1,112 clients, unfolded (1,112 x 180)",
       {"storage.cluster.clients=1112", "storage.fold.clients=1112", "storage.fold.storage_nodes=180"}},
  };
  fmt::print("storage_bench: {}\n", file);
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (const Case& c : cases) {
    double best = 1e9, best_cpu = 1e9, rate = 0, cpu = 0;
    size_t flows = 0;
    for (int i = 0; i < 3; ++i) {
      best = std::min(best, run_once(file, c.sets, &rate, &flows, &cpu));
      best_cpu = std::min(best_cpu, cpu);
    }
    fmt::print("  {:<40} {:>6} flows  {:8.3f} s wall, {:8.3f} s cpu (best of 3)  read {:.1f} GB/s\n", c.label, flows,
               best, best_cpu, rate / 1e9);
    if (flows >= 9000) {
      const double x = std::log(double(flows)), y = std::log(best_cpu);
      sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
    }
  }
  fmt::print("  growth exponent of cpu time vs flows (9,000 flows and up): {:.2f}\n",
             (n * sxy - sx * sy) / (n * sxx - sx * sx));
  return 0;
}
