#include "models/schedule/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/topological_sort.hpp>
#include <iterator>
#include <stdexcept>

#include "sim/error.h"

namespace fathom::models::schedule {

namespace {

void check(const UnitDurations& d) {
  if (d.forward_s < 0 || d.backward_s < 0 || d.weight_s < 0 || d.forward_backward_s < 0) {
    throw InputError("schedule evaluator: unit durations must be >= 0");
  }
  if (d.weight_s > d.backward_s) {
    throw InputError(
        fmt::format("schedule evaluator: W ({}) must not exceed the full backward B ({})", d.weight_s, d.backward_s));
  }
}

}  // namespace

double unit_duration(UnitKind kind, const UnitDurations& d) {
  check(d);
  switch (kind) {
    case UnitKind::kForward:
      return d.forward_s;
    case UnitKind::kBackwardFull:
      return d.backward_s;
    case UnitKind::kBackwardInput:
      return d.backward_s - d.weight_s;
    case UnitKind::kWeight:
      return d.weight_s;
    case UnitKind::kForwardBackward:
      return d.forward_backward_s;
  }
  return 0;
}

Evaluation evaluate(const TaskGraph& graph, const UnitDurations& durations) {
  check(durations);
  const auto n = boost::num_vertices(graph);
  std::vector<TaskVertex> order;
  order.reserve(n);
  try {
    boost::topological_sort(graph, std::back_inserter(order));  // reverse topological order
  } catch (const boost::not_a_dag&) {
    throw std::logic_error("schedule evaluator: the task graph has a cycle (the schedule deadlocks)");
  }
  Evaluation e;
  e.start_s.assign(n, 0.0);
  e.end_s.assign(n, 0.0);
  int ranks = 0;
  for (TaskVertex v = 0; v < n; ++v) ranks = std::max(ranks, graph[v].rank + 1);
  e.busy_s.assign(ranks, 0.0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const TaskVertex v = *it;
    double start = 0;
    for (auto [ei, ee] = boost::in_edges(v, graph); ei != ee; ++ei)
      start = std::max(start, e.end_s[boost::source(*ei, graph)]);
    const double d = unit_duration(graph[v].unit.kind, durations);
    e.start_s[v] = start;
    e.end_s[v] = start + d;
    e.busy_s[graph[v].rank] += d;
    e.makespan_s = std::max(e.makespan_s, e.end_s[v]);
  }
  e.bubble_s.resize(ranks);
  for (int r = 0; r < ranks; ++r) {
    e.bubble_s[r] = e.makespan_s - e.busy_s[r];
    if (r == 0 || e.bubble_s[r] > e.max_bubble_s) {
      e.max_bubble_s = e.bubble_s[r];
      e.max_bubble_rank = r;
    }
  }
  return e;
}

Evaluation evaluate(const Schedule& schedule, const UnitDurations& durations) {
  return evaluate(build_task_graph(schedule), durations);
}

}  // namespace fathom::models::schedule
