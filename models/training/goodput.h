#pragma once
// Goodput of a training run under failures (issue #16; docs/training.md, "Goodput"): the share of wall time
// that advances training when the job fails at a constant rate, restarts from its last checkpoint and
// writes a blocking checkpoint every `interval_s` of work.
//
// Model (Daly 2006, "A higher order estimate of the optimum checkpoint interval for restart dumps", FGCS
// 22(3), eq. (6) with the restart as a fixed cost): failures are Poisson with system MTBF M = 1 / (gpus /
// mtbf_gpu + nodes / mtbf_node); a segment of `tau` work plus its checkpoint `delta` takes, in expectation,
//     T(tau) = M e^{R/M} (e^{(tau + delta)/M} - 1)
// of wall time (R the restart: detection, rescheduling, reloading the checkpoint), so goodput = tau / T(tau).
// The interval that maximises it is found numerically; Young's first-order optimum sqrt(2 delta M) (Young
// 1974) and Daly's higher-order estimate are closed-form checks (tests/models/training_goodput_test.cpp).
// Contract: all times in seconds; delta >= 0, R >= 0, M > 0, tau > 0.

#include <cstdint>

namespace fathom::models::training {

struct FailureModel {
  double mtbf_gpu_s = 0;   // mean time between failures of one GPU (its share of node-level faults excluded)
  double mtbf_node_s = 0;  // of one node (host, NIC, power...), beyond its GPUs
  double restart_s = 0;    // failure to training again: detection, rescheduling, checkpoint load, warm-up
};

// M = 1 / (gpus / mtbf_gpu + nodes / mtbf_node).
double system_mtbf_s(const FailureModel& f, int64_t gpus, int64_t nodes);

// tau / T(tau) (above): the expected share of wall time that is useful work.
double goodput(double interval_s, double checkpoint_s, double restart_s, double mtbf_s);

struct OptimalInterval {
  double interval_s = 0;  // work between checkpoints that maximises goodput
  double goodput = 0;
};

// Golden-section search over tau in [checkpoint_s / 1000 + 1e-9, 10 M] (goodput is unimodal in tau).
OptimalInterval optimal_interval(double checkpoint_s, double restart_s, double mtbf_s);

// Young (1974): sqrt(2 delta M). Daly (2006) eq. (37): sqrt(2 delta M) [1 + sqrt(delta / (2M)) / 3 +
// delta / (18 M)] - delta for delta < 2M, else M.
double young_interval_s(double checkpoint_s, double mtbf_s);
double daly_interval_s(double checkpoint_s, double mtbf_s);

}  // namespace fathom::models::training
