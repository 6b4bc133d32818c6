#pragma once
// Precomputed forward times for the event-level simulation, so a simulated step costs a table
// lookup instead of pricing ~60 layers of ops: decode step time over (batch per GPU, mean context),
// prefill period over computed tokens per GPU. Bilinear / linear interpolation between grid points.

#include <vector>

#include "models/serving/capacity.h"

namespace fathom::models::serving {

class DecodeStepTable {
 public:
  // Batches 1..max_batch, contexts at fixed multiples of `context` (0.25x to 4x).
  DecodeStepTable(const IterationCostModel& cost, const DecodeSpec& decode, const MtpSpec& mtp, int64_t max_batch,
                  double context);
  // Step time at a fractional batch per GPU (>= 0; 0 costs as 1) and a mean context; clamps to the grid.
  Seconds step(double batch_per_gpu, double context) const;
  int64_t max_batch() const { return max_batch_; }

 private:
  int64_t max_batch_;
  std::vector<double> contexts_;
  std::vector<std::vector<double>> seconds_;  // [batch - 1][context index]
};

class PrefillPeriodTable {
 public:
  // Forward periods (forward vs storage, as in prefill_capacity) at 1/16 .. 16/16 of a full forward.
  PrefillPeriodTable(const IterationCostModel& cost, const PrefillSpec& prefill, const PrefillCapacity& full,
                     Bytes kv_bytes_per_token, double hit_fraction, BytesPerSecond storage_bandwidth_per_gpu);
  Seconds period(double tokens_per_gpu) const;

 private:
  std::vector<double> tokens_;
  std::vector<double> seconds_;
};

}  // namespace fathom::models::serving
