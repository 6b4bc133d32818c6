#pragma once
// The task engine of the `event` and `flow` levels (ARCHITECTURE.md §3): a DAG of tasks on exclusive
// named resources (compute streams, links) and, at the flow level, fluid flows on shared links. It
// knows nothing of GPUs or models; a workload builder in models/ turns its own structure into tasks
// and reads the timeline back.
//
// Contract:
//  - A timed task runs on one resource (kNoResource = a pure delay with unlimited concurrency) for a
//    fixed duration (>= 0), and starts no earlier than the end of every predecessor.
//  - A resource runs one timed task at a time, without preemption. Tasks become ready when their last
//    predecessor ends; a resource takes ready tasks in order of ready time, ties by task id
//    (insertion order). So a rank's program order must be given as dependencies, as it is.
//  - A flow task moves `bytes` over a route of links (each at most once): `latency_s` after it is
//    ready it starts moving bytes, sharing every link of its route max-min fairly with the other flows
//    in flight (SimGrid, CM02 fluid model: alone on a path of bottleneck bandwidth W it ends at
//    ready + latency + bytes / W). Flows hold no resource. A flow of 0 bytes is a delay of latency_s.
//  - run(): without flow tasks, earliest-start list scheduling in plain C++ (the `event` level); with
//    flow tasks, the same rules co-simulated with SimGrid (sim/simgrid_engine.h): timed tasks advance
//    on the engine's own clock and flows on SimGrid's, in one timeline. Same DAG and durations without
//    flows give the same timeline on both paths (tested).
//  - Without contention (no two tasks of a resource ever overlap in the dependency order, no two flows
//    share a link) the makespan is the longest path of the DAG.
//  - run() throws std::logic_error when the dependencies have a cycle.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/flow_network.h"

namespace fathom::sim {

// When each task ran and how busy each resource was.
struct EngineTimeline {
  std::vector<double> start_s;  // per task id: when it started (a flow: when it became ready)
  std::vector<double> end_s;    // per task id
  std::vector<double> busy_s;   // per resource id: the sum of its tasks' durations
  double makespan_s = 0;        // latest end (0 for an empty graph)

  EngineTimeline(int tasks, int resources) : start_s(tasks, 0.0), end_s(tasks, 0.0), busy_s(resources, 0.0) {}
};

// A task graph under construction; run() is const and may be called repeatedly.
class TaskEngine {
 public:
  static constexpr int kNoResource = -1;

  int add_resource(std::string name);
  int add_task(int resource, double duration_s);
  int add_link(LinkSpec link);  // for flow tasks; bandwidth > 0, latency must be 0 (give it per flow)
  int add_flow(std::vector<int> links, double bytes, double latency_s = 0);
  void add_dependency(int before, int after);  // `after` starts no earlier than `before` ends

  int task_count() const { return static_cast<int>(duration_s_.size()); }
  int flow_count() const { return flows_; }
  int resource_count() const { return static_cast<int>(resource_names_.size()); }
  const std::string& resource_name(int resource) const { return resource_names_.at(resource); }
  int resource_of(int task) const { return resource_.at(task); }
  bool is_flow(int task) const { return !route_.at(task).empty(); }
  // A timed task's duration; throws std::logic_error for a flow (its duration is known after run()).
  double duration_of(int task) const;

  EngineTimeline run() const;

 private:
  EngineTimeline run_list_scheduling() const;
  EngineTimeline run_on_simgrid() const;  // sim/task_engine_flows.cpp

  std::vector<std::string> resource_names_;
  std::vector<LinkSpec> links_;
  std::vector<int> resource_;
  std::vector<double> duration_s_;       // timed tasks; a flow's latency
  std::vector<double> bytes_;            // flow tasks
  std::vector<std::vector<int>> route_;  // flow tasks: link ids; empty for timed tasks
  std::vector<std::vector<int>> successors_;
  std::vector<int> predecessor_count_;
  int flows_ = 0;
};

}  // namespace fathom::sim
