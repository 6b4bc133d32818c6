// `fathom calibrate`: how the kernel cost model is calibrated, and `calibrate fit`, which fits a
// calibration file (scenarios/calibration/<gpu>.json) to measured and published kernel tables.

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calib/fit/calibrate.h"
#include "calib/fit/calibration_tables.h"
#include "hw/gpu_spec.h"
#include "hw/kernel_family_registry.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "tools/calibrate_common.h"
#include "tools/commands.h"

namespace fathom::tools {
namespace {

constexpr const char* kHowItWorks = R"(fathom calibrate: how the kernel cost model gets its numbers

  time(op) = smoothmax(t_c, bytes / (hbm_bw * e_mem)) + overhead
  GEMMs:  t_c = waves * (k_blocks * max(step at e_max of the SM's peak, k_block_floor)
                         + epilogue_exposure * tile store), tiles chosen as DeepGEMM does
  others: t_c = flops / (peak[dtype] * e_max * s / (s + s_half)), s = seq_kv or seq_q

Each kernel family (fathom list) has its own parameters in a calibration file,
scenarios/calibration/<gpu>.json, and every number there says where it came from: measured (fitted
to kernel timings), published (a row of published-figures.md) or assumed.

  fathom calibrate fit --tables <dir-or-csv>... --gpu scenarios/hw/gpus/<gpu>.json --out <file> [--json]
      Least-squares fit in log time of each family to every row of the tables; the held-out error
      leaves each shape family (GEMM n x k, MLA batch, prefill length) out in turn and predicts it
      from a fit to the rest. The shipped H800 file comes from:
        fathom calibrate fit --tables scenarios/calibration/h800-infersim \
          scenarios/calibration/h800-published-kernels.csv --gpu scenarios/hw/gpus/h800.json \
          --out scenarios/calibration/h800.json

Measuring on a GPU: calib/run-on-gpu.sh builds calib/kernels standalone (CUDA and CMake only),
runs the micro-benchmarks (FP8/BF16 GEMM, grouped GEMM, MLA decode, EP permute, HBM copy, NCCL)
and writes scenarios/calibration/<gpu>-measured.json; fit it with
        fathom calibrate fit --tables scenarios/calibration/h100-measured.json \
          --gpu scenarios/hw/gpus/h100.json --out scenarios/calibration/h100.json

From your own profiler traces (torch.profiler, Chrome-trace JSON; docs/calibration-traces.md):
        fathom calibrate trace <trace.json> [--gpu <gpu file>] [--base <calibration>] --out <file>
        fathom compare-trace <trace.json> <unit scenario> [--report DIR]
See docs/calibration.md, docs/calibration-gpu.md and docs/calibration-traces.md.
)";

struct FitOptions {
  std::vector<std::string> tables;
  std::string gpu;
  std::string out;
  bool json = false;
};

}  // namespace

hw::GpuSpec load_gpu(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw InputError(fmt::format("--gpu {}: GPU file not found (looked in {}; shipped GPUs are in scenarios/hw/gpus/)",
                                 printable(file, 200),
                                 printable(std::filesystem::absolute(file, ec).lexically_normal().string(), 200)));
  }
  const ScenarioDocument doc = load_scenario(file);
  return hw::read_gpu_spec(SpecReader(doc.root, doc.label, ""));
}

void print_fit_text(const calib::CalibrationFit& fit) {
  fmt::print("{:<24} {:>5} {:>5} {:>4}  {:>15}  {:>15}  {:>6} {:>8} {:>6} {:>8} {:>5} {:>8} {:>5}\n", "family", "fit",
             "held", "excl", "fitted med/max", "held med/max", "e_max", "s_half", "e_mem", "overhead", "p", "floor",
             "expo");
  for (const auto& [family, fc] : fit.calibration.families) {
    const hw::FamilyParameters& p = fc.parameters;
    std::string counts = fmt::format("{:>5} {:>5} {:>4}", "-", "-", "-");
    std::string errors = fmt::format("{:>15}  {:>15}", "assumed", "");
    if (fc.fit) {
      const hw::FitStatistics& s = *fc.fit;
      counts = fmt::format("{:>5} {:>5} {:>4}", s.rows_fitted, s.rows_held_out, s.rows_excluded);
      errors = fmt::format("{:>6.1f}% {:>6.1f}%  {:>6.1f}% {:>6.1f}%", 100 * s.fitted_median_rel_error,
                           100 * s.fitted_worst_rel_error, 100 * s.held_out_median_rel_error,
                           100 * s.held_out_worst_rel_error);
    }
    const std::string tiled =
        p.k_block_floor_s && p.epilogue_exposure
            ? fmt::format(" {:>6.3f}us {:>5.2f}", p.k_block_floor_s->value * 1e6, p.epilogue_exposure->value)
            : "";
    fmt::print("{:<24} {}  {}  {:>6.3f} {:>8.1f} {:>6.3f} {:>6.2f}us {:>5.2f}{}\n", hw::to_string(family), counts,
               errors, p.compute_efficiency_max.value, p.compute_half_shape.value, p.memory_efficiency.value,
               p.overhead_s.value * 1e6, p.roofline_sharpness.value, tiled);
    if (fc.fit) {
      for (const hw::ShapeError& e : fc.fit->held_out_shapes) {
        fmt::print("    held out {:<34} {:>3} rows  median {:>5.1f}%  worst {:>5.1f}%\n", e.shape, e.rows,
                   100 * e.median_rel_error, 100 * e.worst_rel_error);
      }
      for (const std::string& note : fc.fit->notes) fmt::print("    {}\n", note);
    }
  }
}

nlohmann::json fit_rows_json(const calib::CalibrationFit& fit) {
  nlohmann::json rows = nlohmann::json::array();
  for (const calib::RowResult& r : fit.rows) {
    rows.push_back({{"label", r.label},
                    {"family", std::string(hw::to_string(r.family))},
                    {"measured_us", r.measured.value() * 1e6},
                    {"predicted_us", r.predicted.value() * 1e6},
                    {"rel_error", (r.predicted.value() - r.measured.value()) / r.measured.value()},
                    {"held_out_predicted_us", r.held_out_predicted.value() * 1e6},
                    {"excluded", r.excluded}});
  }
  return rows;
}

namespace {

void run_fit(const FitOptions& o) {
  const hw::GpuSpec gpu = load_gpu(o.gpu);
  std::vector<std::filesystem::path> paths(o.tables.begin(), o.tables.end());
  const calib::CalibrationInputs inputs = calib::read_calibration_tables(paths, gpu);
  const calib::CalibrationFit fit = calib::fit_calibration(inputs, gpu, gpu.name);
  const nlohmann::json file = hw::calibration_to_json(fit.calibration);
  if (!o.out.empty()) {
    std::ofstream out(o.out);
    if (!out) throw InputError(fmt::format("--out {}: cannot write the file", o.out));
    out << file.dump(2) << "\n";
  }
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"calibration", file}, {"rows", fit_rows_json(fit)}}.dump(2));
  } else {
    print_fit_text(fit);
    if (!o.out.empty()) fmt::print("wrote {}\n", o.out);
  }
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("calibrate", "Calibrate the kernel cost model (prints how, without a subcommand)");
  cmd->require_subcommand(0, 1);
  cmd->callback([cmd] {
    if (cmd->get_subcommands().empty()) fmt::print("{}", kHowItWorks);
  });
  auto opts = std::make_shared<FitOptions>();
  CLI::App* fit = cmd->add_subcommand("fit", "Fit a calibration file to kernel timing tables (CPU only)");
  fit->add_option("--tables", opts->tables,
                  "calibration tables: CSV files, directories of them, or <gpu>-measured.json files")
      ->required()
      ->expected(1, -1);
  fit->add_option("--gpu", opts->gpu, "GPU file, e.g. scenarios/hw/gpus/h800.json")->required();
  fit->add_option("--out", opts->out, "calibration file to write, e.g. scenarios/calibration/h800.json");
  fit->add_flag("--json", opts->json, "print the calibration and every row's prediction as JSON");
  fit->callback([opts] { run_fit(*opts); });
  add_validate_subcommand(*cmd);
  add_trace_subcommand(*cmd);
}

}  // namespace fathom::tools
