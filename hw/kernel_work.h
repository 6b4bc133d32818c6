#pragma once
// The description of one GPU kernel invocation that models/ produces and the cost model prices:
// which kernel family runs it, its arithmetic and memory traffic, and the shape parameters the
// family's efficiency curve depends on. Plain data; no behaviour.

#include <cstdint>
#include <string_view>

#include "sim/units.h"

namespace fathom::hw {

// fp4 = NVFP4 (E2M1 values, one FP8 E4M3 scale per 16 elements: published Blackwell FP4 peaks, H10/H13/H16).
enum class DType { fp8, bf16, fp16, fp32, fp4 };

// Bytes per element (FP8 block scales are counted separately by whoever sizes the tensor).
constexpr double bytes_per_element(DType t) {
  switch (t) {
    case DType::fp8:
      return 1.0;
    case DType::bf16:
      return 2.0;
    case DType::fp16:
      return 2.0;
    case DType::fp32:
      return 4.0;
    case DType::fp4:
      return 0.5;
  }
  return 2.0;
}
std::string_view to_string(DType t);
DType parse_dtype(std::string_view name);  // "fp8" | "bf16" | "fp16" | "fp32" | "fp4"; throws std::invalid_argument

// Kernel families, each with its own calibrated efficiency curve (ARCHITECTURE.md §4).
enum class KernelFamily {
  dense_gemm,               // one GEMM, m x k times k x n (DeepGEMM normal / cuBLAS)
  grouped_gemm_contiguous,  // MoE experts, tokens of all experts concatenated (prefill, training)
  grouped_gemm_masked,      // MoE experts, per-expert padded slots with a mask (decode)
  mla_decode,               // weight-absorbed MLA decode attention over a paged latent KV cache (FlashMLA)
  attention_prefill,        // causal attention over a full sequence (FlashAttention-style; MLA or GQA)
  attention_decode,         // GQA/MHA decode attention over a KV cache
  elementwise,              // norms, activations, RoPE, residual adds, quantisation: memory-bound
  attention_backward,       // causal attention backward (FlashAttention-style: dQ, dK, dV with P recomputed)
};
std::string_view to_string(KernelFamily f);
KernelFamily parse_kernel_family(std::string_view name);  // throws std::invalid_argument
// Dense or grouped GEMM (the families the tiled GEMM model prices).
constexpr bool is_gemm_family(KernelFamily f) {
  return f == KernelFamily::dense_gemm || f == KernelFamily::grouped_gemm_contiguous ||
         f == KernelFamily::grouped_gemm_masked;
}

// Contract: flops and bytes are for the whole invocation on one GPU. Shape fields that do not
// apply to a family are 0.
//  - GEMMs compute an m x n output reducing over k (per group for grouped GEMMs; `groups` is the
//    number of experts, or of heads for a batched per-head GEMM). A forward GEMM Y[T x n] = X[T x k] W
//    has m = T tokens; its input gradient dX = dY W^T has m = T, k = n_fwd, n = k_fwd; its weight
//    gradient dW = X^T dY has m = k_fwd, n = n_fwd, k = T (tokens per group for grouped GEMMs).
//  - Attention (prefill, decode, backward): batch is the number of sequences, heads the query heads,
//    seq_q the query tokens per sequence, seq_kv the keys per sequence (context length), head_dim_qk
//    and head_dim_v the per-head widths of the QK^T and PV products.
//  - Elementwise ops may describe their tensor, m rows of n elements (0 when not set); no cost depends
//    on it.
struct KernelWork {
  KernelFamily family = KernelFamily::elementwise;
  DType dtype = DType::bf16;  // the dtype of the tensor-core math (or of the data for elementwise)
  Flops flops;
  Bytes bytes_read;
  Bytes bytes_written;
  int64_t m = 0, n = 0, k = 0, groups = 0;
  int64_t batch = 0, heads = 0, seq_q = 0, seq_kv = 0;
  int64_t head_dim_qk = 0, head_dim_v = 0;

  Bytes bytes() const { return bytes_read + bytes_written; }
  friend bool operator==(const KernelWork&, const KernelWork&) = default;
};

}  // namespace fathom::hw
