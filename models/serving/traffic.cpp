#include "models/serving/traffic.h"

#include <fmt/format.h>

#include <cmath>

namespace fathom::models::serving {

double DailyTraffic::mean_rate(double start_h, double end_h) const {
  // Integrate the piecewise-constant hourly shape over [start_h, end_h).
  double integral = 0;
  double t = start_h;
  while (t < end_h - 1e-12) {
    const double hour_start = std::floor(t);
    const double next = std::min(end_h, hour_start + 1.0);
    const int hour = static_cast<int>(std::fmod(hour_start, 24.0) + 24.0) % 24;
    integral += hourly_rate[static_cast<size_t>(hour)] * (next - t);
    t = next;
  }
  return integral / (end_h - start_h);
}

DailyTraffic read_daily_traffic(const SpecReader& r) {
  DailyTraffic d;
  d.input_tokens_per_day = r.positive("input_tokens_per_day", r.number("input_tokens_per_day"));
  d.cache_hit_fraction = r.fraction("cache_hit_fraction", r.number("cache_hit_fraction"));
  d.output_tokens_per_day = r.positive("output_tokens_per_day", r.number("output_tokens_per_day"));
  d.mean_kv_length_per_output_token =
      r.positive("mean_kv_length_per_output_token", r.number("mean_kv_length_per_output_token"));
  const std::vector<double> shape = r.numbers("hourly_rate");
  if (shape.size() != 24) r.fail("hourly_rate", fmt::format("needs 24 values (hours 0-23), got {}", shape.size()));
  double sum = 0;
  for (size_t h = 0; h < 24; ++h) {
    if (!(shape[h] >= 0)) r.fail("hourly_rate", fmt::format("hour {} has a negative rate {}", h, shape[h]));
    sum += shape[h];
  }
  const double mean = sum / 24.0;
  if (std::fabs(mean - 1.0) > 0.02) {
    r.fail("hourly_rate", fmt::format("the 24 values must average 1 (relative rates), they average {:.4f}", mean));
  }
  for (size_t h = 0; h < 24; ++h) d.hourly_rate[h] = shape[h] / mean;
  r.finish();
  return d;
}

}  // namespace fathom::models::serving
