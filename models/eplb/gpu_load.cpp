#include "models/eplb/gpu_load.h"

#include <algorithm>
#include <numeric>

#include "models/eplb/policy_registry.h"

namespace fathom::models::eplb {

LayerGpuLoad summarize_gpu_tokens(std::vector<double> tokens_per_gpu) {
  LayerGpuLoad out;
  out.tokens_per_gpu = std::move(tokens_per_gpu);
  if (out.tokens_per_gpu.empty()) return out;
  const double total = std::accumulate(out.tokens_per_gpu.begin(), out.tokens_per_gpu.end(), 0.0);
  out.max_tokens = *std::max_element(out.tokens_per_gpu.begin(), out.tokens_per_gpu.end());
  out.mean_tokens = total / static_cast<double>(out.tokens_per_gpu.size());
  out.imbalance = total > 0 ? out.max_tokens / out.mean_tokens : 1.0;
  out.max_share = total > 0 ? out.max_tokens / total : 0.0;
  return out;
}

std::vector<LayerGpuLoad> gpu_load_default(const LoadMatrix& loads, int num_gpus) {
  std::vector<LayerGpuLoad> out;
  for (const auto& row : loads) {
    const long long n = static_cast<long long>(row.size());
    std::vector<double> tokens(num_gpus, 0.0);
    for (int g = 0; g < num_gpus; ++g) {
      const long long first = g * n / num_gpus;
      const long long last = (g + 1) * n / num_gpus;
      for (long long e = first; e < last; ++e) tokens[g] += row[e];
    }
    out.push_back(summarize_gpu_tokens(std::move(tokens)));
  }
  return out;
}

std::vector<LayerGpuLoad> gpu_load_placed(const LoadMatrix& loads, const Placement& placement, int num_gpus) {
  std::vector<LayerGpuLoad> out;
  for (size_t l = 0; l < loads.size(); ++l) {
    std::vector<double> tokens(num_gpus, 0.0);
    const auto& phy2log = placement.phy2log[l];
    for (size_t p = 0; p < phy2log.size(); ++p) {
      const int e = phy2log[p];
      tokens[p / placement.replicas_per_gpu] += loads[l][e] / placement.logcnt[l][e];
    }
    out.push_back(summarize_gpu_tokens(std::move(tokens)));
  }
  return out;
}

ImbalanceSummary summarize_imbalance(const std::vector<LayerGpuLoad>& layers) {
  ImbalanceSummary s;
  if (layers.empty()) return s;
  double sum = 0;
  s.max = 0;
  for (const auto& l : layers) {
    s.max = std::max(s.max, l.imbalance);
    sum += l.imbalance;
  }
  s.mean = sum / static_cast<double>(layers.size());
  return s;
}

EplbOutcome evaluate_eplb(const LoadMatrix& loads, const EplbConfig& config, const std::string& policy) {
  EplbOutcome out;
  out.policy = policy == "auto" ? auto_policy_name(config) : policy;
  out.placement = policy_registry().get(out.policy, "policy").make(loads, config);
  out.before = gpu_load_default(loads, config.num_gpus);
  out.after = gpu_load_placed(loads, out.placement, config.num_gpus);
  out.before_summary = summarize_imbalance(out.before);
  out.after_summary = summarize_imbalance(out.after);
  return out;
}

}  // namespace fathom::models::eplb
