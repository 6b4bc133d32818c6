#pragma once
// Asymmetric what-ifs of one training step (issue #16; docs/training.md §4, "Perturbations"): the scenario's
// optional `perturbations` array names GPUs that do not behave like the rest. A perturbation breaks the
// data-parallel fold (one replica stands for all), so a perturbed step is simulated with every replica
// unfolded (event level only, at linear cost in the replicas: step_model.cpp); the folds it keeps are named
// in the report (perturbed_training_folds).
//
// Kinds (each item: {"kind": ..., "node": {"value": n}, "gpu": {"value": g}, ...} with provenance):
//  - gpu_slowdown {node, gpu, factor >= 1}: the GPU computes `factor` times slower (thermal throttling, a bad
//    HBM stack). Its units' compute spans take factor x their time (the all-to-alls do not); its EP group
//    runs at its pace (every all-to-all phase waits for all members, so each member's unit at that rank takes
//    the straggler's time); its optimizer step takes factor x. Breaks: the data-parallel fold. Keeps: one
//    representative GPU per EP group (the straggler's group is represented by the straggler), network planes.
//  - nic_degraded {node, gpu, bandwidth_factor in (0, 1]}: the GPU's scale-out NIC (its plane's rail) at
//    bandwidth_factor x its bandwidth. Its EP group's all-to-all phases take 1 / bandwidth_factor x their
//    time (a phase ends when its slowest member's transfers have; the NVLink share is slowed too, an upper
//    bound), its pipeline sends and those to it likewise, and every ZeRO-1 ring of its rank (a ring moves at
//    its slowest link). Breaks: the data-parallel fold. Keeps: EP representative per group, network planes.
// A GPU is named by node and GPU: with tensor parallelism 1, cluster GPU node x gpus_per_node + gpu is
// pipeline rank g / dp and data-parallel replica g mod dp (rank r's replicas fill nodes r x dp / 8 onward).

#include <cstdint>
#include <string>
#include <vector>

#include "models/training/training_layout.h"
#include "sim/spec_reader.h"

namespace fathom::models::training {

struct Perturbation {
  std::string kind;  // gpu_slowdown | nic_degraded
  int64_t node = 0, gpu = 0;
  int rank = 0, replica = 0;        // where that GPU sits (derived)
  double compute_factor = 1;        // gpu_slowdown
  double nic_bandwidth_factor = 1;  // nic_degraded
  std::string describe() const;     // one line, e.g. "gpu_slowdown: node 3 GPU 5 (rank 0, replica 29) x1.5"
};

// Per GPU (replica x pp + rank) of an unfolded step: what its tasks are multiplied by.
struct GpuFactors {
  double unit_compute = 1;  // compute spans of its units (its own slowdown, or its EP group's straggler's)
  double unit_comm = 1;     // all-to-all phases of its units (1 / its EP group's slowest NIC share)
  double optimizer = 1;     // its own compute slowdown
  double pp_send = 1;       // its pipeline sends (1 / its own NIC share; a send also takes the receiver's)
  double rings = 1;         // its ZeRO-1 rings (1 / the slowest NIC share of its rank)
  bool unperturbed() const {
    return unit_compute == 1 && unit_comm == 1 && optimizer == 1 && pp_send == 1 && rings == 1;
  }
};

// Reads `perturbations` (an array of objects) of the scenario's top level; absent: none. Errors are
// InputError "<file>: perturbations.<i>.<key>: <what>". `nodes` and `gpus_per_node`: the cluster's.
std::vector<Perturbation> read_perturbations(const SpecReader& top, const TrainingLayout& layout, int64_t nodes,
                                             int64_t gpus_per_node, const std::string& fidelity);

// dp x pp factors (index replica x pp + rank) of the unfolded step.
std::vector<GpuFactors> perturbed_gpu_factors(const std::vector<Perturbation>& perturbations,
                                              const TrainingLayout& layout);

// The folds of a perturbed event-level step, one line each (replaces training_folds' when there are any).
std::vector<std::string> perturbed_training_folds(const std::vector<Perturbation>& perturbations,
                                                  const TrainingLayout& layout);

}  // namespace fathom::models::training
