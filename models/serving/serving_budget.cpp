#include "models/serving/serving_budget.h"

#include <fmt/format.h>

namespace fathom::models::serving {
namespace {

constexpr double kBytesPerWindow = 1024, kSecondsPerWindow = 2e-6;
constexpr double kBytesPerTableRow = 100, kSecondsPerTableRow = 30e-6;
constexpr double kBytesPerRequest = 32, kSecondsPerRequest = 0.5e-6;
constexpr double kSecondsPerDecodeStep = 0.2e-6;
constexpr double kRetryFactor = 2;  // unit additions while a window misses its SLO

}  // namespace

sim::WorkEstimate estimate_serving_work(const ServingWork& w) {
  sim::WorkEstimate e;
  e.bytes =
      w.windows * kBytesPerWindow + w.decode_table_rows * kBytesPerTableRow + w.peak_window_requests * kBytesPerRequest;
  e.seconds = w.windows * kSecondsPerWindow + w.decode_table_rows * kSecondsPerTableRow +
              kRetryFactor * (w.requests * kSecondsPerRequest + w.decode_steps * kSecondsPerDecodeStep);
  // The item named is the largest contributor.
  const double windows_s = w.windows * kSecondsPerWindow, rows_s = w.decode_table_rows * kSecondsPerTableRow;
  const double sim_s = w.requests * kSecondsPerRequest + w.decode_steps * kSecondsPerDecodeStep;
  if (windows_s >= rows_s && windows_s >= sim_s) {
    e.items = w.windows;
    e.item_name = "planning windows";
  } else if (rows_s >= sim_s) {
    e.items = w.decode_table_rows;
    e.item_name = "decode batch sizes to price";
  } else if (w.requests * kSecondsPerRequest >= w.decode_steps * kSecondsPerDecodeStep) {
    e.items = w.requests;
    e.item_name = "simulated requests";
  } else {
    e.items = w.decode_steps;
    e.item_name = "simulated decode steps";
  }
  return e;
}

std::optional<std::string> serving_over_budget(const ServingWork& w) {
  const sim::WorkEstimate e = estimate_serving_work(w);
  const auto why = sim::over_budget(e);
  if (!why) return std::nullopt;
  if (e.item_name == "planning windows") {
    return fmt::format("autoscaling.window: the serving day {}; use longer windows", *why);
  }
  if (e.item_name == "decode batch sizes to price") {
    return fmt::format(
        "decode: the serving day {} (every batch that fits in HBM); set decode.batch_per_gpu or "
        "decode.max_tokens_per_expert",
        *why);
  }
  return fmt::format("simulation.seconds_per_window: the serving day {}; simulate fewer seconds per window", *why);
}

}  // namespace fathom::models::serving
