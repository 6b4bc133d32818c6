// Tile geometry of GEMMs (hw/gemm_tiling.h): DeepGEMM's block choice, waves, K steps.

#include <catch2/catch.hpp>

#include "hw/gemm_tiling.h"

using namespace fathom::hw;

namespace {

KernelWork gemm(KernelFamily family, DType dtype, int64_t m, int64_t n, int64_t k, int64_t groups = 1) {
  KernelWork w;
  w.family = family;
  w.dtype = dtype;
  w.m = m, w.n = n, w.k = k, w.groups = groups;
  return w;
}

}  // namespace

TEST_CASE("K18: M = 256, N = 7168 takes BLOCK_N = 112 and fills 128 of 132 SMs in one wave", "[unit]") {
  const GemmTiling t = choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 256, 7168, 7168), 132);
  CHECK(t.block_m == 128);
  CHECK(t.block_n == 112);
  CHECK(t.tiles == 128);
  CHECK(t.waves == 1);
  CHECK(t.block_k == 128);
  CHECK(t.k_blocks == 56);
}

TEST_CASE("block_m is 64 up to m = 64 and 128 above, always 128 in the contiguous layout", "[unit]") {
  CHECK(choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 64, 4096, 7168), 132).block_m == 64);
  CHECK(choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 65, 4096, 7168), 132).block_m == 128);
  CHECK(choose_gemm_tiling(gemm(KernelFamily::grouped_gemm_masked, DType::fp8, 8, 4096, 7168, 4), 132).block_m == 64);
  CHECK(choose_gemm_tiling(gemm(KernelFamily::grouped_gemm_contiguous, DType::fp8, 8, 4096, 7168, 4), 132).block_m ==
        128);
}

TEST_CASE("fewest waves first, then the fullest last wave, then the smaller block_n", "[unit]") {
  // m = 64, n = 2112: 2112 / 16 = 132 tiles fill every SM exactly once.
  const GemmTiling a = choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 64, 2112, 7168), 132);
  CHECK(a.block_n == 16);
  CHECK(a.tiles == 132);
  CHECK(a.waves == 1);
  // 4 SMs, m = n = 256: 128x128 and 128x136/152 all give 4 tiles in one full wave; the smaller wins.
  const GemmTiling b = choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 256, 256, 512), 4);
  CHECK(b.block_n == 128);
  CHECK(b.tiles == 4);
  CHECK(b.waves == 1);
  // Groups multiply the tiles; waves round up.
  const GemmTiling c = choose_gemm_tiling(gemm(KernelFamily::grouped_gemm_masked, DType::fp8, 256, 256, 512, 3), 4);
  CHECK(c.tiles == 12);
  CHECK(c.waves == 3);
}

TEST_CASE("block_k is 128 bytes of operand: 128 FP8 or 64 BF16 values", "[unit]") {
  CHECK(choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::bf16, 128, 128, 7168), 132).block_k == 64);
  CHECK(choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::bf16, 128, 128, 7168), 132).k_blocks == 112);
  CHECK(choose_gemm_tiling(gemm(KernelFamily::dense_gemm, DType::fp8, 128, 128, 100), 132).k_blocks == 1);
}
