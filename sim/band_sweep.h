#pragma once
// `--bands`: the spread of a run's headline metrics over the ranges of its assumed values (sim/bands.h).
// One run at the point values, a one-at-a-time sweep (each range at its low and high end, the others at
// their points) that ranks the drivers of every metric and finds the inert ranges, then a Latin hypercube
// of `samples` runs over the ranges that move anything; p5 / p50 / p95 of every headline metric.
//
// Contract: `run` is called from `threads` threads at once and must not share mutable state; results do
// not depend on the thread count (each run's output is stored by its index). An exception from any run
// is rethrown (the first by index).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/bands.h"
#include "sim/report.h"
#include "sim/scenario_document.h"

namespace fathom {

struct Driver {
  std::string path;   // the ranged value
  double effect = 0;  // |metric(high) - metric(low)| in the one-at-a-time sweep
  double share = 0;   // effect over the sum of all effects on this metric
};

struct MetricBand {
  MetricSpec metric;
  double point = 0, p5 = 0, p50 = 0, p95 = 0;
  std::vector<Driver> drivers;  // largest effect first; ranges with no effect left out
};

struct BandSweep {
  int samples = 0;
  uint64_t seed = 0;
  std::vector<RangedValue> ranges;  // every ranged value of the scenario
  std::vector<std::string> inert;   // paths of ranges that moved no headline metric (not sampled)
  std::vector<MetricBand> bands;    // one per headline metric of the point run, in its order
  int runs = 0;                     // model runs made: 1 + 2 x ranges + samples
  Report point;                     // the run at the point values
};

using RunToReport = std::function<Report(const ScenarioDocument&)>;

// Throws InputError "<label>: no value carries a range ..." when the scenario has none.
BandSweep sweep_bands(const ScenarioDocument& doc, int samples, uint64_t seed, int threads, const RunToReport& run);

// The sweep as a Report: a table of the headline metrics with their point, p5, p50, p95 and top three
// drivers, the ranges and the inert ones, and the point run's data under "point".
Report band_report(const BandSweep& sweep);

}  // namespace fathom
