#include "models/eplb/expert_load_router.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/error.h"

namespace fathom::models::eplb {

void check_router(const RouterSpec& s) {
  auto need = [](bool ok, const char* field, int v, const char* what) {
    if (!ok) throw InputError(fmt::format("router.{} {}: {}", field, v, what));
  };
  need(s.layers > 0, "layers", s.layers, "must be positive");
  need(s.experts > 0, "experts", s.experts, "must be positive");
  need(s.groups > 0 && s.experts % s.groups == 0, "groups", s.groups, "must divide the experts");
  need(s.topk_groups > 0 && s.topk_groups <= s.groups, "topk_groups", s.topk_groups, "must be in 1..groups");
  need(s.topk > 0 && s.topk <= s.experts / s.groups * s.topk_groups, "topk", s.topk,
       "must be positive and fit in the kept groups");
  need(s.nodes >= 0 && (s.nodes == 0 || s.experts % s.nodes == 0), "nodes", s.nodes, "must divide the experts");
  if (s.nodes > 0) {
    need(s.max_nodes > 0 && s.max_nodes <= s.nodes && s.topk % s.max_nodes == 0, "max_nodes", s.max_nodes,
         "must be in 1..nodes and divide topk");
    need(s.topk <= s.experts / s.nodes * s.max_nodes, "topk", s.topk, "must fit in the kept nodes");
  }
  need(s.tokens >= 0, "tokens", s.tokens, "must be >= 0");
  if (!(s.popularity_sigma >= 0) || !(s.noise_sigma >= 0)) throw InputError("router: sigmas must be >= 0");
}

LoadMatrix initial_popularity(const RouterSpec& spec, LoadRng& rng) {
  LoadMatrix pop(spec.layers, std::vector<double>(spec.experts));
  for (auto& row : pop) {
    for (auto& v : row) v = spec.popularity_sigma * rng.normal();
  }
  return pop;
}

namespace {

// Keeps the `keep` of `blocks` contiguous blocks with the largest sum of their top `per_block`
// scores; clears allowed[] for the others.
void limit_blocks(const std::vector<double>& score, int blocks, int keep, int per_block, std::vector<char>& allowed) {
  const int size = static_cast<int>(score.size()) / blocks;
  std::vector<double> block_score(blocks, 0.0);
  std::vector<double> buf;
  for (int b = 0; b < blocks; ++b) {
    buf.clear();
    for (int e = b * size; e < (b + 1) * size; ++e) {
      if (allowed[e]) buf.push_back(score[e]);
    }
    const int k = std::min<int>(per_block, static_cast<int>(buf.size()));
    std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), std::greater<>());
    block_score[b] = buf.empty() ? -1.0 : std::accumulate(buf.begin(), buf.begin() + k, 0.0);
  }
  std::vector<int> order(blocks);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return block_score[a] > block_score[b]; });
  for (int i = keep; i < blocks; ++i) {
    for (int e = order[i] * size; e < (order[i] + 1) * size; ++e) allowed[e] = 0;
  }
}

}  // namespace

LoadMatrix route_tokens(const RouterSpec& spec, const LoadMatrix& popularity, LoadRng& rng) {
  check_router(spec);
  LoadMatrix counts(spec.layers, std::vector<double>(spec.experts, 0.0));
  std::vector<double> score(spec.experts);
  std::vector<char> allowed(spec.experts);
  std::vector<int> candidates;
  for (int l = 0; l < spec.layers; ++l) {
    for (int t = 0; t < spec.tokens; ++t) {
      for (int e = 0; e < spec.experts; ++e) {
        score[e] = 1.0 / (1.0 + std::exp(-(popularity[l][e] + spec.noise_sigma * rng.normal())));
      }
      std::fill(allowed.begin(), allowed.end(), 1);
      if (spec.topk_groups < spec.groups) limit_blocks(score, spec.groups, spec.topk_groups, 2, allowed);
      if (spec.nodes > 0 && spec.max_nodes < spec.nodes) {
        limit_blocks(score, spec.nodes, spec.max_nodes, spec.topk / spec.max_nodes, allowed);
      }
      candidates.clear();
      for (int e = 0; e < spec.experts; ++e) {
        if (allowed[e]) candidates.push_back(e);
      }
      const int k = std::min<int>(spec.topk, static_cast<int>(candidates.size()));
      std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(),
                        [&](int a, int b) { return score[a] > score[b] || (score[a] == score[b] && a < b); });
      for (int i = 0; i < k; ++i) counts[l][candidates[i]] += 1.0;
    }
  }
  return counts;
}

LoadMatrix router_loads(const RouterSpec& spec) {
  check_router(spec);
  LoadRng rng(spec.seed);
  const LoadMatrix pop = initial_popularity(spec, rng);
  return route_tokens(spec, pop, rng);
}

std::vector<DriftStep> simulate_drift(const DriftSpec& spec, const EplbConfig& config) {
  check_router(spec.router);
  check_config(spec.router.experts, config);
  if (!(spec.step_minutes > 0) || !(spec.rebalance_minutes > 0) || !(spec.duration_minutes >= 0)) {
    throw InputError("drift: step, rebalance interval and duration must be positive");
  }
  LoadRng rng(spec.router.seed);
  LoadMatrix pop = initial_popularity(spec.router, rng);
  LoadMatrix window(spec.router.layers, std::vector<double>(spec.router.experts, 0.0));
  Placement placement;
  double last_rebalance = 0;
  std::vector<DriftStep> out;
  const int steps = static_cast<int>(std::floor(spec.duration_minutes / spec.step_minutes + 1e-9)) + 1;
  const double walk = spec.drift_sigma * std::sqrt(spec.step_minutes);
  for (int i = 0; i < steps; ++i) {
    DriftStep step;
    step.minute = i * spec.step_minutes;
    const LoadMatrix loads = route_tokens(spec.router, pop, rng);
    if (i == 0) {
      placement = rebalance_experts(loads, config);
      step.rebalanced = true;
    } else if (step.minute - last_rebalance >= spec.rebalance_minutes - 1e-9) {
      placement = rebalance_experts(window, config);
      for (auto& row : window) std::fill(row.begin(), row.end(), 0.0);
      last_rebalance = step.minute;
      step.rebalanced = true;
    }
    step.no_eplb = summarize_imbalance(gpu_load_default(loads, config.num_gpus));
    step.stale = summarize_imbalance(gpu_load_placed(loads, placement, config.num_gpus));
    step.fresh = summarize_imbalance(gpu_load_placed(loads, rebalance_experts(loads, config), config.num_gpus));
    out.push_back(step);
    for (size_t l = 0; l < loads.size(); ++l) {
      for (size_t e = 0; e < loads[l].size(); ++e) {
        window[l][e] += loads[l][e];
        pop[l][e] += walk * rng.normal();
      }
    }
  }
  return out;
}

}  // namespace fathom::models::eplb
