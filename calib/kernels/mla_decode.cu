// MLA decode kernel. Design after FlashMLA (github.com/deepseek-ai/FlashMLA, README and
// docs/20250422-new-kernel-deep-dive.md): 64 query heads of one sequence share each KV tile read
// from the paged cache, online softmax (FlashAttention-2, Dao 2023) over 32-token tiles, the KV
// range split across thread blocks and merged by a combine kernel through log-sum-exp. Unlike
// FlashMLA it uses warp-level mma.sync (m16n8k16 BF16, FP32 accumulate; PTX ISA "Warp-level matrix
// fragments") rather than wgmma, cp.async double buffering rather than TMA, and a plain grid rather
// than a persistent scheduler, so it is a lower bound on what FlashMLA reaches on the same GPU.

#include <cmath>

#include "calib/kernels/mla_decode.cuh"

namespace fathom::calib::gpu {
namespace {

using bf16 = __nv_bfloat16;
constexpr int kQk = 576, kV = 512, kPage = 64, kTile = 32, kThreads = 256, kChunks = kQk / 8;
constexpr int kRowStride = kQk + 8;  // BF16 per shared row: +16 B makes 32-bit loads and ldmatrix conflict-free
constexpr int kSStride = 36, kPStride = 40;
constexpr size_t kSmemBytes = sizeof(bf16) * (kMlaHeadsPerBlock + 2 * kTile) * kRowStride +
                              sizeof(float) * kMlaHeadsPerBlock * kSStride +
                              sizeof(bf16) * kMlaHeadsPerBlock * kPStride + sizeof(float) * 3 * kMlaHeadsPerBlock;

__device__ __forceinline__ uint32_t lds32(const bf16* p) { return *reinterpret_cast<const uint32_t*>(p); }

__device__ __forceinline__ void mma_bf16(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const bf16* p) {
  const auto addr = static_cast<unsigned>(__cvta_generic_to_shared(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

// 16-byte global -> shared copy; zero-fills when !valid (the source must still be a valid address).
__device__ __forceinline__ void cp_async16(bf16* smem, const bf16* gmem, bool valid) {
  const auto s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// One block: 64 heads of one sequence over one split of its KV tiles. 8 warps; warp w computes
// scores for heads 16*(w%4).. and tokens 16*(w/4).., and the output for heads 16*(w%4).. and
// values 256*(w/4)..; thread t runs the softmax of head t/4 over tokens 8*(t%4)...
__global__ void __launch_bounds__(kThreads, 1) mla_decode_split_kernel(const MlaDecodeParams p) {
  extern __shared__ __align__(16) unsigned char smem[];
  bf16* qs = reinterpret_cast<bf16*>(smem);
  bf16* ks = qs + kMlaHeadsPerBlock * kRowStride;
  float* ss = reinterpret_cast<float*>(ks + 2 * kTile * kRowStride);
  bf16* ps = reinterpret_cast<bf16*>(ss + kMlaHeadsPerBlock * kSStride);
  float* alpha_s = reinterpret_cast<float*>(ps + kMlaHeadsPerBlock * kPStride);
  float* m_s = alpha_s + kMlaHeadsPerBlock;
  float* l_s = m_s + kMlaHeadsPerBlock;

  const int split = blockIdx.x, head0 = blockIdx.y * kMlaHeadsPerBlock, b = blockIdx.z;
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane >> 2, t = lane & 3;
  const int rt = warp & 3, half = warp >> 2, sr = tid >> 2, sq = tid & 3;
  const int len = p.seq_lens[b];
  const int tiles = (len + kTile - 1) / kTile, per_split = (tiles + p.splits - 1) / p.splits;
  const int tile_begin = split * per_split, tile_end = min(tiles, tile_begin + per_split);
  float* opart = p.o_partial + ((static_cast<size_t>(b) * p.splits + split) * p.heads + head0) * kV;
  float* lpart = p.lse_partial + (static_cast<size_t>(b) * p.splits + split) * p.heads + head0;
  if (tile_begin >= tile_end) {  // nothing to do: contributes nothing to the combine
    for (int i = tid; i < kMlaHeadsPerBlock * kV; i += kThreads) opart[i] = 0.0f;
    if (tid < kMlaHeadsPerBlock) lpart[tid] = -INFINITY;
    return;
  }
  const bf16* qg = p.q + (static_cast<size_t>(b) * p.heads + head0) * kQk;
  for (int i = tid; i < kMlaHeadsPerBlock * kChunks; i += kThreads) {
    cp_async16(qs + (i / kChunks) * kRowStride + (i % kChunks) * 8, qg + (i / kChunks) * kQk + (i % kChunks) * 8, true);
  }
  const int32_t* page_row = p.pages + static_cast<size_t>(b) * p.max_pages;
  auto load_tile = [&](int tile, int buf) {
    bf16* dst = ks + buf * kTile * kRowStride;
    for (int i = tid; i < kTile * kChunks; i += kThreads) {
      const int row = i / kChunks, c = i % kChunks, tok = tile * kTile + row;
      const bool valid = tok < len;
      const int tk = valid ? tok : tile * kTile;  // a valid address for the zero-filled rows
      const bf16* src = p.kv + (static_cast<size_t>(page_row[tk / kPage]) * kPage + tk % kPage) * kQk + c * 8;
      cp_async16(dst + row * kRowStride + c * 8, src, valid);
    }
  };
  load_tile(tile_begin, 0);
  cp_async_commit();

  const float scale_log2 = p.softmax_scale * 1.4426950408889634f;
  float m_run = -INFINITY, l_run = 0.0f;  // softmax state of head sr (same in its 4 threads)
  float acc[32][4];
#pragma unroll
  for (int j = 0; j < 32; ++j) acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.0f;

  for (int tile = tile_begin; tile < tile_end; ++tile) {
    const int buf = (tile - tile_begin) & 1;
    if (tile + 1 < tile_end) {
      load_tile(tile + 1, buf ^ 1);
      cp_async_commit();
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();
    const bf16* kt = ks + buf * kTile * kRowStride;

    // S = Q K^T over 576 dims: rows rt*16.., tokens half*16 + {0, 8}.
    float sacc[2][4] = {};
    const bf16* qa = qs + (rt * 16 + g) * kRowStride + t * 2;
    const bf16* kb = kt + (half * 16 + g) * kRowStride + t * 2;
#pragma unroll 4
    for (int kk = 0; kk < kQk; kk += 16) {
      const uint32_t a[4] = {lds32(qa + kk), lds32(qa + 8 * kRowStride + kk), lds32(qa + kk + 8),
                             lds32(qa + 8 * kRowStride + kk + 8)};
#pragma unroll
      for (int j = 0; j < 2; ++j) {
        mma_bf16(sacc[j], a, lds32(kb + j * 8 * kRowStride + kk), lds32(kb + j * 8 * kRowStride + kk + 8));
      }
    }
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int col = half * 16 + j * 8 + t * 2, tok = tile * kTile + col;
      float* lo = ss + (rt * 16 + g) * kSStride + col;
      float* hi = lo + 8 * kSStride;
      lo[0] = tok < len ? sacc[j][0] * scale_log2 : -INFINITY;
      lo[1] = tok + 1 < len ? sacc[j][1] * scale_log2 : -INFINITY;
      hi[0] = tok < len ? sacc[j][2] * scale_log2 : -INFINITY;
      hi[1] = tok + 1 < len ? sacc[j][3] * scale_log2 : -INFINITY;
    }
    __syncthreads();

    // Online softmax (log2 domain); every tile holds at least one valid token, so m_new is finite.
    {
      float v[8], mx = -INFINITY;
#pragma unroll
      for (int i = 0; i < 8; ++i) mx = fmaxf(mx, v[i] = ss[sr * kSStride + sq * 8 + i]);
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
      mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
      const float m_new = fmaxf(m_run, mx), alpha = exp2f(m_run - m_new);
      float sum = 0.0f;
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        const bf16 e = __float2bfloat16(exp2f(v[i] - m_new));
        ps[sr * kPStride + sq * 8 + i] = e;
        sum += __bfloat162float(e);
      }
      sum += __shfl_xor_sync(0xffffffffu, sum, 1);
      sum += __shfl_xor_sync(0xffffffffu, sum, 2);
      l_run = l_run * alpha + sum;
      m_run = m_new;
      if (sq == 0) alpha_s[sr] = alpha;
    }
    __syncthreads();

    // O = alpha O + P V over the tile's 32 tokens: rows rt*16.., values half*256 + 8j...
    const float a_lo = alpha_s[rt * 16 + g], a_hi = alpha_s[rt * 16 + g + 8];
#pragma unroll
    for (int j = 0; j < 32; ++j) acc[j][0] *= a_lo, acc[j][1] *= a_lo, acc[j][2] *= a_hi, acc[j][3] *= a_hi;
    const bf16* pa = ps + (rt * 16 + g) * kPStride + t * 2;
#pragma unroll
    for (int kq = 0; kq < kTile; kq += 16) {
      const uint32_t a[4] = {lds32(pa + kq), lds32(pa + 8 * kPStride + kq), lds32(pa + kq + 8),
                             lds32(pa + 8 * kPStride + kq + 8)};
      // ldmatrix.trans: lanes 0-7 / 8-15 address tokens kq+0..7 / kq+8..15 of value block j, 16-31 block j+1.
      const bf16* vrow = kt + (kq + (lane & 7) + ((lane >> 3) & 1) * 8) * kRowStride + half * 256 + (lane >> 4) * 8;
#pragma unroll
      for (int j = 0; j < 32; j += 2) {
        uint32_t bv[4];
        ldmatrix_x4_trans(bv, vrow + j * 8);
        mma_bf16(acc[j], a, bv[0], bv[1]);
        mma_bf16(acc[j + 1], a, bv[2], bv[3]);
      }
    }
    __syncthreads();
  }

  if (sq == 0) m_s[sr] = m_run, l_s[sr] = l_run, lpart[sr] = m_run + log2f(l_run);
  __syncthreads();
  const int r_lo = rt * 16 + g, r_hi = r_lo + 8;
  const float inv_lo = 1.0f / l_s[r_lo], inv_hi = 1.0f / l_s[r_hi];
#pragma unroll
  for (int j = 0; j < 32; ++j) {
    const int col = half * 256 + j * 8 + t * 2;
    *reinterpret_cast<float2*>(opart + r_lo * kV + col) = make_float2(acc[j][0] * inv_lo, acc[j][1] * inv_lo);
    *reinterpret_cast<float2*>(opart + r_hi * kV + col) = make_float2(acc[j][2] * inv_hi, acc[j][3] * inv_hi);
  }
}

// Merges the splits of one (sequence, head): out = sum_s 2^(lse_s - max) O_s / sum_s 2^(lse_s - max).
__global__ void mla_decode_combine_kernel(const MlaDecodeParams p) {
  const int h = blockIdx.x, b = blockIdx.y, d = threadIdx.x * 4;
  const float* lse = p.lse_partial + static_cast<size_t>(b) * p.splits * p.heads + h;
  float mx = -INFINITY;
  for (int s = 0; s < p.splits; ++s) mx = fmaxf(mx, lse[s * p.heads]);
  float o[4] = {0.0f, 0.0f, 0.0f, 0.0f}, wsum = 0.0f;
  if (mx != -INFINITY) {
    for (int s = 0; s < p.splits; ++s) {
      const float w = exp2f(lse[s * p.heads] - mx);
      if (w == 0.0f) continue;
      const float4 v = *reinterpret_cast<const float4*>(
          p.o_partial + ((static_cast<size_t>(b) * p.splits + s) * p.heads + h) * kV + d);
      o[0] += w * v.x, o[1] += w * v.y, o[2] += w * v.z, o[3] += w * v.w;
      wsum += w;
    }
  }
  const float inv = wsum > 0.0f ? 1.0f / wsum : 0.0f;
  bf16* out = p.out + (static_cast<size_t>(b) * p.heads + h) * kV + d;
#pragma unroll
  for (int i = 0; i < 4; ++i) out[i] = __float2bfloat16(o[i] * inv);
}

}  // namespace

int mla_decode_splits(int batch, int heads, int max_seq_len, int sm_count) {
  const int blocks = batch * (heads / kMlaHeadsPerBlock), tiles = (max_seq_len + kTile - 1) / kTile;
  const int splits = blocks >= sm_count ? 1 : sm_count / blocks;
  return splits < 1 ? 1 : (splits > tiles ? (tiles > 0 ? tiles : 1) : splits);
}

size_t mla_decode_workspace_bytes(int batch, int heads, int splits) {
  return sizeof(float) * static_cast<size_t>(batch) * splits * heads * (kV + 1);
}

cudaError_t mla_decode(const MlaDecodeParams& p, cudaStream_t stream) {
  static const cudaError_t attr = cudaFuncSetAttribute(
      mla_decode_split_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(kSmemBytes));
  if (attr != cudaSuccess) return attr;
  const dim3 grid(p.splits, p.heads / kMlaHeadsPerBlock, p.batch);
  mla_decode_split_kernel<<<grid, kThreads, kSmemBytes, stream>>>(p);
  mla_decode_combine_kernel<<<dim3(p.heads, p.batch), kV / 4, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace fathom::calib::gpu
