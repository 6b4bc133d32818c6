// Speed of one DeepSeek-V3 pre-training step at the default (event) level: read the scenario, price
// every block, cut the stages, build and run the engine graph. Target: < 2 s on the dev container.

#include <fmt/format.h>

#include <chrono>

#include "models/training/training_run.h"

int main(int argc, char** argv) {
  namespace tr = fathom::models::training;
  const std::string scenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 10;
  using clock = std::chrono::steady_clock;
  double best_s = 1e9, step_s = 0;
  int tasks = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = clock::now();
    fathom::ProvenanceLog log;
    const tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(scenario), log);
    const tr::TrainingPrediction p = tr::predict_training(s);
    best_s = std::min(best_s, std::chrono::duration<double>(clock::now() - t0).count());
    step_s = p.step.step_s;
    tasks = p.step.tasks;
  }
  fmt::print(
      "training step (event level, DualPipe PP16, 120 micro-batches): {} engine tasks, predicted step {:.3f} s, "
      "wall {:.2f} ms (best of {})\n",
      tasks, step_s, best_s * 1e3, repeats);
  return 0;
}
