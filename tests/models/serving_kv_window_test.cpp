// A request's KV cache with sliding-window layers (issue #15): the full-attention layers keep every token,
// the sliding-window layers their latest min(tokens, window), and that is what the serving day moves from
// prefill to decode and reads back from the on-disk cache (KvCacheSize, models/param_counts.h).

#include <catch2/catch.hpp>

#include <string>

#include "models/hf_config.h"
#include "models/param_counts.h"
#include "models/serving/serving_inputs.h"
#include "models/serving/window_sim.h"

using namespace fathom;
using namespace fathom::models;

namespace {

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

serving::RequestMix mix_of(double mean_input_tokens, double hit_fraction) {
  serving::RequestMix m;
  m.mean_input_tokens = mean_input_tokens;
  m.cache_hit_fraction = hit_fraction;
  return m;
}

}  // namespace

TEST_CASE("gpt-oss-120b: a request's KV cache is 18 full layers x tokens + 18 sliding layers x min(tokens, 128)",
          "[serving]") {
  const ModelArch a = load_hf_config(kModels + "gpt-oss-120b.config.json");
  // 8 KV heads x 64 x (K and V) x 2 B = 2,048 B per token per layer; 18 layers of each kind.
  const KvCacheSize kv = kv_cache_size(a, hw::DType::bf16);
  CHECK(kv.full_per_token.value() == 36864.0);
  CHECK(kv.sliding_per_token.value() == 36864.0);
  CHECK(kv.window == 128.0);
  // A short request (100 tokens, inside the window): every layer keeps every token.
  CHECK(kv_cache_bytes_per_sequence(a, hw::DType::bf16, 100).value() == 7372800.0);
  CHECK(kv.per_token_at(100).value() == 73728.0);
  // A long one (10,000 tokens): 36,864 x 10,000 + 36,864 x 128 = 368,640,000 + 4,718,592.
  CHECK(kv.of(10000).value() == 373358592.0);
  CHECK(kv.per_token_at(10000).value() == Approx(37335.8592).epsilon(1e-15));
  // The sliding layers at full window are the memory calculator's per-sequence figure.
  CHECK(kv.of(128).value() - kv.full_per_token.value() * 128 ==
        sliding_window_cache_bytes_per_sequence(a, hw::DType::bf16).value());
  // FP8 halves both.
  CHECK(kv_cache_bytes_per_sequence(a, hw::DType::fp8, 10000).value() == 373358592.0 / 2);
}

TEST_CASE("DeepSeek-V3 (no sliding window): a request's KV cache is kv_cache_bytes_per_token x tokens", "[serving]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  const KvCacheSize kv = kv_cache_size(a, hw::DType::bf16);
  CHECK(kv.full_per_token.value() == 70272.0);
  CHECK(kv.sliding_per_token.value() == 0.0);
  CHECK(kv.of(1000).value() == 70272000.0);
  // Bit for bit the per-token figure, whatever the length: the serving day of DeepSeek models is unchanged.
  CHECK(kv.per_token_at(2867.25).value() == 70272.0);
  CHECK(kv.per_token_at(0).value() == 70272.0);
}

TEST_CASE("the prefill-to-decode KV transfer moves the request's windowed cache", "[serving]") {
  const ModelArch a = load_hf_config(kModels + "gpt-oss-120b.config.json");
  const serving::KvTransfer t{.kv = kv_cache_size(a, hw::DType::bf16), .link = BytesPerSecond(40e9)};
  CHECK(t.of(100).value() == Approx(7372800.0 / 40e9).epsilon(1e-14));
  CHECK(t.of(10000).value() == Approx(373358592.0 / 40e9).epsilon(1e-14));
  // The default moves nothing.
  CHECK(serving::KvTransfer{}.of(10000).value() == 0.0);
}

TEST_CASE("the on-disk KV read of a gpt-oss request counts its sliding layers' window", "[serving]") {
  const serving::ServingInputs in = serving::read_serving_inputs(
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-r1-serving-day.json"), nullptr);
  const KvCacheSize kv = kv_cache_size(load_hf_config(kModels + "gpt-oss-120b.config.json"), hw::DType::bf16);
  // Long: 500 cached tokens = 36,864 x 500 + 36,864 x 128 = 23,150,592 B = 314 reads of 72 KiB (the full
  // layers alone would be 250).
  CHECK(serving::window_kv_read(in, mix_of(1000, 0.5), kv, 0.0, 4).ios == 314);
  // Short: 50 cached tokens, all inside the window: 36,864 x 2 x 50 = 3,686,400 B = 50 reads (25 before).
  const auto short_read = serving::window_kv_read(in, mix_of(100, 0.5), kv, 0.0, 4);
  CHECK(short_read.ios == 50);
  CHECK(short_read.transfer.value() ==
        Approx(3686400.0 / (serving::storage_bandwidth_per_gpu(in).value() * 8)).epsilon(1e-12));
}
