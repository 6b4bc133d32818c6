#pragma once
// Expert loads from a simulated router, and their drift over time under periodic EPLB.
//
// Router (after DeepSeek-V3, V3TR §2.1.2 / §4.2; V3R config_671B.json): every token draws a logit
// per expert = popularity[layer][expert] + N(0, noise_sigma), scores = sigmoid(logit);
// group-limited routing keeps the top `topk_groups` of `groups` groups by the sum of each group's
// top-2 scores; node-limited routing (nodes > 0) keeps the top `max_nodes` nodes by the sum of each
// node's top topk/max_nodes scores (experts laid out contiguously over nodes); the token goes to
// the top-k surviving experts. popularity starts N(0, popularity_sigma) per expert and layer.
//
// Drift: popularity does a Gaussian random walk (drift_sigma per sqrt(minute)); every
// rebalance_minutes (default 10, V3TR §3.4.1 = S02) EPLB is re-run on the loads counted since the
// last rebalance. Each step reports the imbalance with no EPLB, with the current (stale)
// placement, and with a placement made from that step's own loads (an oracle lower bound).

#include <cstdint>
#include <vector>

#include "models/eplb/eplb.h"
#include "models/eplb/gpu_load.h"
#include "models/eplb/load_rng.h"

namespace fathom::models::eplb {

// Shape and randomness of the simulated router (defaults: DeepSeek-V3, 8 groups, top-4, top-8).
struct RouterSpec {
  int layers = 58;
  int experts = 256;
  int groups = 8;
  int topk_groups = 4;
  int topk = 8;
  int nodes = 0;      // node-limited routing over this many nodes; 0 = off
  int max_nodes = 4;  // M (T05)
  int tokens = 4096;  // tokens routed per layer per sample
  double popularity_sigma = 1.0;
  double noise_sigma = 1.0;
  uint64_t seed = 0;
};

// Throws InputError naming the field when `spec` cannot route.
void check_router(const RouterSpec& spec);

LoadMatrix initial_popularity(const RouterSpec& spec, LoadRng& rng);
// Tokens per expert per layer for one batch of spec.tokens tokens per layer.
LoadMatrix route_tokens(const RouterSpec& spec, const LoadMatrix& popularity, LoadRng& rng);
// Convenience: a fresh popularity from spec.seed, then one batch.
LoadMatrix router_loads(const RouterSpec& spec);

// Parameters of the drift simulation.
struct DriftSpec {
  RouterSpec router;
  double duration_minutes = 60;
  double step_minutes = 1;
  double rebalance_minutes = 10;  // S02: "e.g., every 10 minutes"
  double drift_sigma = 0.1;       // popularity random walk, per sqrt(minute)
};

// One sample of the drift simulation (imbalances summarised over layers).
struct DriftStep {
  double minute = 0;
  bool rebalanced = false;
  ImbalanceSummary no_eplb;
  ImbalanceSummary stale;
  ImbalanceSummary fresh;
};

std::vector<DriftStep> simulate_drift(const DriftSpec& spec, const EplbConfig& config);

}  // namespace fathom::models::eplb
