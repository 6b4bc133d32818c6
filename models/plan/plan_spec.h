#pragma once
// The "plan" section of a scenario (docs/plan.md): the search space and the objective of `fathom plan`.
// Every key is optional; an absent key searches the default space named here. The section is read only by
// `fathom plan` (`fathom run` ignores it). Unknown keys and invalid values are InputErrors naming
// `plan.<key>` (list entries by index: `plan.pp.2`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::models::plan {

// One node type to try: a node file (hw/nodes/*.json: its GPU, NICs and GPUs per node), optionally with its
// own kernel calibration and GPU-hour price (default: the scenario's).
struct NodeChoice {
  std::string file;
  std::optional<std::string> calibration;
  std::optional<UsdPerHour> gpu_hour_price;
};

// The serving search (models/plan/serving_plan.h).
struct ServingPlanSpec {
  std::string objective = "cost";               // "cost" (USD per day) or "gpu_hours" (per day)
  std::vector<NodeChoice> node_types;           // empty: every file of hw/nodes/ (scenario directory, then the library)
  std::vector<int64_t> prefill_nodes_per_unit;  // EP = nodes x GPUs per node
  std::vector<int64_t> decode_nodes_per_unit;
  std::vector<int64_t> redundant_experts;    // tried for both phases
  std::vector<int64_t> decode_batch_limits;  // requests per GPU; 0 = no limit beyond the SLO and HBM
  std::vector<bool> mtp;                     // empty: on and off when the scenario has an mtp section, else off
  int64_t top = 10;                          // configurations listed
  bool check_best = true;                    // run the day's window simulation on the best configuration
};

// The training search (models/plan/training_plan.h).
struct TrainingPlanSpec {
  std::string objective = "time";      // "time" (days for the token budget) or "cost" (USD)
  std::vector<int64_t> cluster_nodes;  // empty: the scenario's cluster.nodes x 1/4, 1/2, 1, 2
  std::vector<int64_t> pp, ep;         // pipeline ranks; GPUs of one expert-parallel group
  // Tensor-parallel sizes (attention and dense FFNs, within a node); empty: the scenario's parallelism.tp.
  std::vector<int64_t> tp;
  // Model chunks per pipeline rank, tried for interleaved_1f1b only (the other schedules run at 1); empty: the
  // scenario's training.virtual_stages.
  std::vector<int64_t> virtual_stages;
  std::vector<int64_t> micro_batch_sequences;  // sequences per micro-batch
  std::vector<std::string> schedules;          // models::schedule registry names; empty: all
  int64_t top = 10;
  // The best configurations (at most `top`) re-priced at fidelity=event (the schedule's task graph) after the
  // analytic search ranked them; 0: none.
  int64_t check_top = 1;
};

// `plan` is the scenario's "plan" reader, or nullopt when the scenario has none (the defaults apply).
ServingPlanSpec read_serving_plan(const std::optional<SpecReader>& plan);
TrainingPlanSpec read_training_plan(const std::optional<SpecReader>& plan, int64_t scenario_nodes);

// A list of distinct integers in [minimum, maximum] at `key` (1 to 1,000 entries), or `fallback` when absent.
std::vector<int64_t> integer_list(const SpecReader& r, std::string_view key, std::vector<int64_t> fallback,
                                  int64_t minimum, int64_t maximum);

// One process's share of a distributed search (`mpirun -n N fathom plan`): the items i of the search's fixed
// order with i % count == index.
struct Shard {
  int64_t index = 0, count = 1;
};

}  // namespace fathom::models::plan
