// LtGemm: cuBLASLt descriptors, heuristic algorithm choice and launch (see cublaslt_gemm.cuh).

#include "calib/kernels/bench_common.cuh"
#include "calib/kernels/cublaslt_gemm.cuh"

namespace fathom::calib::gpu {
namespace {

std::string status_text(const char* what, cublasStatus_t s) {
  return std::string(what) + " failed: cublasStatus " + std::to_string(static_cast<int>(s));
}

}  // namespace

std::string cublaslt_version_string() {
  const size_t v = cublasLtGetVersion();  // major * 10000 + minor * 100 + patch
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

LtGemm::LtGemm(cublasLtHandle_t handle, const GemmSpec& spec, size_t workspace_bytes)
    : handle_(handle), spec_(spec), workspace_bytes_(workspace_bytes) {
  cublasStatus_t s = cublasLtMatmulDescCreate(&op_, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  if (s != CUBLAS_STATUS_SUCCESS) {
    error_ = status_text("cublasLtMatmulDescCreate", s);
    return;
  }
  const cublasOperation_t transa = CUBLAS_OP_T, transb = CUBLAS_OP_N;
  cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa);
  cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb);
  // Column-major views: W is k x n (ld k) used transposed, X is k x tokens (ld k), D is n x tokens (ld n).
  const auto k = static_cast<uint64_t>(spec.k), n = static_cast<uint64_t>(spec.n);
  const auto t = static_cast<uint64_t>(spec.tokens);
  s = cublasLtMatrixLayoutCreate(&w_, spec.input, k, n, static_cast<int64_t>(k));
  if (s == CUBLAS_STATUS_SUCCESS) s = cublasLtMatrixLayoutCreate(&x_, spec.input, k, t, static_cast<int64_t>(k));
  if (s == CUBLAS_STATUS_SUCCESS) s = cublasLtMatrixLayoutCreate(&d_, CUDA_R_16BF, n, t, static_cast<int64_t>(n));
  if (s != CUBLAS_STATUS_SUCCESS) {
    error_ = status_text("cublasLtMatrixLayoutCreate", s);
    return;
  }
  if (spec.batch > 1) {
    const int32_t count = spec.batch;
    const cublasLtMatrixLayout_t layouts[] = {w_, x_, d_};
    const int64_t strides[] = {spec.w_stride, spec.x_stride, spec.d_stride};
    for (int i = 0; i < 3; ++i) {
      cublasLtMatrixLayoutSetAttribute(layouts[i], CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
      cublasLtMatrixLayoutSetAttribute(layouts[i], CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &strides[i],
                                       sizeof strides[i]);
    }
  }
  cublasLtMatmulPreference_t pref = nullptr;
  cublasLtMatmulPreferenceCreate(&pref);
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes_,
                                       sizeof workspace_bytes_);
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  s = cublasLtMatmulAlgoGetHeuristic(handle_, op_, w_, x_, d_, d_, pref, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
    error_ = s != CUBLAS_STATUS_SUCCESS ? status_text("cublasLtMatmulAlgoGetHeuristic", s)
                                        : std::string("cuBLASLt heuristic found no algorithm");
    return;
  }
  algo_ = result.algo;
}

LtGemm::~LtGemm() {
  if (d_) cublasLtMatrixLayoutDestroy(d_);
  if (x_) cublasLtMatrixLayoutDestroy(x_);
  if (w_) cublasLtMatrixLayoutDestroy(w_);
  if (op_) cublasLtMatmulDescDestroy(op_);
}

cublasStatus_t LtGemm::run(const void* w, const void* x, void* d, const float* w_scale, const float* x_scale,
                           void* workspace, cudaStream_t stream) const {
  if (spec_.input == CUDA_R_8F_E4M3) {
    cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &w_scale, sizeof w_scale);
    cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &x_scale, sizeof x_scale);
  }
  const float alpha = 1.0f, beta = 0.0f;
  return cublasLtMatmul(handle_, op_, &alpha, w, w_, x, x_, &beta, d, d_, d, d_, &algo_, workspace, workspace_bytes_,
                        stream);
}

}  // namespace fathom::calib::gpu
