#include "models/schedule/program_timing.h"

#include <algorithm>
#include <boost/graph/topological_sort.hpp>
#include <cmath>
#include <iterator>
#include <map>
#include <stdexcept>

#include "models/schedule/registry.h"
#include "models/schedule/schedule_digest.h"
#include "models/schedule/task_graph.h"

namespace fathom::models::schedule {

TimedProgram compile_program(const Schedule& schedule) {
  const TaskGraph g = build_task_graph(schedule);
  std::vector<TaskVertex> order;
  order.reserve(boost::num_vertices(g));
  try {
    boost::topological_sort(g, std::back_inserter(order));  // reverse topological order
  } catch (const boost::not_a_dag&) {
    throw std::logic_error("compile_program: the task graph has a cycle (the schedule deadlocks)");
  }
  std::reverse(order.begin(), order.end());
  std::vector<int> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = int(i);
  TimedProgram p;
  p.ranks = schedule.ranks;
  p.micro_batches = schedule.micro_batches;
  std::map<UnitSignature, int> class_of;
  p.unit_class.reserve(order.size());
  p.first_input.reserve(order.size() + 1);
  for (const TaskVertex v : order) {
    const Unit& u = g[v].unit;
    const auto [it, added] = class_of.try_emplace(signature_of(u), int(p.classes.size()));
    if (added) p.classes.push_back(u);
    p.unit_class.push_back(it->second);
    p.first_input.push_back(int(p.input_source.size()));
    for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) {
      const TaskVertex from = boost::source(*e, g);
      p.input_source.push_back(position[from]);
      p.input_send.push_back(g[from].rank == g[v].rank ? -1 : g[from].rank * p.ranks + g[v].rank);
    }
  }
  p.first_input.push_back(int(p.input_source.size()));
  return p;
}

double program_makespan(const TimedProgram& p, const std::vector<double>& class_s, const std::vector<double>& send_s) {
  std::vector<double> end(p.unit_class.size());
  double makespan = 0;
  for (size_t v = 0; v < end.size(); ++v) {
    double start = 0;
    for (int e = p.first_input[v]; e < p.first_input[v + 1]; ++e) {
      const int send = p.input_send[size_t(e)];
      start = std::max(start, end[size_t(p.input_source[size_t(e)])] + (send < 0 ? 0.0 : send_s[size_t(send)]));
    }
    end[v] = start + class_s[size_t(p.unit_class[v])];
    makespan = std::max(makespan, end[v]);
  }
  return makespan;
}

ProgramCache::ProgramCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

const TimedProgram& ProgramCache::at(const std::string& name, int ranks, int virtual_stages, int micro_batches) {
  const auto key = std::make_tuple(name, ranks, virtual_stages, micro_batches);
  auto it = programs_.find(key);
  if (it == programs_.end()) {
    if (programs_.size() >= capacity_) programs_.clear();  // the bound (kProgramCacheEntries)
    const auto& entry = schedule_registry().get(name, "training.schedule");
    it = programs_.emplace(key, compile_program(entry.make({ranks, micro_batches, virtual_stages}))).first;
  }
  return it->second;
}

double steady_makespan(ProgramCache& cache, const std::string& name, int ranks, int virtual_stages, int micro_batches,
                       const std::function<double(const Unit&)>& unit_s, const std::vector<double>& send_s,
                       int unit_budget) {
  const auto timed = [&](int m) {
    const TimedProgram& p = cache.at(name, ranks, virtual_stages, m);
    std::vector<double> class_s;
    class_s.reserve(p.classes.size());
    for (const Unit& u : p.classes) class_s.push_back(unit_s(u));
    return program_makespan(p, class_s, send_s);
  };
  const int C = micro_batches;
  const int per_micro_batch = ranks * virtual_stages;
  if (C * per_micro_batch <= unit_budget) return timed(C);
  // The family of C (schedule_digest.h's DigestCache families): the same parity, or multiples of P.
  const int step = schedule_traits(name).fold_step(ranks);
  const int lowest = 2 * ranks + (step == 2 ? C % 2 : 0);
  const int limit = unit_budget / per_micro_batch;
  const int m2 = std::max(lowest + 2 * step, limit < lowest ? 0 : lowest + step * ((limit - lowest) / step));
  if (m2 >= C) return timed(C);
  const double t0 = timed(m2 - 2 * step), t1 = timed(m2 - step), t2 = timed(m2);
  if (std::abs((t2 - t1) - (t1 - t0)) > 1e-9 * t2) return timed(C);  // not settled by m0: time it whole
  return t2 + double((C - m2) / step) * (t2 - t1);
}

}  // namespace fathom::models::schedule
