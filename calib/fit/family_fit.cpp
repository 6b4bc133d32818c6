#include "calib/fit/family_fit.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unsupported/Eigen/NonLinearOptimization>
#include <unsupported/Eigen/NumericalDiff>

#include "sim/error.h"

namespace fathom::calib {
namespace {

// Unconstrained coordinates: logistic for efficiencies in (0, 1), log for positive values,
// 1 + exp for the smooth-max exponent p >= 1, times (overhead, step floor) in microseconds, logit for the
// epilogue exposure.
double logistic(double x) { return 1.0 / (1.0 + std::exp(-std::clamp(x, -40.0, 40.0))); }
double logit(double v) { return std::log(v / (1.0 - v)); }
double bounded_exp(double x) { return std::exp(std::clamp(x, -40.0, 40.0)); }

// Maps between the free parameters of a curve and the LM vector.
class Coordinates {
 public:
  Coordinates(const hw::EfficiencyCurve& base, FreeParameters free) : base_(base), free_(free) {}

  Eigen::VectorXd to_vector(const hw::EfficiencyCurve& c) const {
    std::vector<double> x;
    if (free_.compute_efficiency_max) x.push_back(logit(std::clamp(c.compute_efficiency_max, 1e-6, 1.0 - 1e-6)));
    if (free_.compute_half_shape) x.push_back(std::log(std::max(c.compute_half_shape, 1e-6)));
    if (free_.memory_efficiency) x.push_back(logit(std::clamp(c.memory_efficiency, 1e-6, 1.0 - 1e-6)));
    if (free_.overhead) x.push_back(std::log(std::max(c.overhead_s * 1e6, 1e-6)));
    if (free_.roofline_sharpness) x.push_back(std::log(std::max(c.roofline_sharpness - 1.0, 1e-6)));
    if (free_.k_block_floor) x.push_back(std::log(std::max(c.k_block_floor_s * 1e6, 1e-6)));
    if (free_.epilogue_exposure) x.push_back(logit(std::clamp(c.epilogue_exposure, 1e-6, 1.0 - 1e-6)));
    return Eigen::Map<Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size()));
  }

  hw::EfficiencyCurve to_curve(const Eigen::VectorXd& x) const {
    hw::EfficiencyCurve c = base_;
    Eigen::Index i = 0;
    if (free_.compute_efficiency_max) c.compute_efficiency_max = logistic(x[i++]);
    if (free_.compute_half_shape) c.compute_half_shape = bounded_exp(x[i++]);
    if (free_.memory_efficiency) c.memory_efficiency = logistic(x[i++]);
    if (free_.overhead) c.overhead_s = bounded_exp(x[i++]) * 1e-6;
    if (free_.roofline_sharpness) c.roofline_sharpness = 1.0 + bounded_exp(x[i++]);
    if (free_.k_block_floor) c.k_block_floor_s = bounded_exp(x[i++]) * 1e-6;
    if (free_.epilogue_exposure) c.epilogue_exposure = logistic(x[i++]);
    return c;
  }

 private:
  hw::EfficiencyCurve base_;
  FreeParameters free_;
};

// The residual vector log t_pred - log t_meas, in the form Eigen's NumericalDiff expects.
struct LogResidual {
  using Scalar = double;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;

  const std::vector<CalibrationRow>* rows;
  const hw::GpuSpec* gpu;
  const Coordinates* coords;
  int n_inputs;

  int inputs() const { return n_inputs; }
  int values() const { return static_cast<int>(rows->size()); }
  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& f) const {
    const hw::EfficiencyCurve c = coords->to_curve(x);
    for (size_t i = 0; i < rows->size(); ++i) {
      const CalibrationRow& r = (*rows)[i];
      f[static_cast<Eigen::Index>(i)] =
          std::log(hw::evaluate_curve(c, *gpu, r.work).total.value()) - std::log(r.measured.value());
    }
    return 0;
  }
};

}  // namespace

int FreeParameters::count() const {
  return int(compute_efficiency_max) + int(compute_half_shape) + int(memory_efficiency) + int(overhead) +
         int(roofline_sharpness) + int(k_block_floor) + int(epilogue_exposure);
}

FamilyFitResult fit_family(const std::vector<CalibrationRow>& rows, const hw::GpuSpec& gpu,
                           const FamilyFitConfig& config, const std::string& family_name) {
  const int n = config.free.count();
  if (static_cast<int>(rows.size()) < std::max(n, 1)) {
    throw InputError(
        fmt::format("{}: {} usable rows cannot determine {} free parameters", family_name, rows.size(), n));
  }
  const Coordinates coords(config.initial, config.free);
  FamilyFitResult best{config.initial, std::numeric_limits<double>::infinity()};
  const auto cost_of = [&](const hw::EfficiencyCurve& c) {
    double s = 0.0;
    for (const CalibrationRow& r : rows) {
      const double d = std::log(hw::evaluate_curve(c, gpu, r.work).total.value()) - std::log(r.measured.value());
      s += d * d;
    }
    return s;
  };
  if (n == 0) return {config.initial, cost_of(config.initial)};
  // Fixed starting grid over the two parameters that most often have separate basins (for a tiled
  // curve the epilogue exposure instead of s_half).
  for (const double half_scale : {0.1, 1.0, 10.0}) {
    for (const double sharpness : {2.0, 8.0}) {
      hw::EfficiencyCurve start = config.initial;
      if (config.free.compute_half_shape) start.compute_half_shape *= half_scale;
      if (config.free.epilogue_exposure) start.epilogue_exposure = std::min(0.9, 0.1 * half_scale);
      if (config.free.roofline_sharpness) start.roofline_sharpness = sharpness;
      Eigen::VectorXd x = coords.to_vector(start);
      LogResidual f{&rows, &gpu, &coords, n};
      Eigen::NumericalDiff<LogResidual> diff(f);
      Eigen::LevenbergMarquardt<Eigen::NumericalDiff<LogResidual>> lm(diff);
      lm.parameters.maxfev = 4000;
      lm.parameters.xtol = 1e-12;
      lm.parameters.ftol = 1e-12;
      lm.minimize(x);
      const hw::EfficiencyCurve c = coords.to_curve(x);
      const double cost = cost_of(c);
      if (cost < best.cost) best = {c, cost};
    }
  }
  return best;
}

ErrorSummary relative_errors(const hw::EfficiencyCurve& curve, const hw::GpuSpec& gpu,
                             const std::vector<CalibrationRow>& rows) {
  ErrorSummary s;
  s.rows = static_cast<int64_t>(rows.size());
  if (rows.empty()) return s;
  std::vector<double> e;
  for (const CalibrationRow& r : rows) {
    const double pred = hw::evaluate_curve(curve, gpu, r.work).total.value();
    e.push_back(std::fabs(pred - r.measured.value()) / r.measured.value());
  }
  std::sort(e.begin(), e.end());
  const size_t m = e.size() / 2;
  s.median = e.size() % 2 ? e[m] : 0.5 * (e[m - 1] + e[m]);
  s.worst = e.back();
  return s;
}

}  // namespace fathom::calib
