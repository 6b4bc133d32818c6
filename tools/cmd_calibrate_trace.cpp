// `fathom calibrate trace <trace.json>`: a calibration from a PyTorch profiler (Kineto) trace — every GPU
// kernel classified into fathom's kernel families and communication phases by name, time per class,
// unclassified kernels listed, and the kernels whose operators recorded their shapes fitted with the
// tables' fit (docs/calibration-traces.md).

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calib/trace/trace_calibration.h"
#include "hw/calibration_match.h"
#include "sim/error.h"
#include "sim/strict_json.h"
#include "tools/calibrate_common.h"
#include "tools/commands.h"
#include "tools/trace_input.h"

namespace fathom::tools {
namespace {

struct TraceOptions {
  std::string trace;
  std::string gpu;
  std::string out;
  std::string rows;
  std::string base;
  std::vector<std::string> patterns;
  bool json = false;
};

// The GPU the trace ran on: --gpu, checked against the trace's device, or the shipped file of that device.
hw::GpuSpec trace_gpu(const TraceOptions& o, const calib::KinetoTrace& trace) {
  std::string file = o.gpu;
  if (file.empty()) {
    if (trace.device.empty()) {
      throw InputError(fmt::format(
          "{}: deviceProperties: the trace names no GPU; pass --gpu scenarios/hw/gpus/<gpu>.json", trace.file));
    }
    file = shipped_gpu_file(trace.device);
    if (file.empty()) {
      throw InputError(fmt::format("{}: deviceProperties.0.name: no shipped GPU file for \"{}\"; pass --gpu <gpu file>",
                                   trace.file, printable(trace.device)));
    }
  }
  hw::GpuSpec gpu = load_gpu(file);
  if (!trace.device.empty() && hw::gpu_model_key(trace.device) != hw::gpu_model_key(gpu.name)) {
    throw InputError(
        fmt::format("{}: deviceProperties.0.name: traced on \"{}\", but --gpu is \"{}\": fit a GPU's "
                    "timings with that GPU's file",
                    trace.file, printable(trace.device), gpu.name));
  }
  return gpu;
}

nlohmann::json totals_json(const std::vector<calib::TraceTotal>& totals) {
  nlohmann::json out = nlohmann::json::array();
  for (const calib::TraceTotal& t : totals) {
    out.push_back({{"name", t.name}, {"kernels", t.count}, {"total_s", t.total.value()}});
  }
  return out;
}

void print_classes(const calib::KinetoTrace& trace, const calib::TraceSummary& s) {
  double all = 0;
  for (const auto& [name, t] : s.classes) all += t.total.value();
  for (const auto& t : s.unclassified) all += t.total.value();
  fmt::print("{}: {} GPU events on {} ({} GPU{}), {} profiler steps\n", trace.file, trace.kernels.size(),
             trace.device.empty() ? "an unnamed device" : trace.device, s.devices, s.devices == 1 ? "" : "s",
             trace.profiler_steps);
  fmt::print("{:<26} {:>8} {:>12} {:>7}\n", "class", "kernels", "total (ms)", "share");
  for (const auto& [name, t] : s.classes) {
    fmt::print("{:<26} {:>8} {:>12.3f} {:>6.1f}%\n", name, t.count, t.total.value() * 1e3,
               all > 0 ? 100 * t.total.value() / all : 0.0);
  }
  int64_t count = 0;
  double total = 0;
  for (const auto& t : s.unclassified) count += t.count, total += t.total.value();
  fmt::print("{:<26} {:>8} {:>12.3f} {:>6.1f}%\n", "unclassified", count, total * 1e3,
             all > 0 ? 100 * total / all : 0.0);
  for (const auto& t : s.unclassified) {
    fmt::print("    {:>6} x {:>10.3f} ms  {}\n", t.count, t.total.value() * 1e3, printable(t.name, 120));
  }
}

void run_trace(const TraceOptions& o) {
  const calib::TracePatterns patterns = load_trace_patterns(o.patterns);
  const calib::KinetoTrace trace = read_gpu_trace(o.trace);
  const calib::TraceSummary summary = calib::classify_trace(trace, patterns);
  const hw::GpuSpec gpu = trace_gpu(o, trace);
  const std::string device = trace.device.empty() ? gpu.name : trace.device;
  const std::string source = calib::trace_source(trace, device);
  const calib::CalibrationInputs rows = calib::trace_calibration_rows(summary, source, gpu);
  std::optional<hw::Calibration> base;
  if (!o.base.empty()) base = hw::load_calibration(o.base);
  const calib::CalibrationFit fit = calib::fit_trace_calibration(rows, gpu, device, source, base ? &*base : nullptr);
  const nlohmann::json file = hw::calibration_to_json(fit.calibration);
  if (!o.out.empty()) {
    std::ofstream out(o.out);
    if (!out) throw InputError(fmt::format("--out {}: cannot write the file", o.out));
    out << file.dump(2) << "\n";
  }
  if (!o.rows.empty()) {
    std::ofstream out(o.rows);
    if (!out) throw InputError(fmt::format("--rows {}: cannot write the file", o.rows));
    out << calib::trace_rows_json(rows, device, source).dump(2) << "\n";
  }
  if (o.json) {
    std::vector<calib::TraceTotal> classes;
    for (const auto& [name, t] : summary.classes) classes.push_back(t);
    fmt::print("{}\n", nlohmann::json{{"trace", trace.file},
                                      {"device", device},
                                      {"classes", totals_json(classes)},
                                      {"unclassified", totals_json(summary.unclassified)},
                                      {"calibration", file},
                                      {"rows", fit_rows_json(fit)}}
                           .dump(2));
    return;
  }
  print_classes(trace, summary);
  int64_t used = 0;
  for (const auto& r : rows.rows) used += r.excluded.empty();
  fmt::print("\nshaped kernels: {} rows ({} fitted) from operators with recorded shapes; the fit:\n", rows.rows.size(),
             used);
  for (const auto& r : rows.rows) {
    if (!r.excluded.empty()) fmt::print("    not fitted: {}: {}\n", r.label, r.excluded);
  }
  if (base) fmt::print("families the trace does not fit keep --base's parameters (and show its fit below)\n");
  print_fit_text(fit);
  if (!o.out.empty()) fmt::print("wrote {}\n", o.out);
  if (!o.rows.empty()) fmt::print("wrote {}\n", o.rows);
}

}  // namespace

void add_trace_subcommand(CLI::App& calibrate) {
  auto o = std::make_shared<TraceOptions>();
  CLI::App* cmd = calibrate.add_subcommand(
      "trace", "A calibration from a PyTorch profiler (Kineto) trace: kernels by family, shaped GEMMs fitted");
  cmd->add_option("trace", o->trace, "Chrome-trace JSON written by torch.profiler (export_chrome_trace)")->required();
  cmd->add_option("--gpu", o->gpu, "GPU file (default: the shipped file of the trace's deviceProperties name)");
  cmd->add_option("--out", o->out, "calibration file to write");
  cmd->add_option("--rows", o->rows,
                  "also write the shaped kernels as a measured-kernel table (name it <gpu>-measured.json to fit it "
                  "with `calibrate fit --tables`)");
  cmd->add_option("--base", o->base,
                  "calibration whose parameters the families the trace cannot fit keep (else their assumed curves)");
  cmd->add_option("--patterns", o->patterns, "more kernel-name patterns (tried before the shipped ones; repeatable)");
  cmd->add_flag("--json", o->json, "print the classes, the calibration and every row's prediction as JSON");
  cmd->callback([o] { run_trace(*o); });
}

}  // namespace fathom::tools
