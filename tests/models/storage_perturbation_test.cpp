// Perturbed storage clusters (storage_perturbations.h): a slowed node's SSDs and a down node whose CRAQ chain
// peers serve its reads, on clusters whose rates are computable by hand; no perturbation changes nothing.

#include <catch2/catch.hpp>

#include "models/storage/storage_perturbations.h"
#include "storage_test_cluster.h"

using namespace fathom;
using namespace fathom::models::storage;
using fathom::test::run_workload;
using fathom::test::tiny_cluster;
using fathom::test::tiny_fs;

namespace {

constexpr double kRel = 1e-9;

// 4 storage nodes (10 GB/s NIC, 2 SSDs of 8 GB/s read: 16 GB/s) and 16 clients (6 GB/s NIC, 96 GB/s in all):
// reads are bound by the storage NICs, 40 GB/s for the cluster; chains of 2.
hw::StorageClusterSpec nic_bound() {
  hw::StorageClusterSpec c = tiny_cluster();
  c.storage_nodes = 4;
  c.clients = 16;
  return c;
}

StorageWorkload perturbed(std::vector<StoragePerturbation> p, FoldSpec fold = {}) {
  StorageWorkload w = fathom::test::peak_read(Bytes(64e9), fold);
  w.perturbations = std::move(p);
  return w;
}

}  // namespace

TEST_CASE("takeover shares follow the rotating chain table and sum to one", "[storage][perturbation]") {
  // R = 3: the node's neighbours share 2 of its chains, the next ones 1: 2/6 and 1/6.
  CHECK(takeover_share(8, 7, 180, 3) == Approx(1.0 / 3));
  CHECK(takeover_share(6, 7, 180, 3) == Approx(1.0 / 3));
  CHECK(takeover_share(9, 7, 180, 3) == Approx(1.0 / 6));
  CHECK(takeover_share(5, 7, 180, 3) == Approx(1.0 / 6));
  CHECK(takeover_share(10, 7, 180, 3) == 0);
  CHECK(takeover_share(7, 7, 180, 3) == 0);
  CHECK(takeover_share(179, 0, 180, 3) == Approx(1.0 / 3));  // cyclic
  CHECK(takeover_share(3, -1, 180, 3) == 0);                 // no node down
  for (const auto& [s, r] : {std::pair<int64_t, int64_t>{180, 3}, {4, 2}, {5, 5}, {7, 4}}) {
    double sum = 0;
    for (int64_t u = 0; u < s; ++u) sum += takeover_share(u, 2, s, r);
    CHECK(sum == Approx(1.0).epsilon(kRel));
  }
}

TEST_CASE("storage_node_down: the down node's chain peers carry its reads (hand-computed)", "[storage][perturbation]") {
  const auto c = nic_bound();
  const StorageSummary base = run_workload(c, tiny_fs(), perturbed({}));
  CHECK(base.read_rate().value() == Approx(40e9).epsilon(kRel));  // 4 nodes x 10 GB/s
  // Node 0 down, chains of 2 ({0,1}, {1,2}, {2,3}, {3,0}): nodes 1 and 3 each take half of its share, so they
  // serve 1.5 x a node's share at 10 GB/s: the job takes 1.5x as long, 40 / 1.5 = 26.67 GB/s.
  const StorageSummary down = run_workload(c, tiny_fs(), perturbed({{"storage_node_down", 0, 1}}));
  CHECK(down.read_rate().value() == Approx(40e9 / 1.5).epsilon(kRel));
  CHECK(down.totals.read.value() == Approx(base.totals.read.value()).epsilon(kRel));  // every byte still read
  CHECK(down.bottleneck == ResourceClass::storage_nic);
  // Flows per (client, chain, replica) route each chain's reads to its survivors: the same rate.
  FoldSpec per_chain;
  per_chain.per_chain = true;
  per_chain.aggregate_ssds = false;
  const StorageSummary chains = run_workload(c, tiny_fs(), perturbed({{"storage_node_down", 0, 1}}, per_chain));
  CHECK(chains.read_rate().value() == Approx(40e9 / 1.5).epsilon(kRel));
}

TEST_CASE("ssd_slowdown: the slowed node's SSDs set the job's pace (hand-computed)", "[storage][perturbation]") {
  auto c = nic_bound();
  c.storage_node.ssd.read_bandwidth = BytesPerSecond(2e9);  // 4 GB/s a node: SSD-bound, 16 GB/s in all
  const StorageSummary base = run_workload(c, tiny_fs(), perturbed({}));
  CHECK(base.read_rate().value() == Approx(16e9).epsilon(kRel));
  CHECK(base.bottleneck == ResourceClass::ssd);
  // Node 2 at x2: its quarter of every client's bytes at 2 GB/s takes twice as long: 8 GB/s.
  const StorageSummary slow = run_workload(c, tiny_fs(), perturbed({{"ssd_slowdown", 2, 2.0}}));
  CHECK(slow.read_rate().value() == Approx(8e9).epsilon(kRel));
  // Two multiply: x4 on node 2 quarters the rate.
  const StorageSummary slower =
      run_workload(c, tiny_fs(), perturbed({{"ssd_slowdown", 2, 2.0}, {"ssd_slowdown", 2, 2.0}}));
  CHECK(slower.read_rate().value() == Approx(4e9).epsilon(kRel));
}

TEST_CASE("a factor-1 slowdown, unfolded, equals the folded unperturbed cluster", "[storage][perturbation]") {
  auto c = nic_bound();
  c.storage_nodes = 8;
  FoldSpec fold;
  fold.clients = 4;
  fold.storage_nodes = 2;
  const StorageSummary folded = run_workload(c, tiny_fs(), perturbed({}, fold));
  fold.storage_nodes = 0;  // what the scenario reader does when there are perturbations
  const StorageSummary unfolded = run_workload(c, tiny_fs(), perturbed({{"ssd_slowdown", 3, 1.0}}, fold));
  CHECK(unfolded.read_rate().value() == Approx(folded.read_rate().value()).epsilon(kRel));
  CHECK(unfolded.totals.read.value() == Approx(folded.totals.read.value()).epsilon(kRel));
  // A perturbation with the storage-node fold on is refused.
  fold.storage_nodes = 2;
  CHECK_THROWS_AS(models::storage::plan_workload(c, tiny_fs(), perturbed({{"ssd_slowdown", 1, 2.0}}, fold)),
                  std::invalid_argument);
}
