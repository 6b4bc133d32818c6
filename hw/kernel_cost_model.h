#pragma once
// The kernel cost model: prices a KernelWork on one GPU with that GPU's calibration
// (hw/efficiency_curve.h has the formula, docs/calibration.md the fitted curves).

#include "hw/calibration.h"
#include "hw/efficiency_curve.h"
#include "hw/gpu_spec.h"
#include "hw/kernel_work.h"
#include "sim/units.h"

namespace fathom::hw {

// The plain curve numbers of a calibrated family.
EfficiencyCurve curve_of(const FamilyParameters& parameters);

// Time of kernel invocations on one GPU model; immutable after construction.
class KernelCostModel {
 public:
  // Contract: `calibration` has every KernelFamily (load_calibration guarantees it).
  KernelCostModel(GpuSpec gpu, Calibration calibration);

  Seconds time(const KernelWork& work) const;
  KernelTime breakdown(const KernelWork& work) const;

  const GpuSpec& gpu() const { return gpu_; }
  const Calibration& calibration() const { return calibration_; }

 private:
  GpuSpec gpu_;
  Calibration calibration_;
};

}  // namespace fathom::hw
