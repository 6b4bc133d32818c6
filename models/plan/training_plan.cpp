#include "models/plan/training_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "models/plan/pareto.h"
#include "models/schedule/registry.h"
#include "models/schedule/schedule.h"
#include "models/tensor_parallel.h"
#include "models/training/rank_memory.h"
#include "models/training/training_layout.h"
#include "models/training/training_run.h"
#include "sim/error.h"

namespace fathom::models::plan {
namespace {

// The scenario's values that the search keeps: the GPUs per node, the experts, the layers, the global batch
// (sequences per step; a hyper-parameter of the run, not a layout choice), and its tensor-parallel size and
// virtual stages (the defaults of plan.tp and plan.virtual_stages).
struct Fixed {
  int64_t gpus_per_node = 0, routed_experts = 0, layers = 0, global_batch = 0, tp = 1, virtual_stages = 1;
};

// The first layout rule `c` breaks (empty: none), checked before the scenario is read: the cheap arithmetic that
// refuses most of the space. TP's own rules (a node's GPUs, the attention heads, a micro-batch's tokens) are
// derive_layout's, applied by with_layout (training_layout.h).
std::string layout_problem(const Fixed& f, const TrainingConfig& c, int64_t& micro_batches) {
  const int64_t gpus = c.nodes * f.gpus_per_node;
  if (gpus % (c.pp * c.tp) != 0) return fmt::format("PP{} x TP{} does not divide {} GPUs", c.pp, c.tp, gpus);
  const int64_t stage_gpus = gpus / c.pp, dp = stage_gpus / c.tp;
  // EP groups are drawn from all dp x tp GPUs of a stage (training_layout.cpp, MoE parallel folding).
  if (c.ep > stage_gpus || stage_gpus % c.ep != 0)
    return fmt::format("EP{} does not divide a stage's {} GPUs", c.ep, stage_gpus);
  if (f.routed_experts > 0 && f.routed_experts % c.ep != 0) {
    return fmt::format("EP{} does not divide {} experts", c.ep, f.routed_experts);
  }
  const int64_t per_micro_batch = dp * c.micro_batch_sequences;  // dp x sequences per micro-batch
  if (f.global_batch % per_micro_batch != 0) {
    return fmt::format("the global batch of {} sequences does not split into DP {} x {}", f.global_batch, dp,
                       c.micro_batch_sequences);
  }
  micro_batches = f.global_batch / per_micro_batch;
  if (training::accepted_micro_batches(c.schedule, c.pp, micro_batches) != micro_batches) {
    return fmt::format("{} does not take {} micro-batches on PP{}", c.schedule, micro_batches, c.pp);
  }
  const schedule::ScheduleTraits& t = schedule::schedule_traits(c.schedule);
  if (t.even_ranks && (c.pp < 2 || c.pp % 2 != 0)) return fmt::format("{} needs an even PP >= 2", c.schedule);
  const int64_t stages = t.stages(static_cast<int>(c.pp), static_cast<int>(c.virtual_stages));
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
  root["parallelism"]["tp"] = c.tp;
  root["parallelism"]["ep"] = c.ep;
  root["parallelism"].erase("dp");
  root["training"]["schedule"] = c.schedule;
  root["training"]["virtual_stages"] = c.virtual_stages;
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

namespace {

// plan.tp entries that no configuration can use, refused as input errors at `plan.tp.<i>`: TP must divide the
// model's attention heads and fit the NVLink domain (tp_group_misfit) whatever the other choices (validate_parallelism
// and derive_layout apply the same rules to each configuration; a micro-batch's tokens depend on the configuration and
// are left to them).
void check_tp_list(const ScenarioDocument& doc, const std::vector<int64_t>& tps, const training::TrainingScenario& s) {
  static const nlohmann::json kNoPlan = nlohmann::json::object();  // a spec made in code names the same paths
  const SpecReader plan(doc.root.contains("plan") ? doc.root["plan"] : kNoPlan, doc.label, "plan");
  for (size_t i = 0; i < tps.size(); ++i) {
    const std::string at = fmt::format("tp.{}", i);
    if (s.model.arch.heads % tps[i] != 0) {
      plan.fail(at, fmt::format("{} does not divide the model's {} attention heads", tps[i], s.model.arch.heads));
    }
    if (const std::string misfit = tp_group_misfit(tps[i], s.cluster.node); !misfit.empty()) plan.fail(at, misfit);
  }
}

// The scenario as written, read once (its errors propagate), and the values the search keeps.
struct Base {
  training::TrainingScenario scenario;
  Fixed fixed;
};

Base read_base(const ScenarioDocument& doc, const std::vector<int64_t>& spec_tp, training::TrainingReadCache& cache) {
  ScenarioDocument base_doc = doc;
  base_doc.root.erase("plan");
  base_doc.root["fidelity"] = "analytic";  // what every configuration is priced at (configured_training_document)
  ProvenanceLog log;
  Base b{training::read_training_scenario(base_doc, log, &cache), {}};
  const training::TrainingScenario& s = b.scenario;
  // A written stage cut holds for one pp x virtual_stages and one schedule; the search varies them and cuts
  // each configuration by min-max (docs/plan.md). Refused rather than kept for the matching points only.
  if (s.spec.pipeline_layout) {
    throw InputError(
        fmt::format("{}: training.pipeline_layout: fixes the stage cut of one pp x virtual_stages; "
                    "`fathom plan` cuts every configuration it searches itself: remove the key",
                    doc.label));
  }
  b.fixed = {s.cluster.node.gpus_per_node,
             s.model.arch.routed_experts,
             s.model.arch.layers,
             s.layout.tokens_per_step / s.spec.sequence_length,
             s.layout.tp,
             s.spec.virtual_stages};
  check_tp_list(doc, spec_tp, s);
  return b;
}

// The space in its fixed order (the index of an outcome): nodes, PP, TP, EP, schedule, virtual stages (for a
// schedule that takes them, ScheduleTraits::virtual_stages: interleaved_1f1b; 1 for the others), micro-batch size.
std::vector<TrainingConfig> training_space(const TrainingPlanSpec& spec, const Fixed& f) {
  const std::vector<int64_t> tps = spec.tp.empty() ? std::vector<int64_t>{f.tp} : spec.tp;
  const std::vector<int64_t> vps =
      spec.virtual_stages.empty() ? std::vector<int64_t>{f.virtual_stages} : spec.virtual_stages;
  std::vector<TrainingConfig> space;
  for (const int64_t n : spec.cluster_nodes) {
    for (const int64_t pp : spec.pp) {
      for (const int64_t tp : tps) {
        for (const int64_t ep : spec.ep) {
          for (const std::string& sch : spec.schedules) {
            for (const int64_t vp : schedule::schedule_traits(sch).virtual_stages ? vps : std::vector<int64_t>{1}) {
              for (const int64_t mbs : spec.micro_batch_sequences) space.push_back({n, pp, ep, mbs, 0, sch, tp, vp});
            }
          }
        }
      }
    }
  }
  return space;
}

// One configuration through the caches (training_cache.h): layout rules, the layout applied to the scenario read
// once (with_layout), memory, then the step.
TrainingOutcome evaluate_one(const ScenarioDocument& doc, const training::TrainingScenario& base, const Fixed& f,
                             TrainingConfig c, training::TrainingReadCache& read_cache,
                             training::TrainingPriceCache& price_cache) {
  TrainingOutcome o;
  const std::string layout_why = layout_problem(f, c, c.micro_batches);
  o.point.config = c;  // for every outcome, refused or not
  if (!layout_why.empty()) {
    o.rejection = Rejection::layout;
    o.why = layout_why;
    return o;
  }
  std::optional<training::TrainingScenario> s;
  try {
    // with_layout keeps the read scenario's tp and virtual stages: `base` has the configuration's.
    s = training::with_layout(base, doc, {c.nodes, c.pp, c.ep, c.micro_batch_sequences, c.micro_batches, c.schedule},
                              &read_cache);
  } catch (const InputError& e) {
    o.rejection = Rejection::layout;
    o.why = e.what();
    return o;
  }
  // Memory first (it needs the stages, not the step): most configurations stop here.
  const training::TrainingMemory m =
      training::training_memory(*s, training::training_stages(*s, price_cache), false, &price_cache);
  const double worst = m.per_rank.at(static_cast<size_t>(m.worst_rank)).total_bytes;
  if (!m.fits) {
    o.rejection = Rejection::memory;
    o.why =
        fmt::format("TP{} PP{} EP{} {}{}: worst rank {:.1f} GB > {:.1f} GB of HBM", c.tp, c.pp, c.ep, c.schedule,
                    c.virtual_stages > 1 ? fmt::format(" VP{}", c.virtual_stages) : "", worst / 1e9, m.hbm_bytes / 1e9);
    return o;
  }
  const training::TrainingPrediction p = training::predict_training(*s, 1, false, &price_cache);
  TrainingPoint& t = o.point;
  t = TrainingPoint{.config = c, .gpus = s->layout.gpus, .dp = s->layout.dp};
  t.gpu_hours = p.gpu_hours;
  t.cost_usd = p.cost_usd;
  t.days = p.gpu_hours / static_cast<double>(t.gpus) / 24.0;
  t.step_s = p.step.step_s;
  t.mfu_bf16 = p.mfu_bf16;
  t.tokens_per_day = p.tokens_per_day;
  t.worst_rank_bytes = worst;
  t.hbm_bytes = m.hbm_bytes;
  return o;
}

}  // namespace

std::vector<TrainingOutcome> evaluate_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec, Shard shard,
                                               const PlanProgress& progress) {
  // What every configuration shares (training_cache.h): the files read once, EPLB's placement per EP group,
  // the cost models, the block costs per (EP, micro-batch) shape and the stages per shape and stage count.
  training::TrainingReadCache read_cache;
  training::TrainingPriceCache price_cache;
  const Base base = read_base(doc, spec.tp, read_cache);
  const std::vector<TrainingConfig> space = training_space(spec, base.fixed);
  // The scenario as read with each (TP, virtual stages) of the space: what with_layout lays out.
  std::map<std::pair<int64_t, int64_t>, training::TrainingScenario> bases;
  const auto base_for = [&](const TrainingConfig& c) -> const training::TrainingScenario& {
    auto it = bases.find({c.tp, c.virtual_stages});
    if (it == bases.end()) {
      training::TrainingScenario s = base.scenario;
      s.parallelism.tp = c.tp;
      s.spec.virtual_stages = c.virtual_stages;
      it = bases.emplace(std::make_pair(c.tp, c.virtual_stages), std::move(s)).first;
    }
    return it->second;
  };
  const int64_t n = static_cast<int64_t>(space.size());
  const int64_t mine = shard.index < n ? (n - shard.index + shard.count - 1) / shard.count : 0;
  std::vector<TrainingOutcome> out;
  out.reserve(static_cast<size_t>(mine));
  for (int64_t i = shard.index; i < n; i += shard.count) {
    const TrainingConfig& c = space[static_cast<size_t>(i)];
    out.push_back(evaluate_one(doc, base_for(c), base.fixed, c, read_cache, price_cache));
    out.back().index = i;
    if (progress) progress(static_cast<int64_t>(out.size()), mine);
  }
  return out;
}

TrainingPlanResult collect_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                    std::vector<TrainingOutcome> outcomes) {
  TrainingPlanResult r;
  r.spec = spec;
  training::TrainingReadCache read_cache;
  const Base base = read_base(doc, spec.tp, read_cache);
  // The space as searched: the scenario's TP and virtual stages where the plan lists none.
  if (r.spec.tp.empty()) r.spec.tp = {base.fixed.tp};
  if (r.spec.virtual_stages.empty()) r.spec.virtual_stages = {base.fixed.virtual_stages};
  r.global_batch_sequences = base.fixed.global_batch;
  r.gpu = base.scenario.cluster.node.gpu.name;
  r.calibration_mismatch = hw::calibration_mismatch(base.scenario.cluster.node.gpu, base.scenario.calibration);
  const bool by_time = spec.objective == "time";
  r.configurations = static_cast<int64_t>(training_space(spec, base.fixed).size());
  std::sort(outcomes.begin(), outcomes.end(),
            [](const TrainingOutcome& a, const TrainingOutcome& b) { return a.index < b.index; });
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].index != static_cast<int64_t>(i) || static_cast<int64_t>(outcomes.size()) != r.configurations) {
      throw std::logic_error("collect_training: the outcomes do not cover the space once");
    }
  }
  std::vector<TrainingPoint> feasible;
  for (TrainingOutcome& o : outcomes) {
    if (o.rejection == Rejection::none) {
      feasible.push_back(std::move(o.point));
    } else {
      r.rejected.add(o.rejection, 1, o.why);
    }
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
  for (size_t i = 0; i < r.best.size() && static_cast<int64_t>(i) < spec.check_top; ++i) {
    r.checks.push_back(check_training_point(doc, r.best[i]));
  }
  return r;
}

TrainingCheck check_training_point(const ScenarioDocument& doc, const TrainingPoint& point) {
  ScenarioDocument d = configured_training_document(doc, point.config);
  d.root["fidelity"] = "event";
  ProvenanceLog log;
  const training::TrainingScenario s = training::read_training_scenario(d, log);
  const training::TrainingPrediction p = training::predict_training(s);
  TrainingCheck c{.analytic = point};
  c.step_s = p.step.step_s;
  c.gpu_hours = p.gpu_hours;
  c.cost_usd = p.cost_usd;
  c.days = p.gpu_hours / static_cast<double>(point.gpus) / 24.0;
  c.mfu_bf16 = p.mfu_bf16;
  c.step_over_analytic = c.step_s / point.step_s;
  return c;
}

TrainingPlanResult plan_training(const ScenarioDocument& doc, const TrainingPlanSpec& spec,
                                 const PlanProgress& progress) {
  return collect_training(doc, spec, evaluate_training(doc, spec, {}, progress));
}

namespace {

nlohmann::json outcome_json(const TrainingOutcome& o) {
  const TrainingPoint& t = o.point;
  const TrainingConfig& c = t.config;
  return {o.index,
          static_cast<int>(o.rejection),
          o.why,
          {c.nodes, c.pp, c.ep, c.micro_batch_sequences, c.micro_batches, c.schedule, c.tp, c.virtual_stages},
          {t.gpus, t.dp, t.days, t.cost_usd, t.gpu_hours, t.step_s, t.mfu_bf16, t.tokens_per_day, t.worst_rank_bytes,
           t.hbm_bytes}};
}

TrainingOutcome outcome_of(const nlohmann::json& j) {
  TrainingOutcome o;
  o.index = j.at(0).get<int64_t>();
  const int why = j.at(1).get<int>();
  if (why < 0 || why > static_cast<int>(Rejection::slo)) throw std::out_of_range("rejection");
  o.rejection = static_cast<Rejection>(why);
  o.why = j.at(2).get<std::string>();
  const nlohmann::json& c = j.at(3);
  o.point.config = {c.at(0).get<int64_t>(), c.at(1).get<int64_t>(),     c.at(2).get<int64_t>(), c.at(3).get<int64_t>(),
                    c.at(4).get<int64_t>(), c.at(5).get<std::string>(), c.at(6).get<int64_t>(), c.at(7).get<int64_t>()};
  const nlohmann::json& t = j.at(4);
  TrainingPoint& p = o.point;
  p.gpus = t.at(0).get<int64_t>();
  p.dp = t.at(1).get<int64_t>();
  double* const values[] = {&p.days,     &p.cost_usd,       &p.gpu_hours,        &p.step_s,
                            &p.mfu_bf16, &p.tokens_per_day, &p.worst_rank_bytes, &p.hbm_bytes};
  for (size_t i = 0; i < std::size(values); ++i) *values[i] = t.at(i + 2).get<double>();
  return o;
}

}  // namespace

std::string encode_outcomes(const std::vector<TrainingOutcome>& outcomes) {
  nlohmann::json all = nlohmann::json::array();
  for (const TrainingOutcome& o : outcomes) all.push_back(outcome_json(o));
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_msgpack(all);
  return {bytes.begin(), bytes.end()};
}

std::vector<TrainingOutcome> decode_outcomes(const std::string& bytes) {
  try {
    const nlohmann::json all = nlohmann::json::from_msgpack(bytes);
    std::vector<TrainingOutcome> out;
    for (const nlohmann::json& j : all) out.push_back(outcome_of(j));
    return out;
  } catch (const std::exception& e) {
    throw InputError(fmt::format("plan outcomes from another process: {}", e.what()));
  }
}

}  // namespace fathom::models::plan
