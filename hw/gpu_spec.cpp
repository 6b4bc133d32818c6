#include "hw/gpu_spec.h"

#include <stdexcept>

namespace fathom::hw {

FlopsPerSecond GpuSpec::peak(DType dtype) const {
  switch (dtype) {
    case DType::fp8:
      return peak_fp8_dense;
    case DType::bf16:
    case DType::fp16:
      return peak_bf16_dense;
    case DType::fp32:
      return peak_fp32;
    case DType::fp4:
      return peak_fp4_dense;
  }
  return peak_bf16_dense;
}

GpuSpec GpuSpec::with_compute_sms(int64_t sms) const {
  if (sms < 1 || sms > sm_count) throw std::invalid_argument("with_compute_sms: sms must be in [1, sm_count]");
  GpuSpec g = *this;
  const double share = static_cast<double>(sms) / static_cast<double>(sm_count);
  g.sm_count = sms;
  g.peak_fp4_dense = peak_fp4_dense * share;
  g.peak_fp8_dense = peak_fp8_dense * share;
  g.peak_bf16_dense = peak_bf16_dense * share;
  g.peak_fp32 = peak_fp32 * share;
  return g;
}

GpuSpec read_gpu_spec(const SpecReader& r) {
  GpuSpec g;
  g.name = r.text("name");
  g.sm_count = r.at_most("sm_count", r.at_least("sm_count", r.integer("sm_count"), 1), 100'000);
  g.boost_clock = r.quantity<Hertz>("boost_clock");
  g.peak_fp4_dense =
      r.quantity_or<FlopsPerSecond>("peak_fp4_dense", "0TFLOPS", "no FP4 tensor cores (Hopper and older)");
  if (g.peak_fp4_dense.value() < 0) r.fail("peak_fp4_dense", "must be >= 0 (0: no FP4 tensor cores)");
  g.peak_fp8_dense = r.quantity<FlopsPerSecond>("peak_fp8_dense");
  g.peak_bf16_dense = r.quantity<FlopsPerSecond>("peak_bf16_dense");
  g.peak_fp32 = r.quantity<FlopsPerSecond>("peak_fp32");
  g.hbm_capacity = r.quantity<Bytes>("hbm_capacity");
  g.hbm_bandwidth = r.quantity<BytesPerSecond>("hbm_bandwidth");
  // Datasheets quote NVLink and PCIe as bidirectional totals; fathom works per direction.
  g.nvlink_bandwidth_per_direction = r.quantity<BytesPerSecond>("nvlink_bandwidth_bidirectional") / 2.0;
  g.pcie_bandwidth_per_direction = r.quantity<BytesPerSecond>("pcie_bandwidth_bidirectional") / 2.0;
  if (g.peak_bf16_dense.value() <= 0) r.fail("peak_bf16_dense", "must be positive");
  if (g.peak_fp8_dense.value() <= 0) r.fail("peak_fp8_dense", "must be positive");
  if (g.hbm_capacity.value() <= 0) r.fail("hbm_capacity", "must be positive");
  if (g.hbm_bandwidth.value() <= 0) r.fail("hbm_bandwidth", "must be positive");
  if (g.pcie_bandwidth_per_direction.value() <= 0) r.fail("pcie_bandwidth_bidirectional", "must be positive");
  r.finish();
  return g;
}

}  // namespace fathom::hw
