#include "models/unit/training_chunk.h"

#include <stdexcept>

#include "models/tensor_parallel.h"
#include "models/training/block_costs.h"
#include "models/training/stage_plan.h"

namespace fathom::models::unit {
namespace {

using serving::Breakdown;
using serving::CostRow;

// Per-family time of `passes` (F, or B and W) of a block's ops on `kernels`.
std::array<double, serving::kMaxKernelFamilies> family_times(const std::vector<Op>& ops,
                                                             const hw::KernelCostModel& kernels, bool forward,
                                                             std::array<double, serving::kMaxKernelFamilies>& flops,
                                                             std::array<double, serving::kMaxKernelFamilies>& bytes,
                                                             std::array<double, serving::kMaxKernelFamilies>& bound) {
  std::array<double, serving::kMaxKernelFamilies> t{};
  for (const Op& op : ops) {
    if ((op.pass == Pass::forward) != forward) continue;
    const auto i = static_cast<size_t>(op.work.family);
    if (i >= serving::kMaxKernelFamilies) throw std::logic_error("training_chunk: raise kMaxKernelFamilies");
    const hw::KernelTime k = kernels.breakdown(op.work);
    t[i] += k.total.value();
    flops[i] += op.work.flops.value();
    bytes[i] += op.work.bytes().value();
    if (k.compute_bound) bound[i] += k.total.value();
  }
  return t;
}

// Adds one pass of a block to the rows: its as-run compute `seconds` split like its ops' times.
void add_pass(Breakdown& rows, const std::vector<Op>& ops, const hw::KernelCostModel& kernels, bool forward,
              double seconds) {
  std::array<double, serving::kMaxKernelFamilies> flops{}, bytes{}, bound{};
  const auto t = family_times(ops, kernels, forward, flops, bytes, bound);
  double sum = 0;
  for (const double x : t) sum += x;
  if (sum <= 0) return;
  for (size_t i = 0; i < serving::kMaxKernelFamilies; ++i) {
    if (t[i] <= 0 && flops[i] <= 0) continue;
    CostRow& r = rows.kernels[i];
    const double share = seconds * t[i] / sum;
    r.time_s += share;
    r.exposed_s += share;
    r.flops += flops[i];
    r.bytes += bytes[i];
    if (t[i] > 0) r.compute_bound_s += share * bound[i] / t[i];
  }
}

// The bytes and latency of one all-to-all of the block into a communication row (its time comes from the
// unit plan's spans, its exposure from the unit's cost).
void add_alltoall(CostRow& row, const training::BlockCostInputs& in, const hw::NodeSpec& node, double tokens,
                  hw::DType dtype) {
  if (in.layout.ep <= 1) return;
  const hw::AllToAllShape shape = training::alltoall_shape(in, tokens, dtype);
  const hw::AllToAllTraffic traffic = hw::ep_alltoall_traffic(shape, node);
  row.latency_s += hw::ep_alltoall_latency(traffic, node).value();
  row.bytes += traffic.over_ib.value() + traffic.over_nvlink.value();
}

}  // namespace

TrainingChunkCost training_chunk_cost(const UnitScenario& s, const hw::KernelCostModel& kernels,
                                      double expert_imbalance) {
  const ModelArch& a = s.model.arch;
  const training::TrainingSpec& base = s.training.spec;
  training::TrainingSpec spec = base;
  spec.expert_imbalance = expert_imbalance;
  training::TrainingLayout layout;
  layout.gpus = s.parallelism.ep;
  layout.ep = s.parallelism.ep;
  // Attention and dense FFNs TP over tp GPUs of the NVLink domain (the training step's rules, tp_shards.h), its
  // collectives on the critical path (no --tp-comm-overlap); the EP group is all dp x tp GPUs.
  layout.tp = s.parallelism.tp;
  layout.tp_comm_overlap = false;
  layout.dp = s.parallelism.ep / s.parallelism.tp;
  layout.experts_per_gpu = a.routed_experts / s.parallelism.ep;
  layout.ep_nodes = std::max<int64_t>(1, s.parallelism.ep / s.cluster.node.gpus_per_node);
  layout.ep_domains = std::max<int64_t>(1, s.parallelism.ep / hw::scaleup_domain_gpus(s.cluster.node));
  layout.micro_batch_tokens = spec.micro_batch_sequences * spec.sequence_length;
  layout.tokens_per_step = layout.micro_batch_tokens;
  CostOptions options = default_cost_options(a);
  options.weight_dtype = s.model.weights_dtype;
  const hw::GpuSpec& gpu = kernels.gpu();
  const hw::KernelCostModel reduced = kernels.with_compute_sms(gpu.sm_count - spec.communication_sms);
  const training::BlockCostInputs in{a, false, options, spec, layout, s.cluster.node, kernels, {}, &reduced};
  const std::vector<training::BlockCost> blocks = training::block_costs(in);

  // The chunk: the first `layers` MoE layers (all MoE layers are alike), as one stage.
  training::Stage chunk;
  for (const training::BlockCost& b : blocks) {
    if (b.kind == training::BlockKind::layer && b.moe && std::ssize(chunk.blocks) < s.training.layers) {
      chunk.blocks.push_back(b);
    }
  }
  chunk.first_layer = chunk.blocks.front().layer;
  chunk.last_layer = chunk.blocks.back().layer;
  const std::vector<training::Stage> stages{chunk, chunk};
  using schedule::Pass;
  using schedule::PassKind;
  const Pass f{PassKind::kForward, 0, 0, 0};
  const Pass b{PassKind::kBackwardFull, 0, 1, 1};
  std::vector<schedule::Unit> units;
  if (s.training.overlapped) {
    units.push_back(schedule::Unit::overlapped(f, b));
  } else {
    units.push_back(schedule::Unit::single(f));
    units.push_back(schedule::Unit::single(b));
  }

  TrainingChunkCost out;
  out.micro_batch_tokens = layout.micro_batch_tokens;
  out.first_layer = chunk.first_layer;
  for (const schedule::Unit& unit : units) {
    const training::UnitPlan plan = training::unit_plan(unit, stages);
    const training::UnitCost cost = training::unit_cost(unit, stages);
    const hw::KernelCostModel& model = plan.overlapped ? reduced : kernels;
    const bool has_forward = unit.kind == schedule::UnitKind::kForward || unit.second.has_value();
    const bool has_backward = unit.kind != schedule::UnitKind::kForward;
    // Kernel rows: each block's as-run pass times split like its ops' times.
    for (const training::BlockCost& blk : chunk.blocks) {
      std::vector<Op> ops =
          training::training_block_ops(in, blk.layer, training::ep_moe_load(a, layout, blk.expert_imbalance));
      const std::vector<Op> again = recompute_ops(ops, spec.recompute);
      ops.insert(ops.end(), again.begin(), again.end());
      const training::PassTimes& t =
          plan.overlapped ? blk.overlapped
                          : training::PassTimes{blk.forward_s, blk.backward_input_s, blk.backward_weight_s};
      // The pass times include the TP collectives (all exposed without overlap): their own row, not the kernels'.
      const double tp_s = blk.tp_collective_s;
      if (has_forward) add_pass(out.rows, ops, model, true, t.forward_s - tp_s);
      if (has_backward) add_pass(out.rows, ops, model, false, t.backward_input_s - tp_s + t.backward_weight_s);
      if (tp_s > 0) {
        const double passes = double(has_forward) + double(has_backward);
        out.rows.tensor_parallel.time_s += passes * tp_s;
        out.rows.tensor_parallel.exposed_s += passes * tp_s;
        const TpCollective rings =
            training::block_tp_collectives_per_pass(in, blk.moe, blk.kind == training::BlockKind::mtp);
        out.rows.tensor_parallel.latency_s += passes * rings.latency_s;
        out.rows.tensor_parallel.bytes += passes * rings.bytes_per_gpu;
      }
      if (blk.moe) {
        if (has_forward) {
          add_alltoall(out.rows.dispatch, in, s.cluster.node, blk.alltoall_tokens, spec.dispatch_dtype);
          add_alltoall(out.rows.combine, in, s.cluster.node, blk.alltoall_tokens, spec.combine_dtype);
        }
        if (has_backward) {
          add_alltoall(out.rows.dispatch, in, s.cluster.node, blk.alltoall_tokens, spec.backward_dispatch_dtype);
          add_alltoall(out.rows.combine, in, s.cluster.node, blk.alltoall_tokens, spec.combine_dtype);
        }
      }
    }
    out.forward_s += cost.forward_s;
    out.backward_s += cost.backward_input_s + cost.backward_weight_s;
    // Communication rows: the plan's all-to-all spans by phase; the unit's exposed communication split
    // in proportion to their times.
    double dispatch_s = 0, combine_s = 0;
    for (const training::CommSpan& c : plan.comm) {
      const bool is_dispatch =
          c.phase == training::AllToAllPhase::dispatch || c.phase == training::AllToAllPhase::dispatch_backward;
      (is_dispatch ? dispatch_s : combine_s) += c.time_s();
    }
    out.rows.dispatch.time_s += dispatch_s;
    out.rows.combine.time_s += combine_s;
    if (dispatch_s + combine_s > 0) {
      out.rows.dispatch.exposed_s += cost.exposed_comm_s * dispatch_s / (dispatch_s + combine_s);
      out.rows.combine.exposed_s += cost.exposed_comm_s * combine_s / (dispatch_s + combine_s);
    }
    out.step_s += cost.total_s();
  }
  return out;
}

}  // namespace fathom::models::unit
