#include "hw/ep_alltoall_cost.h"

#include <algorithm>
#include <cmath>

namespace fathom::hw {
namespace {

// Expected number of distinct bins hit when k balls fall uniformly into `bins` bins.
double expected_distinct(double bins, double k) { return bins * (1.0 - std::pow(1.0 - 1.0 / bins, k)); }

}  // namespace

Bytes payload_bytes_per_token(int64_t hidden, DType dtype) {
  const double h = static_cast<double>(hidden);
  if (dtype == DType::fp8) return Bytes(h + std::ceil(h / 128.0) * 4.0);
  return Bytes(h * bytes_per_element(dtype));
}

BytesPerSecond scaleout_bandwidth_per_gpu(const NodeSpec& node) {
  if (node.scaleout_nic.count <= 0) return BytesPerSecond(0.0);
  const double nic_share = static_cast<double>(node.scaleout_nic.count) / static_cast<double>(node.gpus_per_node);
  return node.scaleout_nic.achievable_bandwidth * std::min(1.0, nic_share);
}

AllToAllTraffic ep_alltoall_traffic(const AllToAllShape& s, const NodeSpec& node) {
  // Domains stand in for nodes throughout (see the header): NVLink inside one, NICs between them.
  const double gpus_per_node = static_cast<double>(std::min(s.ep_gpus, scaleup_domain_gpus(node)));
  const double nodes = std::ceil(static_cast<double>(s.ep_gpus) / gpus_per_node);
  const double usable_nodes = s.max_nodes_per_token > 0 ? std::min<double>(nodes, s.max_nodes_per_token) : nodes;
  const double k = static_cast<double>(s.top_k);
  const double t = s.tokens_per_gpu;
  const double b = s.bytes_per_token.value();
  AllToAllTraffic out;
  if (s.style == AllToAllStyle::low_latency) {
    // Each (token, expert) pair travels alone; 1/nodes of them stay in the own node.
    const double pairs = t * k;
    const double local = nodes > 1 ? pairs / nodes : pairs;
    const double remote = pairs - local;
    out.over_ib = Bytes(b * (remote + (s.nvlink_local ? 0.0 : local)));
    out.over_nvlink = Bytes(s.nvlink_local ? b * local : 0.0);
    out.remote_nodes_per_token = remote / std::max(1.0, t);
    return out;
  }
  // Normal: once per distinct node (over IB if remote), then NVLink from the landing GPU to each
  // distinct expert GPU in that node other than itself.
  const double nodes_hit = expected_distinct(usable_nodes, k);
  const double remote_nodes = nodes_hit * (1.0 - 1.0 / nodes);
  const double gpus_hit = expected_distinct(usable_nodes * gpus_per_node, k);
  const double forwards = gpus_hit * (1.0 - 1.0 / gpus_per_node);
  out.over_ib = Bytes(t * remote_nodes * b);
  out.over_nvlink = Bytes(t * forwards * b);
  out.remote_nodes_per_token = remote_nodes;
  return out;
}

Seconds ep_alltoall_latency(const AllToAllTraffic& traffic, const NodeSpec& node) {
  return node.intra_latency + (traffic.over_ib.value() > 0 ? node.scaleout_nic.latency : Seconds(0));
}

Seconds ep_alltoall_time(const AllToAllShape& s, const NodeSpec& node) {
  const AllToAllTraffic traffic = ep_alltoall_traffic(s, node);
  Seconds ib(0);
  if (traffic.over_ib.value() > 0) {
    const BytesPerSecond ib_bw = scaleout_bandwidth_per_gpu(node);
    if (ib_bw.value() <= 0) return Seconds(INFINITY);
    ib = traffic.over_ib / ib_bw;
  }
  const Seconds nvl =
      traffic.over_nvlink.value() > 0 ? traffic.over_nvlink / node.intra_achievable_bandwidth : Seconds(0);
  return ep_alltoall_latency(traffic, node) + std::max(ib, nvl);
}

}  // namespace fathom::hw
