// Decode with several query tokens per sequence (MTP verification) and prefill over a cached prefix.

#include <catch2/catch.hpp>

#include <string>

#include "models/hf_config.h"
#include "models/ops.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const Op& find(const std::vector<Op>& ops, const std::string& name) {
  for (const Op& op : ops) {
    if (op.name == name) return op;
  }
  FAIL("no op " << name);
  return ops.front();
}

ModelArch v3() { return load_hf_config(std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/deepseek-v3.config.json"); }

}  // namespace

TEST_CASE("MLA decode with two query tokens doubles the math, not the KV read", "[unit]") {
  const ModelArch a = v3();
  const CostOptions o = default_cost_options(a);
  const auto one = decode_layer_ops(a, 5, DecodeShape{.sequences = 64, .context = 4096, .tokens_per_sequence = 1}, o);
  const auto two = decode_layer_ops(a, 5, DecodeShape{.sequences = 64, .context = 4096, .tokens_per_sequence = 2}, o);
  const hw::KernelWork& w1 = find(one, "attention").work;
  const hw::KernelWork& w2 = find(two, "attention").work;
  // 2 x 128 heads x s_q x 64 x 4096 keys x (576 + 512)
  CHECK(w1.flops.value() == Approx(2.0 * 128 * 1 * 64 * 4096 * 1088));
  CHECK(w2.flops.value() == Approx(2.0 * w1.flops.value()));
  // The latent cache, 64 x 4096 x 576 x 2 B, is read once; only the query read grows.
  const double cache = 64.0 * 4096 * 576 * 2;
  CHECK(w2.bytes_read.value() - cache == Approx(2.0 * (w1.bytes_read.value() - cache)));
  // GEMMs see 128 tokens instead of 64.
  CHECK(find(two, "q_a_proj").work.m == 128);
}

TEST_CASE("prefill over a cached prefix attends to it and expands its latents", "[unit]") {
  const ModelArch a = v3();
  const CostOptions o = default_cost_options(a);
  const int64_t L = 1000, P = 3000;
  const auto fresh = prefill_layer_ops(a, 5, PrefillShape{.sequences = 2, .seq_len = L}, o);
  const auto cached = prefill_layer_ops(a, 5, PrefillShape{.sequences = 2, .seq_len = L, .prefix_len = P}, o);
  // Pairs per sequence: L(L+1)/2 fresh; L*P + L(L+1)/2 with the prefix.
  const double fresh_pairs = 2.0 * L * (L + 1) / 2.0;
  const double cached_pairs = 2.0 * (double(L) * P + L * (L + 1) / 2.0);
  CHECK(find(cached, "attention").work.flops.value() / find(fresh, "attention").work.flops.value() ==
        Approx(cached_pairs / fresh_pairs));
  CHECK(find(fresh, "kv_b_proj").work.m == 2 * L);
  CHECK(find(cached, "kv_b_proj").work.m == 2 * (L + P));
  // Projections of the new tokens are unchanged by the prefix.
  CHECK(find(cached, "q_a_proj").work.flops == find(fresh, "q_a_proj").work.flops);
}
