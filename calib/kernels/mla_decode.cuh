#pragma once
// fathom's own weight-absorbed MLA decode kernel (DeepSeek-V3: 576 = 512 latent + 64 RoPE values per
// token, values = the 512 latent dims, one query token per sequence) over a paged BF16 latent KV cache
// with 64-token pages. Layouts are those of calib/kernels/mla_reference.h.

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace fathom::calib::gpu {

struct MlaDecodeParams {
  const __nv_bfloat16* q = nullptr;   // [batch][heads][576]
  const __nv_bfloat16* kv = nullptr;  // [pages][64][576]
  const int32_t* pages = nullptr;     // [batch][max_pages]
  const int32_t* seq_lens = nullptr;  // [batch]
  __nv_bfloat16* out = nullptr;       // [batch][heads][512]
  float* o_partial = nullptr;         // [batch][splits][heads][512] workspace
  float* lse_partial = nullptr;       // [batch][splits][heads] workspace (log2 domain)
  int batch = 0, heads = 128, max_pages = 0, splits = 1;
  float softmax_scale = 0.0f;
};

constexpr int kMlaHeadsPerBlock = 64;  // heads must be a multiple of this

// Splits of the KV range per sequence so that batch x head tiles x splits fills the SMs once.
int mla_decode_splits(int batch, int heads, int max_seq_len, int sm_count);
size_t mla_decode_workspace_bytes(int batch, int heads, int splits);

// Enqueues the split kernel and the combine kernel. Returns the launch error, if any.
cudaError_t mla_decode(const MlaDecodeParams& p, cudaStream_t stream);

}  // namespace fathom::calib::gpu
