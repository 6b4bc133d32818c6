// The file the GPU runner writes (calib/kernels/measured_json.h) parses back as JSON with every
// field, and its FLOP/byte accounting equals the fit's (calib/fit/kernel_shapes.h).

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "calib/fit/kernel_shapes.h"
#include "calib/kernels/measured_json.h"

using namespace fathom;
using namespace fathom::calib;

TEST_CASE("the measured file round-trips through a JSON parser", "[unit]") {
  measured::MeasuredFile f;
  f.device.name = "NVIDIA H100 80GB HBM3";
  f.device.tag = "h100";
  f.device.sm_count = 132;
  f.device.compute_capability = "9.0";
  f.device.l2_bytes = 52428800;
  f.date = "2026-01-02T03:04:05Z";
  f.git_commit = "abc123";
  f.timing = "CUDA events";
  measured::Measurement r;
  r.family = "dense_gemm", r.kernel = "cublaslt_fp8_gemm", r.dtype = "fp8";
  r.m = 64, r.n = 2112, r.k = 7168, r.groups = 1;
  measured::set_gemm_work(r, 1.0);
  r.median_s = 1.25e-5, r.min_s = 1.2e-5, r.max_s = 1.5e-5, r.repeats = 15;
  r.note = "a \"quoted\"\tnote\\";
  f.measurements.push_back(r);
  measured::Measurement c;
  c.family = "collective", c.kernel = "nccl_all_to_all", c.dtype = "bf16", c.status = "not measured";
  f.measurements.push_back(c);
  f.measurements.push_back(c);
  f.measurements.back().median_s = INFINITY;  // non-finite numbers are written as null

  std::ostringstream os;
  measured::write_measured_file(os, f);
  const nlohmann::json j = nlohmann::json::parse(os.str());
  CHECK(j.at("format") == "fathom-measured-kernels/1");
  CHECK(j.at("provenance") == "measured");
  CHECK(j.at("device").at("name") == "NVIDIA H100 80GB HBM3");
  CHECK(j.at("device").at("sm_count") == 132);
  CHECK(j.at("device").at("l2_bytes").get<double>() == 52428800.0);
  CHECK(j.at("git_commit") == "abc123");
  CHECK(j.at("date") == "2026-01-02T03:04:05Z");
  const nlohmann::json& m = j.at("measurements");
  REQUIRE(m.size() == 3);
  CHECK(m[0].at("m") == 64);
  CHECK(m[0].at("k") == 7168);
  CHECK(m[0].at("seq_kv") == 0);
  CHECK(m[0].at("median_s").get<double>() == Approx(1.25e-5));
  CHECK(m[0].at("repeats") == 15);
  CHECK(m[0].at("note") == "a \"quoted\"\tnote\\");
  CHECK(m[0].at("flops").get<double>() == Approx(2.0 * 64 * 2112 * 7168));
  CHECK_FALSE(m[0].contains("layout"));
  CHECK(m[1].at("status") == "not measured");
  CHECK(m[2].at("median_s").is_null());
}

TEST_CASE("the runner's accounting equals the fit's for FP8 GEMMs and MLA decode", "[unit]") {
  measured::Measurement g;
  g.m = 128, g.n = 4096, g.k = 7168, g.groups = 8;
  measured::set_gemm_work(g, 1.0);
  const hw::KernelWork w = fp8_grouped_gemm_work(hw::KernelFamily::grouped_gemm_contiguous, 8.0 * 128, 8, 4096, 7168);
  CHECK(g.flops == Approx(w.flops.value()));
  CHECK(g.bytes_read == Approx(w.bytes_read.value()));
  CHECK(g.bytes_written == Approx(w.bytes_written.value()));

  measured::Measurement d;
  d.m = 1, d.n = 576, d.k = 7168, d.groups = 1;
  measured::set_gemm_work(d, 1.0);
  CHECK(d.bytes_read == Approx(fp8_gemm_work(1, 576, 7168).bytes_read.value()));

  measured::Measurement a;
  a.batch = 32, a.heads = 128, a.seq_q = 1, a.seq_kv = 4096;
  measured::set_mla_decode_work(a);
  const hw::KernelWork mw = mla_decode_work(32, 128, 4096);
  CHECK(a.flops == Approx(mw.flops.value()));
  CHECK(a.bytes_read == Approx(mw.bytes_read.value()));
  CHECK(a.bytes_written == Approx(mw.bytes_written.value()));
}
