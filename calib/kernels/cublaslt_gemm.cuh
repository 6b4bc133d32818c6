#pragma once
// A planned cuBLASLt matmul in the token-major convention of the cost model:
// D[tokens x n] (row-major, BF16) = X[tokens x k] (row-major) * W[n x k]^T, optionally
// strided-batched over `batch` groups (one launch for all experts of a grouped GEMM).
// cuBLASLt is column-major, so this is the "TN" call D^T = op_T(W) * X with cuBLAS m = n,
// cuBLAS n = tokens: the only operand layout cuBLASLt FP8 supports on Hopper (cuBLAS docs,
// cublasLtMatmul, "FP8 data types": A transposed, B not, 16-byte aligned pointers and leading
// dimensions; per-tensor FP32 scales passed by device pointer, CUBLASLT_MATMUL_DESC_A/B_SCALE_POINTER).

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace fathom::calib::gpu {

struct GemmSpec {
  cudaDataType_t input = CUDA_R_8F_E4M3;  // CUDA_R_8F_E4M3 or CUDA_R_16BF; output is always BF16
  int64_t tokens = 0, n = 0, k = 0;
  int batch = 1;                                     // groups, strided-batched
  int64_t x_stride = 0, w_stride = 0, d_stride = 0;  // elements between groups (batch > 1)
};

// Descriptors plus the first algorithm of cuBLASLt's heuristic for one GemmSpec.
class LtGemm {
 public:
  LtGemm(cublasLtHandle_t handle, const GemmSpec& spec, size_t workspace_bytes);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }  // why no algorithm could be set up
  // Enqueues the matmul. `a_scale`/`b_scale` are device FP32 scalars (FP8 only; ignored for BF16).
  cublasStatus_t run(const void* w, const void* x, void* d, const float* w_scale, const float* x_scale, void* workspace,
                     cudaStream_t stream) const;

 private:
  cublasLtHandle_t handle_;
  GemmSpec spec_;
  size_t workspace_bytes_;
  cublasLtMatmulDesc_t op_ = nullptr;
  cublasLtMatrixLayout_t w_ = nullptr, x_ = nullptr, d_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  std::string error_;
};

}  // namespace fathom::calib::gpu
