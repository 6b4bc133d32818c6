// Speed of one DeepSeek-V3 pre-training prediction at the analytic, event and flow levels: read the scenario,
// price every block, cut the stages, build and run the engine graph (the T11 batch ramp switched off, so
// one step is simulated). Targets (issue #5): < 2 s at the event level, < 60 s at the flow level, on the
// dev container (2 cores). Then the cost of the symmetry fold at the flow level: a 256-GPU cut of the
// same model (PP4, DP64, EP64 over 8 nodes, 8 micro-batches) folded (one replica) and unfolded (all 64
// replicas on their own links); the two steps must agree.
//
// Usage: training_bench [repeats=5]

#include <fmt/format.h>

#include <chrono>

#include "models/training/training_run.h"

int main(int argc, char** argv) {
  namespace tr = fathom::models::training;
  const std::string scenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  using clock = std::chrono::steady_clock;
  for (const char* level : {"analytic", "event", "flow"}) {
    double best_s = 1e9;
    tr::TrainingPrediction p;
    for (int i = 0; i < repeats; ++i) {
      const auto t0 = clock::now();
      fathom::ProvenanceLog log;
      tr::TrainingScenario s =
          tr::read_training_scenario(fathom::load_scenario(scenario, {std::string("fidelity=") + level}), log);
      s.spec.batch_ramp.reset();
      p = tr::predict_training(s);
      best_s = std::min(best_s, std::chrono::duration<double>(clock::now() - t0).count());
    }
    fmt::print(
        "training step ({} level, DualPipe PP16, 120 micro-batches): {} engine tasks ({} flows), predicted step "
        "{:.3f} s, wall {:.1f} ms (best of {})\n",
        level, p.step.tasks, p.step.flows, p.step.step_s, best_s * 1e3, repeats);
  }
  const std::vector<std::string> small = {"fidelity=flow",
                                          "cluster.nodes=32",
                                          "parallelism.pp=4",
                                          "training.micro_batches=8",
                                          "training.global_batch_sequences=512",
                                          "training.batch_ramp.start_global_batch_sequences=512",
                                          "checkpoint.storage.cluster.clients=32"};
  fathom::ProvenanceLog log;
  tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(scenario, small), log);
  s.spec.batch_ramp.reset();
  for (int replicas : {1, int(s.layout.dp)}) {
    const auto t0 = clock::now();
    const tr::TrainingPrediction p = tr::predict_training(s, replicas);
    fmt::print("flow level, 256 GPUs, {} replica(s) simulated: {} tasks ({} flows), step {:.6f} s, wall {:.1f} ms\n",
               replicas, p.step.tasks, p.step.flows, p.step.step_s,
               std::chrono::duration<double>(clock::now() - t0).count() * 1e3);
  }
  return 0;
}
