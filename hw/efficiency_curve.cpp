#include "hw/efficiency_curve.h"

#include <algorithm>
#include <cmath>

#include "hw/kernel_family_registry.h"

namespace fathom::hw {

double compute_efficiency(const EfficiencyCurve& c, double shape) {
  if (c.compute_half_shape <= 0.0 || shape <= 0.0) return c.compute_efficiency_max;
  return c.compute_efficiency_max * shape / (shape + c.compute_half_shape);
}

KernelTime evaluate_curve(const EfficiencyCurve& c, const GpuSpec& gpu, const KernelWork& work) {
  const FlopsPerSecond peak = work.family == KernelFamily::elementwise ? gpu.peak_fp32 : gpu.peak(work.dtype);
  const double e_c = compute_efficiency(c, shape_value(work));
  KernelTime t;
  t.compute = work.flops.value() > 0 ? work.flops / (peak * e_c) : Seconds(0.0);
  t.memory = work.bytes().value() > 0 ? work.bytes() / (gpu.hbm_bandwidth * c.memory_efficiency) : Seconds(0.0);
  t.overhead = Seconds(c.overhead_s);
  t.compute_bound = t.compute >= t.memory;
  const double hi = std::max(t.compute.value(), t.memory.value());
  const double lo = std::min(t.compute.value(), t.memory.value());
  double roof = hi;
  if (hi > 0.0 && std::isfinite(c.roofline_sharpness)) {
    // (hi^p + lo^p)^(1/p) = hi * (1 + (lo/hi)^p)^(1/p), stable for large p.
    const double p = c.roofline_sharpness;
    roof = hi * std::pow(1.0 + std::pow(lo / hi, p), 1.0 / p);
  }
  t.total = Seconds(roof) + t.overhead;
  return t;
}

}  // namespace fathom::hw
