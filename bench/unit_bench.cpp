// Speed of the unit run kind (issue #20 target: under 10 ms per shipped unit scenario, in-process):
// reading and predicting each scenario of scenarios/unit/. Prints milliseconds per scenario (best of N).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "models/unit/unit_run.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const int repeats = argc > 1 ? std::stoi(argv[1]) : 5;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(FATHOM_SOURCE_DIR) + "/scenarios/unit")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  double worst = 0;
  for (const std::string& f : files) {
    double best_predict = 1e30, best_all = 1e30;
    for (int i = 0; i < repeats; ++i) {
      const auto start = Clock::now();
      fathom::ProvenanceLog log;
      const auto s = fathom::models::unit::read_unit_scenario(fathom::load_scenario(f), log);
      const auto mid = Clock::now();
      const auto r = fathom::models::unit::predict_unit(s);
      const auto end = Clock::now();
      best_predict = std::min(best_predict, std::chrono::duration<double, std::milli>(end - mid).count());
      best_all = std::min(best_all, std::chrono::duration<double, std::milli>(end - start).count());
      if (r.step_s <= 0) return 1;
    }
    worst = std::max(worst, best_all);
    std::printf("%-48s predict %6.2f ms, read + predict %6.2f ms\n", std::filesystem::path(f).filename().c_str(),
                best_predict, best_all);
  }
  std::printf("unit scenarios: %zu, slowest read + predict (best of %d): %.2f ms\n", files.size(), repeats, worst);
  return 0;
}
