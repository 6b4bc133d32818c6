// TaskEngine::run() with flow tasks: the list-scheduling rules of task_engine.cpp, driven as discrete
// events next to SimGrid's fluid flows. One driver actor owns the DAG state; timed tasks end on a timer
// heap (exact double times, relative to the simulation start), flows are SimGrid Comms from a source
// host whose route is the flow's links to an empty-route sink. Between events the driver waits for the
// first flow to end or the next timer, whichever comes first.
//
// Cost per event (issue #16): the driver never hands SimGrid the list of flows in flight. SimGrid's network
// model reports each flow's end through Link::on_communication_state_change (fired in the kernel when the
// fluid action finishes, whether or not an actor waits on it); the hook records it and wakes the driver's
// condition variable. Comm::wait_any over every in-flight flow, as before, cost O(flows in flight) per
// event in simcall bookkeeping, so an unfolded step (in-flight flows ~ replicas) grew with replicas^2.
// Flows are the network model's actions (sim/fluid_flow.h), not s4u::Comms: a Comm's end scans every
// Comm alive in SimGrid 3.32, O(flows in flight) again.
// Flows that end at the same time complete in the order they started, as wait_any returned them.

#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/s4u.hpp>
#include <simgrid/simix.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "sim/fluid_flow.h"
#include "sim/simgrid_engine.h"
#include "sim/task_engine.h"

namespace fathom::sim {
namespace {

namespace sg4 = simgrid::s4u;

// The SimGrid side: one link per engine link, one source host per distinct route, one sink.
struct FlowPlatform {
  std::vector<sg4::Host*> source;  // per task (flows only)
  sg4::Host* sink = nullptr;
};

FlowPlatform build_platform(const std::vector<LinkSpec>& links, const std::vector<std::vector<int>>& routes) {
  std::string prefix;
  sg4::NetZone* zone = SimgridEngine::instance().new_star_zone(&prefix);
  std::vector<sg4::Link*> sg_links;
  for (const LinkSpec& l : links)
    sg_links.push_back(make_fluid_link(zone, prefix + "link:" + l.name, l.bandwidth.value(), l.shared));
  FlowPlatform p;
  p.sink = zone->create_host(prefix + "sink", 1.0);
  zone->add_route(nullptr, p.sink->get_netpoint(), nullptr, nullptr, {}, false);
  p.sink->seal();
  std::map<std::vector<int>, sg4::Host*> by_route;
  p.source.assign(routes.size(), nullptr);
  for (size_t t = 0; t < routes.size(); ++t) {
    if (routes[t].empty()) continue;
    sg4::Host*& h = by_route[routes[t]];
    if (!h) {
      h = zone->create_host(prefix + "route" + std::to_string(by_route.size()), 1.0);
      std::vector<sg4::LinkInRoute> route;
      for (int l : routes[t]) route.emplace_back(sg_links[l]);
      zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, route, false);
      h->seal();
    }
    p.source[t] = h;
  }
  zone->seal();
  return p;
}

// The DAG state of one run, advanced by events at exact relative times.
class Driver {
 public:
  Driver(const std::vector<int>& resource, const std::vector<double>& duration, const std::vector<double>& bytes,
         const std::vector<std::vector<int>>& successors, std::vector<int> waiting, int resources,
         const FlowPlatform& platform, EngineTimeline& out)
      : resource_(resource),
        duration_(duration),
        bytes_(bytes),
        successors_(successors),
        waiting_(std::move(waiting)),
        ready_(waiting_.size(), 0.0),
        queue_(resources),
        busy_(resources, false),
        platform_(platform),
        out_(out) {}

  void operator()() {
    t0_ = sg4::Engine::get_clock();
    mutex_ = sg4::Mutex::create();
    wake_ = sg4::ConditionVariable::create();
    std::unique_lock lock(*mutex_);
    for (size_t i = 0; i < waiting_.size(); ++i)
      if (waiting_[i] == 0) make_ready(static_cast<int>(i), 0.0);
    dispatch_all(0.0);
    while (!timers_.empty() || !live_.empty()) {
      if (finished_.empty()) {
        if (live_.empty()) {
          sg4::this_actor::sleep_until(t0_ + std::get<0>(timers_.top()));
        } else if (timers_.empty()) {
          wake_->wait(lock);
        } else {
          wake_->wait_until(lock, t0_ + std::get<0>(timers_.top()));
        }
      }
      double now;
      if (!finished_.empty()) {
        std::sort(finished_.begin(), finished_.end());
        now = std::get<0>(finished_.front()) - t0_;
        for (const auto& [at, seq, task, flow] : finished_) {
          live_.erase(flow);
          complete(task, at - t0_);
        }
        simgrid::kernel::actor::simcall_answered([this] {
          for (const auto& ended : finished_) release_fluid_flow(std::get<3>(ended));
        });
        finished_.clear();
      } else {
        now = std::get<0>(timers_.top());
      }
      while (!timers_.empty() && std::get<0>(timers_.top()) <= now) {
        const auto [at, kind, task] = timers_.top();
        timers_.pop();
        if (kind == kBegin) {
          begin_flow(task);
        } else {
          complete(task, at);
        }
      }
      dispatch_all(now);
    }
  }

  // The network model's report that `flow` changed state (sim/fluid_flow.h); one of this driver's flows
  // when it is live.
  void on_flow_state(FluidFlow& flow) {
    if (flow.get_state() != simgrid::kernel::resource::Action::State::FINISHED) return;
    const auto it = live_.find(&flow);
    if (it == live_.end()) return;
    finished_.emplace_back(flow.get_finish_time(), it->second.seq, it->second.task, it->first);
    wake_->notify_all();
  }

 private:
  enum TimerKind { kEnd = 0, kBegin = 1 };     // at equal times, ends first: they may free a resource
  using Timer = std::tuple<double, int, int>;  // (time, kind, task)

  void make_ready(int task, double at) {
    out_.start_s[task] = at;
    if (platform_.source[task]) {
      timers_.emplace(at + duration_[task], bytes_[task] > 0 ? kBegin : kEnd, task);
    } else if (resource_[task] == TaskEngine::kNoResource) {
      timers_.emplace(at + duration_[task], kEnd, task);
    } else {
      queue_[resource_[task]].emplace(at, task);
      touched_.push_back(resource_[task]);
    }
  }

  // Starts the next task on every resource touched since the last call (queued to, or freed).
  void dispatch_all(double now) {
    for (int r : touched_) {
      if (busy_[r] || queue_[r].empty()) continue;
      const int task = std::get<1>(queue_[r].top());
      queue_[r].pop();
      busy_[r] = true;
      out_.start_s[task] = now;
      out_.busy_s[r] += duration_[task];
      timers_.emplace(now + duration_[task], kEnd, task);
    }
    touched_.clear();
  }

  void begin_flow(int task) {
    // Whole bytes, as an s4u::Comm's payload size.
    const double bytes = static_cast<double>(static_cast<uint64_t>(std::llround(bytes_[task])));
    live_.emplace(start_fluid_flow(platform_.source[task], platform_.sink, bytes), LiveFlow{task, started_++});
  }

  void complete(int task, double at) {
    out_.end_s[task] = at;
    out_.makespan_s = std::max(out_.makespan_s, at);
    ++done_;
    if (!platform_.source[task] && resource_[task] != TaskEngine::kNoResource) {
      busy_[resource_[task]] = false;
      touched_.push_back(resource_[task]);
    }
    for (int s : successors_[task]) {
      ready_[s] = std::max(ready_[s], at);
      if (--waiting_[s] == 0) make_ready(s, ready_[s]);
    }
  }

 public:
  int done() const { return done_; }

 private:
  const std::vector<int>& resource_;
  const std::vector<double>& duration_;
  const std::vector<double>& bytes_;
  const std::vector<std::vector<int>>& successors_;
  std::vector<int> waiting_;
  std::vector<double> ready_;             // latest predecessor end per task
  using Entry = std::tuple<double, int>;  // (ready time, task)
  std::vector<std::priority_queue<Entry, std::vector<Entry>, std::greater<>>> queue_;
  std::vector<bool> busy_;
  std::vector<int> touched_;  // resources to look at in the next dispatch_all
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  struct LiveFlow {
    int task;
    long seq;  // start order
  };
  std::unordered_map<FluidFlow*, LiveFlow> live_;                    // flows in flight (owned)
  std::vector<std::tuple<double, long, int, FluidFlow*>> finished_;  // (absolute end, seq, task, flow)
  long started_ = 0;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr wake_;
  const FlowPlatform& platform_;
  EngineTimeline& out_;
  double t0_ = 0;
  int done_ = 0;
};

}  // namespace

EngineTimeline TaskEngine::run_on_simgrid() const {
  const int n = task_count();
  EngineTimeline t(n, resource_count());
  SimgridEngine& sg = SimgridEngine::instance();
  const FlowPlatform platform = build_platform(links_, route_);
  Driver driver(resource_, duration_s_, bytes_, successors_, predecessor_count_, resource_count(), platform, t);
  sg4::Actor::create("task-engine", platform.sink, [&driver] { driver(); });
  run_with_fluid_flow_listener(sg.engine(), [&driver](FluidFlow& flow) { driver.on_flow_state(flow); });
  if (driver.done() != n) throw std::logic_error("task engine: the task graph has a cycle");
  return t;
}

}  // namespace fathom::sim
