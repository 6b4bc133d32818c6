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

KernelCostModel::KernelCostModel(GpuSpec gpu, Calibration calibration)
    : gpu_(std::move(gpu)), calibration_(std::move(calibration)) {}

KernelTime KernelCostModel::breakdown(const KernelWork& work) const {
  return evaluate_curve(curve_of(calibration_.parameters(work.family)), gpu_, work);
}

Seconds KernelCostModel::time(const KernelWork& work) const { return breakdown(work).total; }

}  // namespace fathom::hw
