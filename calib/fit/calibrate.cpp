#include "calib/fit/calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "calib/fit/family_defaults.h"
#include "calib/fit/family_fit.h"
#include "calib/fit/kernel_shapes.h"
#include "hw/kernel_cost_model.h"
#include "hw/kernel_family_registry.h"

namespace fathom::calib {
namespace {

constexpr double kFlatHalfShape = 1e-3;

// "gemm-data.csv + h800-published-kernels.csv (K11, K12, K13)"
std::vector<std::string> sources_of(const std::vector<const CalibrationRow*>& rows) {
  std::vector<std::string> tables;
  std::set<std::string> seen;
  for (const CalibrationRow* r : rows) {
    const std::string t = r->row_id.empty() ? r->table : "published:" + r->row_id;
    if (seen.insert(t).second) tables.push_back(t);
  }
  return tables;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " + ") + s;
  return out;
}

hw::FamilyParameters with_provenance(const hw::EfficiencyCurve& c, const FamilyFitConfig& config,
                                     const std::string& fitted_source) {
  const Provenance fitted{SourceKind::measured, fitted_source};
  const Provenance fixed = config.fixed_reason.empty() ? fitted : Provenance::parse(config.fixed_reason);
  const auto v = [&](double value, bool free) { return hw::CalibratedValue{value, free ? fitted : fixed}; };
  hw::FamilyParameters p;
  p.compute_efficiency_max = v(c.compute_efficiency_max, config.free.compute_efficiency_max);
  p.compute_half_shape = v(c.compute_half_shape, config.free.compute_half_shape);
  p.memory_efficiency = v(c.memory_efficiency, config.free.memory_efficiency);
  p.overhead_s = v(c.overhead_s, config.free.overhead);
  p.roofline_sharpness = v(c.roofline_sharpness, config.free.roofline_sharpness);
  if (c.tiled) {
    p.k_block_floor_s = v(c.k_block_floor_s, config.free.k_block_floor);
    p.epilogue_exposure = v(c.epilogue_exposure, config.free.epilogue_exposure);
  }
  return p;
}

void check_bounds(const CalibrationInputs& in, hw::KernelFamily family, const hw::EfficiencyCurve& c,
                  const hw::GpuSpec& gpu, hw::DType dtype, hw::FitStatistics& stats) {
  for (const KernelBound& b : in.bounds) {
    if (b.family != family) continue;
    if (b.max_compute_rate.value() > 0) {
      const double ceiling = gpu.peak(dtype).value() * c.compute_efficiency_max;
      stats.notes.push_back(fmt::format("{}: fitted compute ceiling {:.0f} TFLOPS {} published {:.0f} TFLOPS", b.row_id,
                                        ceiling / 1e12, ceiling <= b.max_compute_rate.value() ? "<=" : "EXCEEDS",
                                        b.max_compute_rate.value() / 1e12));
    }
    if (b.max_bandwidth.value() > 0) {
      const double ceiling = gpu.hbm_bandwidth.value() * c.memory_efficiency;
      stats.notes.push_back(fmt::format("{}: fitted memory ceiling {:.0f} GB/s {} published {:.0f} GB/s", b.row_id,
                                        ceiling / 1e9, ceiling <= b.max_bandwidth.value() ? "<=" : "EXCEEDS",
                                        b.max_bandwidth.value() / 1e9));
    }
  }
}

// Held-out predictions: each shape family of `rows` predicted by a fit to the others (index-aligned
// with `rows`; 0 s when there is a single shape family).
std::vector<Seconds> leave_one_shape_out(const std::vector<CalibrationRow>& rows, const hw::GpuSpec& gpu,
                                         const FamilyFitConfig& config, const std::string& family,
                                         std::vector<hw::ShapeError>& per_shape) {
  std::vector<Seconds> out(rows.size(), Seconds(0.0));
  std::map<std::string, std::vector<size_t>> shapes;
  for (size_t i = 0; i < rows.size(); ++i) shapes[shape_family(rows[i].work)].push_back(i);
  if (shapes.size() < 2) return out;
  for (const auto& [shape, members] : shapes) {
    std::vector<CalibrationRow> rest;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (shape_family(rows[i].work) != shape) rest.push_back(rows[i]);
    }
    if (std::ssize(rest) < std::max(config.free.count(), 1)) continue;  // too few rows left to fit
    const hw::EfficiencyCurve curve = fit_family(rest, gpu, config, family).curve;
    std::vector<CalibrationRow> held;
    for (const size_t i : members) {
      out[i] = hw::evaluate_curve(curve, gpu, rows[i].work).total;
      held.push_back(rows[i]);
    }
    const ErrorSummary e = relative_errors(curve, gpu, held);
    per_shape.push_back({shape, e.rows, e.median, e.worst});
  }
  return out;
}

// Median and worst relative error of the held-out predictions that exist.
ErrorSummary held_out_summary(const std::vector<CalibrationRow>& rows, const std::vector<Seconds>& predicted) {
  std::vector<double> e;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (predicted[i].value() > 0) e.push_back(std::fabs(predicted[i].value() / rows[i].measured.value() - 1.0));
  }
  ErrorSummary s;
  s.rows = std::ssize(e);
  if (e.empty()) return s;
  std::sort(e.begin(), e.end());
  const size_t m = e.size() / 2;
  s.median = e.size() % 2 ? e[m] : 0.5 * (e[m - 1] + e[m]);
  s.worst = e.back();
  return s;
}

}  // namespace

CalibrationFit fit_calibration(const CalibrationInputs& in, const hw::GpuSpec& gpu, const std::string& device) {
  CalibrationFit out;
  hw::Calibration& cal = out.calibration;
  cal.device = device;
  cal.method = "fit: fathom calibrate fit (least squares in log time, Levenberg-Marquardt; docs/calibration.md)";
  cal.tables = in.tables;
  cal.hold_out = kHoldOutRule;
  for (const auto& entry : hw::kernel_family_registry().entries()) {
    const hw::KernelFamily family = entry.make.family;
    std::vector<const CalibrationRow*> all;
    std::vector<CalibrationRow> fit_rows;
    int64_t excluded = 0;
    for (const CalibrationRow& r : in.rows) {
      if (r.work.family != family) continue;
      all.push_back(&r);
      if (!r.excluded.empty()) {
        ++excluded;
      } else {
        fit_rows.push_back(r);
      }
    }
    hw::FamilyCalibration fc;
    std::vector<Seconds> held_out(fit_rows.size(), Seconds(0.0));
    if (fit_rows.empty()) {
      fc.parameters = assumed_parameters(family);
    } else {
      const FamilyFitConfig config = default_fit_config(family);
      FamilyFitResult result = fit_family(fit_rows, gpu, config, entry.name);
      // A knee far below the smallest shape in the data is "no knee": write 0 (flat efficiency).
      const bool flat = config.free.compute_half_shape && result.curve.compute_half_shape < kFlatHalfShape;
      if (flat) result.curve.compute_half_shape = 0.0;
      const std::vector<std::string> sources = sources_of(all);
      fc.parameters = with_provenance(result.curve, config, "fit to " + joined(sources));
      hw::FitStatistics s;
      held_out = leave_one_shape_out(fit_rows, gpu, config, entry.name, s.held_out_shapes);
      const ErrorSummary fe = relative_errors(result.curve, gpu, fit_rows);
      const ErrorSummary he = held_out_summary(fit_rows, held_out);
      s.rows_fitted = fe.rows;
      s.rows_held_out = he.rows;
      s.rows_excluded = excluded;
      s.fitted_median_rel_error = fe.median;
      s.fitted_worst_rel_error = fe.worst;
      s.held_out_median_rel_error = he.median;
      s.held_out_worst_rel_error = he.worst;
      s.tables = sources;
      if (flat) {
        s.notes.push_back(fmt::format("compute efficiency is flat in {}: the fit drove s_half below {}",
                                      entry.make.shape_variable, kFlatHalfShape));
      }
      for (const CalibrationRow* r : all) {
        if (!r->excluded.empty()) s.notes.push_back("excluded " + r->label + ": " + r->excluded);
      }
      check_bounds(in, family, result.curve, gpu, fit_rows.front().work.dtype, s);
      fc.fit = std::move(s);
    }
    const hw::EfficiencyCurve curve = hw::curve_of(fc.parameters);
    size_t next_fitted = 0;
    for (const CalibrationRow* r : all) {
      const Seconds held = r->excluded.empty() ? held_out[next_fitted++] : Seconds(0.0);
      out.rows.push_back(
          {r->label, family, r->measured, hw::evaluate_curve(curve, gpu, r->work).total, held, r->excluded});
    }
    cal.families[family] = std::move(fc);
  }
  return out;
}

}  // namespace fathom::calib
