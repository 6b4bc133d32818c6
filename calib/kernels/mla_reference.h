#pragma once
// CPU reference of weight-absorbed MLA decode (DeepSeek-V3: 576 = 512 latent + 64 RoPE values per
// token, values = the 512 latent dims) over a paged BF16 KV cache, and the error check the runner
// applies before timing its CUDA kernel. Header-only plain C++: compiled by the runner and the tests.
// Layouts (shared with calib/kernels/mla_decode.cu):
//   q        [batch][heads][576]            BF16 (absorbed q_nope in latent space, then q_rope)
//   kv_cache [pages][64 tokens][576]        BF16 (latent c_kv, then k_rope)
//   pages    [batch][max_pages] int32       page of the sequence's j-th 64-token block
//   out      [batch][heads][512]            result of softmax(scale * q.k) . v, v = k[0:512]

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace fathom::calib::mla {

inline constexpr int kQkDim = 576;
inline constexpr int kVDim = 512;
inline constexpr int kPageTokens = 64;

// BF16 <-> float on the host (round to nearest even; NaN kept NaN).
inline float bf16_to_float(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline uint16_t float_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

struct DecodeShape {
  int batch = 1;
  int heads = 128;
  int max_pages = 1;  // columns of the page table
  float softmax_scale = 0.0f;
};

// Reference output of one (sequence, head) in double precision: out[0..512).
inline void reference_head(const DecodeShape& s, const uint16_t* q, const uint16_t* kv_cache, const int32_t* pages,
                           const int32_t* seq_lens, int b, int h, double* out) {
  const int len = seq_lens[b];
  const uint16_t* qh = q + (static_cast<int64_t>(b) * s.heads + h) * kQkDim;
  std::vector<double> qf(kQkDim), scores(static_cast<size_t>(len));
  for (int d = 0; d < kQkDim; ++d) qf[d] = bf16_to_float(qh[d]);
  auto token = [&](int j) {
    const int64_t page = pages[static_cast<int64_t>(b) * s.max_pages + j / kPageTokens];
    return kv_cache + (page * kPageTokens + j % kPageTokens) * kQkDim;
  };
  double mx = -INFINITY;
  for (int j = 0; j < len; ++j) {
    const uint16_t* kj = token(j);
    double dot = 0;
    for (int d = 0; d < kQkDim; ++d) dot += qf[d] * bf16_to_float(kj[d]);
    scores[j] = dot * s.softmax_scale;
    mx = std::max(mx, scores[j]);
  }
  double sum = 0;
  for (int j = 0; j < len; ++j) sum += (scores[j] = std::exp(scores[j] - mx));
  std::fill(out, out + kVDim, 0.0);
  for (int j = 0; j < len; ++j) {
    const uint16_t* vj = token(j);
    const double p = scores[j] / sum;
    for (int d = 0; d < kVDim; ++d) out[d] += p * bf16_to_float(vj[d]);
  }
}

// Largest errors of a device result against the reference over the checked (sequence, head) pairs.
struct CheckResult {
  double max_abs_error = 0;
  double max_rel_error = 0;  // |got - ref| / max(|ref|, floor)
  int64_t values = 0;
  bool passed = false;
};

// Contract: the kernel computes P in BF16 and accumulates in FP32, so it is compared with a
// tolerance: |got - ref| <= abs_tol + rel_tol * |ref| for every value.
struct Tolerance {
  double abs_tol = 2e-3;
  double rel_tol = 2e-2;
  double rel_floor = 1e-2;
};

// Compares `out` (BF16 [batch][heads][512]) with the reference on the listed sequences and heads.
inline CheckResult check_decode(const DecodeShape& s, const uint16_t* q, const uint16_t* kv_cache, const int32_t* pages,
                                const int32_t* seq_lens, const uint16_t* out, const std::vector<int>& batches,
                                const std::vector<int>& heads, Tolerance tol = {}) {
  CheckResult r;
  r.passed = true;
  std::vector<double> ref(kVDim);
  for (const int b : batches) {
    for (const int h : heads) {
      reference_head(s, q, kv_cache, pages, seq_lens, b, h, ref.data());
      const uint16_t* got = out + (static_cast<int64_t>(b) * s.heads + h) * kVDim;
      for (int d = 0; d < kVDim; ++d) {
        const double g = bf16_to_float(got[d]), e = std::fabs(g - ref[d]);
        r.max_abs_error = std::max(r.max_abs_error, std::isnan(e) ? INFINITY : e);
        r.max_rel_error = std::max(r.max_rel_error, e / std::max(std::fabs(ref[d]), tol.rel_floor));
        if (!(e <= tol.abs_tol + tol.rel_tol * std::fabs(ref[d]))) r.passed = false;
        ++r.values;
      }
    }
  }
  return r;
}

}  // namespace fathom::calib::mla
