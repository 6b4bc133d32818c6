#pragma once
// `fathom plan` for a serving scenario (issue #14, docs/plan.md): the fleet that serves the scenario's day
// under its SLO at the least cost, searched over node types (GPU), prefill and decode unit sizes with their
// redundant experts, decode batch limits and MTP on/off.
//
// Each configuration is priced with the serving day's own models at the analytic level — the day's fast
// path (models/serving/capacity.h, fleet_sizing.h): the steady-state capacity of one prefill and one decode
// GPU (IterationCostModel, EPLB imbalance, HBM limits) and, per planning window, the fewest units that carry
// `headroom` x the window's demand. The window simulation (event level) is not run per configuration; it
// checks the best one (ServingPlanResult::check).
//
// A configuration is rejected, and counted under the first reason that applies (prefill before decode):
//  - layout: the unit's GPUs do not divide the routed + redundant experts, or decode.max_tokens_per_expert
//    is below one request;
//  - memory: the weights (and, for decode, one request's KV cache at the mean context) do not fit in HBM;
//  - slo: one request per decode GPU is already slower than slo.tokens_per_s_per_request, or one prefill
//    forward alone outlasts slo.ttft_p99.
// Prefill and decode are priced independently and combined (their GPU-hours add up), so the cost of the
// search is (node types x MTP x (prefill layouts + decode layouts x batch limits)) pricings plus a cheap
// loop over the product (docs/plan.md, Speed).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hw/calibration_match.h"
#include "models/plan/plan_spec.h"
#include "models/serving/serving_day.h"
#include "models/serving/serving_result.h"
#include "sim/scenario_document.h"

namespace fathom::models::plan {

enum class Rejection : uint8_t { none, layout, memory, slo };
inline constexpr std::array<Rejection, 3> kRejections = {Rejection::layout, Rejection::memory, Rejection::slo};
const char* to_string(Rejection r);

// Configurations rejected, by reason, with the first one's explanation as an example.
struct RejectionCounts {
  std::array<int64_t, 4> count{};  // indexed by Rejection
  std::array<std::string, 4> example;
  void add(Rejection r, int64_t n, const std::string& why);
  int64_t total() const { return count[1] + count[2] + count[3]; }
};

// One node type of the search: the scenario with its cluster.node replaced by that node file.
struct ServingNodeType {
  std::string scenario;  // the scenario's label (the file error lines start with)
  std::string file;      // as listed (plan.node_types) or found (hw/nodes/)
  std::string gpu;       // the GPU's name
  std::string skipped;   // why it cannot run the scenario (a node without a scale-out NIC, ...); empty = searched
  std::optional<serving::ServingInputs> inputs;
  std::optional<hw::CalibrationMismatch> calibration_mismatch;  // another GPU's kernel calibration in use
  std::string calibration;                                      // the calibration file it is priced with
  std::string price_source;  // where its GPU-hour price comes from (plan entry, scenario, library table)
};

// The node types of the search, read once: plan.node_types, or every file of hw/nodes/ in the scenario's
// directory or the scenario library (sorted by name). A node type that cannot run the scenario is kept with
// `skipped` set (the caller reads the scenario as written first, so its own errors propagate).
// Defaults where an entry names neither (docs/plan.md "Node types"): a GPU of another model than the scenario's
// takes the library calibration whose `device` names its model (calibration/*.json; else the scenario's, with
// the mismatch warning) and the GPU-hour price of hw/gpu-hour-prices.json for its model (none there: skipped,
// saying so); a GPU of the scenario's model takes the scenario's calibration and price.
std::vector<ServingNodeType> serving_node_types(const ScenarioDocument& doc, const ServingPlanSpec& spec);

struct ServingConfig {
  size_t node_type = 0;
  bool mtp = false;
  int64_t prefill_nodes = 1, prefill_redundant = 0;
  int64_t decode_nodes = 1, decode_redundant = 0;
  int64_t decode_batch_limit = 0;  // 0: none (the SLO / HBM batch)
};

// One feasible configuration's figures over the day (analytic).
struct ServingPoint {
  ServingConfig config;
  double cost_usd_per_day = 0;
  double gpu_hours_per_day = 0;
  double output_tokens_per_s_per_gpu = 0;  // the day's output tokens / the fleet's GPU-seconds (prefill included)
  double tokens_per_s_per_user = 0;        // one request's decode speed at the batch
  // Filled for the points a report lists:
  double prefill_gpu_hours = 0, decode_gpu_hours = 0;
  int64_t peak_nodes = 0;
  double average_nodes = 0;
  int64_t decode_batch_per_gpu = 0;
  std::string batch_source;  // slo, memory, expert_cap or limit (the plan's batch limit)
  double decode_step_s = 0, prefill_forward_s = 0;
  // Busiest GPU's routed tokens over the mean as priced: after EPLB, routing noise at the phase's forward / batch.
  double prefill_expert_imbalance = 1, decode_expert_imbalance = 1;
};

struct ServingPlanResult {
  ServingPlanSpec spec;
  std::vector<ServingNodeType> node_types;
  int64_t configurations = 0;  // the whole product, rejected ones included
  int64_t feasible = 0;
  // Feasible, but with a batch limit at or above the SLO batch: the same fleet as the configuration without
  // a limit, which is listed instead (configurations = feasible + same_as_no_limit + rejected).
  int64_t same_as_no_limit = 0;
  int64_t phase_pricings = 0;  // prefill and decode options priced (the expensive part)
  RejectionCounts rejected;
  std::vector<ServingPoint> best;               // by the objective, best first (plan.top of them)
  std::vector<ServingPoint> throughput_front;   // output tokens/s per GPU vs tokens/s per user
  std::vector<ServingPoint> cost_front;         // cost per day vs tokens/s per user
  std::optional<serving::ServingResult> check;  // the best configuration's day, window simulation included
  std::optional<serving::ServingInputs> check_inputs;
};

// Called while pricing with (phase options priced, phase options in all).
using PlanProgress = std::function<void(int64_t, int64_t)>;

// Equals collect_serving(node_types, spec, {price_serving_phases(node_types, spec, {}, progress)}).
ServingPlanResult plan_serving(std::vector<ServingNodeType> node_types, const ServingPlanSpec& spec,
                               const PlanProgress& progress = {});

// A distributed search (`mpirun -n N fathom plan`, docs/plan.md) in two halves. Each process prices its share of
// the phase options (the expensive part: the prefill layouts and the decode layouts with their batch limits, of
// every node type and MTP setting, in a fixed order; Shard, plan_spec.h) and returns them as bytes (MessagePack;
// doubles exact); one process collects every share, forms the product, the fronts and the check of the best.
// The result does not depend on how the options were split. `progress`: (done, in this shard). collect_serving
// throws InputError on bytes price_serving_phases did not write.
std::string price_serving_phases(const std::vector<ServingNodeType>& node_types, const ServingPlanSpec& spec,
                                 Shard shard = {}, const PlanProgress& progress = {});
ServingPlanResult collect_serving(std::vector<ServingNodeType> node_types, const ServingPlanSpec& spec,
                                  const std::vector<std::string>& priced);

// The scenario's inputs with `config` applied (what the check simulates): the unit layouts and MTP; the
// decode batch fixed at `fixed_batch` when the plan's batch limit set it (else the SLO sets it).
serving::ServingInputs configured_inputs(const ServingNodeType& type, const ServingConfig& config,
                                         std::optional<int64_t> fixed_batch);

// The scenario document with point `p` of `r` written in (node file, unit layouts, the batch when the plan's limit
// set it, MTP off as model.mtp false without an mtp section), without its plan section: a serving scenario
// `fathom run` simulates as the check does (and --bands samples).
ScenarioDocument configured_serving_document(const ScenarioDocument& doc, const ServingPlanResult& r,
                                             const ServingPoint& p);

}  // namespace fathom::models::plan
