// Dense GEMM benchmark: cuBLASLt FP8 (E4M3 in, FP32 accumulate, BF16 out, per-tensor scales) and
// BF16 at the DeepSeek-V3 N x K pairs of DeepGEMM's tables (published rows K11-K13) and InferSim's
// gemm-data.csv, M (tokens) from 1 to 16K in powers of two.

#include <algorithm>
#include <utility>

#include "calib/kernels/bench_common.cuh"
#include "calib/kernels/cublaslt_gemm.cuh"

namespace fathom::calib::gpu {
namespace {

// (n, k): K11-K13 rows first, then the pairs only InferSim's gemm-data.csv has.
constexpr std::pair<int64_t, int64_t> kShapes[] = {{2112, 7168}, {24576, 1536}, {32768, 512},  {7168, 16384},
                                                   {4096, 7168}, {7168, 2048},  {512, 16384},  {7168, 18432},
                                                   {128, 65536}, {1536, 7168},  {36864, 7168}, {576, 7168}};
constexpr int64_t kMaxTokens = 16384;
constexpr size_t kWorkspaceBytes = 32u << 20;  // cuBLASLt's recommendation for Hopper

struct Buffers {
  DeviceBuffer w, x, d, scales, workspace;
};

Buffers allocate(cudaStream_t stream) {
  int64_t max_w = 0, max_x = 0, max_d = 0;
  for (const auto& [n, k] : kShapes) {
    max_w = std::max(max_w, n * k), max_x = std::max(max_x, kMaxTokens * k), max_d = std::max(max_d, kMaxTokens * n);
  }
  Buffers b{DeviceBuffer(2 * max_w), DeviceBuffer(2 * max_x), DeviceBuffer(2 * max_d), DeviceBuffer(2 * sizeof(float)),
            DeviceBuffer(kWorkspaceBytes)};
  fill_random(b.w.get(), b.w.bytes() / 2, 2, 1, stream);  // BF16 values; the FP8 runs refill below
  fill_random(b.x.get(), b.x.bytes() / 2, 2, 2, stream);
  const float ones[2] = {1.0f, 1.0f};
  FATHOM_CUDA_CHECK(cudaMemcpyAsync(b.scales.get(), ones, sizeof ones, cudaMemcpyHostToDevice, stream));
  return b;
}

void run_one(BenchContext& ctx, cublasLtHandle_t lt, const Buffers& b, cudaDataType_t type, int64_t m, int64_t n,
             int64_t k) {
  const bool fp8 = type == CUDA_R_8F_E4M3;
  measured::Measurement r;
  r.family = "dense_gemm";
  r.kernel = fp8 ? "cublaslt_fp8_gemm" : "cublaslt_bf16_gemm";
  r.dtype = fp8 ? "fp8" : "bf16";
  r.m = m, r.n = n, r.k = k, r.groups = 1;
  measured::set_gemm_work(r, fp8 ? 1.0 : 2.0);
  const LtGemm gemm(lt, GemmSpec{type, m, n, k}, kWorkspaceBytes);
  if (!gemm.ok()) {
    r.status = "unsupported";
    r.note = gemm.error();
    ctx.out.push_back(r);
    return;
  }
  const float* scales = b.scales.get<float>();
  cublasStatus_t last = CUBLAS_STATUS_SUCCESS;
  ctx.timer.time(
      ctx.options,
      [&](cudaStream_t s) {
        const cublasStatus_t st = gemm.run(b.w.get(), b.x.get(), b.d.get(), scales, scales + 1, b.workspace.get(), s);
        if (st != CUBLAS_STATUS_SUCCESS) last = st;
      },
      r);
  if (last != CUBLAS_STATUS_SUCCESS) {
    r.status = "failed";
    r.note = "cublasLtMatmul returned status " + std::to_string(static_cast<int>(last));
  }
  ctx.out.push_back(r);
}

}  // namespace

void run_dense_gemm(BenchContext& ctx) {
  cudaStream_t stream = ctx.timer.stream();
  const Buffers b = allocate(stream);
  cublasLtHandle_t lt = nullptr;
  if (cublasLtCreate(&lt) != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "dense_gemm: cublasLtCreate failed\n");
    return;
  }
  for (const cudaDataType_t type : {CUDA_R_8F_E4M3, CUDA_R_16BF}) {
    // The same bytes reinterpreted: random BF16 for the BF16 runs, random E4M3 for the FP8 runs.
    const int elem = type == CUDA_R_8F_E4M3 ? 1 : 2;
    fill_random(b.w.get(), b.w.bytes() / elem, elem, 1, stream);
    fill_random(b.x.get(), b.x.bytes() / elem, elem, 2, stream);
    for (const auto& [n, k] : kShapes) {
      for (int64_t m = 1; m <= kMaxTokens; m *= 2) {
        if (ctx.options.quick && m != 1 && m != 128 && m != 4096) continue;
        run_one(ctx, lt, b, type, m, n, k);
      }
      std::fprintf(stderr, "dense_gemm %s n=%lld k=%lld done\n", elem == 1 ? "fp8" : "bf16", static_cast<long long>(n),
                   static_cast<long long>(k));
    }
  }
  cublasLtDestroy(lt);
}

}  // namespace fathom::calib::gpu
