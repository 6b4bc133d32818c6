// The task engine with flow tasks (the `flow` level): flows share links max-min on SimGrid, timed tasks
// keep the list-scheduling rules, and a DAG without contention gives the event path's timeline.

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>

#include "sim/task_engine.h"

using fathom::BytesPerSecond;
using fathom::sim::EngineTimeline;
using fathom::sim::LinkSpec;
using fathom::sim::TaskEngine;

namespace {
constexpr double kRel = 1e-9;
}

TEST_CASE("a flow alone ends at ready + latency + bytes / bandwidth", "[unit]") {
  TaskEngine e;
  const int cpu = e.add_resource("cpu");
  const int link = e.add_link({"l", BytesPerSecond(100.0)});
  const int before = e.add_task(cpu, 1.0);
  const int f = e.add_flow({link}, 100.0, 0.5);
  const int after = e.add_task(cpu, 2.0);
  e.add_dependency(before, f);
  e.add_dependency(f, after);
  const EngineTimeline t = e.run();
  CHECK(t.start_s[f] == Approx(1.0).epsilon(kRel));
  CHECK(t.end_s[f] == Approx(2.5).epsilon(kRel));
  CHECK(t.start_s[after] == Approx(2.5).epsilon(kRel));
  CHECK(t.makespan_s == Approx(4.5).epsilon(kRel));
  CHECK(t.busy_s[cpu] == Approx(3.0).epsilon(kRel));
  CHECK(e.flow_count() == 1);
  CHECK(e.is_flow(f));
  CHECK_THROWS_AS(e.duration_of(f), std::logic_error);
}

TEST_CASE("flows on a shared link split it max-min, a zero-byte flow is a delay", "[unit]") {
  TaskEngine e;
  const int shared = e.add_link({"shared", BytesPerSecond(100.0)});
  const int wide = e.add_link({"wide", BytesPerSecond(1000.0)});
  const int a = e.add_flow({shared}, 100.0);
  const int b = e.add_flow({shared, wide}, 300.0);
  const int c = e.add_flow({wide}, 0.0, 0.25);
  const EngineTimeline t = e.run();
  // 50 B/s each until a ends at 2 s; b then has 200 B at 100 B/s.
  CHECK(t.end_s[a] == Approx(2.0).epsilon(kRel));
  CHECK(t.end_s[b] == Approx(4.0).epsilon(kRel));
  CHECK(t.end_s[c] == Approx(0.25).epsilon(kRel));
  CHECK(t.makespan_s == Approx(4.0).epsilon(kRel));
}

TEST_CASE("a flow that slows down delays the compute waiting for it", "[unit]") {
  // Two ranks send over one NIC; the second rank's compute starts when its flow ends.
  TaskEngine e;
  const int nic = e.add_link({"nic", BytesPerSecond(10.0)});
  const int r0 = e.add_resource("r0"), r1 = e.add_resource("r1");
  const int f0 = e.add_flow({nic}, 10.0), f1 = e.add_flow({nic}, 20.0);
  const int c0 = e.add_task(r0, 1.0), c1 = e.add_task(r1, 1.0);
  e.add_dependency(f0, c0);
  e.add_dependency(f1, c1);
  const EngineTimeline t = e.run();
  CHECK(t.start_s[c0] == Approx(2.0).epsilon(kRel));  // 5 B/s each: 10 B in 2 s
  CHECK(t.start_s[c1] == Approx(3.0).epsilon(kRel));  // then 10 B alone at 10 B/s
  CHECK(t.makespan_s == Approx(4.0).epsilon(kRel));
}

TEST_CASE("without contention on links, the flow path gives the event path's timeline", "[unit]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> dur(0.1, 2.0);
  for (int trial = 0; trial < 10; ++trial) {
    TaskEngine event, flow;
    const int shared_e = event.add_resource("one"), shared_f = flow.add_resource("one");
    const int n = 60;
    for (int i = 0; i < n; ++i) {
      const double d = dur(rng);
      const int kind = i % 3;  // 0: on the shared resource, 1: a delay, 2: a flow on a private link
      if (kind == 0) {
        event.add_task(shared_e, d);
        flow.add_task(shared_f, d);
      } else if (kind == 1) {
        event.add_task(TaskEngine::kNoResource, d);
        flow.add_task(TaskEngine::kNoResource, d);
      } else {
        event.add_task(TaskEngine::kNoResource, d);
        const int link = flow.add_link({fmt::format("l{}", i), BytesPerSecond(1e9)});
        flow.add_flow({link}, (d - 0.05) * 1e9, 0.05);
      }
      for (int j = 0; j < i; ++j) {
        if (rng() % 5 == 0) {
          event.add_dependency(j, i);
          flow.add_dependency(j, i);
        }
      }
    }
    const EngineTimeline a = event.run(), b = flow.run();
    REQUIRE(flow.flow_count() == n / 3);
    for (int i = 0; i < n; ++i) {
      CHECK(b.start_s[i] == Approx(a.start_s[i]).epsilon(kRel).margin(1e-9));
      CHECK(b.end_s[i] == Approx(a.end_s[i]).epsilon(kRel).margin(1e-9));
    }
    CHECK(b.makespan_s == Approx(a.makespan_s).epsilon(kRel));
    CHECK(b.busy_s[shared_f] == Approx(a.busy_s[shared_e]).epsilon(kRel));
  }
}

TEST_CASE("the flow path detects cycles and rejects bad flows", "[unit]") {
  TaskEngine e;
  const int l = e.add_link({"l", BytesPerSecond(1.0)});
  const int a = e.add_flow({l}, 1.0), b = e.add_task(TaskEngine::kNoResource, 1.0);
  e.add_dependency(a, b);
  e.add_dependency(b, a);
  CHECK_THROWS_AS(e.run(), std::logic_error);
  CHECK_THROWS_AS(e.add_flow({}, 1.0), std::logic_error);
  CHECK_THROWS_AS(e.add_flow({l, l}, 1.0), std::logic_error);
  CHECK_THROWS_AS(e.add_flow({l}, -1.0), std::logic_error);
  CHECK_THROWS_AS(e.add_link({"lat", BytesPerSecond(1.0), fathom::Seconds(1e-6)}), std::logic_error);
}
