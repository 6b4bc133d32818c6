#include "models/storage/storage_perturbations.h"

#include <fmt/format.h>

namespace fathom::models::storage {

std::string StoragePerturbation::describe() const {
  if (kind == "ssd_slowdown") return fmt::format("ssd_slowdown: storage node {}'s SSDs x{:g} slower", node, factor);
  return fmt::format("storage_node_down: storage node {} serves nothing; its CRAQ chain peers serve its reads", node);
}

std::vector<StoragePerturbation> read_storage_perturbations(const SpecReader& top, int64_t storage_nodes,
                                                            int64_t replication, const std::string& workload) {
  std::vector<StoragePerturbation> out;
  if (!top.has("perturbations")) return out;
  const std::vector<SpecReader> items = top.objects("perturbations");
  if (!items.empty() && workload == "task_job") {
    top.fail("perturbations", "not modelled for the task_job workload (its stages run their own folded fabrics)");
  }
  bool down = false;
  for (const SpecReader& r : items) {
    StoragePerturbation p;
    p.kind = r.choice("kind", {"ssd_slowdown", "storage_node_down"});
    p.node = r.at_most("node", r.at_least("node", r.integer("node"), 0), storage_nodes - 1);
    if (p.kind == "ssd_slowdown") {
      p.factor = r.number("factor");
      if (!(p.factor >= 1)) r.fail("factor", fmt::format("a slowdown must be at least 1, got {:g}", p.factor));
    } else {
      if (workload != "peak_read" && workload != "kv_cache_read") {
        r.fail("kind", fmt::format("storage_node_down is modelled for the read workloads (peak_read, kv_cache_read) "
                                   "only, not {}: re-forming chains for writes is not",
                                   workload));
      }
      if (replication < 2) r.fail("node", "with replication 1 a down node's chunks have no other replica");
      if (down) r.fail("kind", "at most one storage_node_down per scenario");
      down = true;
    }
    r.finish();
    out.push_back(p);
  }
  return out;
}

double takeover_share(int64_t node, int64_t down, int64_t nodes, int64_t replication) {
  if (down < 0 || node == down || replication < 2) return 0;
  // Rotating layout: chain s (per SSD) holds nodes s, s + 1, ..., s + R - 1 (mod S).
  const auto holds = [&](int64_t s, int64_t v) { return ((v - s) % nodes + nodes) % nodes < replication; };
  int64_t shared = 0;
  for (int64_t s = 0; s < nodes; ++s) shared += holds(s, node) && holds(s, down) ? 1 : 0;
  return static_cast<double>(shared) / static_cast<double>(replication * (replication - 1));
}

std::vector<std::string> broken_storage_folds(const std::vector<StoragePerturbation>& perturbations,
                                              int64_t storage_nodes) {
  if (perturbations.empty()) return {};
  return {
      fmt::format("storage_nodes: all {} simulated (a perturbed node is not like the rest: the balanced "
                  "storage-node fold is off)",
                  storage_nodes)};
}

}  // namespace fathom::models::storage
