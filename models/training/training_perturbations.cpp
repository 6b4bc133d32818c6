#include "models/training/training_perturbations.h"

#include <fmt/format.h>

#include <algorithm>

namespace fathom::models::training {

std::string Perturbation::describe() const {
  const std::string where = fmt::format("node {} GPU {} (rank {}, replica {})", node, gpu, rank, replica);
  if (kind == "gpu_slowdown") return fmt::format("gpu_slowdown: {} computes x{:g} slower", where, compute_factor);
  return fmt::format("nic_degraded: {}'s scale-out NIC at x{:g} bandwidth", where, nic_bandwidth_factor);
}

std::vector<Perturbation> read_perturbations(const SpecReader& top, const TrainingLayout& layout, int64_t nodes,
                                             int64_t gpus_per_node, const std::string& fidelity) {
  std::vector<Perturbation> out;
  if (!top.has("perturbations")) return out;
  const std::vector<SpecReader> items = top.objects("perturbations");
  if (!items.empty() && fidelity != "event") {
    top.fail("perturbations",
             fmt::format("perturbed steps are simulated at the event level only (fidelity is {}); use fidelity=event",
                         fidelity));
  }
  if (!items.empty() && layout.tp != 1) {
    top.fail("perturbations",
             fmt::format("GPUs are placed by node and GPU with tensor parallelism 1 (tp is {})", layout.tp));
  }
  for (const SpecReader& r : items) {
    Perturbation p;
    p.kind = r.choice("kind", {"gpu_slowdown", "nic_degraded"});
    p.node = r.at_most("node", r.at_least("node", r.integer("node"), 0), nodes - 1);
    p.gpu = r.at_most("gpu", r.at_least("gpu", r.integer("gpu"), 0), gpus_per_node - 1);
    const int64_t g = p.node * gpus_per_node + p.gpu;
    p.rank = int(g / layout.dp);
    p.replica = int(g % layout.dp);
    if (p.kind == "gpu_slowdown") {
      p.compute_factor = r.number("factor");
      if (!(p.compute_factor >= 1)) {
        r.fail("factor", fmt::format("a slowdown must be at least 1 (x compute time), got {:g}", p.compute_factor));
      }
    } else {
      p.nic_bandwidth_factor = r.number("bandwidth_factor");
      if (!(p.nic_bandwidth_factor > 0 && p.nic_bandwidth_factor <= 1)) {
        r.fail("bandwidth_factor",
               fmt::format("the NIC's share of its bandwidth must be in (0, 1], got {:g} (a NIC that is down: "
                           "not modelled yet)",
                           p.nic_bandwidth_factor));
      }
    }
    r.finish();
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<GpuFactors> perturbed_gpu_factors(const std::vector<Perturbation>& perturbations,
                                              const TrainingLayout& layout) {
  const int64_t dp = layout.dp, pp = layout.pp;
  std::vector<GpuFactors> f(size_t(dp * pp));
  const auto at = [&](int64_t replica, int64_t rank) -> GpuFactors& { return f[size_t(replica * pp + rank)]; };
  // The EP group of a replica at a stage: consecutive replicas, ep of them (tp 1); no group without experts
  // spread (ep 1).
  const int64_t ep = std::max<int64_t>(1, layout.ep);
  for (const Perturbation& p : perturbations) {
    const int64_t first = ep > 1 ? (p.replica / ep) * ep : p.replica;
    const int64_t last = ep > 1 ? std::min(dp, first + ep) : p.replica + 1;
    if (p.kind == "gpu_slowdown") {
      at(p.replica, p.rank).optimizer *= p.compute_factor;
      for (int64_t d = first; d < last; ++d)
        at(d, p.rank).unit_compute = std::max(at(d, p.rank).unit_compute, p.compute_factor);
    } else {
      const double slow = 1.0 / p.nic_bandwidth_factor;
      at(p.replica, p.rank).pp_send = std::max(at(p.replica, p.rank).pp_send, slow);
      for (int64_t d = first; d < last; ++d) at(d, p.rank).unit_comm = std::max(at(d, p.rank).unit_comm, slow);
      for (int64_t d = 0; d < dp; ++d) at(d, p.rank).rings = std::max(at(d, p.rank).rings, slow);
    }
  }
  return f;
}

std::vector<std::string> perturbed_training_folds(const std::vector<Perturbation>& perturbations,
                                                  const TrainingLayout& layout) {
  std::vector<std::string> out;
  out.push_back(fmt::format(
      "data parallelism: NOT folded: the perturbations break it; all {} replicas simulated, each on its own "
      "resources, each ZeRO-1 collective after one barrier on every replica's producer",
      layout.dp));
  out.push_back(
      "expert parallelism: kept: one representative GPU per EP group and stage; a perturbed GPU's EP group runs "
      "at that GPU's pace (each all-to-all phase waits for every member)");
  out.push_back(
      "network planes: kept: one plane per GPU; rail-aligned pipeline and data-parallel traffic on the GPU's own "
      "NIC, traffic classes on separate queues");
  for (const Perturbation& p : perturbations) out.push_back("perturbation: " + p.describe());
  return out;
}

}  // namespace fathom::models::training
