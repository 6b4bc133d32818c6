#pragma once
// Steady-state fleet sizing of one planning window — the fast path of the serving day (docs/serving.md,
// "Windows"), factored out so that `fathom plan` (models/plan) sizes a fleet per configuration with the very
// same arithmetic: a window's demand is the day's mean request rate times the window's mean of the hourly
// shape, and a phase needs the fewest units whose steady-state capacity covers `headroom` x that demand.
// The serving day then checks (and raises) those counts with the window simulation; the planner does not.

#include <cstdint>
#include <vector>

#include "models/serving/request_mix.h"
#include "models/serving/traffic.h"
#include "sim/units.h"

namespace fathom::models::serving {

// What one planning window asks of the fleet, in per-second rates over the window.
struct WindowDemand {
  double start_h = 0, end_h = 0;  // hours of day
  double load = 0;                // mean relative request rate of the window (day mean = 1)
  double requests_per_s = 0;
  double computed_tokens_per_s = 0;  // cache-miss input tokens (what prefill computes)
  double output_tokens_per_s = 0;    // decoded tokens
  double seconds() const { return (end_h - start_h) * 3600.0; }
};

WindowDemand window_demand(const DailyTraffic& traffic, const RequestMix& mix, double start_h, double end_h);

// The day cut into windows of `window` (which divides the day: the scenario reader checks it).
std::vector<WindowDemand> day_windows(const DailyTraffic& traffic, const RequestMix& mix, Seconds window);

// The fewest units (>= 1) whose capacity `per_unit` covers `headroom` x `demand` (same rate unit). An
// absurd ratio (NaN, beyond int64) returns 9e18, which the serving resource guard refuses.
int64_t units_for(double demand, double per_unit, double headroom);

}  // namespace fathom::models::serving
