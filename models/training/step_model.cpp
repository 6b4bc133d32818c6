#include "models/training/step_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "models/schedule/task_graph.h"
#include "sim/task_engine.h"

namespace fathom::models::training {
namespace {

using schedule::DependencyKind;
using schedule::PassKind;
using schedule::UnitKind;

std::string category_of(const schedule::Unit& u) {
  switch (u.kind) {
    case UnitKind::kForward:
      return "F";
    case UnitKind::kBackwardFull:
    case UnitKind::kBackwardInput:
      return "B";
    case UnitKind::kWeight:
      return "W";
    case UnitKind::kForwardBackward:
      return "F&B";
  }
  return "?";
}

bool finishes_weights(const schedule::Pass& p) {
  return p.kind == PassKind::kBackwardFull || p.kind == PassKind::kWeight;
}

ChunkParams params_of(const Stage& s) {
  ChunkParams p;
  for (const auto& b : s.blocks) {
    p.dense += b.dense_params;
    p.expert += b.expert_params;
  }
  return p;
}

// Per-rank bookkeeping of one replica's tasks.
struct RankTasks {
  std::vector<int> unit_task;            // per program position
  std::vector<int> unit_vertex;          // per program position: the task-graph vertex
  int compute = -1, dp_link = -1;        // engine resources
  std::map<int, int> last_weight_unit;   // stage -> program position of its last B/W
  std::vector<int> reduce_scatter_task;  // per held stage, in `stages` order
  int optimizer_task = -1, all_gather_task = -1;
};

}  // namespace

StepResult simulate_step(const StepInputs& in) {
  const schedule::Schedule& sch = in.schedule;
  const schedule::TaskGraph graph = schedule::build_task_graph(sch);
  const int P = sch.ranks;
  const int R = std::max(1, in.replicas);
  sim::TaskEngine engine;
  std::vector<std::vector<RankTasks>> tasks(R, std::vector<RankTasks>(P));
  std::vector<UnitCost> vertex_cost(boost::num_vertices(graph));
  for (auto v : boost::make_iterator_range(boost::vertices(graph)))
    vertex_cost[v] = unit_cost(graph[v].unit, in.stages, in.compute_slowdown);

  StepResult result;
  result.ranks.resize(P);
  for (int r = 0; r < P; ++r) {
    std::set<int> held;
    for (const auto& u : sch.per_rank[r]) {
      held.insert(u.first.stage);
      if (u.second) held.insert(u.second->stage);
    }
    result.ranks[r].stages.assign(held.begin(), held.end());
  }

  std::vector<std::pair<int, int>> pp_transfers;  // (task, rank) of replica 0
  for (int rep = 0; rep < R; ++rep) {
    std::vector<int> compute(P), pp_link(P), dp_link(P);
    for (int r = 0; r < P; ++r) {
      compute[r] = engine.add_resource(fmt::format("replica{}.rank{}.compute", rep, r));
      pp_link[r] = engine.add_resource(fmt::format("replica{}.rank{}.pp_link", rep, r));
      dp_link[r] = engine.add_resource(fmt::format("replica{}.rank{}.dp_link", rep, r));
    }
    std::vector<int> vertex_task(boost::num_vertices(graph));
    for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
      const auto& uv = graph[v];
      vertex_task[v] = engine.add_task(compute[uv.rank], vertex_cost[v].total_s());
      RankTasks& rt = tasks[rep][uv.rank];
      if (int(rt.unit_task.size()) <= uv.index) rt.unit_task.resize(uv.index + 1, -1);
      rt.unit_task[uv.index] = vertex_task[v];
      if (int(rt.unit_vertex.size()) <= uv.index) rt.unit_vertex.resize(uv.index + 1, -1);
      rt.unit_vertex[uv.index] = static_cast<int>(v);
      rt.compute = compute[uv.rank];
      rt.dp_link = dp_link[uv.rank];
      for (const auto* p : {&uv.unit.first, uv.unit.second ? &*uv.unit.second : nullptr}) {
        if (p && finishes_weights(*p))
          rt.last_weight_unit[p->stage] = std::max(rt.last_weight_unit[p->stage], uv.index);
      }
    }
    for (auto e : boost::make_iterator_range(boost::edges(graph))) {
      const auto s = boost::source(e, graph), t = boost::target(e, graph);
      const DependencyKind kind = graph[e].kind;
      const bool crosses =
          (kind == DependencyKind::kActivation || kind == DependencyKind::kGradient) && graph[s].rank != graph[t].rank;
      if (!crosses) {
        engine.add_dependency(vertex_task[s], vertex_task[t]);
        continue;
      }
      const int send = engine.add_task(pp_link[graph[s].rank], in.pp_transfer_s);
      engine.add_dependency(vertex_task[s], send);
      engine.add_dependency(send, vertex_task[t]);
      if (rep == 0) pp_transfers.emplace_back(send, graph[s].rank);
    }
  }
  // ZeRO-1 tail. A collective of chunk s waits for that chunk's last weight gradient on every replica.
  for (int rep = 0; rep < R; ++rep) {
    for (int r = 0; r < P; ++r) {
      ChunkParams all;
      RankTasks& rt = tasks[rep][r];
      for (int s : result.ranks[r].stages) {
        const ChunkParams p = params_of(in.stages.at(s));
        all.dense += p.dense;
        all.expert += p.expert;
        const int rs = engine.add_task(rt.dp_link, gradient_reduce_scatter_s(p, in.spec, in.layout, in.node));
        for (int other = 0; other < R; ++other) {
          const RankTasks& ot = tasks[other][r];
          engine.add_dependency(ot.unit_task.at(ot.last_weight_unit.at(s)), rs);
        }
        rt.reduce_scatter_task.push_back(rs);
      }
      rt.optimizer_task = engine.add_task(rt.compute, optimizer_step_s(all, in.spec, in.layout, in.cost_model));
      engine.add_dependency(rt.unit_task.back(), rt.optimizer_task);
      for (int rs : rt.reduce_scatter_task) engine.add_dependency(rs, rt.optimizer_task);
      rt.all_gather_task = engine.add_task(rt.dp_link, parameter_all_gather_s(all, in.spec, in.layout, in.node));
    }
  }
  for (int rep = 0; rep < R; ++rep) {
    for (int r = 0; r < P; ++r) {
      for (int other = 0; other < R; ++other)
        engine.add_dependency(tasks[other][r].optimizer_task, tasks[rep][r].all_gather_task);
    }
  }

  const sim::EngineTimeline tl = engine.run();
  result.tasks = engine.task_count();
  result.step_s = tl.makespan_s;
  double latest = -1;
  for (int r = 0; r < P; ++r) {
    const RankTasks& rt = tasks[0][r];
    RankBreakdown& b = result.ranks[r];
    double busy = 0;
    for (size_t i = 0; i < sch.per_rank[r].size(); ++i) {
      const UnitCost& c = vertex_cost[rt.unit_vertex[i]];
      b.forward_s += c.forward_s;
      b.backward_input_s += c.backward_input_s;
      b.backward_weight_s += c.backward_weight_s;
      b.exposed_ep_comm_s += c.exposed_comm_s;
      busy += c.total_s();
    }
    b.pipeline_end_s = tl.end_s[rt.unit_task.back()];
    result.pipeline_s = std::max(result.pipeline_s, b.pipeline_end_s);
    b.bubble_s = b.pipeline_end_s - busy;
    b.optimizer_s = engine.duration_of(rt.optimizer_task);
    b.exposed_dp_comm_s = result.step_s - b.pipeline_end_s - b.optimizer_s;
    const double end = tl.end_s[rt.all_gather_task];
    if (end > latest) {
      latest = end;
      result.critical_rank = r;
    }
  }
  // Slices of replica 0.
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    const auto& uv = graph[v];
    const int t = tasks[0][uv.rank].unit_task[uv.index];
    result.slices.push_back({uv.rank, false, schedule::to_string(uv.unit), category_of(uv.unit), tl.start_s[t],
                             tl.end_s[t] - tl.start_s[t]});
  }
  for (const auto& [t, r] : pp_transfers)
    result.slices.push_back({r, true, "pp send", "pp_send", tl.start_s[t], tl.end_s[t] - tl.start_s[t]});
  for (int r = 0; r < P; ++r) {
    const RankTasks& rt = tasks[0][r];
    for (size_t i = 0; i < rt.reduce_scatter_task.size(); ++i) {
      const int t = rt.reduce_scatter_task[i];
      result.slices.push_back({r, true, fmt::format("reduce-scatter chunk {}", result.ranks[r].stages[i]),
                               "reduce_scatter", tl.start_s[t], tl.end_s[t] - tl.start_s[t]});
    }
    result.slices.push_back(
        {r, false, "optimizer", "optimizer", tl.start_s[rt.optimizer_task], engine.duration_of(rt.optimizer_task)});
    result.slices.push_back(
        {r, true, "all-gather", "all_gather", tl.start_s[rt.all_gather_task], engine.duration_of(rt.all_gather_task)});
  }
  return result;
}

}  // namespace fathom::models::training
