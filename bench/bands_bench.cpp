// Speed of `--bands` (sim/band_sweep.h) on the shipped scenarios: the serving day, the training step and
// a unit, each with N Latin-hypercube samples (default 64) on every core (issue #13 target: the serving
// day's 64 samples under a minute on the 2-core development machine). Prints seconds per sweep and runs.
// Usage: bands_bench [samples] [threads]   (threads 0: every core)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "sim/band_sweep.h"
#include "sim/scenario_document.h"
#include "tools/run_kinds.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const int samples = argc > 1 ? std::stoi(argv[1]) : 64;
  int threads = argc > 2 ? std::stoi(argv[2]) : 0;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string dir = std::string(FATHOM_SOURCE_DIR) + "/scenarios/";
  for (const char* file : {"deepseek-v3-r1-serving-day.json", "deepseek-v3-pretrain-2048xh800.json",
                           "unit/deepseek-v3-decode-ep144-h800.json"}) {
    const fathom::ScenarioDocument doc = fathom::load_scenario(dir + file);
    const std::string kind = doc.root.at("kind").get<std::string>();
    const fathom::tools::RunKind& make = fathom::tools::run_kind_registry().get(kind, "kind").make;
    const fathom::tools::RunOptions options;  // as --bands runs each sample: no progress, no timeline
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    const fathom::BandSweep sweep = fathom::sweep_bands(
        doc, samples, 1, threads, [&](const fathom::ScenarioDocument& d) { return make.report(d, options); });
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    // CPU time counts every thread: on a shared machine the wall time also holds others' load.
    std::printf("%-40s %3d samples, %3d runs, %d threads: wall %7.2f s, CPU %7.2f s (%.3f s CPU per run)\n", file,
                samples, sweep.runs, threads, s, cpu, cpu / sweep.runs);
  }
  return 0;
}
