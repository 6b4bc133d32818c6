#pragma once
// The `event`-level engine: a DAG of timed tasks on exclusive named resources (compute streams,
// links), run by earliest-start list scheduling. It knows nothing of GPUs or models; a workload
// builder in models/ turns its own structure into tasks and reads the timeline back.
//
// Contract:
//  - A task runs on one resource (kNoResource = a pure delay with unlimited concurrency) for a fixed
//    duration (>= 0), and starts no earlier than the end of every predecessor.
//  - A resource runs one task at a time, without preemption. Tasks become ready when their last
//    predecessor ends; a resource takes ready tasks in order of ready time, ties by task id
//    (insertion order). So a rank's program order must be given as dependencies, as it is.
//  - Without contention (no two tasks of a resource ever overlap in the dependency order) the
//    makespan is the longest path of the DAG.
//  - run() throws std::logic_error when the dependencies have a cycle.

#include <cstdint>
#include <string>
#include <vector>

namespace fathom::sim {

// When each task ran and how busy each resource was.
struct EngineTimeline {
  std::vector<double> start_s;  // per task id
  std::vector<double> end_s;    // per task id
  std::vector<double> busy_s;   // per resource id: the sum of its tasks' durations
  double makespan_s = 0;        // latest end (0 for an empty graph)
};

// A task graph under construction; run() is const and may be called repeatedly.
class TaskEngine {
 public:
  static constexpr int kNoResource = -1;

  int add_resource(std::string name);
  int add_task(int resource, double duration_s);
  void add_dependency(int before, int after);  // `after` starts no earlier than `before` ends

  int task_count() const { return static_cast<int>(duration_s_.size()); }
  int resource_count() const { return static_cast<int>(resource_names_.size()); }
  const std::string& resource_name(int resource) const { return resource_names_.at(resource); }
  int resource_of(int task) const { return resource_.at(task); }
  double duration_of(int task) const { return duration_s_.at(task); }

  EngineTimeline run() const;

 private:
  std::vector<std::string> resource_names_;
  std::vector<int> resource_;
  std::vector<double> duration_s_;
  std::vector<std::vector<int>> successors_;
  std::vector<int> predecessor_count_;
};

}  // namespace fathom::sim
