#include "models/eplb/routing_noise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

namespace fathom::models::eplb {
namespace {

// Standard deviations either side of the largest expected load over which the integrand is kept (Φ(-7) ~ 1e-12).
constexpr double kReach = 7;
// Composite Gauss-Legendre: panels per side of the largest expected load, 8 nodes each. Against a 24-panel rule
// reaching 8.5 sd with std::erfc, this rule with the table below moves the factor by < 2e-7 (EP144 layouts at
// S = 1e3 .. 1e7; tests/models/routing_noise_test.cpp checks the iid case to 1e-9 at G = 2).
constexpr int kPanels = 4;
constexpr std::array<double, 4> kNodes = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                          0.9602898564975363};
constexpr std::array<double, 4> kWeights = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                            0.1012285362903763};

// Φ from a table: cubic Hermite between knots 1/64 apart (values and φ as slopes), absolute error < 2e-10 —
// a fifth of std::erfc's time, which the integrand spends most of its time in (58 layers x 144 GPUs x 64 points
// per curve node).
class NormalCdf {
 public:
  static constexpr double kLo = -9, kStep = 1.0 / 64;
  NormalCdf() {
    for (int i = 0; i < kKnots; ++i) {
      const double z = kLo + i * kStep;
      value_[i] = 0.5 * std::erfc(-z * M_SQRT1_2);
      slope_[i] = kStep * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    }
  }
  // z in [kLo, kReach].
  double operator()(double z) const {
    const double u = (z - kLo) / kStep;
    const int i = std::min(static_cast<int>(u), kKnots - 2);
    const double t = u - i, t2 = t * t, t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * value_[i] + (t3 - 2 * t2 + t) * slope_[i] + (3 * t2 - 2 * t3) * value_[i + 1] +
           (t3 - t2) * slope_[i + 1];
  }

 private:
  static constexpr int kKnots = static_cast<int>((kReach - kLo) / kStep) + 2;
  std::array<double, kKnots> value_{}, slope_{};
};

const NormalCdf& normal_cdf() {
  static const NormalCdf table;
  return table;
}

struct Gpu {
  double mu, inv_sd;
};

// Π_g Φ((x - μ_g) / σ_g): the probability that no GPU exceeds x.
double all_below(const std::vector<Gpu>& gpus, double x) {
  const NormalCdf& cdf = normal_cdf();
  double p = 1;
  for (const Gpu& g : gpus) {
    const double z = (x - g.mu) * g.inv_sd;
    if (z >= kReach) continue;
    if (z <= NormalCdf::kLo) return 0;  // Φ(-9) ~ 1e-19
    p *= cdf(z);
    if (p < 1e-20) return 0;  // contributes nothing at double precision
  }
  return p;
}

// ∫_a^b f over `kPanels` panels of an 8-node Gauss-Legendre rule.
template <class F>
double integrate(F f, double a, double b) {
  const double h = (b - a) / kPanels;
  double sum = 0;
  for (int k = 0; k < kPanels; ++k) {
    const double mid = a + (k + 0.5) * h, half = 0.5 * h;
    for (size_t i = 0; i < kNodes.size(); ++i)
      sum += kWeights[i] * half * (f(mid - half * kNodes[i]) + f(mid + half * kNodes[i]));
  }
  return sum;
}

}  // namespace

double routing_noise_factor(std::span<const double> shares, double slots) {
  const size_t n = shares.size();
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  if (n <= 1 || !(total > 0) || !(slots > 0)) return 1.0;
  const double count = static_cast<double>(n);
  const double top = *std::max_element(shares.begin(), shares.end()) / total;
  const double expected = count * top;
  if (std::isinf(slots)) return expected;
  // In units of the slots: GPU g's share of them has mean p_g and standard deviation √(p_g (1 - p_g) / S).
  const double top_sd = std::sqrt(top * (1 - top) / slots);
  if (!(top_sd > 0)) return expected;  // one GPU takes every slot
  const double lo = top - kReach * top_sd;
  double hi = top;
  std::vector<Gpu> gpus;
  gpus.reserve(n);
  for (const double s : shares) {
    const double p = s / total;
    const double sd = std::sqrt(p * (1 - p) / slots);
    if (!(sd > 0) || p + kReach * sd <= lo) continue;  // Φ = 1 over the whole range
    gpus.push_back({p, 1 / sd});
    hi = std::max(hi, p + kReach * sd);
  }
  // E[max] = top + ∫_top^hi P(max > x) dx - ∫_lo^top P(max <= x) dx.
  const double above = integrate([&](double x) { return 1 - all_below(gpus, x); }, top, hi);
  const double below = integrate([&](double x) { return all_below(gpus, x); }, lo, top);
  return std::clamp(count * (top + above - below), expected, count);
}

RoutingNoiseCurve::RoutingNoiseCurve(std::vector<std::vector<double>> layer_shares) : layers_(std::move(layer_shares)) {
  expected_ = direct(std::numeric_limits<double>::infinity());
}

double RoutingNoiseCurve::direct(double slots) const {
  if (layers_.empty()) return 1.0;
  double sum = 0;
  for (const std::vector<double>& l : layers_) sum += routing_noise_factor(l, slots);
  return sum / static_cast<double>(layers_.size());
}

double RoutingNoiseCurve::node(int i) const {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = nodes_.find(i); it != nodes_.end()) return it->second;
  }
  const double v = direct(std::exp2(0.5 * i));
  const std::lock_guard lock(mutex_);
  return nodes_.emplace(i, v).first->second;
}

double RoutingNoiseCurve::factor(double slots) const {
  if (layers_.empty() || !(slots > 0)) return 1.0;
  if (std::isinf(slots)) return expected_;
  // Nodes at x = 2 log2 S = i; Lagrange cubic through i0-1 .. i0+2 around x.
  const double x = 2 * std::log2(slots);
  const int i0 = static_cast<int>(std::floor(x));
  const double t = x - i0;
  if (t == 0) return node(i0);
  const double f[4] = {node(i0 - 1), node(i0), node(i0 + 1), node(i0 + 2)};
  const double v = -t * (t - 1) * (t - 2) / 6 * f[0] + (t + 1) * (t - 1) * (t - 2) / 2 * f[1] -
                   (t + 1) * t * (t - 2) / 2 * f[2] + (t + 1) * t * (t - 1) / 6 * f[3];
  return std::max(v, expected_);
}

}  // namespace fathom::models::eplb
