#pragma once
// Least-squares fit of one kernel family's efficiency curve to measured rows, in log space:
// minimise sum_i (log t_pred,i - log t_meas,i)^2 with Eigen's Levenberg-Marquardt (numerical
// Jacobian), from a fixed set of starting points (deterministic).

#include <string>
#include <vector>

#include "calib/fit/calibration_row.h"
#include "hw/efficiency_curve.h"
#include "hw/gpu_spec.h"

namespace fathom::calib {

// Which curve parameters the fit may move; the others keep their initial value. The two tiled-GEMM
// parameters are free only for a tiled curve (hw/efficiency_curve.h).
struct FreeParameters {
  bool compute_efficiency_max = true;
  bool compute_half_shape = true;
  bool memory_efficiency = true;
  bool overhead = true;
  bool roofline_sharpness = true;
  bool k_block_floor = false;
  bool epilogue_exposure = false;
  int count() const;
};

// How to fit one family: the starting curve, the free parameters and why the fixed ones are fixed.
struct FamilyFitConfig {
  hw::EfficiencyCurve initial;
  FreeParameters free;
  std::string fixed_reason;  // provenance text of the fixed parameters ("assumed:<reason>")
};

// Median and worst of |t_pred - t_meas| / t_meas over a set of rows (0 and 0 for no rows).
struct ErrorSummary {
  int64_t rows = 0;
  double median = 0.0;
  double worst = 0.0;
};

struct FamilyFitResult {
  hw::EfficiencyCurve curve;
  double cost = 0.0;  // sum of squared log residuals at the optimum
};

// Fits `config` to `rows` (all used; callers pass only fitted rows). Throws InputError when there
// are fewer rows than free parameters.
FamilyFitResult fit_family(const std::vector<CalibrationRow>& rows, const hw::GpuSpec& gpu,
                           const FamilyFitConfig& config, const std::string& family_name);

// Relative-error summary of `curve` on `rows`.
ErrorSummary relative_errors(const hw::EfficiencyCurve& curve, const hw::GpuSpec& gpu,
                             const std::vector<CalibrationRow>& rows);

}  // namespace fathom::calib
