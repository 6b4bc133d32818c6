#include "models/serving/step_tables.h"

#include <algorithm>
#include <cmath>

namespace fathom::models::serving {
namespace {

// Index i and weight w such that x lies between grid[i] and grid[i + 1] (clamped to the grid).
std::pair<size_t, double> locate(const std::vector<double>& grid, double x) {
  if (x <= grid.front()) return {0, 0.0};
  if (x >= grid.back()) return {grid.size() - 2, 1.0};
  const size_t i = static_cast<size_t>(std::upper_bound(grid.begin(), grid.end(), x) - grid.begin()) - 1;
  return {i, (x - grid[i]) / (grid[i + 1] - grid[i])};
}

}  // namespace

DecodeStepTable::DecodeStepTable(const IterationCostModel& cost, const DecodeSpec& decode, const MtpSpec& mtp,
                                 int64_t max_batch, double context)
    : max_batch_(std::max<int64_t>(2, max_batch)) {
  for (const double f : {0.25, 0.5, 1.0, 1.5, 2.0, 4.0}) contexts_.push_back(std::max(1.0, f * context));
  seconds_.resize(static_cast<size_t>(max_batch_));
  for (int64_t b = 1; b <= max_batch_; ++b) {
    for (const double c : contexts_) {
      seconds_[static_cast<size_t>(b - 1)].push_back(cost.decode_step(b, c, decode, mtp).total.value());
    }
  }
}

Seconds DecodeStepTable::step(double batch_per_gpu, double context) const {
  const double b = std::clamp(batch_per_gpu, 1.0, static_cast<double>(max_batch_));
  const size_t lo = static_cast<size_t>(std::floor(b)) - 1;
  const size_t hi = std::min(lo + 1, seconds_.size() - 1);
  const double wb = b - std::floor(b);
  // Plain variables, not a structured binding: a lambda may capture those only since C++20's P1091,
  // which clang 14 (the fuzzing compiler) does not implement.
  const std::pair<size_t, double> cell = locate(contexts_, context);
  const size_t ci = cell.first;
  const double wc = cell.second;
  auto at = [&](size_t row) { return seconds_[row][ci] * (1 - wc) + seconds_[row][ci + 1] * wc; };
  return Seconds(at(lo) * (1 - wb) + at(hi) * wb);
}

PrefillPeriodTable::PrefillPeriodTable(const IterationCostModel& cost, const PrefillSpec& prefill,
                                       const PrefillCapacity& full, Bytes kv_bytes_per_token, double hit_fraction,
                                       BytesPerSecond storage_bandwidth_per_gpu) {
  for (int i = 1; i <= 16; ++i) {
    const int64_t tokens = std::max<int64_t>(1, prefill.tokens_per_gpu * i / 16);
    const Seconds forward = cost.prefill_forward(tokens, full.seq_len, full.prefix_len, prefill).total;
    const double t = static_cast<double>(tokens);
    const double hits = hit_fraction < 1.0 ? t * hit_fraction / (1.0 - hit_fraction) : 0.0;
    const Seconds storage = (kv_bytes_per_token * (hits + t)) / storage_bandwidth_per_gpu;
    tokens_.push_back(t);
    seconds_.push_back(std::max(forward, storage).value());
  }
}

Seconds PrefillPeriodTable::period(double tokens_per_gpu) const {
  if (tokens_per_gpu <= tokens_.front()) return Seconds(seconds_.front());
  const auto [i, w] = locate(tokens_, tokens_per_gpu);
  return Seconds(seconds_[i] * (1 - w) + seconds_[i + 1] * w);
}

}  // namespace fathom::models::serving
