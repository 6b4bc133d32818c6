#include "calib/fit/family_defaults.h"

#include <string>

namespace fathom::calib {
namespace {

hw::CalibratedValue assumed(double v, const std::string& why) { return {v, Provenance{SourceKind::assumed, why}}; }

}  // namespace

FamilyFitConfig default_fit_config(hw::KernelFamily family) {
  FamilyFitConfig c;
  // Starting point: a GEMM-like curve (70% of peak at large shapes, 80% of HBM, 5 us launch).
  c.initial = {0.7, 256.0, 0.8, 5e-6, 4.0};
  if (hw::is_gemm_family(family)) {
    // Tiled GEMM model: MMA efficiency, step floor, epilogue exposure, HBM efficiency, launch overhead and
    // p are fitted; the curve in m is not used (s_half fixed at 0).
    c.initial = {0.8, 0.0, 0.85, 4e-6, 4.0};
    c.initial.tiled = true;
    c.initial.k_block_floor_s = 0.1e-6;
    c.initial.epilogue_exposure = 0.5;
    c.free.compute_half_shape = false;
    c.free.k_block_floor = true;
    c.free.epilogue_exposure = true;
    c.fixed_reason = "assumed:the tiled GEMM model replaces the curve in m (docs/calibration.md)";
  }
  if (family == hw::KernelFamily::attention_prefill) {
    // MLA prefill has 5 rows and moves almost no bytes: only the compute curve is identifiable.
    c.initial = {0.6, 512.0, 0.8, 5e-6, 4.0};
    c.free.memory_efficiency = false;
    c.free.overhead = false;
    c.free.roofline_sharpness = false;
    c.fixed_reason =
        "assumed:not identifiable from the 5 compute-bound MLA prefill rows; 80% of HBM, 5 us launch, p = 4 "
        "as for the other families";
  }
  return c;
}

hw::FamilyParameters assumed_parameters(hw::KernelFamily family) {
  hw::FamilyParameters p;
  if (family == hw::KernelFamily::elementwise) {
    const std::string why = "no elementwise rows; fused norm/activation/quantisation kernels stream at 70% of HBM";
    p.compute_efficiency_max = assumed(0.5, "no elementwise rows; CUDA-core FP32 math at half the FP32 peak");
    p.compute_half_shape = assumed(0.0, "elementwise kernels have no shape curve");
    p.memory_efficiency = assumed(0.7, why);
    p.overhead_s = assumed(3e-6, "no elementwise rows; a small kernel launch of 3 us");
    p.roofline_sharpness = assumed(4.0, "as the fitted families");
    return p;
  }
  if (family == hw::KernelFamily::attention_backward) {
    // No backward rows for any GPU. FlashAttention-3 (arXiv 2407.08608, H100 BF16, head dim 128) runs its
    // backward at about 0.8 of its forward throughput at long sequences (read from its charts; not a row of
    // published-figures.md); applied to the fitted MLA prefill forward e_max 0.646 that gives 0.52.
    const std::string why = "no attention_backward rows";
    p.compute_efficiency_max =
        assumed(0.52, why +
                          "; FlashAttention-3 (arXiv 2407.08608) H100 backward at ~0.8 of its forward throughput, "
                          "x the fitted MLA prefill forward e_max 0.646");
    p.compute_half_shape = assumed(559.0, why + "; the fitted MLA prefill forward knee (559 query tokens)");
    p.memory_efficiency = assumed(0.8, why + "; 80% of HBM as the other attention families");
    p.overhead_s = assumed(15e-6, why + "; three launches (dO.O preprocess, main, dQ FP32 -> BF16) of 5 us");
    p.roofline_sharpness = assumed(4.0, why + "; p = 4");
    return p;
  }
  // attention_decode (GQA/MHA) and any fitted family that ends up without rows.
  const std::string why = "no " + std::string(hw::to_string(family)) + " rows for this GPU";
  p.compute_efficiency_max = assumed(0.5, why + "; half the dense peak");
  p.compute_half_shape = assumed(256.0, why + "; efficiency halves at 256 in the shape variable");
  p.memory_efficiency = assumed(0.8, why + "; decode attention streams the KV cache at 80% of HBM");
  p.overhead_s = assumed(5e-6, why + "; 5 us per launch");
  p.roofline_sharpness = assumed(4.0, why + "; p = 4");
  return p;
}

}  // namespace fathom::calib
