#pragma once
// A day of serving traffic (the scenario's "traffic" section): daily token totals, the on-disk
// cache-hit share of input tokens, and the relative request rate per hour of day.
// Source of the reference inputs: published-figures.md §2b (S17-S21 and the hourly shape).

#include <array>

#include "sim/spec_reader.h"

namespace fathom::models::serving {

struct DailyTraffic {
  double input_tokens_per_day = 0;             // all prompt tokens, cache hits included (S17)
  double cache_hit_fraction = 0;               // share of input tokens served from the on-disk KV cache (S18)
  double output_tokens_per_day = 0;            // generated tokens (S19)
  double mean_kv_length_per_output_token = 0;  // context length seen by an average output token (S21)
  std::array<double, 24> hourly_rate{};        // relative request rate per hour of day; mean 1

  // Mean relative rate over [start_h, end_h) hours of day (piecewise constant per hour; wraps at 24).
  double mean_rate(double start_h, double end_h) const;
};

// Reads the "traffic" object; the hourly shape is normalised to mean 1 (a shape whose mean is more than
// 2% off 1 is an error, so a mistyped value cannot silently rescale the day).
DailyTraffic read_daily_traffic(const SpecReader& reader);

}  // namespace fathom::models::serving
