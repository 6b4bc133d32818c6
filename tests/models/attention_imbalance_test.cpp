// Decode attention imbalance between DP ranks (models/serving/attention_imbalance.h).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/serving/attention_imbalance.h"

using namespace fathom::models::serving;

TEST_CASE("attention imbalance: one rank or no spread is no imbalance", "[unit]") {
  CHECK(attention_imbalance(1.0, 128, 1) == 1.0);
  CHECK(attention_imbalance(0.0, 128, 144) == 1.0);
  CHECK(expected_max_standard_normal(1) == 0.0);
}

TEST_CASE("attention imbalance grows with the spread and the ranks, shrinks with the batch", "[unit]") {
  double last = 1.0;
  for (const double cv : {0.1, 0.5, 1.0, 2.0}) {
    const double f = attention_imbalance(cv, 64, 144);
    CHECK(f > last);
    last = f;
  }
  last = 1e9;
  for (const int64_t b : {1, 4, 16, 64, 256}) {
    const double f = attention_imbalance(1.0, b, 144);
    CHECK(f < last);
    last = f;
  }
  CHECK(attention_imbalance(1.0, 64, 32) < attention_imbalance(1.0, 64, 144));
  // Blom's approximation of the expected maximum of n standard normals (tabulated: n = 2: 0.5642, n = 10: 1.5388,
  // n = 100: 2.5076).
  CHECK(expected_max_standard_normal(2) == Approx(0.5642).epsilon(0.05));
  CHECK(expected_max_standard_normal(10) == Approx(1.5388).epsilon(0.01));
  CHECK(expected_max_standard_normal(100) == Approx(2.5076).epsilon(0.01));
}

TEST_CASE("attention imbalance: the log-normal approximation against a Monte Carlo draw of log-normal contexts",
          "[unit]") {
  const double sigma = 1.0;
  const double cv = lognormal_cv(sigma);
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> context(-sigma * sigma / 2, sigma);  // mean 1
  for (const int64_t b : {32, 128}) {
    const int64_t ranks = 144;
    const int trials = 200;
    double sum_max = 0;
    for (int t = 0; t < trials; ++t) {
      double busiest = 0;
      for (int64_t r = 0; r < ranks; ++r) {
        double s = 0;
        for (int64_t i = 0; i < b; ++i) s += context(rng);
        busiest = std::max(busiest, s);
      }
      sum_max += busiest;
    }
    const double monte_carlo = sum_max / trials / static_cast<double>(b);
    INFO("b " << b << ": Monte Carlo " << monte_carlo << ", formula " << attention_imbalance(cv, b, ranks));
    // The log-normal approximation of the sum reads a few per cent low (attention_imbalance.h).
    CHECK(attention_imbalance(cv, b, ranks) == Approx(monte_carlo).epsilon(0.08));
    CHECK(attention_imbalance(cv, b, ranks) <= monte_carlo * 1.01);
  }
}

TEST_CASE("decode context spread of a request mix", "[unit]") {
  RequestMix even;
  even.mean_input_tokens = 4000;
  even.mean_output_tokens = 1;
  CHECK(decode_context_cv(even) == Approx(0.0).margin(1e-3));
  RequestMix spread = even;
  spread.mean_output_tokens = 1000;
  spread.input_sigma = 1.0;
  spread.output_sigma = 1.0;
  RequestMix wider = spread;
  wider.input_sigma = 1.5;
  CHECK(decode_context_cv(spread) > 0.5);
  CHECK(decode_context_cv(wider) > decode_context_cv(spread));
  CHECK(lognormal_cv(0.0) == 0.0);
  CHECK(lognormal_cv(1.0) == Approx(std::sqrt(std::exp(1.0) - 1)).epsilon(1e-12));
}
