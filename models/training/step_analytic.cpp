#include "models/training/step_analytic.h"

#include <algorithm>
#include <set>

#include "models/schedule/bubble.h"
#include "models/training/zero_costs.h"

namespace fathom::models::training {
namespace {

using schedule::PassKind;
using schedule::Unit;
using schedule::UnitKind;

// The largest unit time of each kind over the stages (F&B over the pairs the schedule runs).
schedule::UnitDurations largest_units(const StepInputs& in, UnitPlans& plans) {
  schedule::UnitDurations d;
  for (int s = 0; s < int(in.stages.size()); ++s) {
    d.forward_s = std::max(d.forward_s, unit_cost(Unit::single({PassKind::kForward, 0, 0, s}), in.stages).total_s());
    d.backward_s =
        std::max(d.backward_s, unit_cost(Unit::single({PassKind::kBackwardFull, 0, 0, s}), in.stages).total_s());
    d.weight_s = std::max(d.weight_s, unit_cost(Unit::single({PassKind::kWeight, 0, 0, s}), in.stages).total_s());
  }
  std::set<std::pair<int, int>> pairs;
  for (const auto& units : in.schedule.per_rank) {
    for (const Unit& u : units) {
      if (u.kind != UnitKind::kForwardBackward || !pairs.insert({u.first.stage, u.second->stage}).second) continue;
      d.forward_backward_s = std::max(d.forward_backward_s, plans.cost(u).total_s());
    }
  }
  return d;
}

}  // namespace

StepResult analytic_step(const StepInputs& in) {
  const schedule::Schedule& sch = in.schedule;
  StepResult result;
  result.ranks.resize(sch.ranks);
  UnitPlans plans(in.stages);
  double busiest = 0;
  std::vector<std::vector<int>> held = schedule::held_stages(sch);
  for (int r = 0; r < sch.ranks; ++r) {
    RankBreakdown& b = result.ranks[r];
    for (const Unit& u : sch.per_rank[r]) {
      const UnitCost& c = plans.cost(u);
      b.forward_s += c.forward_s;
      b.backward_input_s += c.backward_input_s;
      b.backward_weight_s += c.backward_weight_s;
      b.exposed_ep_comm_s += c.exposed_comm_s;
    }
    b.stages = std::move(held[size_t(r)]);
    busiest = std::max(busiest, b.forward_s + b.backward_input_s + b.backward_weight_s + b.exposed_ep_comm_s);
  }
  schedule::UnitDurations d = largest_units(in, plans);
  d.forward_s += in.pp_transfer_s;
  d.backward_s += in.pp_transfer_s;
  d.forward_backward_s += in.pp_transfer_s;
  result.pipeline_s = busiest + schedule::closed_form_bubble(sch, d);

  double latest = -1;
  for (int r = 0; r < sch.ranks; ++r) {
    RankBreakdown& b = result.ranks[r];
    b.pipeline_end_s = result.pipeline_s;
    b.bubble_s = result.pipeline_s - (b.forward_s + b.backward_input_s + b.backward_weight_s + b.exposed_ep_comm_s);
    // The chunk whose weight gradients finish last in program order: its reduce-scatter is exposed.
    int last_chunk = b.stages.front();
    for (const Unit& u : sch.per_rank[r]) {
      for (const schedule::Pass* p : {&u.first, u.second ? &*u.second : nullptr}) {
        if (p && (p->kind == PassKind::kBackwardFull || p->kind == PassKind::kWeight)) last_chunk = p->stage;
      }
    }
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
