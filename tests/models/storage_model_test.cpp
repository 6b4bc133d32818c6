// The storage model on a tiny cluster whose throughput is computable by hand: NIC-, SSD-, network- and
// client-bound reads, exact replication accounting for CRAQ writes, and the closed form == the flow
// simulation.

#include <catch2/catch.hpp>

#include "models/storage/checkpoint.h"
#include "models/storage/symmetric_rates.h"
#include "storage_test_cluster.h"

using namespace fathom;
using namespace fathom::models::storage;
using fathom::test::peak_read;
using fathom::test::run_workload;
using fathom::test::tiny_cluster;
using fathom::test::tiny_fs;

namespace {
constexpr double kRel = 1e-6;
}

TEST_CASE("reads on the tiny cluster are storage-NIC-bound as computed by hand", "[unit]") {
  // Per client: SSDs 2 nodes x 2 x 8 / 4 clients = 8 GB/s; storage NICs 2 x 10 / 4 = 5 GB/s; client NIC 6.
  // So 5 GB/s per client, 20 GB/s in all; 10 GB per client take 2 s.
  const StorageSummary s = run_workload(tiny_cluster(), tiny_fs(), peak_read(Bytes(10e9)));
  CHECK(s.read_rate().value() == Approx(20e9).epsilon(kRel));
  CHECK(s.job_time.value() == Approx(2.0).epsilon(kRel));
  CHECK(s.bottleneck == ResourceClass::storage_nic);
  CHECK(s.utilisation.at(ResourceClass::storage_nic) == Approx(1.0).epsilon(kRel));
  CHECK(s.utilisation.at(ResourceClass::client_nic) == Approx(5.0 / 6.0).epsilon(kRel));
  CHECK(s.utilisation.at(ResourceClass::ssd) == Approx(5.0 / 8.0).epsilon(kRel));
}

TEST_CASE("reads become SSD-bound, client-NIC-bound and network-bound as computed by hand", "[unit]") {
  SECTION("SSD: 2 GB/s SSDs give 2 x 2 x 2 / 4 = 2 GB/s per client, 8 GB/s in all") {
    hw::StorageClusterSpec c = tiny_cluster();
    c.storage_node.ssd.read_bandwidth = BytesPerSecond(2e9);
    const StorageSummary s = run_workload(c, tiny_fs(), peak_read(Bytes(10e9)));
    CHECK(s.read_rate().value() == Approx(8e9).epsilon(kRel));
    CHECK(s.bottleneck == ResourceClass::ssd);
  }
  SECTION("client NIC: 20 GB/s storage NICs leave the 6 GB/s client NIC as the limit: 24 GB/s in all") {
    hw::StorageClusterSpec c = tiny_cluster();
    c.storage_node.nic.achievable_bandwidth = BytesPerSecond(20e9);
    c.storage_node.nic.bandwidth = BytesPerSecond(25e9);
    const StorageSummary s = run_workload(c, tiny_fs(), peak_read(Bytes(10e9)));
    CHECK(s.read_rate().value() == Approx(24e9).epsilon(kRel));
    CHECK(s.bottleneck == ResourceClass::client_nic);
  }
  SECTION("network: 4:1 oversubscribed leaves carry 2 x 12.5 / 4 = 6.25 GB/s out of the storage side") {
    hw::StorageClusterSpec c = tiny_cluster();
    c.network.kind = hw::StorageFabricKind::two_layer;
    c.network.oversubscription = 4.0;  // client side: 4 x 7.5 / 4 = 7.5 GB/s, not binding
    const StorageSummary s = run_workload(c, tiny_fs(), peak_read(Bytes(10e9)));
    CHECK(s.read_rate().value() == Approx(6.25e9).epsilon(kRel));
    CHECK(s.bottleneck == ResourceClass::network);
  }
  SECTION("FUSE: 400K operations/s of 4 KiB cap each client at 1.6384 GB/s") {
    FilesystemSpec fs = tiny_fs();
    fs.io_path = ClientIoPath::fuse;
    fs.io_size = Bytes(4096);
    const StorageSummary s = run_workload(tiny_cluster(), fs, peak_read(Bytes(1e9)));
    CHECK(s.read_rate().value() == Approx(4 * 400000 * 4096.0).epsilon(kRel));
    CHECK(s.bottleneck == ResourceClass::client_ops);
  }
}

TEST_CASE("CRAQ writes: R x bytes on SSDs, (R-1) x bytes forwarded, SSD-bound time by hand", "[unit]") {
  StorageWorkload w;
  w.kind = "checkpoint";
  w.checkpoint.state = Bytes(40e9);  // 10 GB per client
  const StorageSummary s = run_workload(tiny_cluster(), tiny_fs(), w);
  // Accounting with R = 2: clients write 40 GB; SSDs take 2 x 40; chain forwarding carries 1 x 40;
  // the client-to-head network carries 40.
  CHECK(s.totals.write.value() == Approx(40e9).epsilon(kRel));
  CHECK(s.totals.ssd_write.value() == Approx(80e9).epsilon(kRel));
  CHECK(s.totals.forward.value() == Approx(40e9).epsilon(kRel));
  CHECK(s.totals.client_network.value() == Approx(40e9).epsilon(kRel));
  // Per client: SSD writes 2 x 2 x 3 / (R=2 x 4) = 1.5 GB/s; storage rx 2 x 10 / (2 x 4) = 2.5;
  // storage tx 2 x 10 / (1 x 4) = 5; client NIC 6. SSD-bound: 10 GB / 1.5 GB/s = 6.667 s.
  CHECK(s.job_time.value() == Approx(10.0 / 1.5).epsilon(kRel));
  CHECK(s.bottleneck == ResourceClass::ssd);
  const CheckpointWrite closed = checkpoint_write(tiny_cluster(), tiny_fs(), Bytes(40e9), 4);
  CHECK(closed.time.value() == Approx(s.job_time.value()).epsilon(kRel));
  CHECK(closed.ssd_bytes.value() == Approx(80e9).epsilon(kRel));
}

TEST_CASE("the closed-form symmetric rate equals the flow simulation", "[unit]") {
  for (double ssd_read : {2e9, 8e9}) {
    for (double oversub : {1.0, 4.0}) {
      hw::StorageClusterSpec c = tiny_cluster();
      c.storage_node.ssd.read_bandwidth = BytesPerSecond(ssd_read);
      if (oversub > 1) {
        c.network.kind = hw::StorageFabricKind::two_layer;
        c.network.oversubscription = oversub;
      }
      const StorageSummary s = run_workload(c, tiny_fs(), peak_read(Bytes(10e9)));
      const SymmetricRate r = symmetric_read_rate(c, tiny_fs(), c.clients);
      CHECK(r.per_client.value() * 4 == Approx(s.read_rate().value()).epsilon(kRel));
      CHECK(r.bottleneck == s.bottleneck);
    }
  }
}
