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
//
// Tiled GEMMs (a curve with `tiled` set, for dense and grouped GEMMs with m, n, k known): t_c is
// built from the output tiles instead of the curve in m (tiles and waves from hw/gemm_tiling.h):
//
//   t_step = max(2 * block_m * block_n * block_k / (peak[dtype] / sms * e_max), k_block_floor)
//   t_epi  = block_m * block_n * out_bytes / (hbm_bw * e_mem / min(tiles, sms))
//   t_c    = waves * (k_blocks * t_step + epilogue_exposure * t_epi)
//
// One SM computes one tile at a time: k_blocks main-loop steps, each at the SM's share of the peak
// (or the pipeline's latency floor when the step is tiny), then the epilogue stores the BF16/FP32 tile
// at the active SMs' share of HBM. A fraction `epilogue_exposure` of that store is not overlapped with
// the next tile's main loop: DeepGEMM's Feb-2025 kernels stored serially (K13: 32768x512, K = 512, at
// 590 TFLOPS), later releases overlap most of it (K15: 775 TFLOPS; InferSim's K = 2048 rows within 6%
// of K = 18432), so it is fitted per family. Wave quantisation (a last wave that fills few SMs) and
// padding to block_m follow from the tiles.

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
  // Tiled GEMM model (see above); compute_half_shape is unused when set.
  bool tiled = false;
  double k_block_floor_s = 0.0;    // shortest time of one main-loop step of one tile
  double epilogue_exposure = 1.0;  // fraction of the epilogue store not hidden behind the next tile
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

// Whether `curve` prices `work` with the tiled GEMM model (a tiled curve, a GEMM family, m, n, k >= 1).
bool uses_gemm_tiles(const EfficiencyCurve& curve, const KernelWork& work);

// Prices `work` on `gpu` with `curve`. Contract: flops, bytes >= 0; a kernel with neither costs
// the overhead only.
KernelTime evaluate_curve(const EfficiencyCurve& curve, const GpuSpec& gpu, const KernelWork& work);

}  // namespace fathom::hw
