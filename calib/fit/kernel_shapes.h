#pragma once
// The KernelWork of the kernels in the calibration tables: FLOP and byte counts of FP8 GEMMs,
// grouped GEMMs and MLA attention at the shapes the tables give.

#include <cstdint>
#include <string>

#include "hw/kernel_work.h"

namespace fathom::calib {

// FP8 GEMM m x k times (n x k)^T -> BF16 m x n: flops 2mkn; reads m*k + n*k bytes, writes 2mn
// (DeepGEMM's own GB/s column counts the same bytes; FP8 scales are negligible and not counted).
hw::KernelWork fp8_gemm_work(int64_t m, int64_t n, int64_t k);

// FP8 grouped GEMM over `groups` experts with `tokens` rows in total (m = tokens / groups, rounded,
// for the efficiency curve): reads tokens*k + groups*n*k, writes 2*tokens*n.
hw::KernelWork fp8_grouped_gemm_work(hw::KernelFamily family, double tokens, int64_t groups, int64_t n, int64_t k);

// FlashMLA decode, one query token per sequence (DeepSeek-V3 MLA: 576 = 512 latent + 64 rope).
// FLOPs 2*b*h*(576 + 512)*kv_len (QK over 576 dims, PV over 512); bytes b*kv_len*576*2 of BF16
// latent cache plus the q (576) and o (512) vectors of every head.
hw::KernelWork mla_decode_work(int64_t batch, int64_t heads, int64_t kv_len);

// MLA prefill attention core, causal, BF16: QK over 192 dims (128 + 64 rope), PV over 128;
// FLOPs 2 * (s^2 / 2) * h * (192 + 128); bytes q, k (192) and v, o (128) per token and head.
hw::KernelWork mla_prefill_work(int64_t seq_len, int64_t heads);

// The shape family of a row, the unit the hold-out leaves out whole (docs/calibration.md): a GEMM's
// dtype, groups, n and k (every m of that shape, from every table); MLA decode's batch; prefill
// attention's sequence length; otherwise the dtype.
std::string shape_family(const hw::KernelWork& work);

}  // namespace fathom::calib
