// The log-space least-squares fit recovers known curve parameters from synthetic rows (no GPU).

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "calib/fit/calibration_row.h"
#include "calib/fit/family_fit.h"
#include "calib/fit/kernel_shapes.h"
#include "sim/error.h"

using namespace fathom;
using namespace fathom::calib;

namespace {

hw::GpuSpec h800_like() {
  hw::GpuSpec g;
  g.name = "synthetic";
  g.peak_fp8_dense = FlopsPerSecond(1979e12);
  g.peak_bf16_dense = FlopsPerSecond(989e12);
  g.peak_fp32 = FlopsPerSecond(67e12);
  g.hbm_bandwidth = BytesPerSecond(3.35e12);
  return g;
}

// GEMM rows over the InferSim shapes, timed by `truth` with log-normal noise of `sigma`.
std::vector<CalibrationRow> synthetic_rows(const hw::EfficiencyCurve& truth, double sigma, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  const hw::GpuSpec gpu = h800_like();
  std::vector<CalibrationRow> rows;
  const int64_t nk[][2] = {{1536, 7168}, {24576, 1536}, {576, 7168}, {7168, 16384}, {4096, 7168}, {7168, 2048}};
  for (const auto& s : nk) {
    for (int64_t m = 16; m <= 32768; m *= 2) {
      CalibrationRow r;
      r.work = fp8_gemm_work(m, s[0], s[1]);
      r.measured = Seconds(hw::evaluate_curve(truth, gpu, r.work).total.value() * std::exp(noise(rng)));
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("the fit recovers known parameters from noiseless synthetic rows", "[unit]") {
  const hw::EfficiencyCurve truth{0.72, 300.0, 0.83, 8e-6, 3.0};
  const auto rows = synthetic_rows(truth, 0.0, 1);
  const FamilyFitResult r = fit_family(rows, h800_like(), FamilyFitConfig{}, "synthetic");
  CHECK(r.curve.compute_efficiency_max == Approx(truth.compute_efficiency_max).epsilon(1e-4));
  CHECK(r.curve.compute_half_shape == Approx(truth.compute_half_shape).epsilon(1e-3));
  CHECK(r.curve.memory_efficiency == Approx(truth.memory_efficiency).epsilon(1e-4));
  CHECK(r.curve.overhead_s == Approx(truth.overhead_s).epsilon(1e-3));
  CHECK(r.curve.roofline_sharpness == Approx(truth.roofline_sharpness).epsilon(1e-3));
  CHECK(r.cost < 1e-12);
}

TEST_CASE("the fit recovers known parameters from rows with 2% noise", "[unit]") {
  const hw::EfficiencyCurve truth{0.65, 150.0, 0.78, 12e-6, 5.0};
  const auto rows = synthetic_rows(truth, 0.02, 42);
  const FamilyFitResult r = fit_family(rows, h800_like(), FamilyFitConfig{}, "synthetic");
  // Tolerances: the plateaus are set by many rows each; the knee (s_half), the launch overhead and
  // the smooth-max exponent by few rows, so they are looser.
  CHECK(r.curve.compute_efficiency_max == Approx(truth.compute_efficiency_max).epsilon(0.03));
  CHECK(r.curve.memory_efficiency == Approx(truth.memory_efficiency).epsilon(0.03));
  CHECK(r.curve.compute_half_shape == Approx(truth.compute_half_shape).epsilon(0.15));
  CHECK(r.curve.overhead_s == Approx(truth.overhead_s).epsilon(0.15));
  CHECK(r.curve.roofline_sharpness == Approx(truth.roofline_sharpness).epsilon(0.5));
  // Residuals are at the noise level: RMS log error about 0.02.
  CHECK(std::sqrt(r.cost / rows.size()) < 0.03);
  const ErrorSummary e = relative_errors(r.curve, h800_like(), rows);
  CHECK(e.median < 0.03);
}

TEST_CASE("fixed parameters stay fixed and too few rows are an input error", "[unit]") {
  const hw::EfficiencyCurve truth{0.65, 150.0, 0.78, 12e-6, 5.0};
  auto rows = synthetic_rows(truth, 0.0, 3);
  FamilyFitConfig config;
  config.initial = {0.5, 100.0, 0.78, 12e-6, 5.0};
  config.free.memory_efficiency = false;
  config.free.overhead = false;
  config.free.roofline_sharpness = false;
  const FamilyFitResult r = fit_family(rows, h800_like(), config, "synthetic");
  CHECK(r.curve.memory_efficiency == 0.78);
  CHECK(r.curve.overhead_s == 12e-6);
  CHECK(r.curve.compute_efficiency_max == Approx(0.65).epsilon(1e-4));
  rows.resize(4);
  CHECK_THROWS_AS(fit_family(rows, h800_like(), FamilyFitConfig{}, "synthetic"), InputError);
}
