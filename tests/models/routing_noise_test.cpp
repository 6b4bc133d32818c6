// Routing noise: the busiest GPU's expected realized routed load (models/eplb/routing_noise.h).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "models/eplb/routing_noise.h"
#include "models/serving/attention_imbalance.h"

using namespace fathom::models::eplb;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Uneven expected loads of `gpus` GPUs: an EPLB-like spread of a few per cent around the mean.
std::vector<double> uneven_shares(int gpus, double spread) {
  std::vector<double> s;
  for (int g = 0; g < gpus; ++g) s.push_back(1 + spread * std::sin(1.7 * g + 0.3) * std::cos(0.37 * g));
  return s;
}

// Exact expected maximum of two iid standard normals: 1/√π.
const double kMaxOfTwo = 1 / std::sqrt(M_PI);

}  // namespace

TEST_CASE("routing noise: one GPU, no slots, no load are factor 1", "[unit]") {
  CHECK(routing_noise_factor(std::vector<double>{5.0}, 1000) == 1.0);
  CHECK(routing_noise_factor(uneven_shares(8, 0.1), 0) == 1.0);
  CHECK(routing_noise_factor(std::vector<double>(8, 0.0), 1000) == 1.0);
  CHECK(routing_noise_factor(std::vector<double>{}, 1000) == 1.0);
  const RoutingNoiseCurve dense({});
  CHECK(dense.factor(1e4) == 1.0);
  CHECK(dense.expected_loads() == 1.0);
}

TEST_CASE("routing noise: infinitely many slots give the expected-load factor exactly", "[unit]") {
  const std::vector<double> s = uneven_shares(144, 0.06);
  double total = 0;
  for (const double v : s) total += v;
  const double expected = 144 * *std::max_element(s.begin(), s.end()) / total;
  CHECK(routing_noise_factor(s, kInf) == expected);
  // ... and the limit: the excess shrinks to 0 as S grows.
  CHECK(routing_noise_factor(s, 1e14) == Approx(expected).epsilon(1e-6));
  CHECK(routing_noise_factor(s, 1e14) >= expected);
  const RoutingNoiseCurve curve({s, uneven_shares(144, 0.03)});
  CHECK(curve.factor(kInf) == curve.expected_loads());
  CHECK(curve.factor(1e16) == Approx(curve.expected_loads()).epsilon(1e-7));
}

TEST_CASE("routing noise: equal shares are the expected maximum of G iid normals", "[unit]") {
  // factor = 1 + √((G - 1) / S) e_G. G = 2: e_2 = 1/√π exactly.
  for (const double slots : {64.0, 512.0, 73728.0}) {
    CHECK(routing_noise_factor(std::vector<double>(2, 1.0), slots) ==
          Approx(1 + std::sqrt(1 / slots) * kMaxOfTwo).epsilon(1e-9));
  }
  // Larger G against e_G from attention_imbalance.h (Blom's approximation: within ~1% of the exact value for
  // G >= 10, so the excess agrees to 1%).
  for (const int g : {16, 32, 144, 256}) {
    const double slots = 64.0 * g * 8;
    const double excess = routing_noise_factor(std::vector<double>(g, 1.0), slots) - 1;
    const double blom = std::sqrt((g - 1) / slots) * fathom::models::serving::expected_max_standard_normal(g);
    CHECK(excess == Approx(blom).epsilon(0.01));
  }
}

TEST_CASE("routing noise: more slots, smaller factor, never below the expected loads", "[unit]") {
  const std::vector<double> s = uneven_shares(144, 0.05);
  const double expected = routing_noise_factor(s, kInf);
  double last = 1e9;
  for (double slots = 1e3; slots < 1e10; slots *= 2) {
    const double f = routing_noise_factor(s, slots);
    CHECK(f < last);
    CHECK(f >= expected);
    CHECK(f <= 144.0);
    last = f;
  }
}

TEST_CASE("routing noise: the decode example of docs/eplb.md", "[unit]") {
  // EP144, 64 tokens per GPU, top-8: 512 routed rows per GPU, sd ~ 22.6, max of 144 ~ +2.5 sd: ~ +11%.
  const double f = routing_noise_factor(std::vector<double>(144, 1.0), 64.0 * 144 * 8);
  CHECK(f == Approx(1.113).margin(0.005));
  // Training-sized micro-batch (4096 tokens per GPU, EP64, top-8): ~1%.
  const double t = routing_noise_factor(std::vector<double>(64, 1.0), 4096.0 * 64 * 8);
  CHECK(t == Approx(1.0135).margin(0.002));
}

TEST_CASE("routing noise: the curve interpolates the direct layer mean", "[unit]") {
  const RoutingNoiseCurve curve({uneven_shares(144, 0.05), uneven_shares(144, 0.02), uneven_shares(144, 0.1)});
  for (const double slots : {1152.0, 3000.0, 9216.0, 73728.0, 150000.0, 1.3e6, 3.3e7}) {
    CHECK(curve.factor(slots) == Approx(curve.direct(slots)).epsilon(2e-5));
  }
  // At a node the curve is the direct mean.
  CHECK(curve.factor(65536.0) == curve.direct(65536.0));
}

TEST_CASE("routing noise: the normal model against a seeded multinomial draw at decode size", "[unit]") {
  // EP144, 32 tokens per GPU per micro-batch, top-8: S = 36,864 slots on uneven shares. 3,000 multinomial
  // draws (conditional binomials); the normal model's excess over the expected-load factor is within 5% of the
  // sampled one (the Monte Carlo's standard error is ~0.5% of the excess; the normal marginal misses the
  // Poisson-like count's right skew: it reads ~1-2% low).
  const int gpus = 144;
  const std::vector<double> s = uneven_shares(gpus, 0.04);
  double total = 0;
  for (const double v : s) total += v;
  const int64_t slots = 32LL * gpus * 8;
  std::mt19937_64 rng(20261201);
  const int trials = 3000;
  double sum_max = 0;
  for (int t = 0; t < trials; ++t) {
    int64_t left = slots;
    double p_left = 1.0, most = 0;
    for (int g = 0; g < gpus; ++g) {
      const double p = s[g] / total;
      int64_t x = left;
      if (g + 1 < gpus && left > 0) {
        std::binomial_distribution<int64_t> draw(left, std::clamp(p / p_left, 0.0, 1.0));
        x = draw(rng);
      }
      most = std::max(most, static_cast<double>(x));
      left -= x;
      p_left -= p;
    }
    sum_max += most;
  }
  const double sampled = sum_max / trials / (static_cast<double>(slots) / gpus);
  const double expected = routing_noise_factor(s, kInf);
  const double model = routing_noise_factor(s, static_cast<double>(slots));
  INFO("expected loads " << expected << ", model " << model << ", sampled " << sampled);
  CHECK(model - expected == Approx(sampled - expected).epsilon(0.05));
}
