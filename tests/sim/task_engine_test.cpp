// The event-level task engine: dependencies, resource exclusivity, longest path, cycles.

#include <catch2/catch.hpp>

#include <random>

#include "sim/task_engine.h"

using fathom::sim::TaskEngine;

TEST_CASE("a task starts after every predecessor ends", "[unit]") {
  TaskEngine e;
  const int a = e.add_resource("a"), b = e.add_resource("b");
  const int t0 = e.add_task(a, 2.0), t1 = e.add_task(b, 5.0), t2 = e.add_task(a, 1.0);
  e.add_dependency(t0, t2);
  e.add_dependency(t1, t2);
  const auto tl = e.run();
  CHECK(tl.start_s[t2] == Approx(5.0));
  CHECK(tl.makespan_s == Approx(6.0));
  CHECK(tl.busy_s[a] == Approx(3.0));
}

TEST_CASE("a resource runs one task at a time, in ready order", "[unit]") {
  TaskEngine e;
  const int link = e.add_resource("link");
  const int x = e.add_task(link, 3.0), y = e.add_task(link, 4.0);
  const int z = e.add_task(TaskEngine::kNoResource, 1.0);
  const auto tl = e.run();
  CHECK(tl.start_s[x] == Approx(0.0));
  CHECK(tl.start_s[y] == Approx(3.0));  // waits for the link although it was ready at 0
  CHECK(tl.start_s[z] == Approx(0.0));  // no resource: no waiting
  CHECK(tl.makespan_s == Approx(7.0));
}

TEST_CASE("uncontended makespan is the longest path, contention never shortens it", "[unit]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dur(0.1, 2.0);
  for (int trial = 0; trial < 20; ++trial) {
    TaskEngine free_engine, shared_engine;
    const int shared = shared_engine.add_resource("one");
    const int n = 40;
    std::vector<double> d(n);
    std::vector<std::vector<int>> preds(n);
    for (int i = 0; i < n; ++i) {
      d[i] = dur(rng);
      free_engine.add_task(free_engine.add_resource("r" + std::to_string(i)), d[i]);
      shared_engine.add_task(i % 3 == 0 ? shared : TaskEngine::kNoResource, d[i]);
      for (int j = 0; j < i; ++j) {
        if (rng() % 6 == 0) {
          preds[i].push_back(j);
          free_engine.add_dependency(j, i);
          shared_engine.add_dependency(j, i);
        }
      }
    }
    std::vector<double> finish(n);
    double longest = 0;
    for (int i = 0; i < n; ++i) {
      double s = 0;
      for (int j : preds[i]) s = std::max(s, finish[j]);
      finish[i] = s + d[i];
      longest = std::max(longest, finish[i]);
    }
    const auto a = free_engine.run();
    CHECK(a.makespan_s == Approx(longest));
    const auto b = shared_engine.run();
    CHECK(b.makespan_s >= a.makespan_s - 1e-12);
    // Exclusivity on the shared resource and every dependency respected.
    std::vector<std::pair<double, double>> spans;
    for (int i = 0; i < n; ++i) {
      for (int j : preds[i]) CHECK(b.start_s[i] >= b.end_s[j] - 1e-12);
      if (i % 3 == 0) spans.emplace_back(b.start_s[i], b.end_s[i]);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t k = 1; k < spans.size(); ++k) CHECK(spans[k].first >= spans[k - 1].second - 1e-12);
  }
}

TEST_CASE("a cycle is reported", "[unit]") {
  TaskEngine e;
  const int a = e.add_task(TaskEngine::kNoResource, 1), b = e.add_task(TaskEngine::kNoResource, 1);
  e.add_dependency(a, b);
  e.add_dependency(b, a);
  CHECK_THROWS_AS(e.run(), std::logic_error);
}
