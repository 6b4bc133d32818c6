#pragma once
// A Schedule as a task graph (Boost.Graph, plain data): one vertex per unit, edges for same-rank program
// order and for cross-pass data dependencies. Timing lives in evaluator.h.
//
// Contract: edges, for every pass of every unit (u -> v means v may start only after u ends):
//   - program order: unit i-1 -> unit i on the same rank;
//   - activation: F(mb, s-1) -> F(mb, s);
//   - gradient: B(mb, s+1) -> B(mb, s), where B is the full or input-only backward;
//   - local: F(mb, s) -> B(mb, s) and B(mb, s) -> W(mb, s).
// Stages are positions along a micro-batch's path, so DualPipe's reverse direction and DualPipeV's V
// (rank P-1 holds stages P-1 and P) need no special case. Communication is not modelled: a pass's
// output is available to its consumers when its unit ends.

#include <boost/graph/adjacency_list.hpp>

#include "models/schedule/schedule.h"

namespace fathom::models::schedule {

// A vertex: one unit of one rank's program.
struct UnitVertex {
  int rank = 0;
  int index = 0;  // position in the rank's program
  Unit unit;
};

enum class DependencyKind { kProgramOrder, kActivation, kGradient, kLocal };

// An edge: why the target waits for the source.
struct DependencyEdge {
  DependencyKind kind = DependencyKind::kProgramOrder;
};

using TaskGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, UnitVertex, DependencyEdge>;
using TaskVertex = boost::graph_traits<TaskGraph>::vertex_descriptor;

// Builds the graph; vertices are numbered rank by rank in program order. Throws std::logic_error if a
// dependency names a pass the schedule does not contain (a generator bug).
TaskGraph build_task_graph(const Schedule& schedule);

// True when the graph has no cycle (a deadlock-free schedule).
bool is_acyclic(const TaskGraph& graph);

}  // namespace fathom::models::schedule
