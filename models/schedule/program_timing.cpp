#include "models/schedule/program_timing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "models/schedule/registry.h"
#include "models/schedule/schedule_digest.h"
#include "models/schedule/task_graph.h"

namespace fathom::models::schedule {

namespace {

// compile_program's buffers, kept between its calls on a thread: a search compiles hundreds of programs of up to
// ~15,000 units (a batch ramp's counts timed whole), and fresh buffers of that size cost a page fault per 4 KiB.
struct CompileBuffers {
  TaskList list;
  std::vector<int> rank_of, first_output, output_target, next_output, finished, position;
  std::vector<char> state;
  std::vector<std::pair<int, int>> stack;                           // (vertex, its next output edge)
  std::vector<std::vector<std::pair<uint64_t, int>>> rank_classes;  // per rank: (signature key, class) seen there
};

}  // namespace

TimedProgram compile_program(const Schedule& schedule) {
  thread_local CompileBuffers b;
  TaskList& t = b.list;
  fill_task_list(schedule, t);
  const int n = t.rank_first.back();
  const int ranks = static_cast<int>(t.rank_first.size()) - 1;
  b.rank_of.resize(size_t(n));
  for (int r = 0; r < ranks; ++r) {
    std::fill(b.rank_of.begin() + t.rank_first[size_t(r)], b.rank_of.begin() + t.rank_first[size_t(r) + 1], r);
  }
  // The output edges in the order build_task_graph adds them (its topological sort walks them in that order): the
  // program-order successor first (added with the vertices), then the data dependencies by target.
  b.first_output.assign(size_t(n) + 1, 0);
  for (const int from : t.input_source) ++b.first_output[size_t(from) + 1];
  for (int v = 0; v < n; ++v) b.first_output[size_t(v) + 1] += b.first_output[size_t(v)];
  b.output_target.resize(t.input_source.size());
  b.next_output.assign(b.first_output.begin(), b.first_output.end() - 1);
  for (const bool program_order : {true, false}) {
    for (int v = 0; v < n; ++v) {
      for (int e = t.first_input[size_t(v)]; e < t.first_input[size_t(v) + 1]; ++e) {
        if ((t.input_kind[size_t(e)] == DependencyKind::kProgramOrder) == program_order) {
          b.output_target[size_t(b.next_output[size_t(t.input_source[size_t(e)])]++)] = v;
        }
      }
    }
  }
  // Boost's topological sort (boost::topological_sort on that graph): a depth-first search from each unvisited
  // vertex in turn, the reverse of the finishing order. The same order, so the same program as the graph gives
  // (tests/models/program_timing_test.cpp compares them field for field).
  enum : char { kUnseen, kOpen, kDone };
  b.state.assign(size_t(n), kUnseen);
  b.finished.clear();
  b.stack.clear();
  for (int root = 0; root < n; ++root) {
    if (b.state[size_t(root)] != kUnseen) continue;
    b.state[size_t(root)] = kOpen;
    b.stack.emplace_back(root, b.first_output[size_t(root)]);
    while (!b.stack.empty()) {
      const int u = b.stack.back().first;
      const int e = b.stack.back().second;
      if (e == b.first_output[size_t(u) + 1]) {
        b.state[size_t(u)] = kDone;
        b.finished.push_back(u);
        b.stack.pop_back();
        continue;
      }
      ++b.stack.back().second;
      const int w = b.output_target[size_t(e)];
      if (b.state[size_t(w)] == kOpen) {
        throw std::logic_error("compile_program: the task graph has a cycle (the schedule deadlocks)");
      }
      if (b.state[size_t(w)] == kUnseen) {
        b.state[size_t(w)] = kOpen;
        b.stack.emplace_back(w, b.first_output[size_t(w)]);
      }
    }
  }
  b.position.resize(size_t(n));
  for (int i = 0; i < n; ++i) b.position[size_t(b.finished[size_t(n - 1 - i)])] = i;
  TimedProgram p;
  p.ranks = schedule.ranks;
  p.micro_batches = schedule.micro_batches;
  p.unit_class.reserve(size_t(n));
  p.first_input.reserve(size_t(n) + 1);
  p.input_source.reserve(t.input_source.size());
  p.input_send.reserve(t.input_source.size());
  // Timing classes by first appearance, a signature (UnitSignature) packed into one key (kinds < 8, stages < 2^24);
  // looked up first among the few its rank has seen.
  std::unordered_map<uint64_t, int> class_of;
  b.rank_classes.resize(size_t(ranks));
  for (auto& seen : b.rank_classes) seen.clear();
  const auto class_index = [&](const Unit& u, int r) {
    const UnitSignature s = signature_of(u);
    const uint64_t key = uint64_t(s[0]) << 61 | uint64_t(s[1]) << 58 | uint64_t(s[2]) << 34 | uint64_t(s[3] + 1) << 30 |
                         uint64_t(s[4] + 1);
    auto& seen = b.rank_classes[size_t(r)];
    for (const auto& [k, c] : seen) {
      if (k == key) return c;
    }
    const auto [it, added] = class_of.try_emplace(key, int(p.classes.size()));
    if (added) p.classes.push_back(u);
    seen.emplace_back(key, it->second);
    return it->second;
  };
  const int* const rank_of = b.rank_of.data();
  const int* const position = b.position.data();
  const int* const first_input = t.first_input.data();
  const int* const input_source = t.input_source.data();
  for (int i = n - 1; i >= 0; --i) {
    const int v = b.finished[size_t(i)];
    const int r = rank_of[v];
    p.unit_class.push_back(class_index(schedule.per_rank[size_t(r)][size_t(v - t.rank_first[size_t(r)])], r));
    p.first_input.push_back(int(p.input_source.size()));
    for (int e = first_input[v]; e < first_input[v + 1]; ++e) {
      const int from = input_source[e];
      p.input_source.push_back(position[from]);
      p.input_send.push_back(rank_of[from] == r ? -1 : rank_of[from] * p.ranks + r);
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
