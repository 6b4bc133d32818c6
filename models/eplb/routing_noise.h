#pragma once
// Routing noise (docs/eplb.md §3): the busiest GPU's *expected realized* routed load of one MoE layer when a
// step's routed slots are drawn at random, over the mean. The expected-load factor (max_g p_g / mean, what
// gpu_load.h reports) is the busiest GPU of the expected loads; a step waits for the busiest GPU of the loads
// it actually draws, and E[max_g X_g] >= max_g E[X_g]. The gap is large at decode (a few hundred routed rows
// per GPU: ~+12% at EP144, 64 tokens per GPU, top-8) and ~1% at prefill and training (thousands).
//
// Model: S routed slots (a micro-batch's tokens across the EP group x top-k) each land on GPU g with
// probability p_g (the GPU's share of the layer's expected load after placement, a replicated expert's load
// split evenly over its replicas). X_g is the multinomial count, taken as Normal(S p_g, S p_g (1 - p_g)) and
// independent between GPUs; then
//     E[max_g X_g] = ∫ (1 - Π_g Φ((x - S p_g) / σ_g)) dx    (over x >= 0; the normal tails below are negligible)
// integrated numerically (composite Gauss-Legendre around the largest expected load; within 2e-7 of a much
// finer rule).
// factor = E[max_g X_g] / (S / G).
// Approximations (stated, not fitted): the normal marginal (skew of a Poisson-like count of a few hundred:
// reads ~1% of the excess low, tests/models/routing_noise_test.cpp's Monte Carlo); independence (the
// multinomial's negative covariance only lowers the max slightly); a token's k experts are distinct, which
// the multinomial over slots ignores. Correlated routing inside a batch (similar prompts picking the same
// experts) would add more; not modelled. No fitted parameter: only the statistics above.
//
// Contract: factor >= the expected-load factor G max p_g / Σp (up to the quadrature), <= G (the busiest
// GPU cannot take more than every slot); S -> ∞ gives the expected-load factor exactly (S = ∞ returns it);
// S <= 0, one GPU, or no load: 1. With equal shares it is 1 + √((G - 1) / S) e_G, e_G the expected maximum of
// G iid standard normals.

#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace fathom::models::eplb {

// One layer's factor: `shares` are the per-GPU expected loads (any scale; normalized here), `slots` the
// routed slots S of one step (tokens x top-k over the EP group; may be +infinity).
double routing_noise_factor(std::span<const double> shares, double slots);

// The mean over MoE layers of routing_noise_factor as a function of S, for an IterationCostModel that asks
// for it at many step sizes (a decode step table: batches 1..max): node values at S = 2^(i/2) are computed
// on first use (once per node, thread-safe) and interpolated by a cubic in log2 S between the four nearest
// nodes (within 2e-5 of the direct mean: tests/models/routing_noise_test.cpp). The curve is the layout's:
// build it once per placement.
class RoutingNoiseCurve {
 public:
  // One entry per MoE layer: that layer's per-GPU expected loads (as LayerGpuLoad::tokens_per_gpu).
  explicit RoutingNoiseCurve(std::vector<std::vector<double>> layer_shares);

  // Mean over the layers of their factors at S routed slots (1 for S <= 0 or no layers; the expected-load
  // mean for S = ∞).
  double factor(double slots) const;
  // The mean of the layers' expected-load factors (the S -> ∞ limit).
  double expected_loads() const { return expected_; }
  // The direct mean over the layers (no interpolation): what the nodes hold.
  double direct(double slots) const;
  const std::vector<std::vector<double>>& layer_shares() const { return layers_; }

 private:
  double node(int i) const;

  std::vector<std::vector<double>> layers_;
  double expected_ = 1;
  mutable std::mutex mutex_;
  mutable std::map<int, double> nodes_;  // i -> direct(2^(i/2))
};

}  // namespace fathom::models::eplb
