#pragma once
// Per-family fitting set-up (starting curve, free parameters) and the documented assumed curves
// of families that have no calibration rows (docs/calibration.md, "Assumed families").

#include "calib/fit/family_fit.h"
#include "hw/calibration.h"
#include "hw/kernel_work.h"

namespace fathom::calib {

// How `family` is fitted when it has rows.
FamilyFitConfig default_fit_config(hw::KernelFamily family);

// The assumed parameters of `family` (every value carries an "assumed:<reason>" source).
hw::FamilyParameters assumed_parameters(hw::KernelFamily family);

}  // namespace fathom::calib
