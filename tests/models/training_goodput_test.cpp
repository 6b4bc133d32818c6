// Goodput under failures (models/training/goodput.h): Daly's expected wall time per checkpoint segment, the
// numerically optimal interval against Young's sqrt(2 delta M) and Daly's higher-order estimate.

#include <catch2/catch.hpp>
#include <cmath>

#include "models/training/goodput.h"

namespace tr = fathom::models::training;

TEST_CASE("system MTBF: the failure rates of all GPUs and nodes add", "[unit]") {
  const tr::FailureModel f{.mtbf_gpu_s = 2048.0 * 100, .mtbf_node_s = 256.0 * 100, .restart_s = 0};
  // 2,048 GPUs at one failure per 204,800 s each = 1 per 100 s; 256 nodes likewise: together 1 per 50 s.
  CHECK(tr::system_mtbf_s(f, 2048, 256) == Approx(50.0).epsilon(1e-15));
}

TEST_CASE("goodput: no failures leaves the checkpoint's share, a first-order estimate holds for small ratios",
          "[unit]") {
  CHECK(tr::goodput(3600, 60, 600, 1e15) == Approx(3600.0 / 3660.0).epsilon(1e-9));
  // 1 - delta / tau - (tau / 2 + R) / M to first order: 1 - 0.0167 - 0.0667 = 0.9167; the exact value lies
  // within the second-order terms (~ (tau / M)^2 = 0.01).
  const double g = tr::goodput(3600, 60, 600, 36000);
  CHECK(g == Approx(1 - 60.0 / 3600 - (1800.0 + 600) / 36000).margin(0.01));
  CHECK(g < 1 - 60.0 / 3600);
  // The restart only scales the segment by e^{R/M}: goodput(R) = e^{-R/M} goodput(0), the optimum unmoved.
  CHECK(g == Approx(std::exp(-600.0 / 36000) * tr::goodput(3600, 60, 0, 36000)).epsilon(1e-12));
  CHECK(tr::optimal_interval(60, 600, 36000).interval_s ==
        Approx(tr::optimal_interval(60, 0, 36000).interval_s).epsilon(1e-6));
}

TEST_CASE("the optimal checkpoint interval: Young's sqrt(2 delta M) for delta << M, Daly's estimate closer", "[unit]") {
  for (double delta : {10.0, 60.0, 300.0}) {
    for (double mtbf : {3600.0, 36000.0, 1e6}) {
      const tr::OptimalInterval opt = tr::optimal_interval(delta, 300, mtbf);
      const double young = tr::young_interval_s(delta, mtbf);
      const double daly = tr::daly_interval_s(delta, mtbf);
      const double x = delta / (2 * mtbf);
      INFO("delta " << delta << " M " << mtbf);
      CHECK(young == Approx(std::sqrt(2 * delta * mtbf)).epsilon(1e-15));
      // Young is the first-order optimum: off by O(sqrt(delta / 2M)); Daly's by O(delta / 2M)^(3/2).
      CHECK(opt.interval_s == Approx(young).epsilon(std::sqrt(x) + 1e-4));
      CHECK(std::abs(opt.interval_s - daly) <= std::abs(opt.interval_s - young) + 1e-6 * young);
      CHECK(opt.interval_s == Approx(daly).epsilon(2 * std::pow(x, 1.5) + 1e-5));
      // It is the maximum.
      CHECK(opt.goodput >= tr::goodput(0.9 * opt.interval_s, delta, 300, mtbf));
      CHECK(opt.goodput >= tr::goodput(1.1 * opt.interval_s, delta, 300, mtbf));
    }
  }
}
