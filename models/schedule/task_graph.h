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
#include <vector>

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

// The same graph as flat arrays, without Boost (compile_program, program_timing.h, builds one per compiled
// program): the vertices numbered as build_task_graph numbers them and, per vertex, its input edges in the order of
// its in-edges there (program order first, then the first pass's dependencies, then the second's).
struct TaskList {
  std::vector<int> rank_first;    // per rank, and one past the last rank: the rank's first vertex
  std::vector<int> first_input;   // per vertex, and one past the last: its inputs [first_input[v], first_input[v+1])
  std::vector<int> input_source;  // per input edge: the source vertex
  std::vector<DependencyKind> input_kind;  // per input edge: why
  std::vector<int> pass_vertex;  // per (F / B of either kind / W, micro-batch, stage): the vertex of that pass or -1
};

// Fills `list`, reusing its buffers (a caller that builds many keeps one list). Throws as build_task_graph does.
void fill_task_list(const Schedule& schedule, TaskList& list);

// True when the graph has no cycle (a deadlock-free schedule).
bool is_acyclic(const TaskGraph& graph);

}  // namespace fathom::models::schedule
