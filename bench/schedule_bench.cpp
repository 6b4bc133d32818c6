// Speed of the schedule task graph: build DualPipe for P=16, C=60 and evaluate it (issue #5).
// Plain main with std::chrono; no assertions.

#include <chrono>
#include <cstdio>

#include "models/schedule/evaluator.h"
#include "models/schedule/schedule.h"
#include "models/schedule/task_graph.h"

using namespace fathom::models::schedule;

int main() {
  using Clock = std::chrono::steady_clock;
  const int repeats = 20;
  double generate_ms = 0, build_ms = 0, evaluate_ms = 0, makespan = 0;
  std::size_t vertices = 0, edges = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    const Schedule s = make_dualpipe({16, 60});
    const auto t1 = Clock::now();
    const TaskGraph g = build_task_graph(s);
    const auto t2 = Clock::now();
    const Evaluation e = evaluate(g, UnitDurations{1.0, 2.0, 1.0, 2.5});
    const auto t3 = Clock::now();
    generate_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
    build_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
    evaluate_ms += std::chrono::duration<double, std::milli>(t3 - t2).count();
    makespan = e.makespan_s;
    vertices = boost::num_vertices(g);
    edges = boost::num_edges(g);
  }
  std::printf("dualpipe P=16 C=60: %zu units, %zu edges, makespan %.2f (F=1 B=2 W=1 F&B=2.5)\n", vertices, edges,
              makespan);
  std::printf("mean over %d runs: generate %.3f ms, build graph %.3f ms, evaluate %.3f ms\n", repeats,
              generate_ms / repeats, build_ms / repeats, evaluate_ms / repeats);
  return 0;
}
