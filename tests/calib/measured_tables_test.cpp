// A synthetic <gpu>-measured.json, written by the GPU runner's own writer with times from a known
// curve, read into calibration rows (families, exclusions) and fitted back.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "calib/fit/calibrate.h"
#include "calib/fit/calibration_tables.h"
#include "calib/fit/measured_tables.h"
#include "calib/kernels/measured_json.h"
#include "hw/efficiency_curve.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "support/shipped_hardware.h"

using namespace fathom;
using namespace fathom::calib;
namespace fs = std::filesystem;

namespace {

hw::KernelWork work_of(const measured::Measurement& r) {
  hw::KernelWork w;
  w.family = hw::parse_kernel_family(r.family);
  w.dtype = hw::parse_dtype(r.dtype);
  w.flops = Flops(r.flops), w.bytes_read = Bytes(r.bytes_read), w.bytes_written = Bytes(r.bytes_written);
  w.m = r.m, w.n = r.n, w.k = r.k, w.groups = r.groups;
  w.batch = r.batch, w.heads = r.heads, w.seq_q = r.seq_q, w.seq_kv = r.seq_kv;
  return w;
}

// The curve that "timed" the synthetic file: tiled for the GEMMs, the curve in seq_kv for MLA decode.
hw::EfficiencyCurve truth() {
  hw::EfficiencyCurve c{0.62, 80.0, 0.85, 8e-6, 6.0};
  c.tiled = true;
  c.k_block_floor_s = 0.12e-6;
  c.epilogue_exposure = 0.4;
  return c;
}
const hw::EfficiencyCurve kTruth = truth();

// Records as the runner writes them, timed by kTruth on `gpu`.
measured::MeasuredFile synthetic_file(const hw::GpuSpec& gpu) {
  measured::MeasuredFile f;
  f.device.name = "synthetic H100";
  f.device.tag = "h100";
  f.git_commit = "test";
  auto add = [&](measured::Measurement r) {
    r.median_s = r.min_s = r.max_s = hw::evaluate_curve(kTruth, gpu, work_of(r)).total.value();
    r.repeats = 15;
    f.measurements.push_back(r);
  };
  const int64_t nk[][2] = {{2112, 7168}, {24576, 1536}, {7168, 16384}, {4096, 7168}};
  for (const char* dtype : {"fp8", "bf16"}) {
    for (const auto& s : nk) {
      for (int64_t m = 1; m <= 16384; m *= 2) {
        measured::Measurement r;
        r.family = "dense_gemm", r.dtype = dtype;
        r.kernel = std::string("cublaslt_") + dtype + "_gemm";
        r.m = m, r.n = s[0], r.k = s[1], r.groups = 1;
        measured::set_gemm_work(r, std::string(dtype) == "fp8" ? 1.0 : 2.0);
        add(r);
      }
    }
  }
  for (int64_t batch = 1; batch <= 64; batch *= 4) {
    for (int64_t kv = 1024; kv <= 32768; kv *= 2) {
      measured::Measurement r;
      r.family = "mla_decode", r.kernel = "fathom_mla_decode_mma_sync", r.dtype = "bf16";
      r.batch = batch, r.heads = 128, r.seq_q = 1, r.seq_kv = kv;
      measured::set_mla_decode_work(r);
      add(r);
    }
  }
  measured::Measurement copy;
  copy.family = "elementwise", copy.kernel = "cuda_memcpy_d2d", copy.dtype = "fp32", copy.m = 1 << 30;
  copy.bytes_read = copy.bytes_written = 1 << 30;
  add(copy);
  measured::Measurement failed = copy;
  failed.kernel = "fathom_copy_uint4", failed.status = "failed check", failed.median_s = 0;
  f.measurements.push_back(failed);
  measured::Measurement nccl;
  nccl.family = "collective", nccl.kernel = "nccl_all_to_all", nccl.dtype = "bf16", nccl.status = "not measured";
  f.measurements.push_back(nccl);
  return f;
}

fs::path write_file(const measured::MeasuredFile& f, const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fathom-measured-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream out(p);
  measured::write_measured_file(out, f);
  return p;
}

}  // namespace

TEST_CASE("a measured file reads into rows per family with exclusions", "[unit]") {
  const hw::GpuSpec gpu = test::shipped_gpu("h100");
  const fs::path file = write_file(synthetic_file(gpu), "synthetic-measured.json");
  const CalibrationInputs in = read_calibration_tables({file}, gpu);
  REQUIRE(in.tables == std::vector<std::string>{"synthetic-measured.json"});
  int fp8 = 0, bf16 = 0, mla = 0, copies = 0;
  for (const CalibrationRow& r : in.rows) {
    if (r.work.family == hw::KernelFamily::dense_gemm && r.work.dtype == hw::DType::fp8) {
      ++fp8;
      CHECK(r.excluded.empty());
    } else if (r.work.family == hw::KernelFamily::dense_gemm) {
      ++bf16;
      CHECK_FALSE(r.excluded.empty());
    } else if (r.work.family == hw::KernelFamily::mla_decode) {
      ++mla;
      CHECK(r.work.heads == 128);
      CHECK(r.excluded.empty());
    } else if (r.work.family == hw::KernelFamily::elementwise) {
      ++copies;
      CHECK(r.excluded.find("not fitted") != std::string::npos);
    }
  }
  CHECK(fp8 == 4 * 15);
  CHECK(bf16 == 4 * 15);
  CHECK(mla == 4 * 6);  // batch 1, 4, 16, 64 x context 1K..32K
  CHECK(copies == 1);   // the failed-check copy and the collective are skipped
  CHECK(in.rows.size() == static_cast<size_t>(fp8 + bf16 + mla + copies));
}

TEST_CASE("fitting a measured file recovers the curve that timed it", "[unit]") {
  const hw::GpuSpec gpu = test::shipped_gpu("h100");
  const fs::path file = write_file(synthetic_file(gpu), "synthetic-measured.json");
  const CalibrationFit fit = fit_calibration(read_calibration_tables({file}, gpu), gpu, gpu.name);
  const hw::FamilyCalibration& dense = fit.calibration.families.at(hw::KernelFamily::dense_gemm);
  REQUIRE(dense.fit);
  CHECK(dense.fit->rows_fitted == 60);  // every FP8 row (4 shapes x 15 m); BF16 rows are kept for comparison
  CHECK(dense.fit->rows_excluded == 60);
  CHECK(dense.parameters.compute_efficiency_max.value == Approx(kTruth.compute_efficiency_max).epsilon(0.01));
  CHECK(dense.parameters.memory_efficiency.value == Approx(kTruth.memory_efficiency).epsilon(0.01));
  REQUIRE(dense.parameters.epilogue_exposure);
  CHECK(dense.parameters.epilogue_exposure->value == Approx(kTruth.epilogue_exposure).epsilon(0.05));
  CHECK(dense.fit->fitted_worst_rel_error < 0.01);
  CHECK(dense.parameters.compute_efficiency_max.source.kind == SourceKind::measured);
  CHECK(fit.calibration.families.at(hw::KernelFamily::mla_decode).fit.has_value());
  CHECK_FALSE(fit.calibration.families.at(hw::KernelFamily::elementwise).fit.has_value());
}

TEST_CASE("a measured file with the wrong format or provenance is an input error", "[unit]") {
  const hw::GpuSpec gpu = test::shipped_gpu("h100");
  const fs::path dir = write_file(synthetic_file(gpu), "ok-measured.json").parent_path();
  const auto bad = [&](const std::string& name, const std::string& body) {
    std::ofstream(dir / name) << body;
    CalibrationInputs in;
    CHECK_THROWS_AS(read_measured_table(dir / name, in), InputError);
  };
  bad("a-measured.json", R"({"format": "other", "provenance": "measured", "measurements": []})");
  bad("b-measured.json", R"({"format": "fathom-measured-kernels/1", "provenance": "assumed", "measurements": []})");
  bad("c-measured.json", R"({"format": "fathom-measured-kernels/1", "provenance": "measured"})");
  bad("d-measured.json", "{not json");
}
