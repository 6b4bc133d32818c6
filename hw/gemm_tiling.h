#pragma once
// The output-tile geometry of one GEMM (or grouped GEMM) invocation, chosen the way DeepGEMM's host
// heuristic chooses it (DG @ a6d97a1, `jit_kernels/gemm.py`, get_best_configs; K18 shows the same
// choice: M = 256, N = 7168 takes BLOCK_N = 112 to fill 128 of 132 SMs):
//  - block_m: 64 when m <= 64, else 128; the contiguous grouped layout always 128 (each expert's rows
//    are padded to a 128-row boundary);
//  - block_n: the candidate that needs the fewest waves of tiles over the SMs; ties go to the fuller
//    last wave, then to the larger block_m, then to the smaller block_n. Candidates 16..128 in steps of
//    8, plus 136 and 152 (assumed: the candidate list of DeepGEMM's later releases; the Feb-2025 list
//    ends at 128);
//  - block_k: 128 bytes of operand per K step (128 FP8 values, as DeepGEMM's 1x128 scaling blocks;
//    64 BF16 values).
// Used by the tiled GEMM cost model (hw/efficiency_curve.h) for dense and grouped GEMMs of any dtype;
// cuBLAS BF16 GEMMs are assumed to tile the same way.

#include <cstdint>

#include "hw/kernel_work.h"

namespace fathom::hw {

struct GemmTiling {
  int64_t block_m = 0, block_n = 0, block_k = 0;
  int64_t tiles = 0;     // output tiles over all groups
  int64_t waves = 0;     // ceil(tiles / sms)
  int64_t k_blocks = 0;  // ceil(k / block_k): main-loop steps of one tile
};

// Contract: work.m, work.n, work.k >= 1 and sms >= 1; work.groups <= 0 counts as one group.
GemmTiling choose_gemm_tiling(const KernelWork& work, int64_t sms);

}  // namespace fathom::hw
