// Profiler traces as calibration input (calib/trace/): Kineto events read in seconds, kernel names
// classified by the shipped patterns, GEMM shapes from record_shapes, exposed communication from
// intervals, malformed traces refused with one line, and a fit to generated GEMM timings.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "calib/fit/kernel_shapes.h"
#include "calib/fit/measured_tables.h"
#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_calibration.h"
#include "calib/trace/trace_classify.h"
#include "calib/trace/trace_compare.h"
#include "calib/trace/trace_overlap.h"
#include "calib/trace/trace_patterns.h"
#include "calib/trace/trace_shapes.h"
#include "hw/efficiency_curve.h"
#include "sim/error.h"
#include "support/kineto_trace_writer.h"
#include "support/shipped_hardware.h"

using namespace fathom;
using namespace fathom::calib;
using fathom::test::KinetoTraceWriter;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("fathom-trace-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

fs::path write(const std::string& name, const std::string& text) {
  const fs::path file = temp_dir() / name;
  std::ofstream(file) << text;
  return file;
}

KinetoTrace read(const KinetoTraceWriter& w, const std::string& name = "t.json") {
  const fs::path file = temp_dir() / name;
  w.write(file);
  return read_kineto_trace(file);
}

TracePatterns shipped_patterns() {
  TracePatterns p;
  p.read(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/trace-patterns.json");
  return p;
}

std::string class_of(const TracePatterns& p, const std::string& name) {
  const TracePattern* m = p.match(name);
  return m ? m->cls.name : "unclassified";
}

std::string error_of(const fs::path& file) {
  try {
    read_kineto_trace(file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("trace: kernel names of the libraries classify into fathom's families", "[calib][trace]") {
  const TracePatterns p = shipped_patterns();
  const std::pair<const char*, const char*> cases[] = {
      {"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_"
       "kernel__5x_cublas",
       "dense_gemm"},
      {"nvjet_tst_128x256_64x4_1x2_h_bz_coopA_NNT", "dense_gemm"},
      {"ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_64x3_tn", "dense_gemm"},
      {"void cutlass::device_kernel<cutlass::gemm::kernel::GemmUniversal<cute::tuple<int, int, int>>>", "dense_gemm"},
      {"void deep_gemm::fp8_gemm_kernel<7168u, 2112u, 128u, 64u, 128u, 1u, 8u, 128u, (deep_gemm::GemmType)0>",
       "dense_gemm"},
      {"void deep_gemm::fp8_gemm_kernel<4096u, 7168u, 128u, 112u, 128u, 8u, 5u, 128u, "
       "(deep_gemm::GemmType)1, GemmType::GroupedContiguous>",
       "grouped_gemm_contiguous"},
      {"void deep_gemm::fp8_gemm_kernel<2048u, 7168u, 64u, GemmType::GroupedMasked>", "grouped_gemm_masked"},
      {"void flash::flash_fwd_splitkv_mla_kernel<Flash_fwd_kernel_traits_mla<576, 64, 64, 8>>", "mla_decode"},
      {"void flash::flash_fwd_mla_combine_kernel<cutlass::bfloat16_t, 576, 512>", "mla_decode"},
      {"void flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4>, true, false>", "attention_prefill"},
      {"void cutlass::device_kernel<flash::FlashAttnFwdSm90<CollectiveMainloopFwdSm90<2, 128>>>", "attention_prefill"},
      {"void flash::flash_fwd_splitkv_kernel<Flash_fwd_kernel_traits<128, 64, 128, 4>>", "attention_decode"},
      {"void flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<Flash_bwd_kernel_traits<128>>", "attention_backward"},
      {"cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0",
       "attention_prefill"},
      {"cudnn_generated_fort_native_sdpa_sm90_flash_bprop_wgmma_f16_knob_2_64x128x128_4x1x1_kernel0_0",
       "attention_backward"},
      {"void cub::DeviceRadixSortOnesweepKernel<cub::DeviceRadixSortPolicy<long, long, unsigned int>>", "elementwise"},
      {"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", "collective"},
      {"ncclKernel_AllGather_RING_LL_Sum_int8_t(ncclWork*)", "collective"},
      {"void deep_ep::intranode::dispatch<8, 768, 8192>(int4*, float*, int*)", "dispatch"},
      {"void deep_ep::internode_ll::combine<false, 7168>(void*, void*, int*)", "combine"},
      {"void deep_ep::intranode::notify_dispatch<8>(int const*, int*)", "dispatch"},
      {"void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float>", "elementwise"},
      {"void rms_norm_kernel<c10::BFloat16>(c10::BFloat16*, c10::BFloat16 const*)", "elementwise"},
      {"void per_token_group_quant_8bit_kernel<c10::BFloat16, c10::Float8_e4m3fn>", "elementwise"},
      {"void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>>", "elementwise"},
      {"my_custom_fused_thing", "unclassified"},
  };
  for (const auto& [name, expected] : cases) {
    INFO(name);
    CHECK(class_of(p, name) == expected);
  }
  // The labels say which library's pattern matched.
  CHECK(p.match("void rms_norm_kernel<float>")->kind == "norm");
  CHECK(p.match("scaled_fp8_quant_kernel")->kind == "quantise");
}

TEST_CASE("trace: a user's patterns are tried before the shipped ones", "[calib][trace]") {
  TracePatterns p = shipped_patterns();
  REQUIRE(class_of(p, "my_custom_fused_thing") == "unclassified");
  p.read_first(write("mine.json", R"({"format": "fathom-trace-patterns/1", "patterns": [
    {"match": "my_custom_fused", "class": "dense_gemm", "kind": "ours"},
    {"match": "^nccl", "class": "dispatch"}]})"));
  CHECK(class_of(p, "my_custom_fused_thing") == "dense_gemm");
  CHECK(class_of(p, "ncclDevKernel_AllToAll") == "dispatch");  // overrides the shipped "collective"
  CHECK(class_of(p, "nvjet_tst_128x256") == "dense_gemm");     // the shipped ones still apply
}

TEST_CASE("trace: pattern files are read strictly", "[calib][trace]") {
  const auto error = [](const std::string& text) {
    TracePatterns p;
    try {
      p.read(write("p.json", text));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error(R"({"format": "fathom-trace-patterns/1", "patterns": [{"match": "x", "class": "gemm"}]})") ==
        "p.json: patterns.0.class: unknown trace class \"gemm\" (a kernel family of `fathom list`, or dispatch, "
        "combine, collective, memcpy)");
  CHECK(error(R"({"format": "fathom-trace-patterns/1", "patterns": [{"match": "(", "class": "dense_gemm"}]})")
            .rfind("p.json: patterns.0.match: \"(\" is not a regular expression", 0) == 0);
  CHECK(error(R"({"format": "fathom-trace-patterns/1", "patterns": [{"class": "dense_gemm"}]})") ==
        "p.json: patterns.0.match: missing");
  CHECK(
      error(
          R"({"format": "fathom-trace-patterns/1", "patterns": [{"match": "x", "class": "dense_gemm", "fam": 1}]})") ==
      "p.json: patterns.0.fam: unknown key (expected match, class, kind)");
  CHECK(error(R"({"patterns": []})") == "p.json: format: expected \"fathom-trace-patterns/1\"");
}

TEST_CASE("trace: Chrome-trace microseconds become seconds from the first GPU event", "[calib][trace]") {
  KinetoTraceWriter w("NVIDIA H800");
  w.kernel("b_kernel", 1000.5, 12.25)
      .kernel("a_kernel", 100.0, 2.0, 9)
      .kernel("Memcpy HtoD", 50.0, 1.5, 7, 0, "gpu_memcpy");
  w.step(3, 0, 2000).step(4, 2000, 2000).step(4, 2000, 2000);  // the same step twice counts once
  const KinetoTrace t = read(w);
  CHECK(t.file == "t.json");
  CHECK(t.device == "NVIDIA H800");
  CHECK(t.profiler_steps == 2);
  REQUIRE(t.kernels.size() == 3);
  CHECK(t.kernels[0].name == "Memcpy HtoD");  // by start time
  CHECK(t.kernels[0].start.value() == 0.0);
  CHECK(t.kernels[0].duration.value() == Approx(1.5e-6).epsilon(1e-12));
  CHECK(t.kernels[1].start.value() == Approx(50e-6).epsilon(1e-9));
  CHECK(t.kernels[1].stream == 9);
  CHECK(t.kernels[2].start.value() == Approx(950.5e-6).epsilon(1e-9));
  CHECK(t.kernels[2].duration.value() == Approx(12.25e-6).epsilon(1e-12));
  // The array form of the Trace Event Format, without metadata: no device.
  const KinetoTrace bare = read_kineto_trace(write(
      "bare.json", R"([{"ph": "X", "cat": "kernel", "name": "k", "ts": 5, "dur": 1000000, "pid": 1, "tid": 2}])"));
  REQUIRE(bare.kernels.size() == 1);
  CHECK(bare.device.empty());
  CHECK(bare.kernels[0].duration.value() == 1.0);
  CHECK(bare.kernels[0].device == 1);
  CHECK(bare.kernels[0].stream == 2);
}

TEST_CASE("trace: GEMM shapes come from the launching operator's recorded Input Dims", "[calib][trace]") {
  KinetoTraceWriter w;
  w.mm("nvjet_tst_128x256", 128, 2048, 7168, 0, 20);
  w.op("aten::linear", 77, {{4, 32, 7168}, {1536, 7168}, {1536}}, {"c10::BFloat16", "c10::BFloat16", "c10::BFloat16"});
  w.kernel("sm90_xmma_gemm_bf16bf16", 30, 10, 7, 77);
  w.op("aten::bmm", 78, {{16, 64, 512}, {16, 512, 128}}, {"c10::Half", "c10::Half"});
  w.kernel("cutlass_80_tensorop_bf16_s16816gemm", 50, 5, 7, 78);
  w.op("aten::_scaled_mm", 79, {{256, 7168}, {7168, 4096}, {}, {}},
       {"c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float"});
  w.kernel("sm90_xmma_gemm_e4m3bf16", 60, 5, 7, 79);
  w.kernel("sm90_xmma_gemm_unlinked", 70, 5);  // no operator: no shape
  const KinetoTrace t = read(w);
  REQUIRE(t.kernels.size() == 5);
  const auto work = [&](size_t i) { return gemm_work_from_shapes(t.kernels[i], hw::KernelFamily::dense_gemm); };

  REQUIRE(work(0));
  const hw::KernelWork mm = *work(0);
  CHECK(t.kernels[0].op_name == "aten::mm");
  CHECK((mm.m == 128 && mm.n == 2048 && mm.k == 7168 && mm.groups == 1));
  CHECK(mm.dtype == hw::DType::bf16);
  CHECK(mm.flops.value() == 2.0 * 128 * 2048 * 7168);
  CHECK(mm.bytes_read.value() == 2.0 * (128 * 7168 + 7168 * 2048));
  CHECK(mm.bytes_written.value() == 2.0 * 128 * 2048);

  const hw::KernelWork lin = *work(1);  // m = 4 x 32 leading rows, n = out features
  CHECK((lin.m == 128 && lin.n == 1536 && lin.k == 7168));

  const hw::KernelWork bmm = *work(2);
  CHECK((bmm.m == 64 && bmm.n == 128 && bmm.k == 512 && bmm.groups == 16));
  CHECK(bmm.dtype == hw::DType::fp16);
  CHECK(bmm.flops.value() == 16 * 2.0 * 64 * 128 * 512);
  CHECK(bmm.bytes_written.value() == 16 * 2.0 * 64 * 128);

  const hw::KernelWork fp8 = *work(3);  // as the tables count an FP8 GEMM
  const hw::KernelWork expected = fp8_gemm_work(256, 4096, 7168);
  CHECK(fp8.dtype == hw::DType::fp8);
  CHECK(fp8.flops.value() == expected.flops.value());
  CHECK(fp8.bytes_read.value() == expected.bytes_read.value());
  CHECK(fp8.bytes_written.value() == expected.bytes_written.value());

  CHECK_FALSE(work(4));
  CHECK_FALSE(gemm_work_from_shapes(t.kernels[0], hw::KernelFamily::elementwise));
  CHECK(torch_dtype("c10::Float8_e5m2") == hw::DType::fp8);
  CHECK_FALSE(torch_dtype("long int"));
}

TEST_CASE("trace: exposed communication is the communication no compute kernel covers", "[calib][trace]") {
  // Compute [0,10] [5,15] [20,30] -> busy [0,15] + [20,30] = 25 us; communication [8,22] [40,45] -> 19 us;
  // exposed: [15,20] and [40,45] = 10 us. The memcpy [30,40] is neither.
  KinetoTraceWriter w;
  w.kernel("nvjet_a", 0, 10).kernel("vectorized_elementwise_kernel", 5, 10, 8).kernel("unknown_kernel", 20, 10);
  w.kernel("void deep_ep::intranode::dispatch<8>", 8, 14, 20).kernel("deep_ep::intranode::combine", 40, 5, 20);
  w.kernel("Memcpy DtoD", 30, 10, 7, 0, "gpu_memcpy");
  const KinetoTrace t = read(w);
  const TraceSummary s = classify_trace(t, shipped_patterns());
  const TraceOverlap o = trace_overlap(s);
  CHECK(o.span.value() == Approx(45e-6));
  CHECK(o.compute_busy.value() == Approx(25e-6));
  CHECK(o.communication_busy.value() == Approx(19e-6));
  CHECK(o.exposed_communication.value() == Approx(10e-6));
  // Unclassified kernels are listed, not dropped.
  REQUIRE(s.unclassified.size() == 1);
  CHECK(s.unclassified[0].name == "unknown_kernel");
  CHECK(s.unclassified[0].count == 1);
  CHECK(s.classes.at("dispatch").total.value() == Approx(14e-6));
  CHECK(s.classes.at("memcpy").count == 1);
  // The interval helpers on their own.
  const auto u = interval_union({{3, 4}, {0, 1}, {0.5, 2}, {4, 5}});
  REQUIRE(u.size() == 2);
  CHECK((u[0].start == 0 && u[0].end == 2 && u[1].start == 3 && u[1].end == 5));
  CHECK(uncovered({{0, 10}}, {{1, 2}, {3, 4}, {9, 12}}) == Approx(7.0));
  CHECK(uncovered({{0, 10}}, {}) == 10.0);
}

TEST_CASE("trace: malformed traces are one line naming the file and the JSON path", "[calib][trace]") {
  const auto event = [](const std::string& fields) {
    return R"({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "ts": 1, "dur": 2}, {"ph": "X", "cat": "kernel", )" +
           fields + "}]}";
  };
  CHECK(error_of(write("neg.json", event(R"("name": "k", "ts": 1, "dur": -3)"))) ==
        "neg.json: traceEvents.1.dur: -3 is not a duration (0 to one day, in microseconds)");
  // Beyond the plausibility bounds the span overflowed to inf: "measured GPU time per step inf s", exit 0.
  CHECK(error_of(write("day.json", event(R"("name": "k", "ts": 1, "dur": 86400000001)"))) ==
        "day.json: traceEvents.1.dur: 86400000001 is not a duration (0 to one day, in microseconds)");
  CHECK(error_of(write("far.json", event(R"("name": "k", "ts": -1.7e308, "dur": 3)"))) ==
        "far.json: traceEvents.1.ts: -1.7e+308 is not a time (at most 1e18 microseconds)");
  CHECK(error_of(write("str.json", event(R"("name": "k", "ts": "1", "dur": 3)"))) ==
        "str.json: traceEvents.1.ts: expected a number of microseconds");
  CHECK(error_of(write("nodur.json", event(R"("name": "k", "ts": 1)"))) ==
        "nodur.json: traceEvents.1.dur: missing: a GPU event needs it (microseconds)");
  CHECK(error_of(write("noname.json", event(R"("ts": 1, "dur": 3)"))) ==
        "noname.json: traceEvents.1.name: expected the kernel's name (a string)");
  CHECK(error_of(write("stream.json", event(R"("name": "k", "ts": 1, "dur": 3, "args": {"stream": "7"})"))) ==
        "stream.json: traceEvents.1.args.stream: expected an integer");
  CHECK(error_of(write("notobj.json", R"({"traceEvents": [3]})")) ==
        "notobj.json: traceEvents.0: expected an event object");
  CHECK(error_of(write("noevents.json", R"({"schemaVersion": 1})")) ==
        "noevents.json: traceEvents: missing: not a Chrome-trace / Kineto file");
  CHECK(error_of(write("eventsobj.json", R"({"traceEvents": {}})")) ==
        "eventsobj.json: traceEvents: expected an array of events");
  CHECK(error_of(write("props.json", R"({"traceEvents": [], "deviceProperties": [{"id": 0}]})")) ==
        "props.json: deviceProperties.0.name: expected the GPU's name (a string)");
  CHECK(error_of(write("trunc.json", R"({"traceEvents": [{"ph": "X", )")).find("trunc.json: line 1: malformed JSON") !=
        std::string::npos);
  // Other events are read only for what they link to: a CPU event with odd fields is no error.
  CHECK(error_of(
            write("cpu.json", R"({"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": 3, "ts": "x"}, {"ph": "i"}]})"))
            .empty());
}

TEST_CASE("trace: shaped GEMM kernels are fitted with the tables' fit, provenance measured:<trace>@<device>",
          "[calib][trace]") {
  const hw::GpuSpec gpu = test::shipped_gpu("h800");
  hw::EfficiencyCurve truth{0.7, 0.0, 0.85, 6e-6, 3.0};
  truth.tiled = true;
  truth.k_block_floor_s = 0.11e-6;
  truth.epilogue_exposure = 0.4;
  KinetoTraceWriter w("NVIDIA H800");
  double ts = 0;
  const int64_t nk[][2] = {{2112, 7168}, {7168, 2048}, {4096, 7168}, {24576, 1536}};
  for (const auto& s : nk) {
    for (int64_t m = 16; m <= 8192; m *= 4) {
      hw::KernelWork work = fp8_gemm_work(m, s[0], s[1]);
      const double t = hw::evaluate_curve(truth, gpu, work).total.value();
      for (int run = 0; run < 3; ++run) {  // three runs of each: one row at their median
        w.op("aten::_scaled_mm", 5000 + static_cast<int64_t>(ts), {{m, s[1]}, {s[1], s[0]}, {}, {}},
             {"c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float"}, ts);
        w.kernel("void deep_gemm::fp8_gemm_kernel<GemmType::Normal>", ts, t * 1e6 * (1.0 + 0.01 * (run - 1)), 7,
                 5000 + static_cast<int64_t>(ts));
        ts += 1000;
      }
    }
  }
  w.kernel("flash_fwd_kernel", ts, 50);  // no shapes: timed, not fitted
  const KinetoTrace t = read(w, "gemms.json");
  const TraceSummary s = classify_trace(t, shipped_patterns());
  const std::string source = trace_source(t, gpu.name);
  CHECK(source == "gemms.json@NVIDIA H800");
  const CalibrationInputs rows = trace_calibration_rows(s, source, gpu);
  REQUIRE(rows.rows.size() == 20);  // 4 shapes x 5 token counts
  CHECK(rows.rows[0].measured.value() == Approx(hw::evaluate_curve(truth, gpu, rows.rows[0].work).total.value()));
  for (const CalibrationRow& r : rows.rows) CHECK(r.excluded.empty());

  const hw::Calibration base =
      hw::load_calibration(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/h800.json");
  const CalibrationFit fit = fit_trace_calibration(rows, gpu, gpu.name, source, &base);
  const hw::FamilyCalibration& dense = fit.calibration.families.at(hw::KernelFamily::dense_gemm);
  REQUIRE(dense.fit);
  CHECK(dense.fit->rows_fitted == 20);
  CHECK(dense.fit->fitted_worst_rel_error < 0.01);
  CHECK(dense.parameters.compute_efficiency_max.source.to_string() == "measured:gemms.json@NVIDIA H800");
  CHECK(dense.parameters.compute_efficiency_max.value == Approx(0.7).epsilon(0.02));
  // A family the trace cannot fit keeps the base calibration's parameters and provenance.
  const hw::FamilyCalibration& mla = fit.calibration.families.at(hw::KernelFamily::mla_decode);
  CHECK(mla.parameters.compute_efficiency_max.value ==
        base.families.at(hw::KernelFamily::mla_decode).parameters.compute_efficiency_max.value);
  // The file round-trips through the loader.
  const fs::path out = temp_dir() / "from-trace.json";
  std::ofstream(out) << hw::calibration_to_json(fit.calibration).dump(2);
  CHECK(hw::load_calibration(out).families.at(hw::KernelFamily::dense_gemm).parameters.overhead_s.value ==
        Approx(dense.parameters.overhead_s.value));
  // --rows: the rows as a measured-kernel table, which the tables' reader takes back unchanged.
  const fs::path table = temp_dir() / "h800-measured.json";
  std::ofstream(table) << trace_rows_json(rows, gpu.name, source).dump(2);
  CalibrationInputs back;
  read_measured_table(table, back, &gpu);
  REQUIRE(back.rows.size() == rows.rows.size());
  for (size_t i = 0; i < back.rows.size(); ++i) {
    CHECK(back.rows[i].measured.value() == rows.rows[i].measured.value());
    CHECK(back.rows[i].work.flops.value() == rows.rows[i].work.flops.value());
    CHECK(back.rows[i].work.m == rows.rows[i].work.m);
    CHECK(back.rows[i].excluded.empty());  // FP8 dense GEMMs: fitted there too
  }
  // Without a base, unfitted families fall back to their assumed curves.
  const CalibrationFit alone = fit_trace_calibration(rows, gpu, gpu.name, source, nullptr);
  CHECK(alone.calibration.families.at(hw::KernelFamily::mla_decode).parameters.compute_efficiency_max.source.kind ==
        SourceKind::assumed);
}

TEST_CASE("trace: a family with fewer shaped rows than free parameters is not fitted, and says why", "[calib][trace]") {
  KinetoTraceWriter w;
  w.mm("nvjet_a", 128, 2048, 7168, 0, 20)
      .mm("nvjet_a", 128, 2048, 7168, 100, 22)
      .mm("nvjet_a", 256, 2048, 7168, 200, 30);
  const KinetoTrace t = read(w);
  const CalibrationInputs rows =
      trace_calibration_rows(classify_trace(t, shipped_patterns()), "t.json@x", test::shipped_gpu("h800"));
  REQUIRE(rows.rows.size() == 2);  // two shapes; the first at the median of 20 and 22 us
  CHECK(rows.rows[0].measured.value() == Approx(21e-6));
  CHECK(rows.rows[0].excluded == "2 shaped rows of dense_gemm, fewer than the 6 free parameters of its fit");
  const CalibrationFit fit = fit_trace_calibration(rows, test::shipped_gpu("h800"), "x", "t.json@x", nullptr);
  CHECK_FALSE(fit.calibration.families.at(hw::KernelFamily::dense_gemm).fit);
}

TEST_CASE("trace: compare-trace's report, per family, per step, with exposed communication", "[calib][trace]") {
  // Two steps of: GEMM 0-40 us, dispatch 30-50 us (10 us exposed), elementwise 50-60 us, NCCL 60-70 us (exposed).
  KinetoTraceWriter w;
  for (int step = 0; step < 2; ++step) {
    const double o = 100.0 * step;
    w.step(step, o, 100);
    w.kernel("nvjet_gemm", o, 40).kernel("deep_ep::intranode::dispatch", o + 30, 20, 20);
    w.kernel("vectorized_elementwise_kernel", o + 50, 10).kernel("ncclDevKernel_AllReduce", o + 60, 10, 21);
  }
  const KinetoTrace t = read(w, "two-steps.json");
  REQUIRE(t.profiler_steps == 2);
  const TraceSummary s = classify_trace(t, shipped_patterns());
  PredictedStep p;
  p.scenario = "unit";
  p.step_s = 80e-6, p.compute_s = 50e-6, p.communication_s = 30e-6, p.exposed_communication_s = 15e-6;
  p.rows = {{"dense_gemm", "kernel", 50e-6, 50e-6},
            {"dispatch", "communication", 20e-6, 5e-6},
            {"tp_collectives", "communication", 10e-6, 10e-6},
            {"overhead", "overhead", 15e-6, 15e-6}};
  const Report r = trace_comparison_report(t, s, p, 2);
  check_report(r);
  const nlohmann::json& d = r.data;
  CHECK(d["measured"]["step_s"].get<double>() == Approx(85e-6));                   // span 170 us over 2 steps
  CHECK(d["measured"]["exposed_communication_s"].get<double>() == Approx(20e-6));  // 10 + 10 per step
  CHECK(d["measured"]["compute_s"].get<double>() == Approx(50e-6));
  CHECK(d["ratio"]["exposed_communication"].get<double>() == Approx(0.75));
  const auto row = [&](const std::string& name) {
    for (const auto& f : d["families"]) {
      if (f["name"] == name) return f;
    }
    FAIL("no row " << name);
    return nlohmann::json();
  };
  CHECK(row("dense_gemm")["measured_s"].get<double>() == Approx(40e-6));
  CHECK(row("dense_gemm")["predicted_over_measured"].get<double>() == Approx(1.25));
  CHECK(row("collective")["predicted_s"].get<double>() == Approx(10e-6));
  CHECK(row("collective")["note"] == "compared with tp_collectives");
  CHECK(row("elementwise")["note"] == "not in the prediction");
  CHECK(row("overhead")["measured_s"].get<double>() == 0.0);
  CHECK(row("overhead")["predicted_over_measured"].is_null());  // not in the trace: no ratio, not 0
  CHECK(row("elementwise")["predicted_over_measured"].is_null());
  // Timelines: the first step measured (4 kernels), the prediction laid out (2 compute, 2 communication);
  // predicted communication overlaps compute by communication - exposed = 15 us.
  int measured = 0, predicted = 0;
  double comm_start = -1;
  for (const auto& slice : d["timeline"]) {
    (slice["process"] == 0 ? measured : predicted) += 1;
    if (slice["lane"] == "predicted: communication" && comm_start < 0) comm_start = slice["start_s"].get<double>();
  }
  CHECK(measured == 4);
  CHECK(predicted == 4);
  CHECK(comm_start == Approx(65e-6 - 15e-6));
}

// A real trace, trimmed: calib/profile_moe_layer.py --device cpu under Debian's torch 1.13 (built without
// Kineto, so its legacy exporter: the array form, "pid": "CPU functions" strings, no "cat", empty args even
// with record_shapes). It reads without error, holds no GPU event, and counts its profiler steps.
TEST_CASE("trace: a real CPU-only torch 1.13 trace reads as no GPU events, its steps counted", "[calib][trace]") {
  const KinetoTrace t = read_kineto_trace(std::string(FATHOM_SOURCE_DIR) + "/tests/calib/trace-torch1.13-cpu.json");
  CHECK(t.kernels.empty());
  CHECK(t.events == 25);
  CHECK(t.profiler_steps == 2);
  CHECK(t.device.empty());
}
