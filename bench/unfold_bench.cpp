// Speed of the UNFOLDED DeepSeek-V3 pre-training step (issue #16): every data-parallel replica simulated on
// its own resources, as a perturbation that breaks the data-parallel fold needs. Read the scenario, price the
// blocks once, then time predict_training(scenario, replicas) at growing replica counts and fit the growth
// exponent b of wall ~ replicas^b (least squares on the logs). Targets (issue #16, 2-core dev container): an
// unfolded 2,048-GPU DualPipe step under 2 s at the event level and under 60 s at the flow level; 16,384 GPUs
// under 20 s at the event level.
//
// Usage: unfold_bench [event|flow|all|flow2048] [max_replicas_flow=64]
//   event: the 2,048-GPU scenario at 8..128 replicas (128 = all of dp), then 16,384 GPUs (dp 1,024) unfolded;
//   flow:  the flow level unfolds all of dp or nothing, so the replica count is grown with the cluster
//          (a PP4 EP16 cut, dp = 16, 32, ... up to max_replicas_flow);
//   flow2048: the 2,048-GPU scenario at the flow level, all 128 replicas unfolded (about 45 s, 3.3 GiB).
// Prints wall and process CPU time (the dev container is shared: CPU time is the steadier figure).

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "models/training/training_run.h"

namespace {

namespace tr = fathom::models::training;
using clock_type = std::chrono::steady_clock;

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

// The scenario at `nodes` nodes (PP16, 120 micro-batches per pipeline), ramp off.
tr::TrainingScenario scenario_at(const std::string& fidelity, int nodes) {
  const int dp = nodes * 8 / 16;
  fathom::ProvenanceLog log;
  tr::TrainingScenario s = tr::read_training_scenario(
      fathom::load_scenario(kScenario, {"fidelity=" + fidelity, fmt::format("cluster.nodes={}", nodes),
                                        fmt::format("training.global_batch_sequences={}", dp * 120),
                                        fmt::format("training.batch_ramp.start_global_batch_sequences={}", dp * 24),
                                        fmt::format("checkpoint.storage.cluster.clients={}", nodes)}),
      log);
  s.spec.batch_ramp.reset();
  return s;
}

struct Point {
  double replicas, wall_s;
};

// b of wall = a * replicas^b, least squares on (log replicas, log wall).
double growth_exponent(const std::vector<Point>& pts) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = double(pts.size());
  for (const Point& p : pts) {
    const double x = std::log(p.replicas), y = std::log(p.wall_s);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Process CPU seconds of the last timed() call (the container is shared: steadier than wall time).
double last_cpu_s = 0;

double timed(const tr::TrainingScenario& s, int replicas, tr::TrainingPrediction& p) {
  const auto t0 = clock_type::now();
  const std::clock_t c0 = std::clock();
  p = tr::predict_training(s, replicas);
  last_cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void event_level() {
  const tr::TrainingScenario s = scenario_at("event", 256);
  std::vector<Point> pts;
  tr::TrainingPrediction folded;
  const double folded_s = timed(s, 1, folded);
  fmt::print("event, 2,048 GPUs, folded: {} tasks, step {:.6f} s, wall {:.3f} s\n", folded.step.tasks,
             folded.step.step_s, folded_s);
  for (int r : {8, 16, 32, 64, 128}) {
    tr::TrainingPrediction p;
    const double wall = timed(s, r, p);
    pts.push_back({double(r), wall});
    fmt::print(
        "event, 2,048 GPUs, {:>4} replicas unfolded: {:>9} tasks, step {:.6f} s (folded {:.6f}), wall {:.3f} s\n", r,
        p.step.tasks, p.step.step_s, folded.step.step_s, wall);
  }
  fmt::print("event, growth exponent over 8..128 replicas: {:.2f}\n", growth_exponent(pts));
  const tr::TrainingScenario big = scenario_at("event", 2048);
  tr::TrainingPrediction p;
  const double wall = timed(big, int(big.layout.dp), p);
  fmt::print("event, 16,384 GPUs, {} replicas unfolded: {} tasks, step {:.6f} s, wall {:.3f} s\n", big.layout.dp,
             p.step.tasks, p.step.step_s, wall);
}

// The flow level unfolds all of dp or nothing, so the replica count grows with the cluster: a PP4 cut of the
// same model (8 micro-batches, EP16 over 2 nodes), dp = 2 x nodes replicas, all unfolded.
void flow_level(int max_replicas) {
  std::vector<Point> pts;
  for (int dp = 16; dp <= max_replicas; dp *= 2) {
    const int nodes = dp * 4 / 8;
    fathom::ProvenanceLog log;
    tr::TrainingScenario s = tr::read_training_scenario(
        fathom::load_scenario(kScenario, {"fidelity=flow", fmt::format("cluster.nodes={}", nodes), "parallelism.pp=4",
                                          "parallelism.ep=16", "training.micro_batches=8",
                                          fmt::format("training.global_batch_sequences={}", dp * 8),
                                          fmt::format("training.batch_ramp.start_global_batch_sequences={}", dp * 8),
                                          fmt::format("checkpoint.storage.cluster.clients={}", nodes)}),
        log);
    s.spec.batch_ramp.reset();
    tr::TrainingPrediction folded, p;
    const double folded_wall = timed(s, 1, folded);
    const double wall = timed(s, dp, p);
    pts.push_back({double(dp), last_cpu_s});
    fmt::print(
        "flow, PP4 EP16, {:>4} GPUs: folded {} tasks, wall {:.3f} s; {:>3} replicas unfolded: {:>9} tasks ({} flows), "
        "step {:.6f} s (folded {:.6f}), wall {:.3f} s, cpu {:.3f} s\n",
        4 * dp, folded.step.tasks, folded_wall, dp, p.step.tasks, p.step.flows, p.step.step_s, folded.step.step_s, wall,
        last_cpu_s);
  }
  if (pts.size() > 1) fmt::print("flow, growth exponent (cpu time): {:.2f}\n", growth_exponent(pts));
}

// The 2,048-GPU DeepSeek-V3 step at the flow level with all 128 replicas unfolded (PP16, ~22.9M engine tasks).
void flow_full() {
  const tr::TrainingScenario s = scenario_at("flow", 256);
  tr::TrainingPrediction folded, p;
  const double folded_wall = timed(s, 1, folded);
  const double wall = timed(s, int(s.layout.dp), p);
  fmt::print(
      "flow, 2,048 GPUs: folded {} tasks, step {:.6f} s, wall {:.3f} s; {} replicas unfolded: {} tasks ({} flows), "
      "step {:.6f} s, wall {:.3f} s, cpu {:.3f} s\n",
      folded.step.tasks, folded.step.step_s, folded_wall, s.layout.dp, p.step.tasks, p.step.flows, p.step.step_s, wall,
      last_cpu_s);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "event";
  const int max_flow = argc > 2 ? std::atoi(argv[2]) : 64;
  if (what == "event" || what == "all") event_level();
  if (what == "flow" || what == "all") flow_level(max_flow);
  if (what == "flow2048") flow_full();
  return 0;
}
