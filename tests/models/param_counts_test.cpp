// Parameter counts, KV-cache bytes and weight bytes checked against hand arithmetic.
#include <catch2/catch.hpp>

#include <string>

#include "models/hf_config.h"
#include "models/param_counts.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

}  // namespace

TEST_CASE("DeepSeek-V3: 671B total, ~37B activated, 11.6B MTP", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  const ParamCounts p = count_params(a);
  // d = 7168, vocab 129280.
  // embedding = head = 129280 * 7168                                   = 926,679,040
  // MLA attention per layer:
  //   q_a 7168*1536 = 11,010,048; q_a_norm 1536; q_b 1536*128*(128+64) = 37,748,736
  //   kv_a 7168*(512+64) = 4,128,768; kv_a_norm 512; kv_b 512*128*(128+128) = 16,777,216
  //   o 128*128*7168 = 117,440,512                                     -> 187,107,328
  // layer norms 2*7168 = 14,336
  // dense FFN 3*7168*18432                                             = 396,361,728
  // one expert 3*7168*2048                                             = 44,040,192
  // MoE FFN: gate 256*7168 + bias 256 = 1,835,264; 257 experts (256 routed + 1 shared)
  //   = 11,318,329,344                                                 -> 11,320,164,608
  // total = 2*926,679,040 + 7168 (final norm) + 61*(187,107,328 + 14,336)
  //       + 3*396,361,728 + 58*11,320,164,608                          = 671,026,419,200
  CHECK(p.embedding == 926679040);
  CHECK(p.head == 926679040);
  CHECK(p.per_expert == 44040192);
  CHECK(p.dense_layer == 187107328 + 14336 + 396361728);
  CHECK(p.moe_layer == 187107328 + 14336 + 11320164608);
  CHECK(p.total == 671026419200);
  // activated: routed experts only top-8 + 1 shared = 9 experts: MoE FFN 1,835,264 + 9*44,040,192
  //   = 398,196,992; total = 1,853,365,248 + 61*187,121,664 + 3*396,361,728 + 58*398,196,992
  //   = 37,552,297,472 (V3TR: "37B activated"; README_WEIGHTS 36.7B counts differently by ~2%).
  CHECK(p.activated_per_token == 37552297472);
  CHECK(p.activated_per_token == Approx(37e9).epsilon(0.03));
  // MTP module: one MoE layer (187,121,664 + 11,320,164,608) + eh_proj 2*7168*7168 = 102,760,448
  //   + enorm, hnorm, shared_head.norm 3*7168 = 11,610,068,224 (§11: "11.5B unique").
  CHECK(p.mtp == 11610068224);
  CHECK(double(p.mtp) == Approx(11.5e9).epsilon(0.01));
  // Activated incl. shared embedding and head: 187,121,664 + 398,196,992 + 102,760,448 + 21,504
  //   + 1,853,358,080 = 2,541,458,688 (§11: "2.4B activated").
  CHECK(p.mtp_activated_per_token == 2541458688);
}

TEST_CASE("DeepSeek-V3 KV cache: 576 BF16 values per token per layer = 70,272 B (S46)", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  // (512 + 64) * 61 layers * 2 B = 70,272 B.
  CHECK(kv_cache_bytes_per_token(a, hw::DType::bf16).value() == 70272.0);
  CHECK(kv_cache_bytes_per_token(a, hw::DType::fp8).value() == 35136.0);
  CHECK(kv_cache_bytes_per_token_per_layer(a, hw::DType::bf16).value() == 1152.0);
  // V3 is not the sparse V3.2 layout (K06): an FP8 cache stays 576 values at 1 B, no scales.
  CHECK(kv_cache_bytes_per_token_per_layer(a, hw::DType::fp8).value() == 576.0);
  CHECK(attention_cache_bytes_per_token_per_layer(a, hw::DType::fp8).value() == 576.0);
  CHECK_FALSE(uses_sparse_mla_fp8_cache_layout(a, hw::DType::fp8));
}

TEST_CASE("DeepSeek-V3 weight bytes: FP8 matrices + one FP32 scale per 128x128 block", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  // q_b_proj 24576 x 1536: 37,748,736 B in FP8 + (24576/128)*(1536/128) = 192*12 = 2304 scales * 4 B.
  CHECK(tensor_bytes(a, 24576, 1536, true, hw::DType::fp8).value() == 37748736.0 + 9216.0);
  // kv_a 576 x 7168: ceil(576/128) = 5 row blocks * 56 column blocks = 280 scales.
  CHECK(tensor_bytes(a, 576, 7168, true, hw::DType::fp8).value() == 576.0 * 7168 + 280 * 4);
  // Not quantised: stays BF16.
  CHECK(tensor_bytes(a, 129280, 7168, false, hw::DType::fp8).value() == 2.0 * 129280 * 7168);

  const WeightBytes fp8 = weight_bytes(a, hw::DType::fp8);
  // One expert: gate, up 2048 x 7168 (16*56 = 896 blocks each), down 7168 x 2048 (896 blocks):
  //   3*(14,680,064 + 896*4) = 44,050,944 B.
  CHECK(fp8.per_routed_expert.value() == 44050944.0);
  CHECK(fp8.shared_experts_per_layer.value() == 44050944.0);
  CHECK(fp8.router_per_layer.value() == 2.0 * (256 * 7168 + 256));
  CHECK(fp8.embedding.value() == 2.0 * 926679040);
  CHECK(fp8.head.value() == 2.0 * (926679040 + 7168));
  CHECK(fp8.moe_layers == 58);
  CHECK(fp8.dense_layers == 3);
  // All-BF16: exactly 2 bytes per parameter.
  const ParamCounts p = count_params(a);
  CHECK(weight_bytes(a, hw::DType::bf16).total_main().value() == 2.0 * double(p.total));
  CHECK(weight_bytes(a, hw::DType::bf16).total_with_mtp().value() == 2.0 * double(p.total + p.mtp));
  // FP8 is a little over 1 byte per quantised parameter: between 671 GB and 680 GB.
  CHECK(fp8.total_main().value() > 671e9);
  CHECK(fp8.total_main().value() < 680e9);
}

TEST_CASE("Qwen3-8B: 8.19B params, GQA KV cache", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "qwen3-8b.config.json");
  const ParamCounts p = count_params(a);
  // d = 4096, 36 layers, 32 heads x 128, 8 KV heads, FFN 12288, vocab 151936, untied.
  // attention: q 4096*4096 + k,v 2*4096*1024 + o 4096*4096 + q/k norms 2*128 = 41,943,296
  // FFN 3*4096*12288 = 150,994,944; layer norms 8192
  // total = 2*151936*4096 + 4096 + 36*(41,943,296 + 150,994,944 + 8192) = 8,190,735,360
  CHECK(p.total == 8190735360);
  CHECK(p.activated_per_token == p.total);
  CHECK(p.per_expert == 0);
  CHECK(p.mtp == 0);
  // KV: 2 * 8 heads * 128 * 36 layers * 2 B = 147,456 B.
  CHECK(kv_cache_bytes_per_token(a, hw::DType::bf16).value() == 147456.0);
}

TEST_CASE("Qwen3-235B-A22B: 235B total, 22B activated", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "qwen3-235b-a22b.config.json");
  const ParamCounts p = count_params(a);
  // attention: q 4096*8192 + k,v 2*4096*512 + o 8192*4096 + norms 256 = 71,303,424
  // MoE: gate 128*4096 + 128 experts * 3*4096*1536 (18,874,368 each) = 2,416,443,392
  // total = 2*151936*4096 + 4096 + 94*(71,303,424 + 2,416,443,392 + 8192) = 235,093,634,560
  // activated: 8 experts: 524,288 + 8*18,874,368 = 151,519,232 per layer -> 22,190,763,520
  CHECK(p.total == 235093634560);
  CHECK(p.activated_per_token == 22190763520);
  CHECK(p.per_expert == 18874368);
  // KV: 2 * 4 * 128 * 94 * 2 B = 192,512 B.
  CHECK(kv_cache_bytes_per_token(a, hw::DType::bf16).value() == 192512.0);
}
