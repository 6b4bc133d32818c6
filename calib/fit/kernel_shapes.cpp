#include "calib/fit/kernel_shapes.h"

#include <fmt/format.h>

#include <cmath>

namespace fathom::calib {

using hw::DType;
using hw::KernelFamily;
using hw::KernelWork;

KernelWork fp8_gemm_work(int64_t m, int64_t n, int64_t k) {
  KernelWork w;
  w.family = KernelFamily::dense_gemm;
  w.dtype = DType::fp8;
  w.m = m, w.n = n, w.k = k, w.groups = 1;
  const double md = static_cast<double>(m), nd = static_cast<double>(n), kd = static_cast<double>(k);
  w.flops = Flops(2.0 * md * nd * kd);
  w.bytes_read = Bytes(md * kd + nd * kd);
  w.bytes_written = Bytes(2.0 * md * nd);
  return w;
}

KernelWork fp8_grouped_gemm_work(KernelFamily family, double tokens, int64_t groups, int64_t n, int64_t k) {
  KernelWork w;
  w.family = family;
  w.dtype = DType::fp8;
  w.groups = groups;
  w.m = std::llround(tokens / static_cast<double>(groups));
  w.n = n, w.k = k;
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  w.flops = Flops(2.0 * tokens * nd * kd);
  w.bytes_read = Bytes(tokens * kd + static_cast<double>(groups) * nd * kd);
  w.bytes_written = Bytes(2.0 * tokens * nd);
  return w;
}

KernelWork mla_decode_work(int64_t batch, int64_t heads, int64_t kv_len) {
  constexpr double kQkDim = 576.0, kVDim = 512.0, kBf16 = 2.0;
  KernelWork w;
  w.family = KernelFamily::mla_decode;
  w.dtype = DType::bf16;
  w.batch = batch, w.heads = heads, w.seq_q = 1, w.seq_kv = kv_len;
  const double b = static_cast<double>(batch), h = static_cast<double>(heads), kv = static_cast<double>(kv_len);
  w.flops = Flops(2.0 * b * h * (kQkDim + kVDim) * kv);
  w.bytes_read = Bytes(b * kv * kQkDim * kBf16 + b * h * kQkDim * kBf16);
  w.bytes_written = Bytes(b * h * kVDim * kBf16);
  return w;
}

KernelWork mla_prefill_work(int64_t seq_len, int64_t heads) {
  constexpr double kQkDim = 192.0, kVDim = 128.0, kBf16 = 2.0;
  KernelWork w;
  w.family = KernelFamily::attention_prefill;
  w.dtype = DType::bf16;
  w.batch = 1, w.heads = heads, w.seq_q = seq_len, w.seq_kv = seq_len;
  const double s = static_cast<double>(seq_len), h = static_cast<double>(heads);
  w.flops = Flops(2.0 * (s * s / 2.0) * h * (kQkDim + kVDim));
  w.bytes_read = Bytes(s * h * (2.0 * kQkDim + kVDim) * kBf16);
  w.bytes_written = Bytes(s * h * kVDim * kBf16);
  return w;
}

std::string shape_family(const KernelWork& w) {
  const std::string_view dtype = hw::to_string(w.dtype);
  if (hw::is_gemm_family(w.family)) return fmt::format("{} groups={} n={} k={}", dtype, w.groups, w.n, w.k);
  if (w.family == KernelFamily::mla_decode) return fmt::format("{} batch={}", dtype, w.batch);
  if (w.family == KernelFamily::attention_prefill) return fmt::format("{} seq={}", dtype, w.seq_q);
  return std::string(dtype);
}

}  // namespace fathom::calib
