#include "models/schedule/task_graph.h"

#include <boost/graph/topological_sort.hpp>

#include <iterator>
#include <stdexcept>
#include <vector>

namespace fathom::models::schedule {

namespace {

// (micro-batch, stage) -> vertex, one table per pass family (F, B of either kind, W).
class PassIndex {
 public:
  PassIndex(int micro_batches, int stages) : stages_(stages), table_(3, std::vector<int>(micro_batches * stages, -1)) {}

  void put(const Pass& p, TaskVertex v) {
    int& slot = table_[family(p.kind)][p.micro_batch * stages_ + p.stage];
    if (slot != -1) throw std::logic_error("task graph: a pass appears twice in the schedule");
    slot = static_cast<int>(v);
  }
  int find(PassKind kind, int micro_batch, int stage) const {
    return table_[family(kind)][micro_batch * stages_ + stage];
  }

 private:
  static int family(PassKind k) {
    if (k == PassKind::kForward) return 0;
    if (k == PassKind::kWeight) return 2;
    return 1;
  }
  int stages_;
  std::vector<std::vector<int>> table_;
};

void add_dependency(TaskGraph& g, int from, TaskVertex to, DependencyKind kind) {
  if (from < 0) throw std::logic_error("task graph: a dependency names a pass missing from the schedule");
  if (static_cast<TaskVertex>(from) == to) return;
  boost::add_edge(static_cast<TaskVertex>(from), to, DependencyEdge{kind}, g);
}

}  // namespace

TaskGraph build_task_graph(const Schedule& schedule) {
  TaskGraph g;
  PassIndex index(schedule.micro_batches, schedule.stages);
  for (int r = 0; r < static_cast<int>(schedule.per_rank.size()); ++r) {
    const auto& units = schedule.per_rank[r];
    for (int i = 0; i < static_cast<int>(units.size()); ++i) {
      TaskVertex v = boost::add_vertex(UnitVertex{r, i, units[i]}, g);
      index.put(units[i].first, v);
      if (units[i].second) index.put(*units[i].second, v);
      if (i > 0) boost::add_edge(v - 1, v, DependencyEdge{DependencyKind::kProgramOrder}, g);
    }
  }
  const int last_stage = schedule.stages - 1;
  for (TaskVertex v = 0; v < boost::num_vertices(g); ++v) {
    auto link = [&](const Pass& p) {
      switch (p.kind) {
        case PassKind::kForward:
          if (p.stage > 0) {
            add_dependency(g, index.find(PassKind::kForward, p.micro_batch, p.stage - 1), v,
                           DependencyKind::kActivation);
          }
          break;
        case PassKind::kBackwardFull:
        case PassKind::kBackwardInput:
          add_dependency(g, index.find(PassKind::kForward, p.micro_batch, p.stage), v, DependencyKind::kLocal);
          if (p.stage < last_stage) {
            add_dependency(g, index.find(p.kind, p.micro_batch, p.stage + 1), v, DependencyKind::kGradient);
          }
          break;
        case PassKind::kWeight:
          add_dependency(g, index.find(PassKind::kBackwardInput, p.micro_batch, p.stage), v, DependencyKind::kLocal);
          break;
      }
    };
    const Unit unit = g[v].unit;
    link(unit.first);
    if (unit.second) link(*unit.second);
  }
  return g;
}

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
