#pragma once
// The kernel cost model: prices a KernelWork on one GPU with that GPU's calibration
// (hw/efficiency_curve.h has the formula, docs/calibration.md the fitted curves).

#include "hw/calibration.h"
#include "hw/efficiency_curve.h"
#include "hw/gpu_spec.h"
#include "hw/kernel_time_factors.h"
#include "hw/kernel_work.h"
#include "sim/units.h"

namespace fathom::hw {

// The plain curve numbers of a calibrated family.
EfficiencyCurve curve_of(const FamilyParameters& parameters);

// Time of kernel invocations on one GPU model; immutable after construction.
class KernelCostModel {
 public:
  // Contract: `calibration` has every KernelFamily (load_calibration guarantees it). `factors` scale the
  // predicted time of their families (hw/kernel_time_factors.h); absent families keep factor 1.
  KernelCostModel(GpuSpec gpu, Calibration calibration, KernelTimeFactors factors = {});

  Seconds time(const KernelWork& work) const;
  // The same model on the GPU with only `sms` SMs computing (GpuSpec::with_compute_sms), same calibration
  // and factors: what a kernel gets while communication holds the other SMs.
  KernelCostModel with_compute_sms(int64_t sms) const;
  KernelTime breakdown(const KernelWork& work) const;

  const GpuSpec& gpu() const { return gpu_; }
  const Calibration& calibration() const { return calibration_; }
  const KernelTimeFactors& factors() const { return factors_; }

 private:
  GpuSpec gpu_;
  Calibration calibration_;
  KernelTimeFactors factors_;
};

}  // namespace fathom::hw
