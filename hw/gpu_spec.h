#pragma once
// One GPU model's datasheet figures (scenarios/hw/gpus/*.json): dense tensor-core peaks, HBM,
// SMs, clocks and link bandwidths. Peaks are dense (no 2:4 sparsity).

#include <string>

#include "hw/kernel_work.h"
#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::hw {

struct GpuSpec {
  std::string name;
  int64_t sm_count = 0;
  Hertz boost_clock;
  FlopsPerSecond peak_fp4_dense;   // tensor cores, FP4 (NVFP4) inputs; 0 = no FP4 tensor cores (Hopper)
  FlopsPerSecond peak_fp8_dense;   // tensor cores, FP8 inputs
  FlopsPerSecond peak_bf16_dense;  // tensor cores, BF16/FP16 inputs
  FlopsPerSecond peak_fp32;        // CUDA cores (non-tensor)
  Bytes hbm_capacity;
  BytesPerSecond hbm_bandwidth;
  BytesPerSecond nvlink_bandwidth_per_direction;  // 0 when the GPU has no NVLink
  BytesPerSecond pcie_bandwidth_per_direction;

  // Dense tensor-core peak for a math dtype (fp16 shares the bf16 peak; fp32 uses CUDA cores; fp4 is 0 on
  // GPUs without FP4 tensor cores: scenarios asking for FP4 GEMMs there are refused when read).
  FlopsPerSecond peak(DType dtype) const;
  // The same GPU with only `sms` of its SMs computing (the rest serve communication, as DeepSeek-V3's 20
  // of 132, T08): every compute peak scales by sms / sm_count; HBM bandwidth does not (assumed: the
  // remaining SMs still saturate HBM), so memory-bound kernels keep their speed. 1 <= sms <= sm_count.
  GpuSpec with_compute_sms(int64_t sms) const;
};

// Reads a GPU object; every key is required except peak_fp4_dense (absent: no FP4 tensor cores). `reader.finish()` is
// called.
GpuSpec read_gpu_spec(const SpecReader& reader);

}  // namespace fathom::hw
