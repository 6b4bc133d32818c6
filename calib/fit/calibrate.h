#pragma once
// Fitting a whole Calibration from the calibration tables: each family with rows is fitted
// (hold-out rows kept out), the others get their assumed curves, and published bounds are checked.

#include <string>
#include <vector>

#include "calib/fit/calibration_row.h"
#include "hw/calibration.h"
#include "hw/gpu_spec.h"

namespace fathom::calib {

// The prediction for one table row after the fit.
struct RowResult {
  std::string label;
  hw::KernelFamily family = hw::KernelFamily::elementwise;
  Seconds measured;
  Seconds predicted;
  bool held_out = false;
  std::string excluded;  // non-empty: the row took no part (and `predicted` is still filled in)
};

struct CalibrationFit {
  hw::Calibration calibration;
  std::vector<RowResult> rows;
};

// The hold-out rule as written into calibration files.
inline constexpr const char* kHoldOutRule =
    "every 5th data row of each table by row order (0-based index % 5 == 4; both projections of a grouped-GEMM "
    "row) is held out of the fit";

// Contract: deterministic (same inputs, same parameters). `device` names the GPU in the file.
CalibrationFit fit_calibration(const CalibrationInputs& inputs, const hw::GpuSpec& gpu, const std::string& device);

}  // namespace fathom::calib
