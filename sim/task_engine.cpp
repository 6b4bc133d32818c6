#include "sim/task_engine.h"

#include <queue>
#include <stdexcept>
#include <tuple>

namespace fathom::sim {

int TaskEngine::add_resource(std::string name) {
  resource_names_.push_back(std::move(name));
  return resource_count() - 1;
}

int TaskEngine::add_task(int resource, double duration_s) {
  if (resource != kNoResource && (resource < 0 || resource >= resource_count())) {
    throw std::logic_error("task engine: unknown resource " + std::to_string(resource));
  }
  if (!(duration_s >= 0)) throw std::logic_error("task engine: a task duration must be >= 0");
  resource_.push_back(resource);
  duration_s_.push_back(duration_s);
  bytes_.push_back(0.0);
  route_.emplace_back();
  successors_.emplace_back();
  predecessor_count_.push_back(0);
  return task_count() - 1;
}

int TaskEngine::add_link(LinkSpec link) {
  if (!(link.bandwidth.value() > 0))
    throw std::logic_error("task engine: link " + link.name + ": bandwidth must be > 0");
  if (link.latency.value() != 0) {
    throw std::logic_error("task engine: link " + link.name + ": give latency per flow, not per link");
  }
  links_.push_back(std::move(link));
  return static_cast<int>(links_.size()) - 1;
}

int TaskEngine::add_flow(std::vector<int> links, double bytes, double latency_s) {
  if (links.empty()) throw std::logic_error("task engine: a flow needs at least one link");
  std::vector<bool> seen(links_.size(), false);
  for (int l : links) {
    if (l < 0 || l >= static_cast<int>(links_.size())) throw std::logic_error("task engine: unknown link");
    if (seen[l]) throw std::logic_error("task engine: link " + links_[l].name + " twice in one route");
    seen[l] = true;
  }
  if (!(bytes >= 0) || !(latency_s >= 0)) throw std::logic_error("task engine: flow bytes and latency must be >= 0");
  const int id = add_task(kNoResource, latency_s);
  bytes_[id] = bytes;
  route_[id] = std::move(links);
  ++flows_;
  return id;
}

double TaskEngine::duration_of(int task) const {
  if (is_flow(task)) throw std::logic_error("task engine: a flow has no fixed duration");
  return duration_s_.at(task);
}

void TaskEngine::add_dependency(int before, int after) {
  if (before < 0 || after < 0 || before >= task_count() || after >= task_count() || before == after) {
    throw std::logic_error("task engine: bad dependency");
  }
  successors_[before].push_back(after);
  ++predecessor_count_[after];
}

EngineTimeline TaskEngine::run() const { return flows_ == 0 ? run_list_scheduling() : run_on_simgrid(); }

EngineTimeline TaskEngine::run_list_scheduling() const {
  const int n = task_count();
  EngineTimeline t(n, resource_count());
  std::vector<double> ready(n, 0.0);
  std::vector<int> waiting = predecessor_count_;
  std::vector<double> resource_free(resource_count(), 0.0);
  // (ready time, task id), smallest first. Ready times popped are non-decreasing because a
  // successor becomes ready at the end of a task that started no earlier than its own ready time.
  using Entry = std::tuple<double, int>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  for (int i = 0; i < n; ++i)
    if (waiting[i] == 0) queue.emplace(0.0, i);
  int done = 0;
  while (!queue.empty()) {
    const auto [at, task] = queue.top();
    queue.pop();
    const int r = resource_[task];
    double start = at;
    if (r != kNoResource) start = std::max(start, resource_free[r]);
    const double end = start + duration_s_[task];
    t.start_s[task] = start;
    t.end_s[task] = end;
    if (r != kNoResource) {
      resource_free[r] = end;
      t.busy_s[r] += duration_s_[task];
    }
    t.makespan_s = std::max(t.makespan_s, end);
    ++done;
    for (int s : successors_[task]) {
      ready[s] = std::max(ready[s], end);
      if (--waiting[s] == 0) queue.emplace(ready[s], s);
    }
  }
  if (done != n) throw std::logic_error("task engine: the task graph has a cycle");
  return t;
}

}  // namespace fathom::sim
