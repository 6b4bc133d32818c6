#pragma once
// Shared pieces of the GPU micro-benchmarks: error checks, the options every bench reads, and the
// timer (CUDA events after warm-up, median of repeats, L2 flushed before every timed run).

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "calib/kernels/measured_json.h"

namespace fathom::calib::gpu {

#define FATHOM_CUDA_CHECK(expr)                                                                            \
  do {                                                                                                     \
    const cudaError_t fathom_err_ = (expr);                                                                \
    if (fathom_err_ != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(fathom_err_)); \
      std::exit(2);                                                                                        \
    }                                                                                                      \
  } while (0)

// What the runner was asked to do (runner.cu parses the command line into this).
struct BenchOptions {
  int warmup = 3;
  int repeats = 15;
  bool quick = false;             // a reduced grid, for a smoke run
  std::vector<std::string> only;  // families to run (empty: all)
  bool wants(const std::string& section) const;
};

// Times a launch sequence: `warmup` untimed runs, then `repeats` runs each preceded by a write of a
// buffer of at least twice the L2 size (so no run finds its inputs in L2), each timed with a pair
// of CUDA events on `stream`.
class BenchTimer {
 public:
  BenchTimer(int device, cudaStream_t stream);
  ~BenchTimer();
  BenchTimer(const BenchTimer&) = delete;
  BenchTimer& operator=(const BenchTimer&) = delete;

  // Fills median_s, min_s, max_s and repeats of `out`. Returns false (status set) on a CUDA error.
  bool time(const BenchOptions& o, const std::function<void(cudaStream_t)>& launch, measured::Measurement& out);
  size_t flush_bytes() const { return flush_bytes_; }
  cudaStream_t stream() const { return stream_; }

 private:
  cudaStream_t stream_;
  void* flush_ = nullptr;
  size_t flush_bytes_ = 0;
  cudaEvent_t start_, stop_;
};

// Device buffer owned for the lifetime of a bench (freed on scope exit).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) { FATHOM_CUDA_CHECK(cudaMalloc(&ptr_, bytes ? bytes : 1)); }
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr, o.bytes_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  template <typename T = void>
  T* get() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Fills a device buffer with pseudo-random bytes valid as FP8 E4M3 / BF16 values in [-1, 1).
void fill_random(void* ptr, size_t elements, int bytes_per_element, uint32_t seed, cudaStream_t stream);

// The measurement sections, one per benchmark file; each appends its records.
struct BenchContext {
  const BenchOptions& options;
  BenchTimer& timer;
  int device;
  std::vector<measured::Measurement>& out;
};
void run_dense_gemm(BenchContext& ctx);    // dense_gemm.cu
void run_grouped_gemm(BenchContext& ctx);  // grouped_gemm.cu
void run_mla_decode(BenchContext& ctx);    // mla_decode_bench.cu
void run_ep_permute(BenchContext& ctx);    // ep_permute.cu
void run_hbm_copy(BenchContext& ctx);      // hbm_copy.cu
void run_collectives(BenchContext& ctx);   // nccl_collectives.cu
std::string cublaslt_version_string();     // cublaslt_gemm.cu
std::string nccl_version_string();         // nccl_collectives.cu

}  // namespace fathom::calib::gpu
