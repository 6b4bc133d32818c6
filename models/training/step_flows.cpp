// The flow level of a training step (step_network.h, docs/training.md §4): every GPU of the simulated
// replicas has four fluid links — its scale-out NIC up and down (the per-GPU achievable bandwidth, one
// plane of the rail-aligned fat tree, N04) and its NVLink port out and in (the achievable NVLink
// bandwidth) — and every transfer is a flow over them, so all-to-alls, pipeline sends and ZeRO-1 rings
// of a GPU share its NIC max-min.
//
// Traffic model, per-node aggregated (the fold of issue #5):
//  - one all-to-all phase (DISPATCH or COMBINE of one block, forward or backward: stage_plan.h) of a GPU is
//    two flows started together after the phase latency, once the compute that produces its data and the
//    GPU's previous phase have ended: its IB bytes (hw::ep_alltoall_traffic) from its NIC up-link to the NIC
//    down-link of its image in the EP group, and its NVLink forwarding bytes from its NVLink out-port to
//    its image's in-port; the phase ends when both have; alone, that is hw::ep_alltoall_time exactly;
//  - a ZeRO-1 ring is one flow of (n-1)/n of the buffer after (n-1) step latencies, from the NIC up-link
//    to the down-link of the next replica (alone: ring_collective_s exactly);
//  - a pipeline send is one flow from the sender's up-link to the receiver's down-link after the NIC
//    latency (alone: the event level's pp_transfer_s); between stages of one NVLink domain (pipeline_sends.h)
//    from the sender's NVLink out-port to the receiver's in-port after the NVLink latency.
// Images: the traffic is symmetric over the GPUs of an EP group and the replicas of a stage, so every
// down-link (in-port) receives exactly what its GPU's up-link (out-port) sends. Folded (one replica), a
// GPU's image is itself; unfolded (all dp replicas of the layout, for the test), GPU (node n, plane p)
// sends its IB share to (next node of its EP group, p), its NVLink share to (n, next plane), its rings to
// the next replica. Both give the same step (tested).

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "hw/ep_alltoall_cost.h"
#include "models/training/block_costs.h"
#include "models/training/stage_plan.h"
#include "models/training/step_model.h"
#include "models/training/step_network.h"

namespace fathom::models::training {
namespace {

// One phase of an all-to-all on one GPU.
struct Phase {
  double latency_s = 0;
  double ib_bytes = 0;
  double nvlink_bytes = 0;
};

struct GpuLinks {
  int up = -1, down = -1, nvl_out = -1, nvl_in = -1;
};

class FlowStepNetwork final : public StepNetwork {
 public:
  FlowStepNetwork(const StepInputs& in, sim::TaskEngine& e, int replicas)
      : in_(in), flow_(*in.flow), e_(e), R_(replicas), plans_(in.stages) {
    const int64_t dp = in.layout.dp;
    if (R_ != 1 && R_ != dp) {
      throw std::logic_error(
          fmt::format("flow step: {} replicas; the flow level folds to 1 or unfolds all {}", R_, dp));
    }
    const BytesPerSecond nic = hw::scaleout_bandwidth_per_gpu(in.node);
    const BytesPerSecond nvl = in.node.intra_achievable_bandwidth;
    for (int rep = 0; rep < R_; ++rep) {
      for (int r = 0; r < in.schedule.ranks; ++r) {
        const std::string gpu = fmt::format("replica{}.rank{}", rep, r);
        compute_.push_back(e.add_resource(gpu + ".compute"));
        GpuLinks g;
        if (nic.value() > 0) {
          g.up = e.add_link({gpu + ".nic_up", nic});
          g.down = e.add_link({gpu + ".nic_down", nic});
        }
        g.nvl_out = e.add_link({gpu + ".nvlink_out", nvl});
        g.nvl_in = e.add_link({gpu + ".nvlink_in", nvl});
        links_.push_back(g);
      }
    }
  }

  int compute_stream(int rep, int rank) const override { return compute_[at(rep, rank)]; }

  // The unit's plan (stage_plan.h): compute spans chained on the rank's stream, all-to-all phases chained
  // on its all-to-all stream; a phase starts after its producer span and the previous phase, a span after
  // the previous span and the phase it waits for.
  TaskSpan add_unit(int rep, int rank, const schedule::Unit& unit) override {
    const UnitPlan& plan = plans_.plan(unit);
    const int begin = e_.add_task(sim::TaskEngine::kNoResource, 0.0);
    // Each span is its part up to ready_s and the rest (its W parts in a pair), back to back.
    std::vector<TaskSpan> compute;
    for (const ComputeSpan& span : plan.compute) {
      const int stream = compute_[at(rep, rank)];
      TaskSpan t;
      t.first = t.last = e_.add_task(stream, span.ready_s);
      if (span.time_s() > span.ready_s) {
        t.last = e_.add_task(stream, span.time_s() - span.ready_s);
        e_.add_dependency(t.first, t.last);
      }
      e_.add_dependency(compute.empty() ? begin : compute.back().last, t.first);
      compute.push_back(t);
    }
    std::vector<int> comm_end;
    for (const CommSpan& c : plan.comm) {
      int ready = c.after >= 0 ? compute[size_t(c.after)].first : begin;
      if (!comm_end.empty()) {
        const int join = e_.add_task(sim::TaskEngine::kNoResource, 0.0);
        e_.add_dependency(ready, join);
        e_.add_dependency(comm_end.back(), join);
        ready = join;
      }
      const TaskSpan phase = add_phase(rep, rank, phase_of(*c.block, c.phase), ready);
      comm_end.push_back(phase.last);
      if (rep == 0 && in_.timeline) passes_.push_back({rank, c.block, c.phase, phase});
    }
    for (size_t k = 0; k < plan.compute.size(); ++k) {
      if (plan.compute[k].waits_for >= 0) {
        e_.add_dependency(comm_end[size_t(plan.compute[k].waits_for)], compute[k].first);
      }
    }
    if (comm_end.empty()) return {begin, compute.empty() ? begin : compute.back().last};
    const int end = e_.add_task(sim::TaskEngine::kNoResource, 0.0);
    e_.add_dependency(compute.empty() ? begin : compute.back().last, end);
    e_.add_dependency(comm_end.back(), end);
    return {begin, end};
  }

  TaskSpan add_pp_send(int rep, int from, int to) override {
    const GpuLinks &src = links_[at(rep, from)], &dst = links_[at(rep, to)];
    // Between stages of one NVLink domain (pipeline_sends.h): the NVLink ports, not the NIC.
    if (in_.pp_sends && in_.pp_sends->nvlink(from, to)) {
      const int f = e_.add_flow({src.nvl_out, dst.nvl_in}, flow_.pp_transfer_bytes, in_.node.intra_latency.value());
      return {f, f};
    }
    const double latency = in_.node.scaleout_nic.latency.value();
    if (src.up < 0) throw std::logic_error("flow step: a pipeline send needs a scale-out NIC");
    const int f = e_.add_flow({src.up, dst.down}, flow_.pp_transfer_bytes, latency);
    return {f, f};
  }

  // A phase's slice runs from its becoming ready (latency included) to its end.
  void add_alltoall_slices(const sim::EngineTimeline& tl, std::vector<StepSlice>& out) const override {
    for (const RecordedPass& p : passes_) {
      out.push_back({p.rank, SliceTrack::all_to_all, alltoall_slice_name(*p.block, p.phase),
                     is_forward(p.phase) ? "a2a_F" : "a2a_B", tl.start_s[p.tasks.first],
                     tl.end_s[p.tasks.last] - tl.start_s[p.tasks.first]});
    }
  }

  TaskSpan add_rings(int rep, int rank, const std::vector<RingTransfer>& rings) override {
    TaskSpan span;
    for (const RingTransfer& ring : rings) {
      const GpuLinks &self = links_[at(rep, rank)], &next = links_[at(ring_image(rep), rank)];
      const int t = ring.bytes > 0 ? e_.add_flow(ring.over_nvlink ? std::vector<int>{self.nvl_out, next.nvl_in}
                                                                  : std::vector<int>{self.up, next.down},
                                                 ring.bytes, ring.latency_s)
                                   : e_.add_task(sim::TaskEngine::kNoResource, ring.latency_s);
      if (span.first < 0) {
        span.first = t;
      } else {
        e_.add_dependency(span.last, t);
      }
      span.last = t;
    }
    if (span.first < 0) span.first = span.last = e_.add_task(sim::TaskEngine::kNoResource, 0.0);
    return span;
  }

 private:
  size_t at(int rep, int rank) const { return size_t(rep) * size_t(in_.schedule.ranks) + size_t(rank); }

  // Replica d sits on node d / G, plane d % G of its stage (G GPUs per node); see the images above.
  int gpus_per_node() const { return int(std::min<int64_t>(in_.node.gpus_per_node, in_.layout.dp)); }
  int ib_image(int d) const {
    if (R_ == 1) return d;
    const int G = gpus_per_node(), node = d / G, plane = d % G, en = int(in_.layout.ep_nodes);
    return ((node / en) * en + (node % en + 1) % en) * G + plane;
  }
  int nvlink_image(int d) const {
    if (R_ == 1) return d;
    const int G = gpus_per_node();
    return (d / G) * G + (d % G + 1) % G;
  }
  int ring_image(int d) const { return R_ == 1 ? d : (d + 1) % R_; }

  // Two flows (IB, NVLink) after the phase latency, or one timed task of the phase's closed-form time
  // when it has no traffic shape (a block priced without routed experts); returns its first task and the
  // task that ends it.
  TaskSpan add_phase(int rep, int rank, const Phase& ph, int after) {
    const GpuLinks& self = links_[at(rep, rank)];
    std::vector<int> parts;
    if (ph.ib_bytes > 0) {
      if (self.up < 0) throw std::logic_error("flow step: an all-to-all leaves the node but the node has no NIC");
      parts.push_back(e_.add_flow({self.up, links_[at(ib_image(rep), rank)].down}, ph.ib_bytes, ph.latency_s));
    }
    if (ph.nvlink_bytes > 0) {
      parts.push_back(
          e_.add_flow({self.nvl_out, links_[at(nvlink_image(rep), rank)].nvl_in}, ph.nvlink_bytes, ph.latency_s));
    }
    if (parts.empty()) parts.push_back(e_.add_task(sim::TaskEngine::kNoResource, ph.latency_s));
    for (int p : parts) e_.add_dependency(after, p);
    if (parts.size() == 1) return {parts[0], parts[0]};
    const int join = e_.add_task(sim::TaskEngine::kNoResource, 0.0);
    for (int p : parts) e_.add_dependency(p, join);
    return {parts[0], join};
  }

  // One all-to-all phase of a block as traffic (block_costs.h: the dtype of each phase).
  Phase phase_of(const BlockCost& b, AllToAllPhase phase) {
    const auto key = std::make_pair(&b, phase);
    if (const auto it = phases_.find(key); it != phases_.end()) return it->second;
    Phase ph;
    if (!b.moe || flow_.blocks.layout.ep <= 1) {
      ph.latency_s = phase_time_s(b, phase);  // no shape: the closed-form time
    } else {
      const TrainingSpec& spec = flow_.blocks.spec;
      hw::DType dtype = spec.combine_dtype;  // COMBINE(F), DISPATCH(B)
      if (phase == AllToAllPhase::dispatch) dtype = spec.dispatch_dtype;
      if (phase == AllToAllPhase::combine_backward) dtype = spec.backward_dispatch_dtype;
      const hw::AllToAllShape shape = alltoall_shape(flow_.blocks, b.alltoall_tokens, dtype);
      const hw::AllToAllTraffic traffic = hw::ep_alltoall_traffic(shape, in_.node);
      ph.ib_bytes = traffic.over_ib.value();
      ph.nvlink_bytes = traffic.over_nvlink.value();
      ph.latency_s = hw::ep_alltoall_latency(traffic, in_.node).value();
    }
    phases_.emplace(key, ph);
    return ph;
  }

  const StepInputs& in_;
  const FlowStepInputs& flow_;
  sim::TaskEngine& e_;
  int R_;
  UnitPlans plans_;
  std::vector<int> compute_;
  std::vector<GpuLinks> links_;
  std::map<std::pair<const BlockCost*, AllToAllPhase>, Phase> phases_;
  struct RecordedPass {
    int rank;
    const BlockCost* block;
    AllToAllPhase phase;
    TaskSpan tasks;
  };
  std::vector<RecordedPass> passes_;  // replica 0's all-to-all passes, for the trace
};

}  // namespace

std::unique_ptr<StepNetwork> make_flow_network(const StepInputs& in, sim::TaskEngine& engine, int replicas) {
  if (!in.flow) throw std::logic_error("make_flow_network: StepInputs::flow is not set");
  return std::make_unique<FlowStepNetwork>(in, engine, replicas);
}

}  // namespace fathom::models::training
