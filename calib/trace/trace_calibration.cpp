#include "calib/trace/trace_calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "calib/fit/calibration_tables.h"
#include "calib/fit/family_defaults.h"
#include "calib/fit/kernel_shapes.h"
#include "calib/trace/trace_shapes.h"

namespace fathom::calib {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

void set_source(hw::CalibratedValue& v, const Provenance& p) {
  if (v.source.kind == SourceKind::measured) v.source = p;
}

}  // namespace

std::string trace_source(const KinetoTrace& trace, const std::string& device) {
  return trace.file + "@" + (trace.device.empty() ? device : trace.device);
}

CalibrationInputs trace_calibration_rows(const TraceSummary& summary, const std::string& source,
                                         const hw::GpuSpec& gpu) {
  struct Group {
    hw::KernelWork work;
    std::string kernel, op;
    std::vector<double> durations;
  };
  // Keyed by family, kernel name and shape, in order of first appearance.
  std::map<std::tuple<int, std::string, std::string, int64_t>, size_t> index;
  std::vector<Group> groups;
  for (const ClassifiedKernel& c : summary.kernels) {
    if (!c.cls || !c.cls->family) continue;
    const std::optional<hw::KernelWork> w = gemm_work_from_shapes(*c.kernel, *c.cls->family);
    if (!w) continue;
    const auto key = std::make_tuple(static_cast<int>(w->family), c.kernel->name, shape_family(*w), w->m);
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back({*w, c.kernel->name, c.kernel->op_name, {}});
    groups[it->second].durations.push_back(c.kernel->duration.value());
  }
  CalibrationInputs out;
  out.tables.push_back(source);
  std::map<hw::KernelFamily, int64_t> per_family;
  for (const Group& g : groups) {
    CalibrationRow row;
    row.work = g.work;
    row.measured = Seconds(median(g.durations));
    row.table = source;
    row.index = std::ssize(out.rows);
    row.label =
        fmt::format("{}#{} {} {} m={} n={} k={} groups={} ({} runs)", source, row.index, g.op,
                    hw::to_string(g.work.dtype), g.work.m, g.work.n, g.work.k, g.work.groups, g.durations.size());
    exclude_impossible(row, gpu);
    if (row.excluded.empty()) ++per_family[g.work.family];
    out.rows.push_back(std::move(row));
  }
  for (CalibrationRow& r : out.rows) {
    const int free = default_fit_config(r.work.family).free.count();
    if (r.excluded.empty() && per_family[r.work.family] < free) {
      r.excluded = fmt::format("{} shaped rows of {}, fewer than the {} free parameters of its fit",
                               per_family[r.work.family], hw::to_string(r.work.family), free);
    }
  }
  return out;
}

CalibrationFit fit_trace_calibration(const CalibrationInputs& rows, const hw::GpuSpec& gpu, const std::string& device,
                                     const std::string& source, const hw::Calibration* base) {
  CalibrationFit fit = fit_calibration(rows, gpu, device);
  fit.calibration.method =
      "fit: fathom calibrate trace (kernel durations of a profiler trace, least squares in log time; "
      "docs/calibration-traces.md)";
  const Provenance measured{SourceKind::measured, source};
  for (auto& [family, fc] : fit.calibration.families) {
    if (fc.fit && fc.fit->rows_fitted > 0) {
      hw::FamilyParameters& p = fc.parameters;
      for (hw::CalibratedValue* v : {&p.compute_efficiency_max, &p.compute_half_shape, &p.memory_efficiency,
                                     &p.overhead_s, &p.roofline_sharpness}) {
        set_source(*v, measured);
      }
      if (p.k_block_floor_s) set_source(*p.k_block_floor_s, measured);
      if (p.epilogue_exposure) set_source(*p.epilogue_exposure, measured);
      continue;
    }
    if (base && base->families.count(family)) {
      std::optional<hw::FitStatistics> stats = std::move(fc.fit);  // the trace's excluded rows, if any
      fc = base->families.at(family);
      if (stats) fc.fit = std::move(stats);
    }
  }
  if (base) fit.calibration.tables.push_back("base: " + base->device + " (" + base->method + ")");
  return fit;
}

nlohmann::json trace_rows_json(const CalibrationInputs& rows, const std::string& device, const std::string& source) {
  nlohmann::json records = nlohmann::json::array();
  for (const CalibrationRow& r : rows.rows) {
    const hw::KernelWork& w = r.work;
    records.push_back({{"kernel", r.label},
                       {"family", std::string(hw::to_string(w.family))},
                       {"status", "measured"},
                       {"dtype", std::string(hw::to_string(w.dtype))},
                       {"flops", w.flops.value()},
                       {"bytes_read", w.bytes_read.value()},
                       {"bytes_written", w.bytes_written.value()},
                       {"m", w.m},
                       {"n", w.n},
                       {"k", w.k},
                       {"groups", w.groups},
                       {"batch", w.batch},
                       {"heads", w.heads},
                       {"seq_q", w.seq_q},
                       {"seq_kv", w.seq_kv},
                       {"median_s", r.measured.value()}});
  }
  return {{"format", "fathom-measured-kernels/1"},
          {"provenance", "measured"},
          {"source", "measured:" + source},
          {"device", {{"name", device}}},
          {"timing", "kernel durations of a PyTorch profiler (Kineto) trace; the median of each kernel and shape"},
          {"measurements", records}};
}

}  // namespace fathom::calib
