#include "hw/gemm_tiling.h"

#include <algorithm>
#include <array>
#include <tuple>

namespace fathom::hw {
namespace {

constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

constexpr std::array<int64_t, 17> kBlockN = {16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 152};

}  // namespace

GemmTiling choose_gemm_tiling(const KernelWork& w, int64_t sms) {
  const int64_t groups = std::max<int64_t>(1, w.groups);
  const int64_t block_m = (w.family == KernelFamily::grouped_gemm_contiguous || w.m > 64) ? 128 : 64;
  GemmTiling best;
  // Ordering key: fewer waves, then the fuller last wave, then the smaller block_n (block_m is fixed).
  std::tuple<int64_t, int64_t, int64_t> best_key{};
  for (const int64_t block_n : kBlockN) {
    const int64_t tiles = ceil_div(w.m, block_m) * ceil_div(w.n, block_n) * groups;
    const int64_t waves = ceil_div(tiles, sms);
    const int64_t last_wave = tiles % sms == 0 ? sms : tiles % sms;
    const std::tuple<int64_t, int64_t, int64_t> key{waves, -last_wave, block_n};
    if (best.tiles == 0 || key < best_key) {
      best_key = key;
      best.block_m = block_m;
      best.block_n = block_n;
      best.tiles = tiles;
      best.waves = waves;
    }
  }
  best.block_k = static_cast<int64_t>(128.0 / bytes_per_element(w.dtype));
  best.k_blocks = ceil_div(w.k, best.block_k);
  return best;
}

}  // namespace fathom::hw
