#include "models/training/step_analytic.h"

#include <algorithm>
#include <optional>

#include "models/schedule/bubble.h"
#include "models/schedule/schedule_digest.h"
#include "models/training/zero_costs.h"

namespace fathom::models::training {
namespace {

using schedule::PassKind;
using schedule::Unit;
using schedule::UnitKind;

// The largest unit time of each kind over the stages (F&B over the pairs the schedule runs).
schedule::UnitDurations largest_units(const StepInputs& in, const schedule::ScheduleDigest& digest, UnitPlans& plans) {
  schedule::UnitDurations d;
  for (int s = 0; s < int(in.stages.size()); ++s) {
    d.forward_s = std::max(d.forward_s, plans.cost(Unit::single({PassKind::kForward, 0, 0, s})).total_s());
    d.backward_s = std::max(d.backward_s, plans.cost(Unit::single({PassKind::kBackwardFull, 0, 0, s})).total_s());
    d.weight_s = std::max(d.weight_s, plans.cost(Unit::single({PassKind::kWeight, 0, 0, s})).total_s());
  }
  for (const Unit& pair : digest.forward_backward_units()) {
    d.forward_backward_s = std::max(d.forward_backward_s, plans.cost(pair).total_s());
  }
  return d;
}

}  // namespace

StepResult analytic_step(const StepInputs& in) {
  std::optional<schedule::ScheduleDigest> own;
  const schedule::ScheduleDigest& digest = in.digest ? *in.digest : own.emplace(schedule::digest(in.schedule));
  const schedule::Schedule& sch = digest.header;
  StepResult result;
  result.ranks.resize(sch.ranks);
  std::optional<UnitPlans> own_plans;
  UnitPlans& plans = in.unit_plans ? *in.unit_plans : own_plans.emplace(in.stages);
  double busiest = 0;
  for (int r = 0; r < sch.ranks; ++r) {
    RankBreakdown& b = result.ranks[r];
    for (const schedule::UnitCount& u : digest.per_rank[size_t(r)]) {
      const UnitCost& c = plans.cost(u.unit);
      const double n = double(u.count);
      b.forward_s += n * c.forward_s;
      b.backward_input_s += n * c.backward_input_s;
      b.backward_weight_s += n * c.backward_weight_s;
      b.exposed_ep_comm_s += n * c.exposed_comm_s;
    }
    b.stages = digest.held()[size_t(r)];
    busiest = std::max(busiest, b.forward_s + b.backward_input_s + b.backward_weight_s + b.exposed_ep_comm_s);
  }
  schedule::UnitDurations d = largest_units(in, digest, plans);
  // One number per send for the closed forms: the mean over the pp - 1 boundaries of the warm-up chain
  // (PipelineSends::chain_mean_s), so that 1F1B's (P-1)(F+B) adds the per-boundary sum of the sends a
  // micro-batch crosses, not pp - 1 times the worst; with every boundary alike it is that boundary's time.
  const double send_s = in.pp_sends ? in.pp_sends->chain_mean_s() : in.pp_transfer_s;
  d.forward_s += send_s;
  d.backward_s += send_s;
  d.forward_backward_s += send_s;
  result.pipeline_s = busiest + schedule::closed_form_bubble(sch, d);

  double latest = -1;
  for (int r = 0; r < sch.ranks; ++r) {
    RankBreakdown& b = result.ranks[r];
    b.pipeline_end_s = result.pipeline_s;
    b.bubble_s = result.pipeline_s - (b.forward_s + b.backward_input_s + b.backward_weight_s + b.exposed_ep_comm_s);
    // The chunk whose weight gradients finish last in program order: its reduce-scatter is exposed.
    const int last_chunk = digest.last_weight_stage()[size_t(r)];
    ChunkParams all;
    for (int s : b.stages) {
      const ChunkParams p = chunk_params(in.stages.at(s).blocks);
      all.dense += p.dense;
      all.expert += p.expert;
    }
    const double rs =
        gradient_reduce_scatter_s(chunk_params(in.stages.at(last_chunk).blocks), in.spec, in.layout, in.node);
    b.optimizer_s = optimizer_step_s(all, in.spec, in.layout, in.cost_model);
    b.exposed_dp_comm_s = rs + parameter_all_gather_s(all, in.spec, in.layout, in.node);
    const double end = result.pipeline_s + b.exposed_dp_comm_s + b.optimizer_s;
    if (end > latest) {
      latest = end;
      result.critical_rank = r;
    }
  }
  result.step_s = latest;
  return result;
}

}  // namespace fathom::models::training
