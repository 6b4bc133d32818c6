// Symmetry folding of the storage model: a folded run (a subset of clients and storage nodes, a node's
// SSDs as one disk, flows per node pair) equals the unfolded one (every client, node, SSD and chain).

#include <catch2/catch.hpp>

#include "models/storage/chain_table.h"
#include "models/storage/kv_read.h"
#include "storage_test_cluster.h"

using namespace fathom;
using namespace fathom::models::storage;
using fathom::test::run_workload;
using fathom::test::tiny_cluster;
using fathom::test::tiny_fs;

namespace {

constexpr double kRel = 1e-6;

hw::StorageClusterSpec small_cluster() {
  hw::StorageClusterSpec c = tiny_cluster();
  c.storage_nodes = 4;
  c.clients = 6;
  c.network.kind = hw::StorageFabricKind::two_layer;
  c.network.oversubscription = 1.5;
  return c;
}

void check_same(const StorageSummary& a, const StorageSummary& b) {
  REQUIRE(a.phases.size() == b.phases.size());
  for (size_t i = 0; i < a.phases.size(); ++i)
    CHECK(a.phases[i].time.value() == Approx(b.phases[i].time.value()).epsilon(kRel));
  CHECK(a.totals.read.value() == Approx(b.totals.read.value()).epsilon(kRel));
  CHECK(a.totals.write.value() == Approx(b.totals.write.value()).epsilon(kRel));
  CHECK(a.totals.ssd_write.value() == Approx(b.totals.ssd_write.value()).epsilon(kRel));
  CHECK(a.totals.forward.value() == Approx(b.totals.forward.value()).epsilon(kRel));
  CHECK(a.bottleneck == b.bottleneck);
  for (const auto& [c, u] : a.utilisation) CHECK(u == Approx(b.utilisation.at(c)).epsilon(kRel));
}

}  // namespace

TEST_CASE("the rotating chain table is balanced and puts replicas on distinct nodes", "[unit]") {
  const ChainTable t = rotating_chain_table(4, 2, 3);
  REQUIRE(t.size() == 8);
  std::vector<int> per_ssd(8, 0), heads(4, 0);
  for (const auto& chain : t) {
    CHECK(chain[0].node != chain[1].node);
    CHECK(chain[1].node != chain[2].node);
    CHECK(chain[0].node != chain[2].node);
    heads[chain[0].node]++;
    for (const auto& tgt : chain) per_ssd[tgt.node * 2 + tgt.ssd]++;
  }
  for (int n : per_ssd) CHECK(n == 3);
  for (int n : heads) CHECK(n == 2);
}

TEST_CASE("fold == unfolded: a sort (reads + chain writes) with CPU limits and an oversubscribed fabric", "[unit]") {
  StorageWorkload w;
  w.kind = "graysort";
  w.graysort.input = Bytes(60e9);
  w.graysort.partitions = 12;
  w.graysort.cpu_throughput_per_client = BytesPerSecond(3e9);
  w.fold = {0, 0, false, true};  // unfolded: every client, node, SSD and chain replica
  const StorageSummary unfolded = run_workload(small_cluster(), tiny_fs(), w);
  w.fold = {2, 2, true, false};  // 2 of 6 clients, 2 of 4 nodes, SSDs aggregated, node pairs
  const StorageSummary folded = run_workload(small_cluster(), tiny_fs(), w);
  check_same(unfolded, folded);
}

TEST_CASE("fold == unfolded: peak read with background traffic, for several fold sizes", "[unit]") {
  StorageWorkload w = fathom::test::peak_read(Bytes(10e9), {0, 0, false, true});
  w.peak_read.background_rx_per_client = BytesPerSecond(2e9);
  w.peak_read.background_tx_per_client = BytesPerSecond(1e9);
  const StorageSummary unfolded = run_workload(small_cluster(), tiny_fs(), w);
  for (auto [k, m] : {std::pair{1, 2}, std::pair{3, 4}, std::pair{6, 3}}) {
    w.fold = {k, m, true, false};
    check_same(unfolded, run_workload(small_cluster(), tiny_fs(), w));
  }
}

TEST_CASE("KV-cache reads: the serving API equals the flow simulation of the same demand", "[unit]") {
  const hw::StorageClusterSpec c = small_cluster();
  for (double demand : {1e9, 4e9}) {
    for (ClientIoPath path : {ClientIoPath::usrbio, ClientIoPath::fuse}) {
      FilesystemSpec fs = tiny_fs();
      fs.io_path = path;
      StorageWorkload w;
      w.kind = "kv_cache_read";
      w.kv_cache_read = {BytesPerSecond(demand), Bytes(4096), Seconds(1.0)};
      w.fold = {2, 2, true, false};
      const StorageSummary s = run_workload(c, fs, w);
      const KvReadResult kv = kv_read_throughput(c, fs, {c.clients, BytesPerSecond(demand), Bytes(4096)});
      CHECK(kv.per_client.value() * 6 == Approx(s.read_rate().value()).epsilon(kRel));
      // FUSE: 400K x 4 KiB = 1.64 GB/s per client; otherwise the 4:1.5 fabric allows 4 x 12.5 / 1.5 / 6 = 5.6.
      const double expect = std::min(demand, path == ClientIoPath::fuse ? 400000 * 4096.0 : 50e9 / 1.5 / 6);
      CHECK(kv.per_client.value() == Approx(expect).epsilon(kRel));
      CHECK(kv.demand_met == (expect == demand));
      CHECK(kv.block_latency.value() > 80e-6);
    }
  }
}
