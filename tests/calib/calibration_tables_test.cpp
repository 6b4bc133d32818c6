// The shipped calibration tables read into the expected rows: counts, FLOP/byte accounting checked
// against DeepGEMM's own GB/s column, the hold-out rule, and the physically impossible row excluded.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "calib/fit/calibration_tables.h"
#include "calib/fit/kernel_shapes.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "support/shipped_hardware.h"

using namespace fathom;
using namespace fathom::calib;

namespace {

std::string source_path(const std::string& rel) { return std::string(FATHOM_SOURCE_DIR) + "/" + rel; }

CalibrationInputs shipped_inputs() {
  return read_calibration_tables({source_path("scenarios/calibration/h800-infersim"),
                                  source_path("scenarios/calibration/h800-published-kernels.csv")},
                                 test::shipped_gpu("h800"));
}

}  // namespace

TEST_CASE("the shipped tables give the expected rows per family", "[unit]") {
  const CalibrationInputs in = shipped_inputs();
  CHECK(in.tables.size() == 6);
  int dense = 0, contiguous = 0, masked = 0, mla = 0, prefill = 0, excluded = 0;
  for (const CalibrationRow& r : in.rows) {
    dense += r.work.family == hw::KernelFamily::dense_gemm;
    contiguous += r.work.family == hw::KernelFamily::grouped_gemm_contiguous;
    masked += r.work.family == hw::KernelFamily::grouped_gemm_masked;
    mla += r.work.family == hw::KernelFamily::mla_decode;
    prefill += r.work.family == hw::KernelFamily::attention_prefill;
    excluded += !r.excluded.empty();
  }
  CHECK(dense == 110 + 18);         // InferSim gemm + K11-K13
  CHECK(contiguous == 2 * 24 + 4);  // up and down per row + K16
  CHECK(masked == 2 * 47 + 6);      // + K17
  CHECK(mla == 41);
  CHECK(prefill == 5);
  CHECK(in.bounds.size() == 2);  // K01, K02
  CHECK(excluded == 2);          // the tokens_per_expert = 1 decode row, up and down
}

TEST_CASE("only the tokens_per_expert = 1 masked row is physically impossible", "[unit]") {
  for (const CalibrationRow& r : shipped_inputs().rows) {
    if (r.excluded.empty()) continue;
    INFO(r.label);
    CHECK(r.table == "grouped_gemm-decode-data.csv");
    CHECK(r.index == 0);
    CHECK(r.excluded.find("exceeds the HBM peak") != std::string::npos);
  }
}

TEST_CASE("byte accounting matches DeepGEMM's published GB/s (K11-K17)", "[unit]") {
  // (groups, m, n, k, TFLOPS, GB/s) from published-figures.md K11, K13, K16, K17.
  const double rows[][6] = {{1, 64, 2112, 7168, 206, 1688},   {1, 4096, 7168, 16384, 1358, 343},
                            {4, 8192, 4096, 7168, 1297, 418}, {4, 256, 7168, 2048, 815, 2047},
                            {2, 512, 4096, 7168, 1040, 1288}, {1, 1024, 4096, 7168, 1233, 924}};
  for (const auto& r : rows) {
    const bool dense = r[0] == 1 && r[1] != 1024;  // K17's 1 x 1024 row is a (one-group) masked GEMM
    const hw::KernelWork w = dense ? fp8_gemm_work(int64_t(r[1]), int64_t(r[2]), int64_t(r[3]))
                                   : fp8_grouped_gemm_work(hw::KernelFamily::grouped_gemm_masked, r[0] * r[1],
                                                           int64_t(r[0]), int64_t(r[2]), int64_t(r[3]));
    const double seconds = w.flops.value() / (r[4] * 1e12);
    INFO("groups=" << r[0] << " m=" << r[1] << " n=" << r[2] << " k=" << r[3]);
    CHECK(w.bytes().value() / seconds / 1e9 == Approx(r[5]).epsilon(0.02));
  }
}

TEST_CASE("MLA FLOP counts match InferSim's mfu column", "[unit]") {
  // mla-decode: batch 16, kv 131072, 1085.607 us, mfu 0.544 of 989 TFLOPS.
  const hw::KernelWork d = mla_decode_work(16, 128, 131072);
  CHECK(d.flops.value() / 1085.607e-6 / 989e12 == Approx(0.544).epsilon(0.005));
  // mla-prefill: seq 4096, 1104.692 us, mfu 0.629.
  const hw::KernelWork p = mla_prefill_work(4096, 128);
  CHECK(p.flops.value() / 1104.692e-6 / 989e12 == Approx(0.629).epsilon(0.005));
}

TEST_CASE("an unknown table name is an input error", "[unit]") {
  CHECK_THROWS_WITH(
      read_calibration_tables({source_path("scenarios/calibration/h800-infersim/LICENSE")}, test::shipped_gpu("h800")),
      Catch::Contains("unknown calibration table"));
  CHECK_THROWS_AS(read_calibration_tables({source_path("scenarios/calibration/nope")}, test::shipped_gpu("h800")),
                  InputError);
}
