#include "models/serving/attention_imbalance.h"

#include <algorithm>
#include <cmath>

namespace fathom::models::serving {
namespace {

// Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
double inverse_normal_cdf(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double lo = 0.02425, hi = 1 - lo;
  if (p < lo) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > hi) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace

double expected_max_standard_normal(int64_t n) {
  if (n <= 1) return 0.0;
  const double r = static_cast<double>(n);
  return inverse_normal_cdf((r - 0.375) / (r + 0.25));
}

double attention_imbalance(double context_cv, int64_t batch_per_rank, int64_t ranks) {
  if (ranks <= 1 || batch_per_rank < 1 || !(context_cv > 0)) return 1.0;
  const double s2 = std::log1p(context_cv * context_cv / static_cast<double>(batch_per_rank));
  return std::max(1.0, std::exp(std::sqrt(s2) * expected_max_standard_normal(ranks) - s2 / 2.0));
}

double decode_context_cv(const RequestMix& mix) {
  const double biased_out = mix.mean_output_tokens * std::exp(mix.output_sigma * mix.output_sigma);
  const double biased_out_sq = biased_out * biased_out * std::exp(mix.output_sigma * mix.output_sigma);
  const double mean = mix.mean_input_tokens + biased_out / 2.0;
  const double var_in = mix.mean_input_tokens * mix.mean_input_tokens * std::expm1(mix.input_sigma * mix.input_sigma);
  const double var = var_in + biased_out_sq / 3.0 - biased_out * biased_out / 4.0;
  return mean > 0 && var > 0 ? std::sqrt(var) / mean : 0.0;
}

double lognormal_cv(double sigma) { return std::sqrt(std::expm1(sigma * sigma)); }

}  // namespace fathom::models::serving
