// The SimGrid flow network: max-min sharing on hand-computable cases, disks, latency, background flows,
// and several simulations back to back in one process.

#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/flow_network.h"

using fathom::Bytes;
using fathom::BytesPerSecond;
using fathom::Seconds;
using namespace fathom::sim;

namespace {

FlowSpec flow(std::vector<int> links, double bytes) {
  FlowSpec f;
  f.links = std::move(links);
  f.bytes = Bytes(bytes);
  return f;
}

constexpr double kRel = 1e-9;

}  // namespace

TEST_CASE("two flows on one link share it equally", "[unit]") {
  FlowNetwork net;
  const int l = net.add_link({"l", BytesPerSecond(100.0)});
  net.add_flow(flow({l}, 100.0));
  net.add_flow(flow({l}, 300.0));
  const FlowResults r = simulate_flows(net);
  // Both at 50 B/s until the first ends at 100/50 = 2 s; the second then has 200 B left at 100 B/s: 4 s.
  CHECK(r.finish[0].value() == Approx(2.0).epsilon(kRel));
  CHECK(r.finish[1].value() == Approx(4.0).epsilon(kRel));
  CHECK(r.makespan.value() == Approx(4.0).epsilon(kRel));
  CHECK(r.link_bytes[l].value() == Approx(400.0).epsilon(kRel));
}

TEST_CASE("a flow limited elsewhere leaves the rest of a shared link to the other", "[unit]") {
  FlowNetwork net;
  const int a = net.add_link({"a", BytesPerSecond(100.0)});
  const int b = net.add_link({"b", BytesPerSecond(20.0)});
  net.add_flow(flow({a}, 400.0));     // gets 100 - 20 = 80 B/s: 400/80 = 5 s
  net.add_flow(flow({a, b}, 200.0));  // limited to 20 B/s by b: 200/20 = 10 s
  const FlowResults r = simulate_flows(net);
  CHECK(r.finish[0].value() == Approx(5.0).epsilon(kRel));
  CHECK(r.finish[1].value() == Approx(10.0).epsilon(kRel));
}

TEST_CASE("latency adds once per path, a fatpipe does not divide", "[unit]") {
  FlowNetwork net;
  const int l = net.add_link({"l", BytesPerSecond(100.0), Seconds(0.25)});
  const int m = net.add_link({"m", BytesPerSecond(1000.0), Seconds(0.25)});
  const int fat = net.add_link({"fat", BytesPerSecond(100.0), Seconds(0.0), false});
  net.add_flow(flow({l, m}, 1000.0));  // 0.5 s latency + 1000/100
  net.add_flow(flow({fat}, 100.0));    // each flow on the fatpipe gets 100 B/s: 1 s
  net.add_flow(flow({fat}, 100.0));
  const FlowResults r = simulate_flows(net);
  CHECK(r.finish[0].value() == Approx(10.5).epsilon(kRel));
  CHECK(r.finish[1].value() == Approx(1.0).epsilon(kRel));
  CHECK(r.finish[2].value() == Approx(1.0).epsilon(kRel));
}

TEST_CASE("disks: reads share the read bandwidth, writes the write bandwidth, independently", "[unit]") {
  FlowNetwork net;
  const int d = net.add_disk({"ssd", BytesPerSecond(50.0), BytesPerSecond(10.0)});
  const int n1 = net.add_link({"n1", BytesPerSecond(100.0)});
  const int n2 = net.add_link({"n2", BytesPerSecond(100.0)});
  FlowSpec r1 = flow({n1}, 100.0), r2 = flow({n2}, 100.0), w = flow({n1}, 20.0);
  r1.disks = {{d, DiskOp::read}};
  r2.disks = {{d, DiskOp::read}};
  w.disks = {{d, DiskOp::write}};
  net.add_flow(r1);
  net.add_flow(r2);
  net.add_flow(w);
  const FlowResults r = simulate_flows(net);
  // Reads: 25 B/s each (disk read 50 shared by two): 4 s. Write: 10 B/s (disk write), n1 has room: 2 s.
  CHECK(r.finish[0].value() == Approx(4.0).epsilon(kRel));
  CHECK(r.finish[1].value() == Approx(4.0).epsilon(kRel));
  CHECK(r.finish[2].value() == Approx(2.0).epsilon(kRel));
  CHECK(r.disk_read_bytes[d].value() == Approx(200.0).epsilon(kRel));
  CHECK(r.disk_write_bytes[d].value() == Approx(20.0).epsilon(kRel));
}

TEST_CASE("start times and rate caps, a background flow is cut off at the end", "[unit]") {
  FlowNetwork net;
  const int l = net.add_link({"l", BytesPerSecond(100.0)});
  FlowSpec late = flow({l}, 100.0);
  late.start = Seconds(1.0);
  FlowSpec bg = flow({l}, 1e6);
  bg.rate_cap = BytesPerSecond(50.0);
  bg.background = true;
  net.add_flow(late);  // starts at 1 s, gets 100 - 50 = 50 B/s: ends at 1 + 2 = 3 s
  net.add_flow(bg);
  const FlowResults r = simulate_flows(net);
  CHECK(r.finish[0].value() == Approx(3.0).epsilon(kRel));
  CHECK(r.makespan.value() == Approx(3.0).epsilon(kRel));
  CHECK(r.moved[1].value() == Approx(150.0).epsilon(1e-6));  // 50 B/s for 3 s
  CHECK(r.link_bytes[l].value() == Approx(250.0).epsilon(1e-6));
}

TEST_CASE("several simulations run back to back in one process, independently", "[unit]") {
  auto one = [] {
    FlowNetwork net;
    const int l = net.add_link({"l", BytesPerSecond(10.0)});
    net.add_flow(flow({l}, 30.0));
    return simulate_flows(net);
  };
  auto two = [] {
    FlowNetwork net;
    // Same name as in `one`: no clash. A latency on a second simulation once crashed SimGrid's lazy update.
    const int l = net.add_link({"l", BytesPerSecond(1000.0), Seconds(0.5)});
    net.add_flow(flow({l}, 1000.0));
    net.add_flow(flow({l}, 1000.0));
    net.add_flow(flow({l}, 2000.0));
    return simulate_flows(net);
  };
  const FlowResults a = one();
  const FlowResults b = two();
  const FlowResults c = one();
  CHECK(a.finish[0].value() == Approx(3.0).epsilon(kRel));
  CHECK(c.finish[0].value() == Approx(3.0).epsilon(kRel));
  // After 0.5 s latency, 3 flows at 333.3 B/s: the first two end at 3.5 s; the third has 1000 B left at
  // 1000 B/s: 4.5 s.
  CHECK(b.finish[1].value() == Approx(3.5).epsilon(kRel));
  CHECK(b.finish[2].value() == Approx(4.5).epsilon(kRel));
  CHECK(simulate_flows(FlowNetwork{}).makespan.value() == 0.0);
}

TEST_CASE("bad flows are rejected with the flow named", "[unit]") {
  FlowNetwork net;
  const int l = net.add_link({"l", BytesPerSecond(10.0)});
  CHECK_THROWS_AS(net.add_flow(flow({l, l}, 1.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.add_flow(flow({7}, 1.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.add_flow(flow({l}, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(net.add_link({"x", BytesPerSecond(0.0)}), std::invalid_argument);
}
