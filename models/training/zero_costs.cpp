#include "models/training/zero_costs.h"

namespace fathom::models::training {

double ring_collective_s(double bytes, int64_t n, const hw::NodeSpec& node) {
  if (n <= 1 || bytes <= 0) return 0.0;
  const double steps = double(n - 1);
  return steps * node.scaleout_nic.latency.value() +
         steps / double(n) * bytes / node.scaleout_nic.achievable_bandwidth.value();
}

double gradient_reduce_scatter_s(const ChunkParams& p, const TrainingSpec& spec, const TrainingLayout& layout,
                                 const hw::NodeSpec& node) {
  const double b = hw::bytes_per_element(spec.gradient_reduce_dtype);
  return ring_collective_s(double(p.dense) * b, layout.dp, node) +
         ring_collective_s(double(p.expert) * b, layout.expert_dp, node);
}

double parameter_all_gather_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                              const hw::NodeSpec& node) {
  const double b = hw::bytes_per_element(spec.parameter_gather_dtype);
  return ring_collective_s(double(all.dense) * b, layout.dp, node) +
         ring_collective_s(double(all.expert) * b, layout.expert_dp, node);
}

double optimizer_step_s(const ChunkParams& all, const TrainingSpec& spec, const TrainingLayout& layout,
                        const hw::KernelCostModel& cost_model) {
  const double shard = double(all.dense) / double(layout.dp) + double(all.expert) / double(layout.expert_dp);
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
