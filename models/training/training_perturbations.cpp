#include "models/training/training_perturbations.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

namespace fathom::models::training {

std::string Perturbation::describe() const {
  const std::string where = fmt::format("node {} GPU {} (rank {}, replica {})", node, gpu, rank, replica);
  if (kind == "gpu_slowdown") return fmt::format("gpu_slowdown: {} computes x{:g} slower", where, compute_factor);
  if (kind == "nic_down") {
    return fmt::format("nic_down: {}'s scale-out NIC is down; its traffic shares GPU {}'s NIC (each at x0.5)", where,
                       gpu ^ 1);
  }
  if (kind == "plane_down") {
    return fmt::format("plane_down: NIC {} of every node is down; its GPU shares GPU {}'s NIC (each at x0.5)", plane,
                       plane ^ 1);
  }
  if (kind == "background_traffic") {
    return fmt::format("background_traffic: other traffic takes {:g} of every {} link (its phases x{:g})", share,
                       link_class, 1.0 / (1.0 - share));
  }
  if (kind == "node_removed") {
    return fmt::format(
        "node_removed: node {} (rank {}) is lost; {} replicas stop (their EP groups lost experts); "
        "policy {}",
        node, rank, lost_replicas, policy);
  }
  if (kind == "second_job") {
    return fmt::format("second_job: another job takes {:g} of the scale-out NICs of nodes {}..{} ({} GPUs at x{:g})",
                       share, first_node, first_node + nodes - 1, nics.size(), 1.0 - share);
  }
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
  const auto place = [&](int64_t node, int64_t gpu) {
    const int64_t g = node * gpus_per_node + gpu;
    return NicShare{int(g / layout.dp), int(g % layout.dp), 1.0};
  };
  const auto open_share = [](const SpecReader& r) {
    const double share = r.number("share");
    if (!(share > 0 && share < 1)) {
      r.fail("share", fmt::format("the share other traffic takes must be in (0, 1), got {:g}", share));
    }
    return share;
  };
  std::set<int64_t> down;  // cluster GPUs whose NIC is down (nic_down, plane_down)
  const auto take_down = [&](const SpecReader& r, const char* key, int64_t node, int64_t gpu) {
    const int64_t g = node * gpus_per_node + gpu, sibling = node * gpus_per_node + (gpu ^ 1);
    if (down.count(sibling)) {
      r.fail(key, fmt::format("node {} GPU {}'s PCIe sibling GPU {} has its NIC down too: both NICs of a PCIe "
                              "switch down is not modelled",
                              node, gpu, gpu ^ 1));
    }
    down.insert(g);
  };
  for (const SpecReader& r : items) {
    Perturbation p;
    p.kind = r.choice("kind", {"gpu_slowdown", "nic_degraded", "nic_down", "plane_down", "background_traffic",
                               "second_job", "node_removed"});
    if (p.kind == "gpu_slowdown" || p.kind == "nic_degraded" || p.kind == "nic_down") {
      p.node = r.at_most("node", r.at_least("node", r.integer("node"), 0), nodes - 1);
      p.gpu = r.at_most("gpu", r.at_least("gpu", r.integer("gpu"), 0), gpus_per_node - 1);
      const NicShare at = place(p.node, p.gpu);
      p.rank = at.rank;
      p.replica = at.replica;
    }
    if ((p.kind == "nic_down" || p.kind == "plane_down") && gpus_per_node % 2 != 0) {
      r.fail("kind", fmt::format("a NIC that is down re-routes over its PCIe sibling GPU (gpu XOR 1): needs an "
                                 "even number of GPUs per node, got {}",
                                 gpus_per_node));
    }
    if (p.kind == "gpu_slowdown") {
      p.compute_factor = r.number("factor");
      if (!(p.compute_factor >= 1)) {
        r.fail("factor", fmt::format("a slowdown must be at least 1 (x compute time), got {:g}", p.compute_factor));
      }
    } else if (p.kind == "nic_degraded") {
      p.nic_bandwidth_factor = r.number("bandwidth_factor");
      if (!(p.nic_bandwidth_factor > 0 && p.nic_bandwidth_factor <= 1)) {
        r.fail("bandwidth_factor",
               fmt::format("the NIC's share of its bandwidth must be in (0, 1], got {:g} (a NIC that is down: "
                           "kind nic_down)",
                           p.nic_bandwidth_factor));
      }
    } else if (p.kind == "nic_down") {
      take_down(r, "gpu", p.node, p.gpu);
      p.nics = {place(p.node, p.gpu), place(p.node, p.gpu ^ 1)};
      for (NicShare& n : p.nics) n.share = 0.5;
    } else if (p.kind == "plane_down") {
      p.plane = r.at_most("plane", r.at_least("plane", r.integer("plane"), 0), gpus_per_node - 1);
      for (int64_t node = 0; node < nodes; ++node) {
        take_down(r, "plane", node, p.plane);
        for (int64_t gpu : {p.plane, p.plane ^ 1}) {
          p.nics.push_back(place(node, gpu));
          p.nics.back().share = 0.5;
        }
      }
    } else if (p.kind == "background_traffic") {
      p.link_class = r.choice("link_class", {"scale_out", "nvlink"});
      p.share = open_share(r);
    } else if (p.kind == "node_removed") {
      if (std::any_of(out.begin(), out.end(), [](const Perturbation& o) { return o.kind == "node_removed"; })) {
        r.fail("kind", "at most one node_removed per scenario");
      }
      if (layout.dp % gpus_per_node != 0) {
        r.fail("kind",
               fmt::format("a removed node's GPUs must hold replicas of one rank: dp ({}) must be a multiple of "
                           "the node's GPUs ({})",
                           layout.dp, gpus_per_node));
      }
      p.node = r.at_most("node", r.at_least("node", r.integer("node"), 0), nodes - 1);
      p.policy = r.choice("policy", {"redistribute", "fail"});
      const NicShare first = place(p.node, 0);
      p.rank = first.rank;
      p.replica = first.replica;
      // The replicas of the EP groups that held the node's GPUs (consecutive replicas, ep of them).
      const int64_t ep = std::max<int64_t>(1, layout.ep);
      const int64_t group_first = (first.replica / ep) * ep;
      const int64_t group_end = ((first.replica + gpus_per_node - 1) / ep + 1) * ep;
      p.lost_replicas = std::min(layout.dp, group_end) - group_first;
    } else {  // second_job
      p.first_node = r.at_most("first_node", r.at_least("first_node", r.integer("first_node"), 0), nodes - 1);
      p.nodes = r.at_most("nodes", r.at_least("nodes", r.integer("nodes"), 1), nodes - p.first_node);
      p.share = open_share(r);
      for (int64_t node = p.first_node; node < p.first_node + p.nodes; ++node) {
        for (int64_t gpu = 0; gpu < gpus_per_node; ++gpu) {
          p.nics.push_back(place(node, gpu));
          p.nics.back().share = 1.0 - p.share;
        }
      }
    }
    r.finish();
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<NodeRemoval> node_removal(const std::vector<Perturbation>& perturbations, const TrainingLayout& layout,
                                        int64_t micro_batches) {
  for (const Perturbation& p : perturbations) {
    if (p.kind != "node_removed") continue;
    NodeRemoval out;
    const int64_t remaining = layout.dp - p.lost_replicas;
    if (remaining <= 0) {
      out.failure = fmt::format("node {} removed: its EP groups span all {} replicas of rank {}: no replica can run",
                                p.node, layout.dp, p.rank);
    } else if (p.policy == "fail") {
      out.failure = fmt::format("node {} removed (policy fail): {} replicas of {} stop; the step does not complete",
                                p.node, p.lost_replicas, layout.dp);
    } else {
      out.micro_batches = (micro_batches * layout.dp + remaining - 1) / remaining;
    }
    return out;
  }
  return std::nullopt;
}

bool breaks_data_parallel_fold(const std::vector<Perturbation>& perturbations) {
  return std::any_of(perturbations.begin(), perturbations.end(),
                     [](const Perturbation& p) { return p.breaks_data_parallel_fold(); });
}

std::vector<GpuFactors> perturbed_gpu_factors(const std::vector<Perturbation>& perturbations,
                                              const TrainingLayout& layout, int replicas) {
  const int64_t dp = layout.dp, pp = layout.pp;
  std::vector<GpuFactors> f(size_t(dp * pp));
  const auto at = [&](int64_t replica, int64_t rank) -> GpuFactors& { return f[size_t(replica * pp + rank)]; };
  // The EP group of a replica at a stage: consecutive replicas, ep of them (tp 1); no group without experts
  // spread (ep 1).
  const int64_t ep = std::max<int64_t>(1, layout.ep);
  const auto group = [&](int64_t replica) {  // [first, last) replicas of its EP group
    const int64_t first = ep > 1 ? (replica / ep) * ep : replica;
    return std::pair<int64_t, int64_t>{first, ep > 1 ? std::min(dp, first + ep) : replica + 1};
  };
  const auto slow_nic = [&](int64_t replica, int64_t rank, double share) {
    const double slow = 1.0 / share;
    at(replica, rank).pp_send = std::max(at(replica, rank).pp_send, slow);
    const auto [first, last] = group(replica);
    for (int64_t d = first; d < last; ++d) at(d, rank).unit_comm = std::max(at(d, rank).unit_comm, slow);
    for (int64_t d = 0; d < dp; ++d) at(d, rank).rings = std::max(at(d, rank).rings, slow);
  };
  for (const Perturbation& p : perturbations) {
    if (p.kind == "gpu_slowdown") {
      at(p.replica, p.rank).optimizer *= p.compute_factor;
      const auto [first, last] = group(p.replica);
      for (int64_t d = first; d < last; ++d)
        at(d, p.rank).unit_compute = std::max(at(d, p.rank).unit_compute, p.compute_factor);
    } else if (p.kind == "nic_degraded") {
      slow_nic(p.replica, p.rank, p.nic_bandwidth_factor);
    } else {
      for (const NicShare& n : p.nics) slow_nic(n.replica, n.rank, n.share);
    }
  }
  // Background traffic slows every link of its class alike (after the per-NIC shares: a degraded NIC's
  // remaining bandwidth is shared too).
  for (const Perturbation& p : perturbations) {
    if (p.kind != "background_traffic") continue;
    const double slow = 1.0 / (1.0 - p.share);
    for (GpuFactors& g : f) {
      g.unit_comm *= slow;
      if (p.link_class == "scale_out") g.pp_send *= slow, g.rings *= slow;
    }
  }
  if (replicas > 0) {
    if (breaks_data_parallel_fold(perturbations)) {
      throw std::logic_error("perturbed_gpu_factors: folded replicas with a perturbation that breaks the fold");
    }
    std::vector<GpuFactors> folded;
    for (int rep = 0; rep < replicas; ++rep) folded.insert(folded.end(), f.begin(), f.begin() + pp);
    return folded;
  }
  return f;
}

std::vector<std::string> perturbed_training_folds(const std::vector<Perturbation>& perturbations,
                                                  const TrainingLayout& layout,
                                                  const std::vector<std::string>& folded) {
  std::vector<std::string> out;
  if (!breaks_data_parallel_fold(perturbations)) {
    out = folded;
    for (const Perturbation& p : perturbations)
      out.push_back("perturbation (symmetric: no fold broken): " + p.describe());
    return out;
  }
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
