#pragma once
// How one training step's schedule units and communication become engine tasks (sim/task_engine.h).
// step_model.cpp walks the schedule's task graph once and asks a StepNetwork for the tasks; each
// fidelity implements it:
//  - event (step_model.cpp): a unit is one timed task on the rank's compute stream (its closed-form
//    time, all-to-alls included); a pipeline send or a ZeRO-1 collective is one timed task on the rank's
//    pipeline or data-parallel link resource, so different traffic classes never contend;
//  - flow (step_flows.cpp): a unit is expanded into its plan (stage_plan.h: compute spans on the rank's
//    stream, all-to-all phases as fluid flows on the GPU's NIC and NVLink links, one phase at a time), and pipeline
//    sends and ZeRO-1 rings are flows on the same NIC links, so all of them share the NIC max-min (SimGrid).

#include <memory>
#include <string>
#include <vector>

#include "models/schedule/schedule.h"
#include "models/training/stage_plan.h"
#include "models/training/zero_costs.h"
#include "sim/task_engine.h"

namespace fathom::models::training {

struct BlockCost;
struct StepInputs;
struct StepSlice;

// The first and last engine task of a piece of work: the first waits for the work's predecessors,
// successors wait for the last. They may be the same task.
struct TaskSpan {
  int first = -1;
  int last = -1;
};

class StepNetwork {
 public:
  virtual ~StepNetwork() = default;
  virtual int compute_stream(int replica, int rank) const = 0;  // the rank's compute resource
  virtual TaskSpan add_unit(int replica, int rank, const schedule::Unit& unit) = 0;
  virtual TaskSpan add_pp_send(int replica, int from_rank, int to_rank) = 0;
  // A ZeRO-1 collective (reduce-scatter or all-gather) as its rings, back to back.
  virtual TaskSpan add_rings(int replica, int rank, const std::vector<RingTransfer>& rings) = 0;
  // The all-to-all slices of replica 0's units (one per block and phase), after run().
  virtual void add_alltoall_slices(const sim::EngineTimeline& timeline, std::vector<StepSlice>& out) const = 0;
};

// The trace name of one all-to-all phase of a block, e.g. "a2a COMBINE(B) layer12".
std::string alltoall_slice_name(const BlockCost& block, AllToAllPhase phase);

// `replicas` data-parallel replicas share `engine` (1 = folded).
std::unique_ptr<StepNetwork> make_event_network(const StepInputs& in, sim::TaskEngine& engine, int replicas);
std::unique_ptr<StepNetwork> make_flow_network(const StepInputs& in, sim::TaskEngine& engine, int replicas);

}  // namespace fathom::models::training
