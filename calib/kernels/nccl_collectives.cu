// NCCL all-reduce (BF16 sum) and all-to-all (grouped ncclSend/ncclRecv) over every visible GPU of
// this node, one process driving all devices (ncclCommInitAll). With fewer than two GPUs, or a build
// without NCCL (FATHOM_HAVE_NCCL undefined), every collective is recorded as "not measured".
// Timing: host wall clock from the first enqueue to the last stream's completion, median of repeats.

#include <algorithm>
#include <chrono>

#include "calib/kernels/bench_common.cuh"

#ifdef FATHOM_HAVE_NCCL
#include <nccl.h>
#endif

namespace fathom::calib::gpu {
namespace {

void not_measured(BenchContext& ctx, const std::string& why) {
  for (const char* kernel : {"nccl_all_reduce", "nccl_all_to_all"}) {
    measured::Measurement r;
    r.family = "collective";
    r.kernel = kernel;
    r.dtype = "bf16";
    r.status = "not measured";
    r.note = why;
    ctx.out.push_back(r);
  }
}

}  // namespace

#ifndef FATHOM_HAVE_NCCL
std::string nccl_version_string() { return "not built"; }
void run_collectives(BenchContext& ctx) { not_measured(ctx, "built without NCCL"); }
#else
std::string nccl_version_string() {
  int v = 0;
  ncclGetVersion(&v);  // major * 10000 + minor * 100 + patch (NCCL >= 2.9)
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

constexpr size_t kSizes[] = {size_t{1} << 20, size_t{16} << 20, size_t{256} << 20, size_t{1} << 30};

void run_collectives(BenchContext& ctx) {
  int n = 0;
  FATHOM_CUDA_CHECK(cudaGetDeviceCount(&n));
  if (n < 2) {
    not_measured(ctx, std::to_string(n) + " GPU visible; collectives need at least 2");
    return;
  }
  std::vector<ncclComm_t> comms(n);
  std::vector<int> devs(n);
  for (int i = 0; i < n; ++i) devs[i] = i;
  if (ncclCommInitAll(comms.data(), n, devs.data()) != ncclSuccess) {
    not_measured(ctx, "ncclCommInitAll failed");
    return;
  }
  const size_t max_bytes = kSizes[std::size(kSizes) - 1];
  std::vector<cudaStream_t> streams(n);
  std::vector<void*> send(n), recv(n);
  for (int i = 0; i < n; ++i) {
    FATHOM_CUDA_CHECK(cudaSetDevice(i));
    FATHOM_CUDA_CHECK(cudaStreamCreate(&streams[i]));
    FATHOM_CUDA_CHECK(cudaMalloc(&send[i], max_bytes));
    FATHOM_CUDA_CHECK(cudaMalloc(&recv[i], max_bytes));
    FATHOM_CUDA_CHECK(cudaMemset(send[i], 0, max_bytes));
  }
  for (const bool all_to_all : {false, true}) {
    for (const size_t bytes : kSizes) {
      const size_t elems = bytes / 2, chunk = elems / n;
      auto launch = [&] {
        ncclGroupStart();
        for (int i = 0; i < n; ++i) {
          if (!all_to_all) {
            ncclAllReduce(send[i], recv[i], elems, ncclBfloat16, ncclSum, comms[i], streams[i]);
            continue;
          }
          for (int peer = 0; peer < n; ++peer) {
            ncclSend(static_cast<char*>(send[i]) + 2 * chunk * peer, chunk, ncclBfloat16, peer, comms[i], streams[i]);
            ncclRecv(static_cast<char*>(recv[i]) + 2 * chunk * peer, chunk, ncclBfloat16, peer, comms[i], streams[i]);
          }
        }
        ncclGroupEnd();
        for (int i = 0; i < n; ++i) cudaStreamSynchronize(streams[i]);
      };
      std::vector<double> times;
      for (int i = 0; i < ctx.options.warmup; ++i) launch();
      for (int i = 0; i < ctx.options.repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        launch();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(times.begin(), times.end());
      measured::Measurement r;
      r.family = "collective";
      r.kernel = all_to_all ? "nccl_all_to_all" : "nccl_all_reduce";
      r.dtype = "bf16";
      r.m = static_cast<int64_t>(bytes), r.groups = n;
      r.bytes_read = r.bytes_written = static_cast<double>(bytes);
      r.median_s = times[times.size() / 2], r.min_s = times.front(), r.max_s = times.back();
      r.repeats = static_cast<int>(times.size());
      r.note = "m = bytes per GPU, groups = GPUs; host wall clock";
      ctx.out.push_back(r);
    }
  }
  for (int i = 0; i < n; ++i) {
    cudaSetDevice(i);
    cudaFree(send[i]), cudaFree(recv[i]), cudaStreamDestroy(streams[i]);
    ncclCommDestroy(comms[i]);
  }
  cudaSetDevice(ctx.device);
}
#endif

}  // namespace fathom::calib::gpu
