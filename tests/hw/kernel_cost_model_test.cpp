// The roofline arithmetic of the kernel cost model, on hand-made parameters (exact values).

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "hw/kernel_cost_model.h"
#include "hw/kernel_family_registry.h"
#include "hw/repeated_kernel_times.h"

using namespace fathom;
using namespace fathom::hw;

namespace {

GpuSpec toy_gpu() {
  GpuSpec g;
  g.name = "toy";
  g.peak_fp8_dense = FlopsPerSecond(2000e12);
  g.peak_bf16_dense = FlopsPerSecond(1000e12);
  g.peak_fp32 = FlopsPerSecond(50e12);
  g.hbm_bandwidth = BytesPerSecond(4e12);
  return g;
}

KernelWork gemm(int64_t m, double flops, double bytes) {
  KernelWork w;
  w.family = KernelFamily::dense_gemm;
  w.dtype = DType::fp8;
  w.m = m;
  w.flops = Flops(flops);
  w.bytes_read = Bytes(bytes);
  return w;
}

CalibratedValue v(double x) { return {x, Provenance{SourceKind::assumed, "test"}}; }

Calibration uniform_calibration(const EfficiencyCurve& c) {
  Calibration cal;
  cal.device = "toy";
  for (const auto& e : kernel_family_registry().entries()) {
    FamilyParameters& p = cal.families[e.make.family].parameters;
    p.compute_efficiency_max = v(c.compute_efficiency_max);
    p.compute_half_shape = v(c.compute_half_shape);
    p.memory_efficiency = v(c.memory_efficiency);
    p.overhead_s = v(c.overhead_s);
    p.roofline_sharpness = v(c.roofline_sharpness);
  }
  return cal;
}

}  // namespace

TEST_CASE("hard roofline: the larger of compute and memory time plus overhead", "[unit]") {
  const EfficiencyCurve c{0.5, 0.0, 0.8, 2e-6, 1e300};
  // 1e12 FLOP at 2000 TFLOPS * 0.5 = 1 ms; 1.6e9 B at 4 TB/s * 0.8 = 0.5 ms.
  const KernelTime t = evaluate_curve(c, toy_gpu(), gemm(4096, 1e12, 1.6e9));
  CHECK(t.compute.value() == Approx(1e-3).epsilon(1e-12));
  CHECK(t.memory.value() == Approx(0.5e-3).epsilon(1e-12));
  CHECK(t.total.value() == Approx(1e-3 + 2e-6).epsilon(1e-12));
  CHECK(t.compute_bound);
  // Memory-bound: 6.4e9 B -> 2 ms.
  const KernelTime m = evaluate_curve(c, toy_gpu(), gemm(4096, 1e12, 6.4e9));
  CHECK(m.total.value() == Approx(2e-3 + 2e-6).epsilon(1e-12));
  CHECK(!m.compute_bound);
}

TEST_CASE("compute efficiency saturates in the shape variable", "[unit]") {
  const EfficiencyCurve c{0.8, 128.0, 1.0, 0.0, 1e300};
  CHECK(compute_efficiency(c, 128.0) == Approx(0.4));
  CHECK(compute_efficiency(c, 384.0) == Approx(0.6));
  CHECK(compute_efficiency(c, 0.0) == Approx(0.8));  // no shape known: the plateau
  // m = 128 halves e_max: 1e12 FLOP / (2000e12 * 0.4) = 1.25 ms.
  CHECK(evaluate_curve(c, toy_gpu(), gemm(128, 1e12, 0.0)).total.value() == Approx(1.25e-3));
}

TEST_CASE("the smooth max is the p-norm of the two bounds", "[unit]") {
  const GpuSpec g = toy_gpu();
  const KernelWork w = gemm(4096, 1e12, 1.6e9);  // t_c = 1 ms, t_m = 0.5 ms at e = 0.5 / 0.8
  EfficiencyCurve c{0.5, 0.0, 0.8, 0.0, 1.0};
  CHECK(evaluate_curve(c, g, w).total.value() == Approx(1.5e-3));  // p = 1: sum
  c.roofline_sharpness = 2.0;
  CHECK(evaluate_curve(c, g, w).total.value() == Approx(std::sqrt(1.25) * 1e-3));
  c.roofline_sharpness = 200.0;
  CHECK(evaluate_curve(c, g, w).total.value() == Approx(1e-3).epsilon(1e-6));
}

TEST_CASE("dtype picks the peak, elementwise uses the FP32 CUDA-core peak", "[unit]") {
  const EfficiencyCurve c{1.0, 0.0, 1.0, 0.0, 1e300};
  KernelWork w = gemm(4096, 1e12, 0.0);
  w.dtype = DType::bf16;
  CHECK(evaluate_curve(c, toy_gpu(), w).total.value() == Approx(1e-3));
  w.family = KernelFamily::elementwise;
  CHECK(evaluate_curve(c, toy_gpu(), w).total.value() == Approx(1e12 / 50e12));
  KernelWork empty;
  CHECK(evaluate_curve(EfficiencyCurve{1.0, 0.0, 1.0, 3e-6, 4.0}, toy_gpu(), empty).total.value() == Approx(3e-6));
}

TEST_CASE("KernelCostModel prices each family with its own parameters", "[unit]") {
  Calibration cal = uniform_calibration({0.5, 0.0, 0.8, 0.0, 1e300});
  cal.families[KernelFamily::grouped_gemm_masked].parameters.compute_efficiency_max = v(0.25);
  const KernelCostModel model(toy_gpu(), cal);
  KernelWork w = gemm(4096, 1e12, 0.0);
  CHECK(model.time(w).value() == Approx(1e-3));
  w.family = KernelFamily::grouped_gemm_masked;
  CHECK(model.time(w).value() == Approx(2e-3));
}

TEST_CASE("the kernel family registry lists every family once", "[unit]") {
  const auto& entries = kernel_family_registry().entries();
  REQUIRE(entries.size() == 8);
  for (const auto& e : entries) {
    CHECK(to_string(e.make.family) == e.name);
    CHECK(!e.description.empty());
  }
  KernelWork w;
  w.family = KernelFamily::mla_decode;
  w.seq_kv = 4096;
  CHECK(shape_value(w) == 4096.0);
  w.family = KernelFamily::attention_backward;  // saturates in the query tokens, as the forward
  w.seq_q = 2048;
  CHECK(shape_value(w) == 2048.0);
  CHECK(parse_kernel_family("attention_backward") == KernelFamily::attention_backward);
}

TEST_CASE("tiled GEMM: waves x (K steps + exposed epilogue), by hand", "[unit]") {
  // 4 SMs; per SM one 128x128x128 FP8 step takes exactly 1 us at full efficiency; per SM store share of
  // HBM (4 active SMs) writes a 128x128 BF16 tile (32 KiB) in 1 us.
  GpuSpec g = toy_gpu();
  g.sm_count = 4;
  g.peak_fp8_dense = FlopsPerSecond(4 * 2.0 * 128 * 128 * 128 / 1e-6);
  g.hbm_bandwidth = BytesPerSecond(4 * 32768.0 / 1e-6);
  EfficiencyCurve c{0.5, 0.0, 1.0, 0.0, 1e300};
  c.tiled = true;
  c.k_block_floor_s = 0.1e-6;
  c.epilogue_exposure = 0.5;
  KernelWork w;
  w.family = KernelFamily::dense_gemm;
  w.dtype = DType::fp8;
  w.m = 256, w.n = 256, w.k = 512, w.groups = 1;
  w.flops = Flops(2.0 * 256 * 256 * 512);
  w.bytes_read = Bytes(256.0 * 512 + 256.0 * 512);
  w.bytes_written = Bytes(256.0 * 256 * 2);
  // 4 tiles of 128x128 in one wave; 4 K steps of 2 us (e = 0.5); half of the 1 us epilogue.
  const KernelTime t = evaluate_curve(c, g, w);
  CHECK(t.compute.value() == Approx(8.5e-6));
  CHECK(t.memory.value() == Approx(3.0e-6));  // 393216 B at 131 GB/s
  CHECK(t.total.value() == Approx(8.5e-6));
  CHECK(t.compute_bound);
  // Half the SMs: two waves, each SM's store share doubles (2 active SMs).
  CHECK(evaluate_curve(c, g.with_compute_sms(2), w).compute.value() == Approx(2 * (8.0e-6 + 0.25e-6)));
  // A tiny step is held at the pipeline's floor.
  c.k_block_floor_s = 3e-6;
  CHECK(evaluate_curve(c, g, w).compute.value() == Approx(4 * 3e-6 + 0.5e-6));
  // Without the tiled flag the same curve prices flops / (peak * e_max).
  c.tiled = false;
  CHECK(evaluate_curve(c, g, w).compute.value() == Approx(w.flops.value() / (g.peak_fp8_dense.value() * 0.5)));
}

TEST_CASE("kernel time factors scale their family's time and nothing else, and read strictly", "[unit]") {
  const Calibration cal = uniform_calibration(EfficiencyCurve{0.5, 0.0, 0.8, 2e-6, 1e300});
  const KernelCostModel plain(toy_gpu(), cal);
  const KernelCostModel scaled(toy_gpu(), cal, {{KernelFamily::dense_gemm, 1.25}});
  const KernelWork g = gemm(4096, 1e12, 1.6e9);
  KernelWork e = g;
  e.family = KernelFamily::elementwise;
  CHECK(scaled.time(g).value() == Approx(1.25 * plain.time(g).value()));
  CHECK(scaled.breakdown(g).compute.value() == Approx(1.25 * plain.breakdown(g).compute.value()));
  CHECK(scaled.time(e).value() == plain.time(e).value());
  GpuSpec four = toy_gpu();
  four.sm_count = 4;
  CHECK(KernelCostModel(four, cal, scaled.factors()).with_compute_sms(1).factors().at(KernelFamily::dense_gemm) ==
        1.25);
  const auto read = [](const nlohmann::json& j) { return read_kernel_time_factors(SpecReader(j, "s.json", "f")); };
  CHECK(read({{"dense_gemm", {{"value", 1.1}, {"range", {0.9, 1.1}}, {"source", "assumed:x"}}}, {"note", "n"}})
            .at(KernelFamily::dense_gemm) == 1.1);
  CHECK_THROWS_WITH(read({{"dense_gem", 1.0}}), Catch::StartsWith("s.json: f.dense_gem: unknown key"));
  CHECK_THROWS_WITH(read({{"mla_decode", 0.0}}), Catch::StartsWith("s.json: f.mla_decode:"));
}

TEST_CASE("RepeatedKernelTimes reuses a time only for equal work at the same position", "[unit]") {
  Calibration cal = uniform_calibration({0.5, 0.0, 0.8, 0.0, 1e300});
  cal.families[KernelFamily::grouped_gemm_masked].parameters.compute_efficiency_max = v(0.25);
  const KernelCostModel model(toy_gpu(), cal);
  RepeatedKernelTimes times(model);
  const KernelWork a = gemm(4096, 1e12, 0.0);
  KernelWork b = a;
  b.family = KernelFamily::grouped_gemm_masked;  // one field apart: its own time (half the efficiency)
  times.begin();
  CHECK(times.time(0, a).value() == model.time(a).value());
  CHECK(times.time(1, b).value() == Approx(2e-3));
  CHECK(times.priced() == 2);
  times.begin();  // the same sequence again: both reused
  CHECK(times.time(0, a).value() == model.time(a).value());
  CHECK(times.time(1, b).value() == model.time(b).value());
  CHECK(times.priced() == 2);
  times.begin();  // swapped: neither position matches
  CHECK(times.time(0, b).value() == Approx(2e-3));
  CHECK(times.time(1, a).value() == Approx(1e-3));
  CHECK(times.priced() == 4);
  KernelWork c = a;
  c.m = 4097;  // equal except one shape field: priced
  times.begin();
  times.time(0, c);
  CHECK(times.priced() == 5);
  CHECK_THROWS_AS(times.time(5, a), std::logic_error);
}
