#pragma once
// Fitting a whole Calibration from the calibration tables: each family with rows is fitted to all of
// them, the others get their assumed curves, and published bounds are checked. Held-out error comes
// from leaving each shape family out in turn (kernel_shapes.h: shape_family) and predicting it from a
// fit to the rest.

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
  Seconds predicted;           // by the fit to every row
  Seconds held_out_predicted;  // by the fit without this row's shape family; 0 when it is the only shape
  std::string excluded;        // non-empty: the row took no part (and `predicted` is still filled in)
};

struct CalibrationFit {
  hw::Calibration calibration;
  std::vector<RowResult> rows;
};

// The hold-out rule as written into calibration files.
inline constexpr const char* kHoldOutRule =
    "leave one shape out: every row is fitted; each shape family (GEMM dtype, groups, n and k over all m; MLA decode "
    "batch; prefill sequence length) is predicted by a fit to the other shapes of its kernel family for the held-out "
    "error";

// Contract: deterministic (same inputs, same parameters). `device` names the GPU in the file.
CalibrationFit fit_calibration(const CalibrationInputs& inputs, const hw::GpuSpec& gpu, const std::string& device);

}  // namespace fathom::calib
