#include "models/training/step_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "models/schedule/task_graph.h"
#include "models/training/step_network.h"
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

// The event level: closed-form durations on exclusive per-rank resources.
class EventStepNetwork final : public StepNetwork {
 public:
  EventStepNetwork(const StepInputs& in, sim::TaskEngine& e, int replicas) : in_(in), e_(e), plans_(in.stages) {
    for (int rep = 0; rep < replicas; ++rep) {
      for (int r = 0; r < in.schedule.ranks; ++r) {
        compute_.push_back(e.add_resource(fmt::format("replica{}.rank{}.compute", rep, r)));
        pp_link_.push_back(e.add_resource(fmt::format("replica{}.rank{}.pp_link", rep, r)));
        dp_link_.push_back(e.add_resource(fmt::format("replica{}.rank{}.dp_link", rep, r)));
      }
    }
  }
  int compute_stream(int rep, int rank) const override { return compute_[at(rep, rank)]; }
  TaskSpan add_unit(int rep, int rank, const schedule::Unit& unit) override {
    const GpuFactors* f = factors(rep, rank);
    const double time_s = f && (f->unit_compute != 1 || f->unit_comm != 1)
                              ? unit_timeline(plans_.plan(unit), f->unit_compute, f->unit_comm).end_s
                              : plans_.cost(unit).total_s();
    const int task = e_.add_task(compute_[at(rep, rank)], time_s);
    if (rep == 0 && in_.timeline) units_.push_back({rank, task, &unit});
    return one(task);
  }
  TaskSpan add_pp_send(int rep, int from, int to) override {
    // A send between stages of one NVLink domain (pipeline_sends.h) uses no NIC: the NIC factors leave it alone.
    if (in_.pp_sends && in_.pp_sends->nvlink(from, to)) {
      return one(e_.add_task(pp_link_[at(rep, from)], in_.pp_sends->nvlink_s));
    }
    const GpuFactors *a = factors(rep, from), *b = factors(rep, to);
    const double slow = std::max(a ? a->pp_send : 1.0, b ? b->pp_send : 1.0);  // the slower NIC of the two
    return one(e_.add_task(pp_link_[at(rep, from)], slow * (in_.pp_sends ? in_.pp_sends->nic_s : in_.pp_transfer_s)));
  }
  TaskSpan add_rings(int rep, int rank, const std::vector<RingTransfer>& rings) override {
    const GpuFactors* f = factors(rep, rank);
    return one(e_.add_task(dp_link_[at(rep, rank)], (f ? f->rings : 1.0) * rings_s(rings, in_.node)));
  }
  // Inside a unit the all-to-all phases sit where the unit's plan puts them (stage_plan.h).
  void add_alltoall_slices(const sim::EngineTimeline& tl, std::vector<StepSlice>& out) const override {
    for (const RecordedUnit& u : units_) {
      const double t = tl.start_s[u.task];
      const UnitPlan& plan = plans_.plan(*u.unit);
      const UnitTimeline times = unit_timeline(plan);
      for (size_t j = 0; j < plan.comm.size(); ++j) {
        const CommSpan& c = plan.comm[j];
        if (c.time_s() <= 0) continue;
        out.push_back({u.rank, SliceTrack::all_to_all, alltoall_slice_name(*c.block, c.phase),
                       is_forward(c.phase) ? "a2a_F" : "a2a_B", t + times.comm_start_s[j], c.time_s()});
      }
    }
  }

 private:
  struct RecordedUnit {
    int rank, task;
    const schedule::Unit* unit;  // the task graph's, alive while the step is simulated
  };
  static TaskSpan one(int task) { return {task, task}; }
  const GpuFactors* factors(int rep, int rank) const {
    return in_.gpu_factors ? &in_.gpu_factors->at(at(rep, rank)) : nullptr;
  }
  size_t at(int rep, int rank) const { return size_t(rep) * size_t(in_.schedule.ranks) + size_t(rank); }
  const StepInputs& in_;
  sim::TaskEngine& e_;
  std::vector<int> compute_, pp_link_, dp_link_;
  std::vector<RecordedUnit> units_;  // replica 0
  mutable UnitPlans plans_;
};

// Per-rank bookkeeping of one replica's tasks.
struct RankTasks {
  std::vector<TaskSpan> unit;            // per program position
  std::vector<int> unit_vertex;          // per program position: the task-graph vertex
  std::map<int, int> last_weight_unit;   // stage -> program position of its last B/W
  std::vector<TaskSpan> reduce_scatter;  // per held stage, in `stages` order
  int optimizer_task = -1;
  TaskSpan all_gather;
};

double span_s(const sim::EngineTimeline& tl, TaskSpan s) { return tl.end_s[s.last] - tl.start_s[s.first]; }

}  // namespace

std::string alltoall_slice_name(const BlockCost& block, AllToAllPhase phase) {
  return fmt::format("a2a {} {}", to_string(phase), block.label());
}

std::unique_ptr<StepNetwork> make_event_network(const StepInputs& in, sim::TaskEngine& engine, int replicas) {
  return std::make_unique<EventStepNetwork>(in, engine, replicas);
}

StepResult simulate_step(const StepInputs& in) {
  const schedule::Schedule& sch = in.schedule;
  const schedule::TaskGraph graph = schedule::build_task_graph(sch);
  const int P = sch.ranks;
  const int R = std::max(1, in.replicas);
  if (in.gpu_factors && in.gpu_factors->size() != size_t(R) * size_t(P)) {
    throw std::logic_error("simulate_step: gpu_factors needs one entry per replica and rank");
  }
  if (in.gpu_factors && in.flow) throw std::logic_error("simulate_step: perturbed GPUs at the flow level");
  sim::TaskEngine engine;
  const std::unique_ptr<StepNetwork> net =
      in.flow ? make_flow_network(in, engine, R) : make_event_network(in, engine, R);
  std::vector<std::vector<RankTasks>> tasks(R, std::vector<RankTasks>(P));
  std::vector<UnitCost> vertex_cost(boost::num_vertices(graph));
  UnitPlans plans(in.stages);
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) vertex_cost[v] = plans.cost(graph[v].unit);

  StepResult result;
  result.ranks.resize(P);
  std::vector<std::vector<int>> held = schedule::held_stages(sch);
  for (int r = 0; r < P; ++r) result.ranks[r].stages = std::move(held[size_t(r)]);

  struct Send {
    TaskSpan tasks;
    int from, to;
  };
  std::vector<Send> pp_transfers;  // replica 0
  for (int rep = 0; rep < R; ++rep) {
    std::vector<TaskSpan> vertex_tasks(boost::num_vertices(graph));
    for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
      const auto& uv = graph[v];
      vertex_tasks[v] = net->add_unit(rep, uv.rank, uv.unit);
      RankTasks& rt = tasks[rep][uv.rank];
      if (int(rt.unit.size()) <= uv.index) rt.unit.resize(uv.index + 1);
      rt.unit[uv.index] = vertex_tasks[v];
      if (int(rt.unit_vertex.size()) <= uv.index) rt.unit_vertex.resize(uv.index + 1, -1);
      rt.unit_vertex[uv.index] = static_cast<int>(v);
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
        engine.add_dependency(vertex_tasks[s].last, vertex_tasks[t].first);
        continue;
      }
      const TaskSpan send = net->add_pp_send(rep, graph[s].rank, graph[t].rank);
      engine.add_dependency(vertex_tasks[s].last, send.first);
      engine.add_dependency(send.last, vertex_tasks[t].first);
      if (rep == 0) pp_transfers.push_back({send, graph[s].rank, graph[t].rank});
    }
  }
  // ZeRO-1 tail. A collective of chunk s waits for that chunk's last weight gradient on every replica.
  // Unfolded, the wait is one barrier per collective (a zero-time task on no resource after every replica's
  // producer, before every replica's collective): 2R dependencies instead of R^2, so the graph grows
  // linearly with the replicas. Folded (R = 1) the one producer is a direct predecessor.
  const auto gather = [&](const std::vector<int>& producers) {
    if (producers.size() == 1) return producers.front();
    const int barrier = engine.add_task(sim::TaskEngine::kNoResource, 0.0);
    for (int p : producers) engine.add_dependency(p, barrier);
    return barrier;
  };
  // weights_done[r][i]: the wait of rank r's i-th held chunk (built before the collectives, so that the
  // folded graph's task order is the one it always had).
  std::vector<int> producers(size_t(R), -1);
  std::vector<std::vector<int>> weights_done(P);
  for (int r = 0; r < P; ++r) {
    for (int s : result.ranks[r].stages) {
      for (int rep = 0; rep < R; ++rep) {
        const RankTasks& rt = tasks[rep][r];
        producers[size_t(rep)] = rt.unit.at(rt.last_weight_unit.at(s)).last;
      }
      weights_done[r].push_back(gather(producers));
    }
  }
  for (int rep = 0; rep < R; ++rep) {
    for (int r = 0; r < P; ++r) {
      ChunkParams all;
      RankTasks& rt = tasks[rep][r];
      const std::vector<int>& stages = result.ranks[r].stages;
      for (size_t i = 0; i < stages.size(); ++i) {
        const ChunkParams p = chunk_params(in.stages.at(stages[i]).blocks);
        all.dense += p.dense;
        all.expert += p.expert;
        const TaskSpan rs = net->add_rings(rep, r, gradient_reduce_scatter_transfers(p, in.spec, in.layout, in.node));
        engine.add_dependency(weights_done[r][i], rs.first);
        rt.reduce_scatter.push_back(rs);
      }
      const double optimizer_factor =
          in.gpu_factors ? in.gpu_factors->at(size_t(rep) * size_t(P) + size_t(r)).optimizer : 1.0;
      rt.optimizer_task = engine.add_task(net->compute_stream(rep, r),
                                          optimizer_factor * optimizer_step_s(all, in.spec, in.layout, in.cost_model));
      engine.add_dependency(rt.unit.back().last, rt.optimizer_task);
      for (const TaskSpan& rs : rt.reduce_scatter) engine.add_dependency(rs.last, rt.optimizer_task);
      rt.all_gather = net->add_rings(rep, r, parameter_all_gather_transfers(all, in.spec, in.layout, in.node));
    }
  }
  for (int r = 0; r < P; ++r) {
    for (int rep = 0; rep < R; ++rep) producers[size_t(rep)] = tasks[rep][r].optimizer_task;
    const int updated = gather(producers);
    for (int rep = 0; rep < R; ++rep) engine.add_dependency(updated, tasks[rep][r].all_gather.first);
  }

  const sim::EngineTimeline tl = engine.run();
  result.tasks = engine.task_count();
  result.flows = engine.flow_count();
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
      const double wall = span_s(tl, rt.unit[i]);  // = c.total_s() at the event level
      b.exposed_ep_comm_s += wall - (c.forward_s + c.backward_input_s + c.backward_weight_s);
      busy += wall;
    }
    b.pipeline_end_s = tl.end_s[rt.unit.back().last];
    result.pipeline_s = std::max(result.pipeline_s, b.pipeline_end_s);
    b.bubble_s = b.pipeline_end_s - busy;
    b.optimizer_s = engine.duration_of(rt.optimizer_task);
    b.exposed_dp_comm_s = result.step_s - b.pipeline_end_s - b.optimizer_s;
    const double end = tl.end_s[rt.all_gather.last];
    if (end > latest) {
      latest = end;
      result.critical_rank = r;
    }
  }
  if (!in.timeline) return result;
  // Slices of replica 0.
  for (auto v : boost::make_iterator_range(boost::vertices(graph))) {
    const auto& uv = graph[v];
    const TaskSpan t = tasks[0][uv.rank].unit[uv.index];
    result.slices.push_back({uv.rank, SliceTrack::compute, schedule::to_string(uv.unit), category_of(uv.unit),
                             tl.start_s[t.first], span_s(tl, t)});
  }
  for (const Send& p : pp_transfers) {
    result.slices.push_back({p.from, p.to > p.from ? SliceTrack::pp_send_next : SliceTrack::pp_send_previous,
                             fmt::format("pp send to rank {}", p.to), "pp_send", tl.start_s[p.tasks.first],
                             span_s(tl, p.tasks)});
  }
  for (int r = 0; r < P; ++r) {
    const RankTasks& rt = tasks[0][r];
    for (size_t i = 0; i < rt.reduce_scatter.size(); ++i) {
      const TaskSpan t = rt.reduce_scatter[i];
      result.slices.push_back({r, SliceTrack::zero1, fmt::format("reduce-scatter chunk {}", result.ranks[r].stages[i]),
                               "reduce_scatter", tl.start_s[t.first], span_s(tl, t)});
    }
    result.slices.push_back({r, SliceTrack::compute, "optimizer", "optimizer", tl.start_s[rt.optimizer_task],
                             engine.duration_of(rt.optimizer_task)});
    result.slices.push_back(
        {r, SliceTrack::zero1, "all-gather", "all_gather", tl.start_s[rt.all_gather.first], span_s(tl, rt.all_gather)});
  }
  net->add_alltoall_slices(tl, result.slices);
  return result;
}

}  // namespace fathom::models::training
