#include "models/plan/training_plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/plan/pareto.h"
#include "models/schedule/schedule.h"
#include "models/training/rank_memory.h"
#include "models/training/training_layout.h"
#include "models/training/training_run.h"
#include "sim/error.h"

namespace fathom::models::plan {
namespace {

// The scenario's values that the search keeps: the GPUs per node, the experts, the layers and the global
// batch (sequences per step; a hyper-parameter of the run, not a layout choice).
struct Fixed {
  int64_t gpus_per_node = 0, routed_experts = 0, layers = 0, global_batch = 0;
};

// The first layout rule `c` breaks (empty: none), checked before the scenario is read.
std::string layout_problem(const Fixed& f, const TrainingConfig& c, int64_t& micro_batches) {
  const int64_t gpus = c.nodes * f.gpus_per_node;
  if (gpus % c.pp != 0) return fmt::format("PP{} does not divide {} GPUs", c.pp, gpus);
  const int64_t stage_gpus = gpus / c.pp;
  if (c.ep > stage_gpus || stage_gpus % c.ep != 0)
    return fmt::format("EP{} does not divide a stage's {} GPUs", c.ep, stage_gpus);
  if (f.routed_experts > 0 && f.routed_experts % c.ep != 0) {
    return fmt::format("EP{} does not divide {} experts", c.ep, f.routed_experts);
  }
  const int64_t per_micro_batch = stage_gpus * c.micro_batch_sequences;  // dp x sequences per micro-batch
  if (f.global_batch % per_micro_batch != 0) {
    return fmt::format("the global batch of {} sequences does not split into DP {} x {}", f.global_batch, stage_gpus,
                       c.micro_batch_sequences);
  }
  micro_batches = f.global_batch / per_micro_batch;
  if (training::accepted_micro_batches(c.schedule, c.pp, micro_batches) != micro_batches) {
    return fmt::format("{} does not take {} micro-batches on PP{}", c.schedule, micro_batches, c.pp);
  }
  if (c.schedule == "dualpipe" && (c.pp < 2 || c.pp % 2 != 0)) return "dualpipe needs an even PP >= 2";
  const int64_t stages = c.schedule == "dualpipev" ? 2 * c.pp : c.pp;
  if (stages > f.layers) return fmt::format("{} stages for {} layers", stages, f.layers);
  return {};
}

}  // namespace

ScenarioDocument configured_training_document(const ScenarioDocument& doc, const TrainingConfig& c) {
  ScenarioDocument d = doc;
  nlohmann::json& root = d.root;
  root.erase("plan");
  root["fidelity"] = "analytic";
  root["cluster"]["nodes"] = c.nodes;
  root["parallelism"]["pp"] = c.pp;
  root["parallelism"]["ep"] = c.ep;
  root["parallelism"].erase("dp");
  root["training"]["schedule"] = c.schedule;
  root["training"]["micro_batch_sequences"] = c.micro_batch_sequences;
  root["training"]["micro_batches"] = c.micro_batches;
  // Every training node writes its checkpoint shards (training_run.cpp): the writers follow the cluster.
  if (root.contains("checkpoint") && root["checkpoint"].contains("storage") &&
      root["checkpoint"]["storage"].contains("cluster") &&
      root["checkpoint"]["storage"]["cluster"].contains("clients")) {
    root["checkpoint"]["storage"]["cluster"]["clients"] = c.nodes;
  }
  return d;
}

namespace {

bool better(const TrainingPoint& a, const TrainingPoint& b, bool by_time) {
  const double ka = by_time ? a.days : a.cost_usd, kb = by_time ? b.days : b.cost_usd;
  if (ka != kb) return ka < kb;
  return (by_time ? a.cost_usd : a.days) < (by_time ? b.cost_usd : b.days);
}

}  // namespace

TrainingPlanResult plan_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                 const PlanProgress& progress) {
  TrainingPlanResult r;
  r.spec = spec;
  ScenarioDocument base_doc = doc;
  base_doc.root.erase("plan");
  // What every configuration shares (training_cache.h): the files read once, EPLB's placement per EP group,
  // the cost models, the block costs per (EP, micro-batch) shape and the stages per shape and stage count.
  training::TrainingReadCache read_cache;
  training::TrainingPriceCache price_cache;
  ProvenanceLog log;
  const training::TrainingScenario base =
      training::read_training_scenario(base_doc, log, &read_cache);  // its errors propagate
  const Fixed f{base.cluster.node.gpus_per_node, base.model.arch.routed_experts, base.model.arch.layers,
                base.layout.tokens_per_step / base.spec.sequence_length};
  r.global_batch_sequences = f.global_batch;
  r.gpu = base.cluster.node.gpu.name;
  r.calibration_mismatch = hw::calibration_mismatch(base.cluster.node.gpu, base.calibration);
  const bool by_time = spec.objective == "time";

  std::vector<TrainingConfig> space;
  for (const int64_t n : spec.cluster_nodes) {
    for (const int64_t pp : spec.pp) {
      for (const int64_t ep : spec.ep) {
        for (const std::string& sch : spec.schedules) {
          for (const int64_t mbs : spec.micro_batch_sequences) space.push_back({n, pp, ep, mbs, 0, sch});
        }
      }
    }
  }
  r.configurations = static_cast<int64_t>(space.size());
  std::vector<TrainingPoint> feasible;
  for (size_t i = 0; i < space.size(); ++i) {
    if (progress) progress(static_cast<int64_t>(i + 1), r.configurations);
    TrainingConfig c = space[i];
    if (const std::string why = layout_problem(f, c, c.micro_batches); !why.empty()) {
      r.rejected.add(Rejection::layout, 1, why);
      continue;
    }
    std::optional<training::TrainingScenario> s;
    try {
      ProvenanceLog quiet;
      s = training::read_training_scenario(configured_training_document(doc, c), quiet, &read_cache);
    } catch (const InputError& e) {
      r.rejected.add(Rejection::layout, 1, e.what());
      continue;
    }
    // Memory first (it needs the stages, not the step): most configurations stop here.
    const training::TrainingMemory m = training::training_memory(*s, training::training_stages(*s, price_cache),
                                                                 schedule::held_stages(s->schedule), false);
    const double worst = m.per_rank.at(static_cast<size_t>(m.worst_rank)).total_bytes;
    if (!m.fits) {
      r.rejected.add(Rejection::memory, 1,
                     fmt::format("PP{} EP{} {}: worst rank {:.1f} GB > {:.1f} GB of HBM", c.pp, c.ep, c.schedule,
                                 worst / 1e9, m.hbm_bytes / 1e9));
      continue;
    }
    const training::TrainingPrediction p = training::predict_training(*s, 1, false, &price_cache);
    TrainingPoint t{.config = c, .gpus = s->layout.gpus, .dp = s->layout.dp};
    t.gpu_hours = p.gpu_hours;
    t.cost_usd = p.cost_usd;
    t.days = p.gpu_hours / static_cast<double>(t.gpus) / 24.0;
    t.step_s = p.step.step_s;
    t.mfu_bf16 = p.mfu_bf16;
    t.tokens_per_day = p.tokens_per_day;
    t.worst_rank_bytes = worst;
    t.hbm_bytes = m.hbm_bytes;
    feasible.push_back(std::move(t));
  }
  r.feasible = static_cast<int64_t>(feasible.size());
  std::vector<size_t> order(feasible.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return better(feasible[a], feasible[b], by_time); });
  for (size_t i = 0; i < order.size() && static_cast<int64_t>(i) < spec.top; ++i) r.best.push_back(feasible[order[i]]);
  std::vector<Objectives> points;
  for (const TrainingPoint& t : feasible) points.push_back({-t.days, -t.cost_usd});
  for (const size_t i : pareto_front(points)) r.front.push_back(feasible[i]);
  return r;
}

}  // namespace fathom::models::plan
