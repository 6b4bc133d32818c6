#include "models/training/goodput.h"

#include <cmath>
#include <stdexcept>

namespace fathom::models::training {

double system_mtbf_s(const FailureModel& f, int64_t gpus, int64_t nodes) {
  if (!(f.mtbf_gpu_s > 0) || !(f.mtbf_node_s > 0)) throw std::logic_error("system_mtbf_s: MTBFs must be > 0");
  return 1.0 / (double(gpus) / f.mtbf_gpu_s + double(nodes) / f.mtbf_node_s);
}

double goodput(double interval_s, double checkpoint_s, double restart_s, double mtbf_s) {
  if (!(interval_s > 0) || !(checkpoint_s >= 0) || !(restart_s >= 0) || !(mtbf_s > 0)) {
    throw std::logic_error("goodput: interval and MTBF must be > 0, checkpoint and restart >= 0");
  }
  // expm1 keeps the small-exponent case (tau + delta << M) exact.
  const double wall = mtbf_s * std::exp(restart_s / mtbf_s) * std::expm1((interval_s + checkpoint_s) / mtbf_s);
  return interval_s / wall;
}

OptimalInterval optimal_interval(double checkpoint_s, double restart_s, double mtbf_s) {
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double a = checkpoint_s / 1000 + 1e-9, b = 10 * mtbf_s;
  // On log tau: the optimum spans orders of magnitude between a and b.
  double la = std::log(a), lb = std::log(b);
  double l1 = lb - phi * (lb - la), l2 = la + phi * (lb - la);
  double g1 = goodput(std::exp(l1), checkpoint_s, restart_s, mtbf_s);
  double g2 = goodput(std::exp(l2), checkpoint_s, restart_s, mtbf_s);
  for (int i = 0; i < 200 && lb - la > 1e-13; ++i) {
    if (g1 < g2) {
      la = l1, l1 = l2, g1 = g2;
      l2 = la + phi * (lb - la);
      g2 = goodput(std::exp(l2), checkpoint_s, restart_s, mtbf_s);
    } else {
      lb = l2, l2 = l1, g2 = g1;
      l1 = lb - phi * (lb - la);
      g1 = goodput(std::exp(l1), checkpoint_s, restart_s, mtbf_s);
    }
  }
  const double tau = std::exp((la + lb) / 2);
  return {tau, goodput(tau, checkpoint_s, restart_s, mtbf_s)};
}

double young_interval_s(double checkpoint_s, double mtbf_s) { return std::sqrt(2 * checkpoint_s * mtbf_s); }

double daly_interval_s(double checkpoint_s, double mtbf_s) {
  if (checkpoint_s >= 2 * mtbf_s) return mtbf_s;
  const double x = checkpoint_s / (2 * mtbf_s);
  return std::sqrt(2 * checkpoint_s * mtbf_s) * (1 + std::sqrt(x) / 3 + x / 9) - checkpoint_s;
}

}  // namespace fathom::models::training
