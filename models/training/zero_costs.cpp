#include "models/training/zero_costs.h"

#include "hw/ep_alltoall_cost.h"

namespace fathom::models::training {

ChunkParams chunk_params(const std::vector<BlockCost>& blocks) {
  ChunkParams p;
  for (const BlockCost& b : blocks) {
    p.dense += b.dense_params;
    p.expert += b.expert_params;
    p.tp_replicated += b.tp_replicated_params;
  }
  return p;
}

RingTransfer ring_transfer(double bytes, int64_t n, const hw::NodeSpec& node, bool over_nvlink) {
  if (n <= 1 || bytes <= 0) return {};
  const double steps = double(n - 1);
  const double latency_s = over_nvlink ? node.intra_latency.value() : node.scaleout_nic.latency.value();
  return {steps / double(n) * bytes, steps * latency_s, over_nvlink};
}

double ring_collective_s(double bytes, int64_t n, const hw::NodeSpec& node) {
  return rings_s({ring_transfer(bytes, n, node)}, node);
}

namespace {

std::vector<RingTransfer> dense_then_expert(const ChunkParams& p, double bytes_per_param, const TrainingLayout& layout,
                                            const hw::NodeSpec& node) {
  return {ring_transfer(double(p.dense) * bytes_per_param, layout.dp, node, layout.dp_in_one_domain),
          ring_transfer(double(p.expert) * bytes_per_param, layout.expert_dp, node, layout.dp_in_one_domain)};
}

}  // namespace

double rings_s(const std::vector<RingTransfer>& rings, const hw::NodeSpec& node) {
  double t = 0;
  for (const RingTransfer& r : rings) {
    t += r.latency_s;
    if (r.bytes > 0) {
      t += r.bytes / (r.over_nvlink ? node.intra_achievable_bandwidth : hw::scaleout_bandwidth_per_gpu(node)).value();
    }
  }
  return t;
}

RingTransfer tp_all_reduce_transfer(double bytes, int64_t tp, const hw::NodeSpec& node) {
  if (tp <= 1 || bytes <= 0) return {};
  const double steps = double(tp - 1);
  return {2.0 * steps / double(tp) * bytes, 2.0 * steps * node.intra_latency.value(), true};
}

std::vector<RingTransfer> gradient_reduce_scatter_transfers(const ChunkParams& p, const TrainingSpec& spec,
                                                            const TrainingLayout& layout, const hw::NodeSpec& node) {
  const double grad = hw::bytes_per_element(spec.gradient_reduce_dtype);
  std::vector<RingTransfer> rings = dense_then_expert(p, grad, layout, node);
  // Sequence parallelism: each TP rank's gradients of the replicated weights cover its own tokens only.
  if (layout.tp > 1 && p.tp_replicated > 0) {
    rings.push_back(tp_all_reduce_transfer(double(p.tp_replicated) * grad, layout.tp, node));
  }
  return rings;
}

std::vector<RingTransfer> parameter_all_gather_transfers(const ChunkParams& all, const TrainingSpec& spec,
                                                         const TrainingLayout& layout, const hw::NodeSpec& node) {
  return dense_then_expert(all, hw::bytes_per_element(spec.parameter_gather_dtype), layout, node);
}

double gradient_reduce_scatter_s(const ChunkParams& p, const TrainingSpec& spec, const TrainingLayout& layout,
                                 const hw::NodeSpec& node) {
  return rings_s(gradient_reduce_scatter_transfers(p, spec, layout, node), node);
}

double parameter_all_gather_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                              const hw::NodeSpec& node) {
  return rings_s(parameter_all_gather_transfers(all, spec, layout, node), node);
}

double zero1_shard_params(const ChunkParams& all, const TrainingLayout& layout) {
  return double(all.dense) / double(layout.dp) + double(all.expert) / double(layout.expert_dp);
}

double optimizer_step_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                        const hw::KernelCostModel& cost_model) {
  const double shard = zero1_shard_params(all, layout);
  const double master = hw::bytes_per_element(spec.master_weight_dtype);
  const double moment = hw::bytes_per_element(spec.optimizer_moment_dtype);
  const double grad = hw::bytes_per_element(spec.gradient_reduce_dtype);
  const double param = hw::bytes_per_element(spec.parameter_gather_dtype);
  hw::KernelWork w;
  w.family = hw::KernelFamily::elementwise;
  w.dtype = hw::DType::fp32;
  w.flops = Flops(12.0 * shard);  // AdamW: about a dozen FLOPs per parameter (moments, bias correction, decay)
  w.bytes_read = Bytes(shard * (master + grad + 2.0 * moment));
  w.bytes_written = Bytes(shard * (master + 2.0 * moment + param));
  return cost_model.time(w).value();
}

}  // namespace fathom::models::training
