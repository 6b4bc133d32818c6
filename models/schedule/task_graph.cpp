#include "models/schedule/task_graph.h"

#include <boost/graph/topological_sort.hpp>

#include <iterator>
#include <stdexcept>
#include <vector>

namespace fathom::models::schedule {

void fill_task_list(const Schedule& schedule, TaskList& t) {
  const int ranks = static_cast<int>(schedule.per_rank.size());
  t.rank_first.clear();
  int n = 0;
  for (const auto& units : schedule.per_rank) {
    t.rank_first.push_back(n);
    n += static_cast<int>(units.size());
  }
  t.rank_first.push_back(n);
  const size_t per_family = size_t(schedule.micro_batches) * size_t(schedule.stages);
  const auto slot = [&](PassKind kind, int micro_batch, int stage) -> int& {
    const size_t family = kind == PassKind::kForward ? 0 : kind == PassKind::kWeight ? 2 : 1;
    return t.pass_vertex[family * per_family + size_t(micro_batch) * size_t(schedule.stages) + size_t(stage)];
  };
  t.pass_vertex.assign(3 * per_family, -1);
  for (int r = 0; r < ranks; ++r) {
    for (int i = 0; i < static_cast<int>(schedule.per_rank[size_t(r)].size()); ++i) {
      const Unit& u = schedule.per_rank[size_t(r)][size_t(i)];
      for (const Pass* p : {&u.first, u.second ? &*u.second : nullptr}) {
        if (!p) continue;
        int& s = slot(p->kind, p->micro_batch, p->stage);
        if (s != -1) throw std::logic_error("task graph: a pass appears twice in the schedule");
        s = t.rank_first[size_t(r)] + i;
      }
    }
  }
  t.first_input.clear();
  t.input_source.clear();
  t.input_kind.clear();
  const int last_stage = schedule.stages - 1;
  for (int r = 0; r < ranks; ++r) {
    for (int i = 0; i < static_cast<int>(schedule.per_rank[size_t(r)].size()); ++i) {
      const int v = t.rank_first[size_t(r)] + i;
      t.first_input.push_back(static_cast<int>(t.input_source.size()));
      const auto add = [&](int from, DependencyKind kind) {
        if (from < 0) throw std::logic_error("task graph: a dependency names a pass missing from the schedule");
        if (from == v) return;
        t.input_source.push_back(from);
        t.input_kind.push_back(kind);
      };
      if (i > 0) add(v - 1, DependencyKind::kProgramOrder);
      const auto link = [&](const Pass& p) {
        switch (p.kind) {
          case PassKind::kForward:
            if (p.stage > 0) add(slot(PassKind::kForward, p.micro_batch, p.stage - 1), DependencyKind::kActivation);
            break;
          case PassKind::kBackwardFull:
          case PassKind::kBackwardInput:
            add(slot(PassKind::kForward, p.micro_batch, p.stage), DependencyKind::kLocal);
            if (p.stage < last_stage) add(slot(p.kind, p.micro_batch, p.stage + 1), DependencyKind::kGradient);
            break;
          case PassKind::kWeight:
            add(slot(PassKind::kBackwardInput, p.micro_batch, p.stage), DependencyKind::kLocal);
            break;
        }
      };
      const Unit& u = schedule.per_rank[size_t(r)][size_t(i)];
      link(u.first);
      if (u.second) link(*u.second);
    }
  }
  t.first_input.push_back(static_cast<int>(t.input_source.size()));
}

TaskGraph build_task_graph(const Schedule& schedule) {
  TaskList t;
  fill_task_list(schedule, t);
  TaskGraph g;
  for (int r = 0; r < static_cast<int>(schedule.per_rank.size()); ++r) {
    for (int i = 0; i < static_cast<int>(schedule.per_rank[size_t(r)].size()); ++i) {
      boost::add_vertex(UnitVertex{r, i, schedule.per_rank[size_t(r)][size_t(i)]}, g);
    }
  }
  // Program order first, then the data dependencies vertex by vertex: the in- and out-edge orders compile_program
  // (program_timing.h) reproduces.
  for (const bool program_order : {true, false}) {
    for (int v = 0; v + 1 < static_cast<int>(t.first_input.size()); ++v) {
      for (int e = t.first_input[size_t(v)]; e < t.first_input[size_t(v) + 1]; ++e) {
        const DependencyKind kind = t.input_kind[size_t(e)];
        if ((kind == DependencyKind::kProgramOrder) != program_order) continue;
        boost::add_edge(TaskVertex(t.input_source[size_t(e)]), TaskVertex(v), DependencyEdge{kind}, g);
      }
    }
  }
  return g;
}

bool is_acyclic(const TaskGraph& graph) {
  std::vector<TaskVertex> order;
  try {
    boost::topological_sort(graph, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    return false;
  }
  return true;
}

}  // namespace fathom::models::schedule
