// The per-request KV-cache read of serving (models/storage/kv_request_read.h, issue #17): hand-computed
// times, the client paths, the IO size and the queueing term.

#include <catch2/catch.hpp>

#include <stdexcept>

#include "models/storage/kv_request_read.h"
#include "storage_test_cluster.h"

using namespace fathom;
using namespace fathom::models::storage;
using fathom::test::tiny_cluster;
using fathom::test::tiny_fs;

namespace {

KvReadClient client(double io_bytes, double per_io_s, double latency_s) {
  return {.path = "usrbio",
          .io_size = Bytes(io_bytes),
          .per_io_cost = Seconds(per_io_s),
          .first_byte_latency = Seconds(latency_s)};
}

}  // namespace

TEST_CASE("one request's KV read time is latency + IOs x per-IO cost + transfer + M/D/1 wait", "[storage]") {
  // 1 MB in 64 KiB operations: ceil(1e6 / 65536) = 16 IOs of 1 us; 1e6 B at 10 GB/s = 100 us; at
  // utilisation 0.5 the M/D/1 wait is 100 us x 0.5 / (2 x 0.5) = 50 us; latency 100 us.
  const KvRequestReadTime t =
      kv_request_read_time(client(65536, 1e-6, 100e-6), {Bytes(1e6), BytesPerSecond(10e9), 0.5});
  CHECK(t.ios == 16);
  CHECK(t.latency.value() == Approx(100e-6).epsilon(1e-12));
  CHECK(t.software.value() == Approx(16e-6).epsilon(1e-12));
  CHECK(t.transfer.value() == Approx(100e-6).epsilon(1e-12));
  CHECK(t.queueing.value() == Approx(50e-6).epsilon(1e-12));
  CHECK(t.total.value() == Approx(266e-6).epsilon(1e-12));
  // Idle node: no wait.
  CHECK(kv_request_read_time(client(65536, 1e-6, 100e-6), {Bytes(1e6), BytesPerSecond(10e9), 0.0}).total.value() ==
        Approx(216e-6).epsilon(1e-12));
}

TEST_CASE("a request with no cached prefix reads nothing and waits for nothing", "[storage]") {
  const KvRequestReadTime t = kv_request_read_time(client(65536, 1e-6, 100e-6), {Bytes(0), BytesPerSecond(1e9), 0.9});
  CHECK(t.ios == 0);
  CHECK(t.total.value() == 0.0);
}

TEST_CASE("the client path sets the per-IO cost: FUSE reads slower than USRBIO", "[storage]") {
  hw::StorageClusterSpec c = tiny_cluster();
  c.client_node.nic.latency = Seconds(5e-6);
  c.storage_node.nic.latency = Seconds(3e-6);
  FilesystemSpec fs = tiny_fs();  // FUSE 400K ops/s (ST05), USRBIO 1e9 ops/s
  fs.io_path = ClientIoPath::fuse;
  const KvReadClient fuse = kv_read_client(c, fs, Bytes(72 * 1024));
  fs.io_path = ClientIoPath::usrbio;
  const KvReadClient usrbio = kv_read_client(c, fs, Bytes(72 * 1024));
  CHECK(fuse.path == "fuse");
  CHECK(usrbio.path == "usrbio");
  CHECK(fuse.per_io_cost.value() == Approx(2.5e-6).epsilon(1e-12));
  CHECK(usrbio.per_io_cost.value() == Approx(1e-9).epsilon(1e-12));
  // 5 us + 3 us of NIC latency and the SSD's 80 us read latency, once per request.
  CHECK(fuse.first_byte_latency.value() == Approx(88e-6).epsilon(1e-12));
  const KvRequestRead read{Bytes(100e6), BytesPerSecond(40e9), 0.2};
  const KvRequestReadTime f = kv_request_read_time(fuse, read), u = kv_request_read_time(usrbio, read);
  CHECK(f.ios == u.ios);
  CHECK(f.ios == 1357);  // ceil(100e6 / 73728)
  CHECK(f.total.value() > u.total.value());
  CHECK(f.total.value() - u.total.value() == Approx(1357 * (2.5e-6 - 1e-9)).epsilon(1e-9));
}

TEST_CASE("a larger IO size means fewer per-IO costs for the same bytes", "[storage]") {
  const KvRequestRead read{Bytes(64.0 * 1024 * 1024), BytesPerSecond(40e9), 0.3};
  const KvRequestReadTime small = kv_request_read_time(client(64 * 1024, 2.5e-6, 0), read);
  const KvRequestReadTime large = kv_request_read_time(client(1024 * 1024, 2.5e-6, 0), read);
  CHECK(small.ios == 1024);
  CHECK(large.ios == 64);
  CHECK(small.software.value() == Approx(1024 * 2.5e-6).epsilon(1e-12));
  CHECK(large.software.value() == Approx(64 * 2.5e-6).epsilon(1e-12));
  CHECK(small.transfer.value() == large.transfer.value());
  CHECK(large.total.value() < small.total.value());
}

TEST_CASE("queueing grows with the node's utilisation and is capped below saturation", "[storage]") {
  const KvReadClient c = client(65536, 0, 0);
  double previous = -1;
  for (const double rho : {0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
    const KvRequestReadTime t = kv_request_read_time(c, {Bytes(1e6), BytesPerSecond(1e9), rho});
    CHECK(t.queueing.value() == Approx(1e-3 * rho / (2 * (1 - rho))).margin(1e-15));
    CHECK(t.queueing.value() > previous);
    previous = t.queueing.value();
  }
  // Saturated: the estimate holds at the cap (0.99), a finite 49.5 x the service time.
  const KvRequestReadTime full = kv_request_read_time(c, {Bytes(1e6), BytesPerSecond(1e9), 1.0});
  CHECK(full.queueing.value() == Approx(1e-3 * 49.5).epsilon(1e-12));
}

TEST_CASE("bad KV read inputs are refused", "[storage]") {
  const KvReadClient c = client(65536, 1e-6, 0);
  CHECK_THROWS_AS(kv_request_read_time(c, {Bytes(-1), BytesPerSecond(1e9), 0}), std::invalid_argument);
  CHECK_THROWS_AS(kv_request_read_time(c, {Bytes(1), BytesPerSecond(0), 0}), std::invalid_argument);
  CHECK_THROWS_AS(kv_request_read_time(c, {Bytes(1), BytesPerSecond(1e9), 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(kv_request_read_time(client(0, 1e-6, 0), {Bytes(1), BytesPerSecond(1e9), 0}), std::invalid_argument);
  CHECK_THROWS_AS(kv_read_client(tiny_cluster(), tiny_fs(), Bytes(0)), std::invalid_argument);
}
