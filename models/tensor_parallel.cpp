#include "models/tensor_parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace fathom::models {

ModelArch tp_sharded_arch(const ModelArch& arch, int64_t tp) {
  if (tp < 1) throw std::invalid_argument("tp_sharded_arch: tp must be >= 1");
  if (tp == 1) return arch;
  if (arch.heads % tp != 0) throw std::invalid_argument("tp_sharded_arch: tp does not divide the attention heads");
  if (arch.intermediate % tp != 0) {
    throw std::invalid_argument("tp_sharded_arch: tp does not divide the dense FFN intermediate size");
  }
  ModelArch a = arch;
  a.heads = arch.heads / tp;
  if (arch.attention == AttentionKind::gqa) a.kv_heads = std::max<int64_t>(1, arch.kv_heads / tp);
  a.intermediate = arch.intermediate / tp;
  return a;
}

std::string tp_group_misfit(int64_t tp, const hw::NodeSpec& node) {
  const int64_t per_node = node.gpus_per_node;
  const int64_t domain = hw::scaleup_domain_gpus(node);
  if (tp >= 1 && domain % tp == 0) return "";
  if (domain == per_node)
    return fmt::format("{} must divide the {} GPUs of a node (a TP group stays on NVLink)", tp, per_node);
  return fmt::format(
      "{} must divide the {} GPUs of an NVLink domain ({} nodes of {}): a TP group stays on NVLink, "
      "never across domains",
      tp, domain, domain / per_node, per_node);
}

TpCollective tp_ring_collective(double gathered_bytes, int64_t tp, const hw::NodeSpec& node) {
  TpCollective c;
  if (tp <= 1 || gathered_bytes <= 0) return c;
  const double steps = double(tp - 1);
  c.bytes_per_gpu = gathered_bytes * steps / double(tp);
  c.latency_s = steps * node.intra_latency.value();
  c.time_s = c.latency_s + c.bytes_per_gpu / node.intra_achievable_bandwidth.value();
  return c;
}

}  // namespace fathom::models
