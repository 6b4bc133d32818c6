#include "hw/kernel_cost_model.h"

#include <utility>

namespace fathom::hw {

EfficiencyCurve curve_of(const FamilyParameters& p) {
  EfficiencyCurve c{p.compute_efficiency_max.value, p.compute_half_shape.value, p.memory_efficiency.value,
                    p.overhead_s.value, p.roofline_sharpness.value};
  if (p.k_block_floor_s && p.epilogue_exposure) {
    c.tiled = true;
    c.k_block_floor_s = p.k_block_floor_s->value;
    c.epilogue_exposure = p.epilogue_exposure->value;
  }
  return c;
}

KernelCostModel::KernelCostModel(GpuSpec gpu, Calibration calibration, KernelTimeFactors factors)
    : gpu_(std::move(gpu)), calibration_(std::move(calibration)), factors_(std::move(factors)) {}

KernelTime KernelCostModel::breakdown(const KernelWork& work) const {
  KernelTime t = evaluate_curve(curve_of(calibration_.parameters(work.family)), gpu_, work);
  if (const auto it = factors_.find(work.family); it != factors_.end()) {
    t.compute = t.compute * it->second;
    t.memory = t.memory * it->second;
    t.overhead = t.overhead * it->second;
    t.total = t.total * it->second;
  }
  return t;
}

KernelCostModel KernelCostModel::with_compute_sms(int64_t sms) const {
  return KernelCostModel(gpu_.with_compute_sms(sms), calibration_, factors_);
}

Seconds KernelCostModel::time(const KernelWork& work) const { return breakdown(work).total; }

}  // namespace fathom::hw
