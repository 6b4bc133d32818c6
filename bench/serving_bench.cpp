// Speed of the serving simulator: one day of the reference scenario at the default fidelity
// (issue #4 target: under 10 s on the 2-core development machine). Prints milliseconds per day.

#include <chrono>
#include <cstdio>
#include <string>

#include "models/serving/serving_inputs.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const std::string scenario =
      argc > 1 ? argv[1] : std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json";
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 3;
  const fathom::ScenarioDocument doc = fathom::load_scenario(scenario);
  const auto in = fathom::models::serving::read_serving_inputs(doc, nullptr);
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    const auto r = fathom::models::serving::simulate_serving_day(in);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    best = std::min(best, ms);
    std::printf("day %d: %.1f ms (%zu windows, peak %.0f nodes)\n", i + 1, ms, r.windows.size(), r.nodes_peak);
  }
  std::printf("serving day, best of %d: %.1f ms\n", repeats, best);
  return 0;
}
