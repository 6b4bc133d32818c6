#pragma once
// One training step as a task graph on the sim/ event engine (docs/training.md §4): every schedule
// unit is a task on its rank's compute stream; every cross-rank activation or gradient edge becomes
// a transfer task on the sending rank's pipeline link; each chunk's ZeRO-1 gradient reduce-scatter
// runs on the rank's data-parallel link after the chunk's last weight gradient, then the optimizer
// (compute stream) and the parameter all-gather (data-parallel link).
//
// Two fidelities (step_network.h): `event` prices every unit and transfer in closed form on exclusive
// resources; `flow` (StepInputs::flow set) turns the all-to-alls, pipeline sends and ZeRO-1 rings into
// SimGrid flows that share each GPU's NIC.
//
// Symmetry folding: one data-parallel replica (one pipeline of pp GPUs) is simulated; the other
// replicas do the same work at the same times, so their collectives are priced analytically over
// the whole group. `replicas` > 1 unfolds it (each replica its own resources, every collective
// waiting for all replicas): the step time must not change, which a test checks.

#include <string>
#include <vector>

#include "models/schedule/schedule.h"
#include "models/schedule/schedule_digest.h"
#include "models/training/pipeline_sends.h"
#include "models/training/stage_plan.h"
#include "models/training/training_perturbations.h"
#include "models/training/zero_costs.h"

namespace fathom::models::training {

struct BlockCostInputs;

// What the flow level needs beyond the closed-form durations.
struct FlowStepInputs {
  const BlockCostInputs& blocks;  // the all-to-all shapes (arch, spec, layout, node)
  double pp_transfer_bytes = 0;   // one activation or gradient send between neighbouring ranks
};

// Everything a step needs, already priced.
struct StepInputs {
  const schedule::Schedule& schedule;
  const std::vector<Stage>& stages;  // schedule.stages of them
  double pp_transfer_s = 0;          // one activation or gradient send between neighbouring ranks
  const TrainingSpec& spec;
  const TrainingLayout& layout;
  const hw::NodeSpec& node;
  const hw::KernelCostModel& cost_model;
  int replicas = 1;  // data-parallel replicas simulated (1 = folded; the flow level: 1 or layout.dp)
  const FlowStepInputs* flow = nullptr;  // set: the flow level (SimGrid flows); null: the event level
  bool timeline = false;                 // fill StepResult::slices (the Chrome trace); off for sweeps
  // The analytic level only: `schedule` folded (schedule_digest.h), when the caller keeps one; analytic_step
  // folds `schedule` itself when null. With a digest, `schedule` may be its header (no units).
  const schedule::ScheduleDigest* digest = nullptr;
  // The analytic level only: unit plans over `stages` kept between steps (training_cache.h); own when null.
  UnitPlans* unit_plans = nullptr;
  // The event level only: per GPU (replica x ranks + rank, `replicas` x ranks of them) what its tasks are
  // multiplied by (training_perturbations.h); null: every GPU as priced.
  const std::vector<GpuFactors>* gpu_factors = nullptr;
  // Per stage boundary, NVLink or NIC (pipeline_sends.h): the event level prices each send by its boundary, the
  // flow level puts an NVLink boundary's send on the NVLink ports, the analytic level waits each cross-rank
  // dependency its boundary's send (program_timing.h). Null: every send is pp_transfer_s on the NIC.
  const PipelineSends* pp_sends = nullptr;
};

// Where one rank's step time went. forward + backward_input + backward_weight + exposed_ep_comm +
// bubble + exposed_dp_comm + optimizer = the step time (the residual idle time of the pipeline part
// is the bubble; of the tail, exposed data-parallel communication).
struct RankBreakdown {
  double forward_s = 0, backward_input_s = 0, backward_weight_s = 0;
  double exposed_ep_comm_s = 0;  // all-to-all time not hidden under compute
  double bubble_s = 0;           // idle inside the pipeline part (waiting for other ranks or transfers)
  double exposed_dp_comm_s = 0;  // idle after the last unit, other than the optimizer
  double optimizer_s = 0;
  double pipeline_end_s = 0;  // end of the rank's last unit
  std::vector<int> stages;    // model stages (chunks) the rank holds
};

// The timeline tracks of a rank: its compute stream, its pipeline sends to the next and to the previous
// rank, its ZeRO-1 collectives and the expert all-to-alls of its units. Slices of one track do not
// overlap at the event level; at the flow level two sends or two collectives may (they share the NIC).
enum class SliceTrack { compute = 0, pp_send_next = 1, pp_send_previous = 2, zero1 = 3, all_to_all = 4 };

// One slice of the timeline (for the Chrome trace).
struct StepSlice {
  int rank = 0;
  SliceTrack track = SliceTrack::compute;
  std::string name;
  std::string
      category;  // "F", "B", "W", "F&B", "optimizer"; "pp_send", "reduce_scatter", "all_gather"; "a2a_F", "a2a_B"
  double start_s = 0, duration_s = 0;
};

struct StepResult {
  double step_s = 0;
  double pipeline_s = 0;  // end of the last unit of any rank
  int critical_rank = 0;  // the rank reported as the step's breakdown (the last to go idle)
  std::vector<RankBreakdown> ranks;
  std::vector<StepSlice> slices;  // replica 0 only; empty unless StepInputs::timeline
  int tasks = 0;
  int flows = 0;  // of the tasks, fluid flows (flow level)
};

StepResult simulate_step(const StepInputs& in);

}  // namespace fathom::models::training
