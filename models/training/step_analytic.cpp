#include "models/training/step_analytic.h"

#include <algorithm>
#include <optional>

#include "models/schedule/program_timing.h"
#include "models/schedule/registry.h"
#include "models/schedule/schedule_digest.h"
#include "models/training/zero_costs.h"

namespace fathom::models::training {
namespace {

using schedule::Unit;

// The compiled programs of this thread's steps (program_timing.h): a search prices many configurations of few
// (schedule, PP, virtual stages, micro-batches).
schedule::ProgramCache& program_cache() {
  thread_local schedule::ProgramCache cache(schedule::kProgramCacheEntries);
  return cache;
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
  // The pipeline part: the schedule's program timed with each unit's own time and each send between ranks its
  // boundary's (program_timing.h), folded over the micro-batches.
  std::vector<double> send_s(size_t(sch.ranks * sch.ranks), 0.0);
  for (int a = 0; a < sch.ranks && sch.ranks > 1; ++a) {
    for (const int b : {(a + 1) % sch.ranks, (a + sch.ranks - 1) % sch.ranks}) {
      send_s[size_t(a * sch.ranks + b)] = in.pp_sends ? in.pp_sends->send_s(a, b) : in.pp_transfer_s;
    }
  }
  const int virtual_stages = schedule::schedule_traits(sch.name).virtual_stages ? sch.chunks_per_rank : 1;
  result.pipeline_s = std::max(busiest, schedule::steady_makespan(
                                            program_cache(), sch.name, sch.ranks, virtual_stages, sch.micro_batches,
                                            [&](const Unit& u) { return plans.cost(u).total_s(); }, send_s));

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
