// The benchmark timer (CUDA events, median of repeats, L2 flushed between runs) and random fills.

#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include <algorithm>

#include "calib/kernels/bench_common.cuh"

namespace fathom::calib::gpu {
namespace {

__device__ float hash_uniform(uint64_t i, uint32_t seed) {  // [-1, 1), splitmix64-style hash
  uint64_t z = i * 0x9e3779b97f4a7c15ull + seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

__global__ void fill_kernel(void* ptr, size_t n, int bytes, uint32_t seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    const float v = hash_uniform(i, seed);
    if (bytes == 1) {
      static_cast<__nv_fp8_e4m3*>(ptr)[i] = __nv_fp8_e4m3(v);
    } else if (bytes == 2) {
      static_cast<__nv_bfloat16*>(ptr)[i] = __float2bfloat16(v);
    } else {
      static_cast<float*>(ptr)[i] = v;
    }
  }
}

}  // namespace

bool BenchOptions::wants(const std::string& section) const {
  return only.empty() || std::find(only.begin(), only.end(), section) != only.end();
}

void fill_random(void* ptr, size_t elements, int bytes_per_element, uint32_t seed, cudaStream_t stream) {
  fill_kernel<<<1024, 256, 0, stream>>>(ptr, elements, bytes_per_element, seed);
  FATHOM_CUDA_CHECK(cudaGetLastError());
}

BenchTimer::BenchTimer(int device, cudaStream_t stream) : stream_(stream) {
  int l2 = 0;
  FATHOM_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device));
  flush_bytes_ = std::max<size_t>(2 * static_cast<size_t>(l2), 64u << 20);  // >= 2x L2
  FATHOM_CUDA_CHECK(cudaMalloc(&flush_, flush_bytes_));
  FATHOM_CUDA_CHECK(cudaEventCreate(&start_));
  FATHOM_CUDA_CHECK(cudaEventCreate(&stop_));
}

BenchTimer::~BenchTimer() {
  cudaEventDestroy(start_);
  cudaEventDestroy(stop_);
  cudaFree(flush_);
}

bool BenchTimer::time(const BenchOptions& o, const std::function<void(cudaStream_t)>& launch,
                      measured::Measurement& out) {
  for (int i = 0; i < o.warmup; ++i) launch(stream_);
  std::vector<double> times;
  for (int i = 0; i < o.repeats; ++i) {
    cudaMemsetAsync(flush_, i & 0xff, flush_bytes_, stream_);  // evicts the inputs from L2
    cudaEventRecord(start_, stream_);
    launch(stream_);
    cudaEventRecord(stop_, stream_);
    const cudaError_t err = cudaEventSynchronize(stop_);
    float ms = 0;
    if (err != cudaSuccess || cudaEventElapsedTime(&ms, start_, stop_) != cudaSuccess) {
      out.status = "failed";
      out.note = std::string("CUDA error while timing: ") + cudaGetErrorString(cudaGetLastError());
      return false;
    }
    times.push_back(ms * 1e-3);
  }
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) {
    out.status = "failed";
    out.note = std::string("CUDA error while timing: ") + cudaGetErrorString(err);
    return false;
  }
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  out.median_s = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  out.min_s = times.front();
  out.max_s = times.back();
  out.repeats = static_cast<int>(n);
  out.status = "measured";
  return true;
}

}  // namespace fathom::calib::gpu
