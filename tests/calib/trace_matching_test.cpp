// Kernel-name matching that cannot blow up (calib/trace/trace_patterns.h, docs/calibration-traces.md
// "Matching"): names of any length classify without a crash, on their first kMatchedNameChars characters;
// catastrophic-backtracking patterns run in linear time; back-references and lookaheads are refused when read;
// classify_trace matches each distinct name once and counts every event.

#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_classify.h"
#include "calib/trace/trace_patterns.h"
#include "sim/error.h"
#include "support/kineto_trace_writer.h"

using namespace fathom;
using namespace fathom::calib;
using fathom::test::KinetoTraceWriter;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fathom-trace-matching-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

TracePatterns shipped_patterns() {
  TracePatterns p;
  p.read(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/trace-patterns.json");
  return p;
}

TracePatterns user_patterns(const std::string& patterns_json) {
  const fs::path file = temp_file("mine.json");
  std::ofstream(file) << R"({"format": "fathom-trace-patterns/1", "patterns": )" << patterns_json << "}";
  TracePatterns p;
  p.read(file);
  return p;
}

std::string class_of(const TracePatterns& p, const std::string& name) {
  const TracePattern* m = p.match(name);
  return m ? m->cls.name : "unclassified";
}

std::string read_error(const std::string& patterns_json) {
  try {
    user_patterns(patterns_json);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("trace matching: a 1M-character kernel name classifies on its first 4,096 characters", "[calib][trace]") {
  const TracePatterns p = shipped_patterns();
  // The default (backtracking) mode overflowed the stack on `deep_ep::.*[Cc]ombine` and `cutlass.*gemm` from
  // ~100k characters on.
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(class_of(p, "deep_ep::" + std::string(1000000, 'x')) == "unclassified");
  CHECK(class_of(p, "cutlass" + std::string(1000000, 'x')) == "unclassified");
  CHECK(seconds_since(t0) < 5.0);  // ~20 ms each at -O3 (the cut), under a second under the sanitizers
  // What decides the class lies in the matched prefix: found there, ignored beyond it.
  CHECK(class_of(p, "deep_ep::" + std::string(3000, 'x') + "combine" + std::string(1000000, 'x')) == "combine");
  CHECK(class_of(p, std::string(kMatchedNameChars, 'x') + "_gemm_") == "unclassified");
  CHECK(class_of(p, std::string(kMatchedNameChars - 6, 'x') + "_gemm_") == "dense_gemm");
  // `$` does not match at the cut, only at a name's real end.
  const TracePatterns tail = user_patterns(R"([{"match": "x$", "class": "elementwise"}])");
  CHECK(class_of(tail, std::string(kMatchedNameChars, 'x')) == "elementwise");
  CHECK(class_of(tail, std::string(kMatchedNameChars + 1, 'x')) == "unclassified");
}

TEST_CASE("trace matching: nested quantifiers run in linear time", "[calib][trace]") {
  // (a+)+b on 28 a's took 84 s in the default mode (exponential: x4 per two characters).
  const TracePatterns p = user_patterns(R"([{"match": "(a+)+b", "class": "dense_gemm"},
                                            {"match": "(x|x)*y", "class": "dense_gemm"}])");
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(class_of(p, std::string(30, 'a')) == "unclassified");
  CHECK(class_of(p, std::string(kMatchedNameChars, 'a')) == "unclassified");
  CHECK(class_of(p, std::string(kMatchedNameChars, 'x')) == "unclassified");
  CHECK(class_of(p, std::string(30, 'a') + "b") == "dense_gemm");
  CHECK(seconds_since(t0) < 5.0);
  // Anchors keep their meaning in the one-pass form.
  const TracePatterns anchored = user_patterns(R"([{"match": "^nccl", "class": "collective"}])");
  CHECK(class_of(anchored, "ncclDevKernel_AllReduce") == "collective");
  CHECK(class_of(anchored, "my_ncclDevKernel") == "unclassified");
}

TEST_CASE("trace matching: back-references and lookaheads are refused when read", "[calib][trace]") {
  CHECK(read_error(R"([{"match": "(ab)\\1", "class": "dense_gemm"}])") ==
        "mine.json: patterns.0.match: \"(ab)\\1\" uses a back-reference (\\1 ...), which cannot be matched in "
        "linear time");
  CHECK(read_error(R"j([{"match": "gemm(?!_bwd)", "class": "dense_gemm"}])j") ==
        "mine.json: patterns.0.match: \"gemm(?!_bwd)\" uses a lookahead ((?!), which makes matching quadratic in a "
        "kernel name's length; match the text itself instead");
  CHECK(read_error(R"j([{"match": "(?=x)", "class": "dense_gemm"}])j").find("uses a lookahead ((?=)") !=
        std::string::npos);
  // Not lookaheads: inside a character class, or an escaped parenthesis.
  CHECK(read_error(R"([{"match": "[(?=]x", "class": "dense_gemm"}])").empty());
  CHECK(read_error(R"([{"match": "\\(?=x", "class": "dense_gemm"}])").empty());
  // Still refused: what is not a regular expression on its own, though valid inside the one-pass wrapper.
  CHECK(read_error(R"([{"match": "a)(b", "class": "dense_gemm"}])").find("is not a regular expression") !=
        std::string::npos);
  CHECK(read_error(R"([{"match": "(a{300}){400}", "class": "dense_gemm"}])").find("is too large") != std::string::npos);
}

TEST_CASE("trace matching: classify_trace matches each name once and counts every event", "[calib][trace]") {
  KinetoTraceWriter w("NVIDIA H800");
  const std::string gemm = "void cutlass::Kernel2<cutlass_80_tensorop_s16816gemm_" + std::string(3000, 't') + ">";
  const std::string hostile = "deep_ep::" + std::string(200000, 'x');
  for (int i = 0; i < 300; ++i) {
    w.kernel(gemm, 10.0 * i, 2.0);
    w.kernel(hostile, 10.0 * i + 3, 1.0);
    w.kernel("ncclDevKernel_AllReduce_Sum_bf16_RING_LL", 10.0 * i + 5, 1.0, 30);
  }
  const fs::path file = temp_file("long-names.json");
  w.write(file);
  const KinetoTrace trace = read_kineto_trace(file);
  const TraceSummary s = classify_trace(trace, shipped_patterns());
  REQUIRE(s.kernels.size() == 900);
  CHECK(s.classes.at("dense_gemm").count == 300);
  CHECK(s.classes.at("collective").count == 300);
  REQUIRE(s.unclassified.size() == 1);
  CHECK(s.unclassified[0].name == hostile);
  CHECK(s.unclassified[0].count == 300);
  CHECK(s.unclassified[0].total.value() == Approx(300e-6));
}
