// Ported from deepseek-ai/EPLB @ d52c72d (eplb.py: balanced_packing, replicate_experts; MIT).
#include "models/eplb/packing.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace fathom::models::eplb {

Packing balanced_packing(const std::vector<float>& weight, int num_packs) {
  const int n = static_cast<int>(weight.size());
  if (num_packs <= 0 || n % num_packs != 0) throw std::logic_error("balanced_packing: items not divisible by packs");
  const int per_pack = n / num_packs;
  Packing out{std::vector<int>(n, -1), std::vector<int>(n, -1)};
  if (per_pack == 1) {
    std::iota(out.pack.begin(), out.pack.end(), 0);
    std::fill(out.rank_in_pack.begin(), out.rank_in_pack.end(), 0);
    return out;
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weight[a] > weight[b]; });
  std::vector<float> pack_weight(num_packs, 0.0f);
  std::vector<int> pack_items(num_packs, 0);
  for (int item : order) {
    int best = -1;
    for (int p = 0; p < num_packs; ++p) {
      if (pack_items[p] < per_pack && (best < 0 || pack_weight[p] < pack_weight[best])) best = p;
    }
    out.pack[item] = best;
    out.rank_in_pack[item] = pack_items[best];
    pack_weight[best] += weight[item];
    ++pack_items[best];
  }
  return out;
}

Replication replicate_experts(const std::vector<float>& weight, int num_phy) {
  const int num_log = static_cast<int>(weight.size());
  if (num_phy < num_log) throw std::logic_error("replicate_experts: fewer physical than logical experts");
  Replication out{std::vector<int>(num_phy), std::vector<int>(num_phy, 0), std::vector<int>(num_log, 1)};
  std::iota(out.phy2log.begin(), out.phy2log.begin() + num_log, 0);
  for (int i = num_log; i < num_phy; ++i) {
    int best = 0;
    float best_value = weight[0] / static_cast<float>(out.logcnt[0]);
    for (int e = 1; e < num_log; ++e) {
      const float v = weight[e] / static_cast<float>(out.logcnt[e]);
      if (v > best_value) {
        best = e;
        best_value = v;
      }
    }
    out.phy2log[i] = best;
    out.rank[i] = out.logcnt[best];
    ++out.logcnt[best];
  }
  return out;
}

std::vector<int> inverse_permutation(const std::vector<int>& perm) {
  std::vector<int> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int>(i);
  return inv;
}

}  // namespace fathom::models::eplb
