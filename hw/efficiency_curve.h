#pragma once
// The roofline with calibrated efficiencies that prices one kernel invocation (ARCHITECTURE.md §4):
//
//   t_c  = flops / (peak[dtype] * e_c(s)),   e_c(s) = e_max * s / (s + s_half)   (e_max if s_half = 0)
//   t_m  = bytes / (hbm_bw * e_mem)
//   time = (t_c^p + t_m^p)^(1/p) + overhead
//
// s is the family's shape variable (hw/kernel_family_registry.h: m per group for GEMMs, seq_kv for
// decode attention, seq_q for prefill attention). The p-norm is a smooth max: p -> infinity gives
// the hard roofline max; a finite p lets the fit express that kernels near the ridge point are
// slower than either bound alone. Elementwise kernels use the CUDA-core FP32 peak for their flops.

#include "hw/gpu_spec.h"
#include "hw/kernel_work.h"
#include "sim/units.h"

namespace fathom::hw {

// The plain numbers of one family's curve (FamilyParameters without provenance).
struct EfficiencyCurve {
  double compute_efficiency_max = 1.0;
  double compute_half_shape = 0.0;
  double memory_efficiency = 1.0;
  double overhead_s = 0.0;
  double roofline_sharpness = 1e9;  // p of the smooth max; huge = hard max
};

// The parts of one predicted kernel time.
struct KernelTime {
  Seconds compute;   // t_c
  Seconds memory;    // t_m
  Seconds overhead;  // fixed launch/setup time
  Seconds total;     // smooth max of t_c and t_m, plus overhead
  bool compute_bound = false;
};

// Compute efficiency e_c(s) of the curve at shape value s (s <= 0 gives e_max: no shape known).
double compute_efficiency(const EfficiencyCurve& curve, double shape);

// Prices `work` on `gpu` with `curve`. Contract: flops, bytes >= 0; a kernel with neither costs
// the overhead only.
KernelTime evaluate_curve(const EfficiencyCurve& curve, const GpuSpec& gpu, const KernelWork& work);

}  // namespace fathom::hw
