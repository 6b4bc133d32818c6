// HBM bandwidth: device-to-device cudaMemcpyAsync and a vectorised copy kernel (16-byte loads and
// stores, four in flight per thread, grid-stride) from 1 MiB to 4 GiB. Bytes counted: read + write.

#include <vector>

#include "calib/kernels/bench_common.cuh"

namespace fathom::calib::gpu {
namespace {

constexpr int kThreads = 512, kUnroll = 4;

__global__ void copy_kernel(const uint4* __restrict__ src, uint4* __restrict__ dst, size_t n) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  for (; i + (kUnroll - 1) * stride < n; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) v[u] = src[i + u * stride];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) dst[i + u * stride] = v[u];
  }
  for (; i < n; i += stride) dst[i] = src[i];
}

}  // namespace

void run_hbm_copy(BenchContext& ctx) {
  cudaStream_t stream = ctx.timer.stream();
  int sm_count = 0;
  FATHOM_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, ctx.device));
  const size_t max_bytes = size_t{4} << 30;
  DeviceBuffer src(max_bytes), dst(max_bytes);
  fill_random(src.get(), max_bytes / 4, 4, 31, stream);
  // Check: the kernel copies an odd-sized range exactly.
  const size_t check_vecs = (size_t{1} << 20) + 3;
  copy_kernel<<<sm_count * 4, kThreads, 0, stream>>>(src.get<uint4>(), dst.get<uint4>(), check_vecs);
  std::vector<uint8_t> a(16 * check_vecs), b(16 * check_vecs);
  FATHOM_CUDA_CHECK(cudaMemcpy(a.data(), src.get(), a.size(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(b.data(), dst.get(), b.size(), cudaMemcpyDeviceToHost));
  const bool ok = a == b;
  for (size_t bytes = size_t{1} << 20; bytes <= max_bytes; bytes *= 4) {
    if (ctx.options.quick && bytes != (size_t{256} << 20)) continue;
    for (const bool kernel : {false, true}) {
      measured::Measurement r;
      r.family = "elementwise";
      r.kernel = kernel ? "fathom_copy_uint4" : "cuda_memcpy_d2d";
      r.dtype = "fp32";
      r.m = static_cast<int64_t>(bytes);
      r.bytes_read = r.bytes_written = static_cast<double>(bytes);
      r.note = "m = bytes copied";
      if (kernel && !ok) {
        r.status = "failed check";
        r.note += "; the copy kernel's output differs from its input";
      } else if (kernel) {
        const size_t vecs = bytes / 16;
        ctx.timer.time(
            ctx.options,
            [&](cudaStream_t s) {
              copy_kernel<<<sm_count * 4, kThreads, 0, s>>>(src.get<uint4>(), dst.get<uint4>(), vecs);
            },
            r);
      } else {
        ctx.timer.time(
            ctx.options,
            [&](cudaStream_t s) { cudaMemcpyAsync(dst.get(), src.get(), bytes, cudaMemcpyDeviceToDevice, s); }, r);
      }
      ctx.out.push_back(r);
    }
  }
}

}  // namespace fathom::calib::gpu
