// Speed of the EPLB port at DeepSeek-V3 serving scale (58 MoE layers x 256 experts, 288 replicas):
// prefill-like EP32 over 4 nodes (hierarchical, S10) and decode-like EP144 over 18 nodes (global,
// S11). Prints milliseconds per full rebalance (all layers), and the resulting imbalance.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "models/eplb/eplb.h"
#include "models/eplb/expert_load.h"
#include "models/eplb/expert_load_router.h"
#include "models/eplb/gpu_load.h"
#include "models/eplb/policy_registry.h"

namespace eplb = fathom::models::eplb;

namespace {

template <class F>
double median_ms(int repeats, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void bench_case(const char* name, const eplb::LoadMatrix& loads, const eplb::EplbConfig& c) {
  eplb::EplbOutcome outcome;
  const double ms_place = median_ms(21, [&] { (void)eplb::rebalance_experts(loads, c); });
  const double ms_eval = median_ms(21, [&] { outcome = eplb::evaluate_eplb(loads, c); });
  fmt::print("{:<34} {:>12} {:>10.3f} {:>12.3f} {:>10.3f} {:>10.3f}\n", name, outcome.policy, ms_place, ms_eval,
             outcome.before_summary.max, outcome.after_summary.max);
}

}  // namespace

int main() {
  fmt::print("{:<34} {:>12} {:>10} {:>12} {:>10} {:>10}\n", "case (58 layers x 256 experts, R=288)", "policy",
             "place ms", "place+eval ms", "imb before", "imb after");
  const eplb::LoadMatrix zipf = eplb::zipf_loads({58, 256, 1.0, 65536.0 * 8, 0});
  bench_case("zipf 1.0, EP32 / 4 nodes", zipf, {288, 8, 4, 32});
  bench_case("zipf 1.0, EP144 / 18 nodes", zipf, {288, 8, 18, 144});

  eplb::RouterSpec router;  // DeepSeek-V3 routing: 8 groups, top-4 groups, top-8
  router.tokens = 1024;
  const auto t0 = std::chrono::steady_clock::now();
  const eplb::LoadMatrix routed = eplb::router_loads(router);
  const double router_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  bench_case("router (1024 tok/layer), EP32", routed, {288, 8, 4, 32});
  bench_case("router (1024 tok/layer), EP144", routed, {288, 8, 18, 144});
  fmt::print("router simulation: 58 layers x 1024 tokens in {:.1f} ms\n", router_ms);
  return 0;
}
