#pragma once
// `fathom plan` for a training scenario (issue #14, docs/plan.md): the layout and schedule that train the
// scenario's token budget in the shortest time or at the least cost, under HBM, searched over cluster
// sizes (nodes; DP = GPUs / (PP x TP) follows), PP, TP (plan.tp; default the scenario's), EP, micro-batch size
// (the micro-batch count follows from the scenario's global batch, which is a hyper-parameter and stays fixed),
// the pipeline schedules of the registry and, for interleaved_1f1b alone, the virtual stages per rank
// (plan.virtual_stages; default the scenario's).
//
// Each configuration is the scenario with those values written in, read by the training reader (every rule
// of a training run applies) and predicted at fidelity=analytic (step_analytic.h, with the batch ramp and the
// checkpoint as the run has them); its memory is the training memory model (rank_memory.h). Rejected, counted
// under the first reason that applies:
//  - layout: PP x TP does not divide the GPUs, TP does not divide a node's GPUs or a micro-batch's tokens
//    (derive_layout's rules, training_layout.h), PP x virtual stages exceed the layers, EP does not divide a stage's
//    GPUs or the experts, the global batch does not split into DP x micro-batch size, the schedule does not take the
//    micro-batch count or more stages than layers, or any other rule the training reader enforces;
//  - memory: the worst pipeline rank does not fit in HBM.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/calibration_match.h"
#include "models/plan/plan_spec.h"
#include "models/plan/serving_plan.h"
#include "sim/scenario_document.h"

namespace fathom::models::plan {

struct TrainingConfig {
  int64_t nodes = 0, pp = 1, ep = 1, micro_batch_sequences = 1, micro_batches = 1;
  std::string schedule;
  int64_t tp = 1;              // tensor-parallel size
  int64_t virtual_stages = 1;  // model chunks per pipeline rank (above 1 for interleaved_1f1b only)
};

struct TrainingPoint {
  TrainingConfig config;
  int64_t gpus = 0, dp = 0;
  double days = 0;  // wall-clock time of the token budget
  double cost_usd = 0, gpu_hours = 0;
  double step_s = 0, mfu_bf16 = 0, tokens_per_day = 0;
  double worst_rank_bytes = 0, hbm_bytes = 0;
};

// One of the best configurations re-priced at fidelity=event (TrainingPlanSpec::check_top): the analytic level ranks
// every configuration (the schedule's program timed, no engine); the event level runs its task graph on the engine,
// pipeline-link queueing included.
struct TrainingCheck {
  TrainingPoint analytic;                                                  // as the search priced it
  double step_s = 0, days = 0, gpu_hours = 0, cost_usd = 0, mfu_bf16 = 0;  // at fidelity=event
  double step_over_analytic = 0;                                           // step_s / analytic.step_s
};

struct TrainingPlanResult {
  TrainingPlanSpec spec;  // as searched: tp and virtual_stages hold the scenario's when the plan lists none
  std::string gpu;
  std::optional<hw::CalibrationMismatch> calibration_mismatch;
  int64_t global_batch_sequences = 0;
  int64_t configurations = 0, feasible = 0;
  RejectionCounts rejected;
  std::vector<TrainingPoint> best;    // by the objective (plan.top of them)
  std::vector<TrainingPoint> front;   // cost vs time, fastest first
  std::vector<TrainingCheck> checks;  // the first check_top of `best`, in its order, at fidelity=event
};

// `config` of `doc` at fidelity=event (the check of TrainingPlanSpec::check_top).
TrainingCheck check_training_point(const ScenarioDocument& doc, const TrainingPoint& point);

// The scenario with `config` written in (cluster nodes, pp, tp, ep, schedule, virtual stages, micro-batches,
// checkpoint writers), at
// fidelity=analytic and without its plan section: what the search predicts (and --bands samples).
ScenarioDocument configured_training_document(const ScenarioDocument& doc, const TrainingConfig& config);

// `doc`: the training scenario (its "plan" section already read into `spec`). Throws InputError
// `<file>: plan.tp.<i>: ...` for a plan.tp entry no configuration can use (it does not divide the model's
// attention heads or a node's GPUs). Equals
// collect_training(doc, spec, evaluate_training(doc, spec, {}, progress)).
TrainingPlanResult plan_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                 const PlanProgress& progress = {});

// A distributed search (`mpirun -n N fathom plan`, docs/plan.md) in two halves (Shard, plan_spec.h). Each process
// evaluates its share of the space, the configurations i (in the space's fixed order) with i % count == index; one
// process collects every share. The result does not depend on how the space was split: outcomes are merged by
// index.

// One configuration's outcome: a point (rejection none) or the reason it was rejected and why.
struct TrainingOutcome {
  int64_t index = 0;  // in the space's order
  Rejection rejection = Rejection::none;
  std::string why;
  TrainingPoint point;  // config always set (micro_batches once the layout rules pass); the rest when priced
};

// Throws InputError as plan_training for the scenario as written. `progress`: (done, in this shard).
std::vector<TrainingOutcome> evaluate_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                               Shard shard = {}, const PlanProgress& progress = {});

// The result from every shard's outcomes (any order; together, each configuration once).
TrainingPlanResult collect_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                    std::vector<TrainingOutcome> outcomes);

// Outcomes as bytes and back (MessagePack; doubles exact), to move them between processes. decode throws
// InputError on bytes encode did not write.
std::string encode_outcomes(const std::vector<TrainingOutcome>& outcomes);
std::vector<TrainingOutcome> decode_outcomes(const std::string& bytes);

}  // namespace fathom::models::plan
