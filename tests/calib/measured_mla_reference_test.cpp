// The CPU reference of MLA decode that gates the GPU kernel's timing (calib/kernels/mla_reference.h),
// on hand-computable cases: uniform scores give the mean of the values, two tokens give tanh(1/2),
// scores use all 576 dims but values only the first 512, and paging does not change the result.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "calib/kernels/mla_reference.h"

using namespace fathom::calib::mla;

namespace {

// One sequence, one head, `tokens` tokens in consecutive pages.
struct Tiny {
  DecodeShape shape;
  std::vector<uint16_t> q, kv;
  std::vector<int32_t> pages, lens;
  explicit Tiny(int tokens, float scale = 1.0f) {
    const int n_pages = (tokens + kPageTokens - 1) / kPageTokens;
    shape = {1, 1, n_pages, scale};
    q.assign(kQkDim, float_to_bf16(0.0f));
    kv.assign(static_cast<size_t>(n_pages) * kPageTokens * kQkDim, float_to_bf16(0.0f));
    for (int p = 0; p < n_pages; ++p) pages.push_back(p);
    lens = {tokens};
  }
  uint16_t* token(int j) {
    return kv.data() + (static_cast<size_t>(pages[j / kPageTokens]) * kPageTokens + j % kPageTokens) * kQkDim;
  }
  std::vector<double> run() {
    std::vector<double> out(kVDim);
    reference_head(shape, q.data(), kv.data(), pages.data(), lens.data(), 0, 0, out.data());
    return out;
  }
};

}  // namespace

TEST_CASE("bf16 conversion rounds to nearest even", "[unit]") {
  CHECK(float_to_bf16(1.0f) == 0x3f80);
  CHECK(bf16_to_float(0x3f80) == 1.0f);
  CHECK(bf16_to_float(float_to_bf16(-2.5f)) == -2.5f);
  CHECK(float_to_bf16(1.0f + 1.0f / 256) == 0x3f80);  // halfway (ulp 1/128), rounds down to even
  CHECK(float_to_bf16(1.0f + 3.0f / 256) == 0x3f82);  // halfway, rounds up to even
  CHECK(std::isnan(bf16_to_float(float_to_bf16(NAN))));
}

TEST_CASE("equal scores give the mean of the 512 latent values", "[unit]") {
  Tiny t(3);
  t.q[kVDim] = float_to_bf16(2.0f);  // q only in a RoPE dim; every key has the same RoPE value
  for (int j = 0; j < 3; ++j) {
    t.token(j)[kVDim] = float_to_bf16(0.5f);
    for (int d = 0; d < kVDim; ++d) t.token(j)[d] = float_to_bf16(static_cast<float>(j + 1) * (d % 2 ? 1.0f : -1.0f));
  }
  const std::vector<double> out = t.run();
  CHECK(out[0] == Approx(-2.0));  // mean of -1, -2, -3
  CHECK(out[1] == Approx(2.0));
  CHECK(out[511] == Approx(2.0));
}

TEST_CASE("two tokens with scores 1 and 0 give tanh(1/2)", "[unit]") {
  Tiny t(2);
  t.q[kVDim + 5] = float_to_bf16(1.0f);
  t.token(0)[kVDim + 5] = float_to_bf16(1.0f);  // score 1 (RoPE dim), value +1
  for (int d = 0; d < kVDim; ++d) t.token(0)[d] = float_to_bf16(1.0f), t.token(1)[d] = float_to_bf16(-1.0f);
  const std::vector<double> out = t.run();
  CHECK(out[0] == Approx(std::tanh(0.5)).epsilon(1e-12));
  CHECK(out[300] == Approx(std::tanh(0.5)).epsilon(1e-12));
}

TEST_CASE("the softmax scale multiplies the scores and latent dims count in the scores", "[unit]") {
  Tiny t(2, 0.5f);
  t.q[0] = float_to_bf16(2.0f);         // latent dim 0 takes part in the score ...
  t.token(0)[0] = float_to_bf16(1.0f);  // ... score 2 * 1 * 0.5 = 1; token 1 scores 0
  t.token(1)[1] = float_to_bf16(4.0f);
  const std::vector<double> out = t.run();
  const double w0 = std::exp(1.0) / (std::exp(1.0) + 1.0);
  CHECK(out[0] == Approx(w0));
  CHECK(out[1] == Approx(4.0 * (1.0 - w0)));
}

TEST_CASE("a shuffled page table gives the same result as consecutive pages", "[unit]") {
  Tiny a(150), b(150);
  uint32_t x = 12345;
  auto next = [&] { return static_cast<float>((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f; };
  for (int d = 0; d < kQkDim; ++d) a.q[d] = b.q[d] = float_to_bf16(next());
  b.pages = {2, 0, 1};  // token j of b lives in physical page pages[j / 64]
  for (int j = 0; j < 150; ++j) {
    for (int d = 0; d < kQkDim; ++d) a.token(j)[d] = b.token(j)[d] = float_to_bf16(next());
  }
  const std::vector<double> ra = a.run(), rb = b.run();
  for (int d = 0; d < kVDim; ++d) REQUIRE(ra[d] == rb[d]);
}

TEST_CASE("check_decode passes the reference itself and fails a perturbed output", "[unit]") {
  Tiny t(70);
  uint32_t x = 99;
  auto next = [&] { return static_cast<float>((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f * 2 - 1; };
  for (auto& v : t.q) v = float_to_bf16(next());
  for (auto& v : t.kv) v = float_to_bf16(next());
  t.shape.softmax_scale = 1.0f / std::sqrt(192.0f);
  const std::vector<double> ref = t.run();
  std::vector<uint16_t> out(kVDim);
  for (int d = 0; d < kVDim; ++d) out[d] = float_to_bf16(static_cast<float>(ref[d]));
  const CheckResult good =
      check_decode(t.shape, t.q.data(), t.kv.data(), t.pages.data(), t.lens.data(), out.data(), {0}, {0});
  CHECK(good.passed);
  CHECK(good.values == kVDim);
  CHECK(good.max_abs_error < 1e-2);
  out[17] = float_to_bf16(bf16_to_float(out[17]) + 0.25f);
  const CheckResult bad =
      check_decode(t.shape, t.q.data(), t.kv.data(), t.pages.data(), t.lens.data(), out.data(), {0}, {0});
  CHECK_FALSE(bad.passed);
  CHECK(bad.max_abs_error == Approx(0.25).margin(0.01));
  out[17] = 0x7fc0;  // NaN
  CHECK_FALSE(
      check_decode(t.shape, t.q.data(), t.kv.data(), t.pages.data(), t.lens.data(), out.data(), {0}, {0}).passed);
}
