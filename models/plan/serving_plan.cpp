#include "models/plan/serving_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "models/deployment/memory_footprint.h"
#include "models/deployment/model_memory_facts.h"
#include "models/param_counts.h"
#include "models/plan/pareto.h"
#include "models/serving/attention_imbalance.h"
#include "models/serving/capacity.h"
#include "models/serving/expert_imbalance.h"
#include "models/serving/fleet_sizing.h"
#include "models/serving/iteration_cost.h"
#include "models/serving/serving_inputs.h"
#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::models::plan {

using serving::DecodeCapacity;
using serving::ServingInputs;
using serving::UnitSpec;

const char* to_string(Rejection r) {
  switch (r) {
    case Rejection::layout:
      return "layout";
    case Rejection::memory:
      return "memory";
    case Rejection::slo:
      return "slo";
    case Rejection::none:
      break;
  }
  return "none";
}

void RejectionCounts::add(Rejection r, int64_t n, const std::string& why) {
  const size_t i = static_cast<size_t>(r);
  if (count[i] == 0 && n > 0) example[i] = why;
  count[i] += n;
}

namespace {

// The scenario on one node type with MTP on or off, and what every option of it shares.
struct Context {
  ServingInputs in;
  serving::RequestMix mix = {};
  std::vector<serving::WindowDemand> windows = {};
  double context = 0;   // mean KV length per output token
  Bytes kv_token = {};  // per input token at the mean request (ServingSteadyState::kv_token)
  BytesPerSecond storage_bw = {};
};

// A priced prefill or decode option of one context.
struct PhaseOption {
  int64_t nodes = 1, redundant = 0, batch_limit = 0;
  Rejection rejected = Rejection::none;
  std::string why = {};
  double gpu_seconds = 0;           // over the day
  double speed = 0;                 // decode: tokens/s per request
  std::vector<int64_t> units = {};  // per window
  double imbalance = 1;
  double period_s = 0;  // prefill forward period or decode step
  int64_t batch = 0;
  std::string batch_source = {};
  bool same_as_no_limit = false;  // a batch limit at or above the SLO batch: the no-limit option again
};

// EPLB imbalance per (GPUs, nodes, redundant experts): the same for every node type, MTP and phase.
using ImbalanceCache = std::map<std::tuple<int64_t, int64_t, int64_t>, serving::UnitImbalance>;

serving::UnitImbalance imbalance_of(ImbalanceCache& cache, const ServingInputs& in, const UnitSpec& unit) {
  const auto key = std::make_tuple(unit.gpus, unit.nodes, unit.redundant_experts);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  const serving::UnitImbalance u =
      serving::unit_expert_imbalance(in.model.arch, unit, in.cluster.node, in.spec.expert_load);
  return cache.emplace(key, u).first->second;
}

UnitSpec unit_of(const UnitSpec& base, int64_t nodes, int64_t redundant, int64_t gpus_per_node) {
  UnitSpec u = base;
  u.nodes = nodes;
  u.gpus = nodes * gpus_per_node;
  u.redundant_experts = redundant;
  return u;
}

// Layout rule of both phases: the GPUs divide routed + redundant experts (as parallelism.ep in a scenario).
std::string layout_problem(const ModelArch& a, const UnitSpec& u) {
  if (!a.is_moe()) return {};
  if (!serving::experts_divide(a, u)) {
    return fmt::format("EP{} does not divide {} routed + {} redundant experts", u.gpus, a.routed_experts,
                       u.redundant_experts);
  }
  return {};
}

double day_gpu_seconds(const std::vector<serving::WindowDemand>& windows, bool prefill, double unit_capacity,
                       int64_t gpus, double headroom, std::vector<int64_t>& units) {
  double s = 0;
  units.resize(windows.size());
  for (size_t i = 0; i < windows.size(); ++i) {
    const serving::WindowDemand& w = windows[i];
    units[i] = serving::units_for(prefill ? w.computed_tokens_per_s : w.output_tokens_per_s, unit_capacity, headroom);
    s += static_cast<double>(units[i] * gpus) * w.seconds();
  }
  return s;
}

PhaseOption price_prefill(const Context& c, ImbalanceCache& cache, int64_t nodes, int64_t redundant) {
  const ServingInputs& in = c.in;
  PhaseOption o{.nodes = nodes, .redundant = redundant};
  serving::PrefillSpec p = in.spec.prefill;
  p.unit = unit_of(p.unit, nodes, redundant, in.cluster.node.gpus_per_node);
  if (const std::string why = layout_problem(in.model.arch, p.unit); !why.empty()) {
    o.rejected = Rejection::layout;
    o.why = "prefill " + why;
    return o;
  }
  // Weights, the forward's activations and the KV of its sequences (computed tokens and their cached prefix).
  const ParallelismSpec par{.tp = 1, .pp = 1, .ep = p.unit.gpus, .dp = p.unit.gpus, .redundant_experts = redundant};
  MemoryRequest req;
  req.requests_per_gpu = 1;
  req.context_tokens =
      std::llround(static_cast<double>(p.tokens_per_gpu) / std::max(1e-3, 1.0 - c.mix.cache_hit_fraction));
  req.tokens_per_forward = p.tokens_per_gpu;
  req.include_mtp = in.model.mtp;
  req.workspace = in.spec.decode.workspace;
  const MemoryFootprint f = memory_footprint(memory_facts(in.model), par, req, in.cluster.node.gpu.hbm_capacity);
  if (!f.fits) {
    o.rejected = Rejection::memory;
    o.why = fmt::format("prefill EP{}: {:.1f} GB per GPU > {:.1f} GB of HBM", p.unit.gpus, f.total.value() / 1e9,
                        f.hbm_capacity.value() / 1e9);
    return o;
  }
  const serving::UnitImbalance imb = imbalance_of(cache, in, p.unit);
  const serving::IterationCostModel cost(in.model, in.cluster.node, in.kernels,
                                         {imb.after, p.unit.communication_sms, imb.noise},
                                         {1.0, in.spec.decode.unit.communication_sms});
  const serving::PrefillCapacity cap = serving::prefill_capacity(cost, p, c.mix, c.kv_token, c.storage_bw);
  o.imbalance = cap.forward.expert_imbalance;
  o.period_s = cap.period.value();
  if (o.period_s > in.spec.slo.ttft_p99.value()) {
    o.rejected = Rejection::slo;
    o.why = fmt::format("prefill EP{}: one forward takes {:.2f} s > slo.ttft_p99", p.unit.gpus, o.period_s);
    return o;
  }
  o.gpu_seconds = day_gpu_seconds(c.windows, true, static_cast<double>(p.unit.gpus) * cap.computed_tokens_per_s_per_gpu,
                                  p.unit.gpus, in.spec.autoscaling.headroom, o.units);
  return o;
}

// Every batch limit of one decode layout (the layout's pricing is shared by its limits).
void price_decode(const Context& c, ImbalanceCache& cache, int64_t nodes, int64_t redundant,
                  const std::vector<int64_t>& limits, std::vector<PhaseOption>& out) {
  const ServingInputs& in = c.in;
  const serving::MtpSpec& mtp = in.spec.mtp;
  serving::DecodeSpec d = in.spec.decode;
  d.unit = unit_of(d.unit, nodes, redundant, in.cluster.node.gpus_per_node);
  d.context_cv = serving::decode_context_cv(c.mix);
  d.batch_per_gpu.reset();
  const auto reject_all = [&](Rejection r, const std::string& why) {
    for (const int64_t limit : limits) {
      out.push_back(
          PhaseOption{.nodes = nodes, .redundant = redundant, .batch_limit = limit, .rejected = r, .why = why});
    }
  };
  if (const std::string why = layout_problem(in.model.arch, d.unit); !why.empty())
    return reject_all(Rejection::layout, "decode " + why);
  const int64_t memory_limit =
      serving::decode_memory_batch_limit(in.model, in.cluster.node.gpu, d, mtp, c.context, d.workspace);
  if (memory_limit < 1) {
    return reject_all(
        Rejection::memory,
        fmt::format("decode EP{}: not one request at {:.0f} tokens of context fits in HBM", d.unit.gpus, c.context));
  }
  const serving::UnitImbalance imb = imbalance_of(cache, in, d.unit);
  const serving::IterationCostModel cost(in.model, in.cluster.node, in.kernels,
                                         {1.0, in.spec.prefill.unit.communication_sms},
                                         {imb.after, d.unit.communication_sms, imb.noise});
  if (d.max_tokens_per_expert && cost.decode_tokens_per_local_expert(1, d, mtp) > double(*d.max_tokens_per_expert)) {
    return reject_all(Rejection::layout,
                      fmt::format("decode EP{}: one request exceeds decode.max_tokens_per_expert", d.unit.gpus));
  }
  const double speed1 = mtp.tokens_per_step() / cost.decode_step(1, c.context, d, mtp).total.value();
  if (speed1 < in.spec.slo.tokens_per_s_per_request) {
    return reject_all(Rejection::slo,
                      fmt::format("decode EP{}: one request per GPU decodes at {:.1f} tokens/s", d.unit.gpus, speed1));
  }
  const DecodeCapacity at_slo = serving::decode_capacity(cost, d, mtp, in.spec.slo, c.context, memory_limit, in.label);
  for (const int64_t limit : limits) {
    PhaseOption o{.nodes = nodes, .redundant = redundant, .batch_limit = limit};
    DecodeCapacity dc = at_slo;
    std::string source = at_slo.batch_source;
    o.same_as_no_limit = limit > 0 && limit >= at_slo.batch_per_gpu;
    if (limit > 0 && limit < at_slo.batch_per_gpu) {
      serving::DecodeSpec fixed = d;
      fixed.batch_per_gpu = limit;
      dc = serving::decode_capacity(cost, fixed, mtp, in.spec.slo, c.context, memory_limit, in.label);
      source = "limit";
    }
    o.speed = dc.tokens_per_s_per_request;
    o.batch = dc.batch_per_gpu;
    o.batch_source = source;
    o.period_s = dc.step.total.value();
    o.imbalance = dc.step.expert_imbalance;  // at the priced batch (routing noise included)
    o.gpu_seconds = day_gpu_seconds(c.windows, false, static_cast<double>(d.unit.gpus) * dc.output_tokens_per_s_per_gpu,
                                    d.unit.gpus, in.spec.autoscaling.headroom, o.units);
    out.push_back(std::move(o));
  }
}

Context context_of(const ServingInputs& base, bool mtp) {
  Context c{.in = base};
  c.in.model.mtp = mtp;
  if (!mtp) c.in.spec.mtp = serving::MtpSpec{};
  c.mix = serving::derive_request_mix(c.in.traffic, c.in.spec.lengths);
  c.windows = serving::day_windows(c.in.traffic, c.mix, c.in.spec.autoscaling.window);
  c.context = c.in.traffic.mean_kv_length_per_output_token;
  c.kv_token = kv_cache_size(c.in.model.arch, c.in.model.kv_cache_dtype).per_token_at(c.mix.mean_input_tokens);
  c.storage_bw = serving::storage_bandwidth_per_gpu(c.in);
  return c;
}

// What the inner loop keeps of a feasible configuration.
struct Candidate {
  uint32_t context, prefill, decode;
  double cost, gpu_seconds, tokens_per_gpu, speed;
};

bool better(const Candidate& a, const Candidate& b, bool by_cost) {
  const double ka = by_cost ? a.cost : a.gpu_seconds, kb = by_cost ? b.cost : b.gpu_seconds;
  if (ka != kb) return ka < kb;
  return (by_cost ? a.gpu_seconds : a.cost) < (by_cost ? b.gpu_seconds : b.cost);
}

}  // namespace

ServingInputs configured_inputs(const ServingNodeType& type, const ServingConfig& config,
                                std::optional<int64_t> fixed_batch) {
  ServingInputs in = *type.inputs;
  in.model.mtp = config.mtp;
  if (!config.mtp) in.spec.mtp = serving::MtpSpec{};
  const int64_t gpn = in.cluster.node.gpus_per_node;
  in.spec.prefill.unit = unit_of(in.spec.prefill.unit, config.prefill_nodes, config.prefill_redundant, gpn);
  in.spec.decode.unit = unit_of(in.spec.decode.unit, config.decode_nodes, config.decode_redundant, gpn);
  in.spec.decode.batch_per_gpu.reset();
  in.spec.decode.batch_per_gpu = fixed_batch;
  return in;
}

ScenarioDocument configured_serving_document(const ScenarioDocument& doc, const ServingPlanResult& r,
                                             const ServingPoint& p) {
  const ServingConfig& c = p.config;
  const ServingNodeType& type = r.node_types.at(c.node_type);
  const int64_t gpn = type.inputs->cluster.node.gpus_per_node;
  ScenarioDocument d = doc;
  nlohmann::json& root = d.root;
  root.erase("plan");
  root["cluster"]["node"] = load_scenario(doc.resolve_path(type.file)).root;
  for (const auto& [section, nodes, redundant] : {std::tuple{"prefill", c.prefill_nodes, c.prefill_redundant},
                                                  std::tuple{"decode", c.decode_nodes, c.decode_redundant}}) {
    root[section]["nodes_per_unit"] = nodes;
    root[section]["ep"] = nodes * gpn;
    root[section]["redundant_experts"] = redundant;
  }
  root["decode"].erase("batch_per_gpu");
  if (p.batch_source == "limit") root["decode"]["batch_per_gpu"] = p.decode_batch_per_gpu;
  if (!c.mtp) {
    root["model"]["mtp"] = false;
    root.erase("mtp");
  }
  root["economics"]["gpu_hour_price"] = fmt::format("{}USD/h", type.inputs->economics.gpu_hour_price.value());
  return d;
}

namespace {

// The contexts of the search (node types x MTP settings), in the search's fixed order, with each one's node type.
std::vector<Context> search_contexts(const std::vector<ServingNodeType>& node_types, const ServingPlanSpec& spec,
                                     std::vector<size_t>& context_type) {
  std::vector<Context> contexts;
  for (size_t t = 0; t < node_types.size(); ++t) {
    const ServingNodeType& type = node_types[t];
    if (!type.inputs) continue;
    std::vector<bool> mtps = spec.mtp;
    if (mtps.empty())
      mtps = type.inputs->spec.mtp.draft_tokens > 0 ? std::vector<bool>{true, false} : std::vector<bool>{false};
    for (const bool m : mtps) {
      if (m && type.inputs->spec.mtp.draft_tokens == 0) {
        throw InputError(
            fmt::format("{}: plan.mtp: MTP on needs the scenario's mtp section (draft_tokens, acceptance_rate)",
                        type.inputs->label));
      }
      contexts.push_back(context_of(*type.inputs, m));
      context_type.push_back(t);
    }
  }
  if (contexts.empty()) {
    // Every node type was skipped: say why for each, on the one line.
    std::string why;
    for (const ServingNodeType& type : node_types) {
      why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", type.gpu, type.skipped);
    }
    throw InputError(fmt::format("{}: plan.node_types: no node type can run the scenario ({})",
                                 node_types.empty() ? "(no node types)" : node_types.front().scenario,
                                 printable(why, 400)));
  }
  return contexts;
}

// One pricing of the search's fixed order: a prefill layout (one option) or a decode layout (one option per
// batch limit) of one context.
struct PhaseTask {
  size_t context = 0;
  bool prefill = true;
  int64_t nodes = 1, redundant = 0;
};

std::vector<PhaseTask> phase_tasks(size_t contexts, const ServingPlanSpec& spec) {
  std::vector<PhaseTask> tasks;
  for (size_t k = 0; k < contexts; ++k) {
    for (const int64_t n : spec.prefill_nodes_per_unit) {
      for (const int64_t red : spec.redundant_experts) tasks.push_back({k, true, n, red});
    }
    for (const int64_t n : spec.decode_nodes_per_unit) {
      for (const int64_t red : spec.redundant_experts) tasks.push_back({k, false, n, red});
    }
  }
  return tasks;
}

nlohmann::json option_json(const PhaseOption& o) {
  return {o.nodes,
          o.redundant,
          o.batch_limit,
          static_cast<int>(o.rejected),
          o.why,
          o.gpu_seconds,
          o.speed,
          o.units,
          o.imbalance,
          o.period_s,
          o.batch,
          o.batch_source,
          o.same_as_no_limit};
}

PhaseOption option_of(const nlohmann::json& j) {
  PhaseOption o;
  o.nodes = j.at(0).get<int64_t>();
  o.redundant = j.at(1).get<int64_t>();
  o.batch_limit = j.at(2).get<int64_t>();
  const int why = j.at(3).get<int>();
  if (why < 0 || why > static_cast<int>(Rejection::slo)) throw std::out_of_range("rejection");
  o.rejected = static_cast<Rejection>(why);
  o.why = j.at(4).get<std::string>();
  o.gpu_seconds = j.at(5).get<double>();
  o.speed = j.at(6).get<double>();
  o.units = j.at(7).get<std::vector<int64_t>>();
  o.imbalance = j.at(8).get<double>();
  o.period_s = j.at(9).get<double>();
  o.batch = j.at(10).get<int64_t>();
  o.batch_source = j.at(11).get<std::string>();
  o.same_as_no_limit = j.at(12).get<bool>();
  return o;
}

}  // namespace

std::string price_serving_phases(const std::vector<ServingNodeType>& node_types, const ServingPlanSpec& spec,
                                 Shard shard, const PlanProgress& progress) {
  std::vector<size_t> context_type;
  const std::vector<Context> contexts = search_contexts(node_types, spec, context_type);
  const std::vector<PhaseTask> tasks = phase_tasks(contexts.size(), spec);
  const int64_t n = static_cast<int64_t>(tasks.size());
  const int64_t mine = shard.index < n ? (n - shard.index + shard.count - 1) / shard.count : 0;
  ImbalanceCache cache;  // EPLB placements, shared by every node type, MTP setting and phase
  nlohmann::json out = nlohmann::json::array();
  int64_t done = 0;
  for (int64_t i = shard.index; i < n; i += shard.count) {
    const PhaseTask& t = tasks[static_cast<size_t>(i)];
    std::vector<PhaseOption> options;
    if (t.prefill) {
      options.push_back(price_prefill(contexts[t.context], cache, t.nodes, t.redundant));
    } else {
      price_decode(contexts[t.context], cache, t.nodes, t.redundant, spec.decode_batch_limits, options);
    }
    nlohmann::json priced = nlohmann::json::array();
    for (const PhaseOption& o : options) priced.push_back(option_json(o));
    out.push_back({i, std::move(priced)});
    if (progress) progress(++done, mine);
  }
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_msgpack(out);
  return {bytes.begin(), bytes.end()};
}

ServingPlanResult plan_serving(std::vector<ServingNodeType> node_types, const ServingPlanSpec& spec,
                               const PlanProgress& progress) {
  const std::string priced = price_serving_phases(node_types, spec, {}, progress);
  return collect_serving(std::move(node_types), spec, {priced});
}

ServingPlanResult collect_serving(std::vector<ServingNodeType> node_types, const ServingPlanSpec& spec,
                                  const std::vector<std::string>& priced) {
  ServingPlanResult r;
  r.spec = spec;
  r.node_types = std::move(node_types);
  const bool by_cost = spec.objective == "cost";
  std::vector<size_t> context_type;
  const std::vector<Context> contexts = search_contexts(r.node_types, spec, context_type);
  const std::vector<PhaseTask> tasks = phase_tasks(contexts.size(), spec);

  // Every pricing once, placed by its index in the search's order.
  std::vector<std::optional<std::vector<PhaseOption>>> by_task(tasks.size());
  try {
    for (const std::string& bytes : priced) {
      for (const nlohmann::json& j : nlohmann::json::from_msgpack(bytes)) {
        const size_t i = j.at(0).get<size_t>();
        if (i >= by_task.size() || by_task[i]) throw std::out_of_range("a pricing out of range or twice");
        std::vector<PhaseOption>& options = by_task[i].emplace();
        for (const nlohmann::json& o : j.at(1)) options.push_back(option_of(o));
      }
    }
  } catch (const std::exception& e) {
    throw InputError(fmt::format("plan pricings from another process: {}", e.what()));
  }
  std::vector<std::vector<PhaseOption>> prefill(contexts.size()), decode(contexts.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!by_task[i]) throw std::logic_error("collect_serving: the pricings do not cover the search");
    std::vector<PhaseOption>& into = tasks[i].prefill ? prefill[tasks[i].context] : decode[tasks[i].context];
    into.insert(into.end(), std::make_move_iterator(by_task[i]->begin()), std::make_move_iterator(by_task[i]->end()));
  }
  r.phase_pricings = static_cast<int64_t>(tasks.size());

  // The product: every prefill option with every decode option of the same context.
  std::vector<Candidate> feasible;
  std::vector<Candidate> top;
  for (size_t k = 0; k < contexts.size(); ++k) {
    const double price = contexts[k].in.economics.gpu_hour_price.value();
    const double output_per_day = contexts[k].in.traffic.output_tokens_per_day;
    for (uint32_t pi = 0; pi < prefill[k].size(); ++pi) {
      const PhaseOption& p = prefill[k][pi];
      const int64_t n = static_cast<int64_t>(decode[k].size());
      r.configurations += n;
      if (p.rejected != Rejection::none) {
        r.rejected.add(p.rejected, n, p.why);
        continue;
      }
      for (uint32_t di = 0; di < decode[k].size(); ++di) {
        const PhaseOption& d = decode[k][di];
        if (d.rejected != Rejection::none) {
          r.rejected.add(d.rejected, 1, d.why);
          continue;
        }
        if (d.same_as_no_limit) {
          ++r.same_as_no_limit;
          continue;
        }
        const double gs = p.gpu_seconds + d.gpu_seconds;
        const Candidate c{static_cast<uint32_t>(k), pi, di, gs / 3600.0 * price, gs, output_per_day / gs, d.speed};
        feasible.push_back(c);
        if (static_cast<int64_t>(top.size()) < spec.top || better(c, top.back(), by_cost)) {
          const auto at = std::upper_bound(
              top.begin(), top.end(), c, [&](const Candidate& a, const Candidate& b) { return better(a, b, by_cost); });
          top.insert(at, c);
          if (static_cast<int64_t>(top.size()) > spec.top) top.pop_back();
        }
      }
    }
  }
  r.feasible = static_cast<int64_t>(feasible.size());

  const auto describe = [&](const Candidate& c) {
    const Context& ctx = contexts[c.context];
    const PhaseOption& p = prefill[c.context][c.prefill];
    const PhaseOption& d = decode[c.context][c.decode];
    ServingPoint s;
    s.config = ServingConfig{
        context_type[c.context], ctx.in.model.mtp, p.nodes, p.redundant, d.nodes, d.redundant, d.batch_limit};
    s.cost_usd_per_day = c.cost;
    s.gpu_hours_per_day = c.gpu_seconds / 3600.0;
    s.output_tokens_per_s_per_gpu = c.tokens_per_gpu;
    s.tokens_per_s_per_user = c.speed;
    s.prefill_gpu_hours = p.gpu_seconds / 3600.0;
    s.decode_gpu_hours = d.gpu_seconds / 3600.0;
    double node_s = 0;
    for (size_t w = 0; w < ctx.windows.size(); ++w) {
      const int64_t nodes = p.units[w] * p.nodes + d.units[w] * d.nodes;
      s.peak_nodes = std::max(s.peak_nodes, nodes);
      node_s += static_cast<double>(nodes) * ctx.windows[w].seconds();
    }
    s.average_nodes = node_s / 86400.0;
    s.decode_batch_per_gpu = d.batch;
    s.batch_source = d.batch_source;
    s.decode_step_s = d.period_s;
    s.prefill_forward_s = p.period_s;
    s.prefill_expert_imbalance = p.imbalance;
    s.decode_expert_imbalance = d.imbalance;
    return s;
  };
  for (const Candidate& c : top) r.best.push_back(describe(c));
  std::vector<Objectives> speed_points, cost_points;
  speed_points.reserve(feasible.size());
  cost_points.reserve(feasible.size());
  for (const Candidate& c : feasible) {
    speed_points.push_back({c.tokens_per_gpu, c.speed});
    cost_points.push_back({-c.cost, c.speed});
  }
  for (const size_t i : pareto_front(speed_points)) r.throughput_front.push_back(describe(feasible[i]));
  for (const size_t i : pareto_front(cost_points)) r.cost_front.push_back(describe(feasible[i]));

  if (spec.check_best && !r.best.empty()) {
    const ServingPoint& b = r.best.front();
    r.check_inputs =
        configured_inputs(r.node_types[b.config.node_type], b.config,
                          b.batch_source == "limit" ? std::optional(b.decode_batch_per_gpu) : std::nullopt);
    r.check = serving::simulate_serving_day(*r.check_inputs);
  }
  return r;
}

}  // namespace fathom::models::plan
