#pragma once
// What a serving day will cost before it is simulated (sim/resource_guard.h). simulate_serving_day checks
// twice: the planning windows and the decode step table's rows before the tables are built, then the
// requests and decode steps of the window simulations before any window is simulated.
//
// Per item, measured on the DeepSeek-V3 serving day (2-core CI machine) and rounded up:
//  - a planning window: ~1 KB (its TTFT quantiles), 2 us beside its simulations;
//  - a decode step table row (one batch size at six contexts, each a decode step priced op by op):
//    100 B, 30 us;
//  - a simulated request (prefill queue and TTFT, decode pool and speed): 32 B held while its window is
//    simulated, 0.5 us (measured 0.25 us and 10 B at 300 to 30,000 simulated seconds per window);
//  - a simulated decode step (the pool's step lookup and bookkeeping): 0.2 us.
// Request and step counts are those of each distinct window simulation's first attempt (the unit counts
// sized from steady-state capacity), doubled for the units added while a window misses its SLO.

#include <cstdint>
#include <optional>
#include <string>

#include "sim/resource_guard.h"

namespace fathom::models::serving {

struct ServingWork {
  double windows = 0;               // planning windows of the day
  double decode_table_rows = 0;     // batch sizes of the decode step table
  double requests = 0;              // requests simulated, all window simulations
  double peak_window_requests = 0;  // requests one window simulation holds at most
  double decode_steps = 0;          // decode steps simulated, all window simulations
};

sim::WorkEstimate estimate_serving_work(const ServingWork& w);

// Why the day does not fit, as "<json.path>: <what>; <what to change>" naming the key behind the count at
// fault; empty when it fits.
std::optional<std::string> serving_over_budget(const ServingWork& w);

}  // namespace fathom::models::serving
