// Speed of `fathom plan` (issue #14 target: >= 10,000 configurations per second at the analytic level, one
// process). Prints, for the shipped serving day: one configuration's full day (window simulation), one
// configuration priced alone by the planner (nothing cached), the default search space (configurations per
// second, phase pricings per second) and the EPLB placement of one layout; and the training search.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "models/eplb/zipf_imbalance.h"
#include "models/plan/serving_plan.h"
#include "models/plan/training_plan.h"
#include "models/serving/serving_inputs.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The training search over the default space of the shipped 2,048-GPU scenario.
int training_search(const std::string& dir) {
  using namespace fathom;
  using namespace fathom::models;
  const ScenarioDocument tdoc = load_scenario(dir + "deepseek-v3-pretrain-2048xh800.json");
  const plan::TrainingPlanSpec tspace = plan::read_training_plan(std::nullopt, 256);
  const auto t = Clock::now();
  const std::clock_t cpu = std::clock();
  const auto tr = plan::plan_training(tdoc, tspace);
  const double train_s = since(t);
  // Process CPU time as well: on a shared machine the wall time measures the neighbours too.
  const double cpu_s = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
  std::printf(
      "training default space: %lld configurations (%lld feasible and priced, %lld read and checked against HBM) in "
      "%.3f s (%.3f s of CPU): %.0f configurations/s (%.0f per CPU second), %.2f ms per configuration read\n",
      static_cast<long long>(tr.configurations), static_cast<long long>(tr.feasible),
      static_cast<long long>(tr.feasible + tr.rejected.count[2]), train_s, cpu_s,
      static_cast<double>(tr.configurations) / train_s, static_cast<double>(tr.configurations) / cpu_s,
      train_s * 1e3 / static_cast<double>(std::max<int64_t>(1, tr.feasible + tr.rejected.count[2])));
  return tr.configurations > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fathom;
  using namespace fathom::models;
  const std::string only = argc > 1 ? argv[1] : "";  // --serving-only or --training-only
  const bool with_training = only != "--serving-only";
  const std::string dir = std::string(FATHOM_SOURCE_DIR) + "/scenarios/";
  const ScenarioDocument doc = load_scenario(dir + "deepseek-v3-r1-serving-day.json");
  const serving::ServingInputs in = serving::read_serving_inputs(doc, nullptr);

  auto t = Clock::now();
  if (only == "--training-only") return training_search(dir);
  const serving::ServingResult day = serving::simulate_serving_day(in);
  std::printf("one serving configuration, full day (window simulation): %.3f s (cost %.0f USD)\n", since(t),
              day.cost.value());

  t = Clock::now();
  const eplb::ZipfImbalance z = eplb::zipf_imbalance(in.model.arch, {.gpus = 144, .nodes = 18, .redundant_experts = 32},
                                                     {.exponent = 0.2, .seed = 1});
  std::printf("EPLB placement of one layout (EP144, 32 redundant, 58 MoE layers): %.2f ms (after %.3f)\n",
              since(t) * 1e3, z.after);

  plan::ServingPlanSpec one = plan::read_serving_plan(std::nullopt);
  one.node_types = {{"hw/nodes/h800-8gpu.json", std::nullopt, std::nullopt}};
  one.prefill_nodes_per_unit = {4};
  one.decode_nodes_per_unit = {18};
  one.redundant_experts = {32};
  one.decode_batch_limits = {0};
  one.mtp = {true};
  one.check_best = false;
  t = Clock::now();
  const auto single = plan::plan_serving(plan::serving_node_types(doc, one), one);
  std::printf("one serving configuration priced alone by the planner (analytic, nothing cached): %.2f ms\n",
              since(t) * 1e3);

  plan::ServingPlanSpec space = plan::read_serving_plan(std::nullopt);
  space.check_best = false;
  t = Clock::now();
  auto types = plan::serving_node_types(doc, space);
  const double read_s = since(t);
  t = Clock::now();
  const auto r = plan::plan_serving(std::move(types), space);
  const double plan_s = since(t);
  std::printf(
      "serving default space: %lld configurations (%lld feasible) from %lld phase pricings in %.3f s "
      "(+ %.3f s reading %zu node types): %.0f configurations/s, %.0f phase pricings/s\n",
      static_cast<long long>(r.configurations), static_cast<long long>(r.feasible),
      static_cast<long long>(r.phase_pricings), plan_s, read_s, r.node_types.size(),
      static_cast<double>(r.configurations) / (plan_s + read_s), static_cast<double>(r.phase_pricings) / plan_s);
  if (!with_training) return single.best.empty() ? 1 : 0;
  return training_search(dir);
}
