#include "hw/efficiency_curve.h"

#include <algorithm>
#include <cmath>

#include "hw/gemm_tiling.h"
#include "hw/kernel_family_registry.h"

namespace fathom::hw {
namespace {

// t_c of the tiled GEMM model (efficiency_curve.h).
Seconds tiled_compute_time(const EfficiencyCurve& c, const GpuSpec& gpu, const KernelWork& w) {
  const GemmTiling t = choose_gemm_tiling(w, gpu.sm_count);
  const double sms = static_cast<double>(gpu.sm_count);
  const double peak_per_sm = gpu.peak(w.dtype).value() / sms;
  const double step_flops = 2.0 * double(t.block_m) * double(t.block_n) * double(t.block_k);
  const double step = std::max(step_flops / (peak_per_sm * c.compute_efficiency_max), c.k_block_floor_s);
  // Output element size from the invocation: bytes written per output element (BF16 or FP32).
  const double rows = w.flops.value() / (2.0 * double(w.n) * double(w.k));
  const double out_bytes = rows > 0.0 ? w.bytes_written.value() / (rows * double(w.n)) : 2.0;
  const double active = std::min(double(t.tiles), sms);
  const double epilogue = double(t.block_m) * double(t.block_n) * out_bytes / (gpu.hbm_bandwidth.value() / active);
  return Seconds(double(t.waves) * (double(t.k_blocks) * step + c.epilogue_exposure * epilogue));
}

}  // namespace

bool uses_gemm_tiles(const EfficiencyCurve& c, const KernelWork& w) {
  return c.tiled && is_gemm_family(w.family) && w.m >= 1 && w.n >= 1 && w.k >= 1;
}

double compute_efficiency(const EfficiencyCurve& c, double shape) {
  if (c.compute_half_shape <= 0.0 || shape <= 0.0) return c.compute_efficiency_max;
  return c.compute_efficiency_max * shape / (shape + c.compute_half_shape);
}

KernelTime evaluate_curve(const EfficiencyCurve& c, const GpuSpec& gpu, const KernelWork& work) {
  const FlopsPerSecond peak = work.family == KernelFamily::elementwise ? gpu.peak_fp32 : gpu.peak(work.dtype);
  KernelTime t;
  if (work.flops.value() <= 0) {
    t.compute = Seconds(0.0);
  } else if (uses_gemm_tiles(c, work)) {
    t.compute = tiled_compute_time(c, gpu, work);
  } else {
    t.compute = work.flops / (peak * compute_efficiency(c, shape_value(work)));
  }
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
