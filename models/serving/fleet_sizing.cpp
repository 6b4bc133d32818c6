#include "models/serving/fleet_sizing.h"

#include <cmath>

namespace fathom::models::serving {

WindowDemand window_demand(const DailyTraffic& traffic, const RequestMix& mix, double start_h, double end_h) {
  WindowDemand w;
  w.start_h = start_h;
  w.end_h = end_h;
  w.load = traffic.mean_rate(start_h, end_h);
  w.requests_per_s = w.load * mix.requests_per_day / 86400.0;
  w.computed_tokens_per_s = w.requests_per_s * mix.mean_computed_input_tokens();
  w.output_tokens_per_s = w.requests_per_s * mix.mean_output_tokens;
  return w;
}

std::vector<WindowDemand> day_windows(const DailyTraffic& traffic, const RequestMix& mix, Seconds window) {
  const double window_h = window.value() / 3600.0;
  const size_t n = static_cast<size_t>(std::llround(24.0 / window_h));
  std::vector<WindowDemand> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(
        window_demand(traffic, mix, static_cast<double>(i) * window_h, static_cast<double>(i + 1) * window_h));
  }
  return out;
}

int64_t units_for(double demand, double per_unit, double headroom) {
  const double units = std::ceil(headroom * demand / per_unit - 1e-9);
  if (units < 1) return 1;
  // NaN or beyond int64 (a cast would be undefined): an absurd load, which the resource guard refuses.
  if (!(units < 9e18)) return static_cast<int64_t>(9e18);
  return static_cast<int64_t>(units);
}

}  // namespace fathom::models::serving
