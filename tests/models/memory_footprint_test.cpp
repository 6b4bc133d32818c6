// Per-GPU memory arithmetic on a hand-made model whose every byte is known.

#include <catch2/catch.hpp>

#include "models/deployment/memory_footprint.h"
#include "sim/error.h"

using namespace fathom;
using namespace fathom::models;

namespace {

// 10 layers (2 dense + 8 MoE), 16 routed experts. Sizes in bytes chosen to be easy to add up.
ModelMemoryFacts toy() {
  ModelMemoryFacts m;
  m.layers = 10;
  m.dense_layers = 2;
  m.routed_experts = 16;
  m.attention_per_layer = Bytes(1000);
  m.dense_ffn_per_layer = Bytes(4000);
  m.routed_expert = Bytes(100);
  m.shared_experts_per_layer = Bytes(200);
  m.router_per_layer = Bytes(10);
  m.embedding = Bytes(5000);
  m.head = Bytes(5000);
  m.mtp = Bytes(3000);
  m.mtp_moe_layers = 1;
  m.mtp_layers = 1;
  m.kv_per_token_per_layer = Bytes(2);
  m.kv_sharded_by_tp = false;  // MLA-like
  m.activation_per_token = Bytes(50);
  m.logits_per_token = Bytes(7);
  return m;
}

}  // namespace

TEST_CASE("one GPU holds everything", "[unit]") {
  MemoryRequest q{.requests_per_gpu = 3,
                  .context_tokens = 100,
                  .tokens_per_forward = 3,
                  .include_mtp = true,
                  .workspace = Bytes(1000)};
  const MemoryFootprint f = memory_footprint(toy(), ParallelismSpec{}, q, Bytes(1e6));
  // attention 10 x 1000; dense 2 x 4000; experts 16 x 100 x 8 layers; shared 200 x 8; router 10 x 8;
  // embedding + head 10000; MTP 3000 + its MoE layer's 16 experts x 100.
  CHECK(f.attention.value() == 10000);
  CHECK(f.dense_ffn.value() == 8000);
  CHECK(f.routed_experts.value() == 12800);
  CHECK(f.shared_experts.value() == 1600);
  CHECK(f.router.value() == 80);
  CHECK(f.embedding_and_head.value() == 10000);
  CHECK(f.mtp.value() == 4600);
  CHECK(f.weights.value() == 47080);
  // KV: 3 requests x 100 tokens x 2 B x (10 layers + 1 MTP layer). Activations: 3 x 50 + 3 x 7.
  CHECK(f.kv_cache.value() == 6600);
  CHECK(f.activations.value() == 171);
  CHECK(f.total.value() == 47080 + 6600 + 171 + 1000);
  CHECK(f.fits);
  CHECK(f.headroom.value() == 1e6 - 54851);
  // Free for KV: 1e6 - (47080 + 171 + 1000) = 951749 B at 22 B per token -> 43261 tokens;
  // per request (3): 14420; requests at 100 tokens: 432.
  CHECK(f.max_context_tokens_per_request == 14420);
  CHECK(f.max_requests_at_context == 432);
}

TEST_CASE("expert, tensor and pipeline parallelism shard the right parts", "[unit]") {
  MemoryRequest q{.requests_per_gpu = 1, .context_tokens = 10, .tokens_per_forward = 1, .workspace = Bytes(0)};
  ParallelismSpec p{.tp = 2, .pp = 2, .ep = 4, .redundant_experts = 4};
  const MemoryFootprint f = memory_footprint(toy(), p, q, Bytes(1e6));
  // 5 layers per stage. Stage 0: 2 dense + 3 MoE + embedding; last: 5 MoE + head. Experts per GPU:
  // (16 + 4) / 4 = 5.
  // Stage 0 weights: attention 5 x 1000 / 2 = 2500; dense 2 x 4000 / 2 = 4000; experts 5 x 100 x 3 = 1500;
  // shared 3 x 200 / 2 = 300; router 30; embedding 5000 / 2 = 2500 -> 10830.
  // Last stage: 2500 + 0 + 5 x 100 x 5 = 2500 + 5 x 200 / 2 = 500 + 50 + 2500 -> 8050. Stage 0 is worse.
  CHECK(f.routed_experts_on_gpu == 5);
  CHECK(f.layers_on_gpu == 5);
  CHECK(f.weights.value() == 10830);
  CHECK(f.kv_cache.value() == 10 * 2 * 5);  // MLA latent not split by tp
}

TEST_CASE("too little HBM means it does not fit, with negative headroom", "[unit]") {
  MemoryRequest q{.requests_per_gpu = 1, .context_tokens = 1000, .tokens_per_forward = 1, .workspace = Bytes(0)};
  const MemoryFootprint f = memory_footprint(toy(), ParallelismSpec{}, q, Bytes(40000));
  CHECK_FALSE(f.fits);
  CHECK(f.headroom.value() < 0);
  CHECK(f.max_context_tokens_per_request == 0);
}

TEST_CASE("sliding-window layers keep at most their window of each sequence", "[unit]") {
  ModelMemoryFacts m = toy();
  m.sliding_layer_fraction = 0.5;  // 5 of the 10 layers (gpt-oss alternates)
  m.sliding_window = 40;
  MemoryRequest q{.requests_per_gpu = 3,
                  .context_tokens = 100,
                  .tokens_per_forward = 3,
                  .include_mtp = true,
                  .workspace = Bytes(1000)};
  const MemoryFootprint f = memory_footprint(m, ParallelismSpec{}, q, Bytes(1e6));
  // 5 full layers + the MTP layer at 100 tokens, 5 sliding layers at 40: 3 x 2 B x (6 x 100 + 5 x 40).
  CHECK(f.kv_cache.value() == 4800);
  // Free for KV 951749 B (as above), 317249.67 B per request: 22 B per token up to the window (40 tokens,
  // 880 B), then 12 B per token: 40 + 316369.67 / 12 = 26404.1 tokens.
  CHECK(f.max_context_tokens_per_request == 26404);
  // A sequence at 100 tokens holds 1600 B: 951749 / 1600 = 594.8.
  CHECK(f.max_requests_at_context == 594);
  // Within the window every layer holds every token, as without sliding layers.
  q.context_tokens = 30;
  CHECK(memory_footprint(m, ParallelismSpec{}, q, Bytes(1e6)).kv_cache.value() == 3 * 2 * 11 * 30);
}
