// libFuzzer harness over the user files that are not scenarios: PyTorch profiler (Kineto) traces and claims
// files (docs/architecture.md, "Robustness"). Built with -DFATHOM_FUZZ=ON (clang, ASan + UBSan); run with
// tools/fuzz.sh beside the scenario harness.
//
// Input: a first line naming the reader, then the file's bytes:
//  - "claims\n<claims file>": `fathom verify` reads it (read_claims, every claim's scenario loaded with its
//    `set` overrides and validated, as verify does before it runs anything); the whole verify runs
//    in-process when every claim's scenario is cheap (a unit scenario or a memory scenario), else each claim's
//    metric is evaluated against a unit report computed once at start and judged;
//  - anything else ("trace\n<trace>"): `fathom calibrate trace <trace> --json --out ... --rows ...` in-process
//    (the GPU from the trace's deviceProperties, as without --gpu); the calibration it wrote must load back;
//    and `compare-trace`'s comparison of the trace with that same unit report (the prediction is computed once:
//    it does not depend on the trace).
// The file is written into a scratch folder; a claim's scenario path resolves from there and from the
// scenario library (scenarios/), so "unit/..." names the shipped unit scenarios.
//
// Contract (what counts as a finding): every input either succeeds or throws fathom::InputError (the CLI's
// one-line error, exit 2). Any other exception escapes and aborts; so does a calibration that calibrate trace
// wrote but cannot read back; a crash, a sanitizer report, a leak or a timeout is a finding too.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_compare.h"
#include "hw/calibration.h"
#include "reports/formats.h"
#include "sim/claim_metric.h"
#include "sim/claims.h"
#include "sim/claims_report.h"
#include "sim/error.h"
#include "sim/report.h"
#include "sim/scenario_document.h"
#include "tools/build_info.h"
#include "tools/claim_runner.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/trace_input.h"

namespace {

namespace fs = std::filesystem;
using namespace fathom;

fs::path scratch;  // set once by LLVMFuzzerInitialize

// The unit report both readers are checked against: its data for claims' metrics, its step for compare-trace.
struct Prediction {
  Report report;
  calib::PredictedStep step;
};
const Prediction* prediction = nullptr;

Prediction predict() {
  const fs::path unit = fs::path(FATHOM_SOURCE_DIR) / "scenarios" / "unit" / "deepseek-v3-decode-ep128-h800.json";
  Prediction p{.report = tools::unit_report_of(load_scenario(unit), tools::RunOptions{}), .step = {}};
  const nlohmann::json& d = p.report.data;
  p.step.scenario = p.report.title;
  p.step.step_s = d.at("step_s").get<double>();
  p.step.compute_s = d.at("compute_s").get<double>();
  p.step.communication_s = d.at("communication_s").get<double>();
  p.step.exposed_communication_s = d.at("exposed_communication_s").get<double>();
  for (const nlohmann::json& row : d.at("breakdown")) {
    p.step.rows.push_back({row.at("name").get<std::string>(), row.at("kind").get<std::string>(),
                           row.at("time_s").get<double>(), row.at("exposed_s").get<double>()});
  }
  return p;
}

void run_cli(std::vector<std::string> args) {
  CLI::App app{"fathom (fuzz)"};
  app.require_subcommand(1);
  tools::add_calibrate_command(app);
  args.insert(args.begin(), "fathom");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

void check_trace(const fs::path& file) {
  // compare-trace first: it needs no GPU file, so a trace calibrate refuses for its device still gets here.
  const calib::TracePatterns patterns = tools::load_trace_patterns({});
  const calib::KinetoTrace trace = tools::read_gpu_trace(file.string());
  const calib::TraceSummary summary = calib::classify_trace(trace, patterns);
  const double steps = trace.profiler_steps > 0 ? static_cast<double>(trace.profiler_steps) : 1.0;
  const Report rep = calib::trace_comparison_report(trace, summary, prediction->step, steps);
  check_report(rep);
  (void)reports::render(rep, "json");
  (void)reports::render(rep, "text");
  const fs::path out = scratch / "calibration.json", rows = scratch / "rows.json";
  fs::remove(out);
  run_cli({"calibrate", "trace", file.string(), "--json", "--out", out.string(), "--rows", rows.string()});
  try {
    (void)hw::load_calibration(out);
  } catch (const InputError& e) {
    std::fprintf(stderr, "calibrate trace wrote a calibration it cannot read back: %s\n", e.what());
    std::abort();
  }
}

// Whether running the claim's scenario is cheap enough for every execution: a unit or a memory scenario.
bool cheap(const ScenarioDocument& doc, const Claim& c) {
  const std::optional<std::string> kind = doc.kind();
  return c.report == "memory" || !kind || *kind == "unit";
}

void check_claims(const fs::path& file) {
  const ClaimsFile claims = read_claims(file, tools::scenario_library());
  bool all_cheap = true;
  for (const Claim& c : claims.claims) {
    const ScenarioDocument doc =
        c.scenario_file.empty()
            ? scenario_from_json(c.scenario_inline, "(inline)", claims.file, c.sets, tools::scenario_library())
            : load_scenario(c.scenario_file, c.sets, tools::scenario_library());
    all_cheap = all_cheap && cheap(doc, c);
    // What verify checks before it runs anything (tools/claim_runner.cpp, prepare).
    const std::optional<std::string> kind = doc.kind();
    const auto make = c.report == "memory" || !kind
                          ? &tools::memory_report_of
                          : tools::run_kind_registry().get(*kind, doc.label + ": kind").make.report;
    (void)make(doc, tools::RunOptions{.validate_only = true});
  }
  if (all_cheap) {
    const std::vector<ClaimOutcome> outcomes = tools::run_claims(claims, {.bands = 0, .seed = 1, .threads = 1});
    const Report rep = verify_report(claims.name, outcomes, 0, 1);
    check_report(rep);
    (void)reports::render(rep, "json");
    (void)reports::render(rep, "text");
    return;
  }
  for (const Claim& c : claims.claims) {
    const MetricValue v = evaluate_metric(c.metric, prediction->report.data);
    if (!v.ok) continue;
    const std::string unit = "s";
    (void)judge_claim(c, metric_unit_for(c, &unit), v.value, std::nullopt);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* base =
      fs::is_directory("/dev/shm") ? "/dev/shm/fathom_input_fuzz_XXXXXX" : "/tmp/fathom_input_fuzz_XXXXXX";
  std::string dir = base;
  if (!mkdtemp(dir.data())) return 1;
  scratch = dir;
  static const Prediction p = predict();
  prediction = &p;
  // Reports go to stdout; libFuzzer writes to stderr.
  const int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string reader = input.substr(0, eol);
  const std::string body = eol == std::string::npos ? "" : input.substr(eol + 1);
  const fs::path file = scratch / (reader == "claims" ? "claims.json" : "trace.json");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << body;
  }
  try {
    if (reader == "claims") {
      check_claims(file);
    } else {
      check_trace(file);
    }
  } catch (const InputError&) {
    // A clean refusal: the CLI prints it as one line and exits 2.
  } catch (const CLI::ParseError&) {
    // A command-line error: main() reports it, not a crash.
  }
  return 0;
}
