#pragma once
// Asymmetric what-ifs of one training step (issue #16; docs/training.md §4, "Perturbations"): the scenario's
// optional `perturbations` array names GPUs, NICs, nodes or link classes that do not behave like the rest.
// An asymmetric kind (all but background_traffic and node_removed) breaks the data-parallel fold (one replica
// stands for all), so such a step is simulated with every replica unfolded (event level only, at linear cost
// in the replicas: step_model.cpp); each kind below names the folds it breaks and keeps, and the report names
// the folds kept (perturbed_training_folds).
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
//  - nic_down {node, gpu}: the GPU's scale-out NIC is down. Rerouting rule (assumed: a DGX H100/H800 PCIe
//    switch carries two GPUs and their two NICs): its traffic goes over the NIC of its PCIe-switch sibling,
//    GPU gpu XOR 1 of the same node, which then carries both GPUs' traffic, so both GPUs get half of that
//    NIC's bandwidth: the same effect as nic_degraded 0.5 on the GPU and on its sibling (the sibling's rail
//    carries the rerouted flows; cross-rail hops are not priced). Breaks/keeps: as nic_degraded.
//  - plane_down {plane}: NIC `plane` of every node is down (a failed rail switch): on every node GPU `plane`
//    and its sibling share the sibling's NIC (nic_down on every node). Breaks/keeps: as nic_degraded.
//  - background_traffic {link_class: scale_out | nvlink, share in (0, 1)}: other traffic takes `share` of
//    every link of that class. scale_out: every all-to-all phase, pipeline send and ZeRO-1 ring takes
//    1 / (1 - share)x; nvlink: every all-to-all phase 1 / (1 - share)x (its scale-out share is slowed too: an
//    upper bound; the rings are rail-aligned, on scale-out). Symmetric: it breaks no fold (every replica and
//    EP group slowed alike); the folded step is simulated with the factors.
//  - second_job {first_node, nodes, share in (0, 1)}: another job on the same fabric whose traffic takes
//    `share` of the scale-out NICs of our nodes first_node .. first_node + nodes - 1 (modelled as background
//    traffic on those nodes' NICs only: nic_degraded 1 - share on each of their GPUs). Breaks: the
//    data-parallel fold (unless it covers every node). Keeps: as nic_degraded.
//  - node_removed {node, policy: redistribute | fail}: the node is lost mid-run. Its GPUs hold replicas of
//    one pipeline rank (dp a multiple of the node's GPUs); the EP groups of that rank holding them lose
//    experts (re-sharding them onto the survivors is not modelled), so every replica of those groups stops:
//    `lost_replicas`. fail: the step fails (the report's `step_failure`; its step figures stay the
//    unperturbed step's). redistribute: the global batch is kept: the dp - lost remaining replicas each
//    run ceil(micro_batches x dp / (dp - lost)) micro-batches, rounded up to a count the schedule takes; the
//    step is the folded step at that count (every remaining replica alike: no fold broken; the lost GPUs
//    idle, still counted in GPU-hours; the rings are priced for dp members; the batch ramp's slices are not
//    redistributed). No replica left: the step fails whatever the policy. At most one per scenario.
// A GPU is named by node and GPU: with tensor parallelism 1, cluster GPU node x gpus_per_node + gpu is
// pipeline rank g / dp and data-parallel replica g mod dp (rank r's replicas fill nodes r x dp / 8 onward).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/training/training_layout.h"
#include "sim/spec_reader.h"

namespace fathom::models::training {

// A GPU's scale-out NIC at a share of its bandwidth (what nic_down, plane_down and second_job come to).
struct NicShare {
  int rank = 0, replica = 0;
  double share = 1;  // in (0, 1]
};

struct Perturbation {
  std::string kind;  // gpu_slowdown | nic_degraded | nic_down | plane_down | background_traffic | second_job
  int64_t node = 0, gpu = 0;
  int rank = 0, replica = 0;          // where that GPU sits (derived)
  double compute_factor = 1;          // gpu_slowdown
  double nic_bandwidth_factor = 1;    // nic_degraded
  std::vector<NicShare> nics;         // nic_down, plane_down, second_job: the NICs at a reduced share (derived)
  std::string link_class;             // background_traffic: scale_out | nvlink
  double share = 0;                   // background_traffic, second_job: the share other traffic takes
  int64_t plane = 0;                  // plane_down
  int64_t first_node = 0, nodes = 0;  // second_job
  std::string policy;                 // node_removed: redistribute | fail
  int64_t lost_replicas = 0;          // node_removed: the replicas that stop (derived)
  bool breaks_data_parallel_fold() const { return kind != "background_traffic" && kind != "node_removed"; }
  std::string describe() const;  // one line, e.g. "gpu_slowdown: node 3 GPU 5 (rank 0, replica 29) x1.5"
};

// True if any perturbation breaks the data-parallel fold (then every replica is simulated).
bool breaks_data_parallel_fold(const std::vector<Perturbation>& perturbations);

// What a node_removed leaves of the step (none: the step as scheduled).
struct NodeRemoval {
  std::optional<std::string> failure;  // set: the step fails (policy fail, or no replica left), and why
  int64_t micro_batches = 0;           // redistribute: per remaining replica, before the schedule's rounding
};
// `micro_batches`: the scenario's per pipeline.
std::optional<NodeRemoval> node_removal(const std::vector<Perturbation>& perturbations, const TrainingLayout& layout,
                                        int64_t micro_batches);

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

// dp x pp factors (index replica x pp + rank) of the unfolded step. With `replicas` > 0 (only when no
// perturbation breaks the data-parallel fold): replicas x pp factors, every replica alike.
std::vector<GpuFactors> perturbed_gpu_factors(const std::vector<Perturbation>& perturbations,
                                              const TrainingLayout& layout, int replicas = 0);

// The folds of a perturbed event-level step, one line each (replaces training_folds' when there are any).
// `folded`: the unperturbed step's folds (training_folds), kept as they are when no perturbation breaks the
// data-parallel fold.
std::vector<std::string> perturbed_training_folds(const std::vector<Perturbation>& perturbations,
                                                  const TrainingLayout& layout,
                                                  const std::vector<std::string>& folded = {});

}  // namespace fathom::models::training
