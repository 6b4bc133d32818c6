// Grouped (MoE expert) FP8 GEMM benchmark, contiguous and masked layouts, at DeepSeek-V3's expert
// shapes: up (gate+up fused, n = 2 x 2048, k = 7168) and down (n = 7168, k = 2048), per-expert M
// from 1 to 8K. DeepGEMM is not available, so each grouped GEMM is ONE strided-batched cuBLASLt FP8
// matmul over the experts, all with the same M (contiguous: the experts' tokens packed back to back;
// masked: each expert owns a padded slot of max_m rows, of which M are valid and computed). When
// cuBLASLt has no batched FP8 algorithm the runner falls back to a loop of per-expert matmuls and
// says so in the record's kernel name (cublaslt_fp8_gemm_loop).

#include <algorithm>

#include "calib/kernels/bench_common.cuh"
#include "calib/kernels/cublaslt_gemm.cuh"

namespace fathom::calib::gpu {
namespace {

constexpr int64_t kHidden = 7168, kInter = 2048;
constexpr int64_t kMaxGroups = 256, kMaxTokens = 32768, kMaxPerGroup = 8192;
constexpr size_t kWorkspaceBytes = 32u << 20;

int64_t padded_slot(int64_t m) { return std::max<int64_t>(128, (m + 127) / 128 * 128); }  // masked max_m

struct Buffers {
  DeviceBuffer w, x, d, scales, workspace;
};

void run_one(BenchContext& ctx, cublasLtHandle_t lt, const Buffers& b, bool masked, int64_t groups, int64_t m,
             int64_t n, int64_t k) {
  measured::Measurement r;
  r.family = masked ? "grouped_gemm_masked" : "grouped_gemm_contiguous";
  r.layout = masked ? "masked" : "contiguous";
  r.kernel = "cublaslt_fp8_gemm_strided_batched";
  r.dtype = "fp8";
  r.m = m, r.n = n, r.k = k, r.groups = groups;
  measured::set_gemm_work(r, 1.0);
  const int64_t slot = masked ? padded_slot(m) : m;
  GemmSpec spec{CUDA_R_8F_E4M3, m, n, k, static_cast<int>(groups), slot * k, n * k, slot * n};
  const float* scales = b.scales.get<float>();
  const auto* w = b.w.get<const uint8_t>();
  const auto* x = b.x.get<const uint8_t>();
  auto* d = b.d.get<uint8_t>();
  cublasStatus_t last = CUBLAS_STATUS_SUCCESS;
  const LtGemm batched(lt, spec, kWorkspaceBytes);
  if (batched.ok()) {
    ctx.timer.time(
        ctx.options,
        [&](cudaStream_t s) {
          const cublasStatus_t st = batched.run(w, x, d, scales, scales + 1, b.workspace.get(), s);
          if (st != CUBLAS_STATUS_SUCCESS) last = st;
        },
        r);
  } else {
    const LtGemm single(lt, GemmSpec{CUDA_R_8F_E4M3, m, n, k}, kWorkspaceBytes);
    if (!single.ok()) {
      r.status = "unsupported";
      r.note = "batched: " + batched.error() + "; single: " + single.error();
      ctx.out.push_back(r);
      return;
    }
    r.kernel = "cublaslt_fp8_gemm_loop";
    r.note = "batched: " + batched.error();
    ctx.timer.time(
        ctx.options,
        [&](cudaStream_t s) {
          for (int64_t g = 0; g < groups; ++g) {  // BF16 output: 2 bytes per element
            const cublasStatus_t st = single.run(w + g * n * k, x + g * slot * k, d + 2 * g * slot * n, scales,
                                                 scales + 1, b.workspace.get(), s);
            if (st != CUBLAS_STATUS_SUCCESS) last = st;
          }
        },
        r);
  }
  if (last != CUBLAS_STATUS_SUCCESS) {
    r.status = "failed";
    r.note = "cublasLtMatmul returned status " + std::to_string(static_cast<int>(last));
  }
  ctx.out.push_back(r);
}

}  // namespace

void run_grouped_gemm(BenchContext& ctx) {
  cudaStream_t stream = ctx.timer.stream();
  // Weights of 256 experts of the larger projection (n x k = 4096 x 7168 FP8, 7.5 GB); activations
  // and outputs for the largest padded token count.
  const int64_t max_rows = kMaxTokens + kMaxGroups * 128;
  Buffers b{DeviceBuffer(kMaxGroups * 2 * kInter * kHidden), DeviceBuffer(max_rows * kHidden),
            DeviceBuffer(2 * max_rows * kHidden), DeviceBuffer(2 * sizeof(float)), DeviceBuffer(kWorkspaceBytes)};
  fill_random(b.w.get(), b.w.bytes(), 1, 3, stream);
  fill_random(b.x.get(), b.x.bytes(), 1, 4, stream);
  const float ones[2] = {1.0f, 1.0f};
  FATHOM_CUDA_CHECK(cudaMemcpyAsync(b.scales.get(), ones, sizeof ones, cudaMemcpyHostToDevice, stream));
  cublasLtHandle_t lt = nullptr;
  if (cublasLtCreate(&lt) != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "grouped_gemm: cublasLtCreate failed\n");
    return;
  }
  struct Proj {
    int64_t n, k;
  };
  for (const bool masked : {false, true}) {
    for (const Proj p : {Proj{2 * kInter, kHidden}, Proj{kHidden, kInter}}) {
      for (int64_t groups = 1; groups <= kMaxGroups; groups *= 2) {
        for (int64_t m = 1; m <= kMaxPerGroup && groups * m <= kMaxTokens; m *= 2) {
          if (ctx.options.quick && (groups % 4 != 0 || (m != 1 && m != 64 && m != 1024))) continue;
          run_one(ctx, lt, b, masked, groups, m, p.n, p.k);
        }
      }
      std::fprintf(stderr, "grouped_gemm %s n=%lld k=%lld done\n", masked ? "masked" : "contiguous",
                   static_cast<long long>(p.n), static_cast<long long>(p.k));
    }
  }
  cublasLtDestroy(lt);
}

}  // namespace fathom::calib::gpu
