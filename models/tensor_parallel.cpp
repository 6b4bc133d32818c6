#include "models/tensor_parallel.h"

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
