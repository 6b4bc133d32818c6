#include "hw/node_spec.h"

#include <fmt/format.h>

namespace fathom::hw {
namespace {

NicSpec read_nic(const SpecReader& r) {
  NicSpec n;
  n.count = r.at_most("count", r.at_least("count", r.integer("count"), 0), 64);
  if (n.count > 0) {
    n.bandwidth = r.quantity<BytesPerSecond>("bandwidth");
    n.achievable_bandwidth = r.quantity<BytesPerSecond>("achievable_bandwidth");
    n.latency = r.quantity<Seconds>("latency");
    if (n.bandwidth.value() <= 0) r.fail("bandwidth", "must be positive");
    if (n.achievable_bandwidth.value() <= 0) r.fail("achievable_bandwidth", "must be positive");
    if (n.achievable_bandwidth > n.bandwidth) r.fail("achievable_bandwidth", "exceeds the line rate \"bandwidth\"");
  }
  r.finish();
  return n;
}

}  // namespace

NodeSpec read_node_spec(const SpecReader& r) {
  NodeSpec n;
  n.name = r.text("name");
  n.gpu = read_gpu_spec(r.child("gpu"));
  n.gpus_per_node = r.at_most("gpus_per_node", r.at_least("gpus_per_node", r.integer("gpus_per_node"), 1), 1024);
  const SpecReader fabric = r.child("intra_node");
  n.intra_fabric =
      fabric.choice("kind", {"nvswitch", "pcie"}) == "nvswitch" ? IntraNodeFabric::nvswitch : IntraNodeFabric::pcie;
  n.intra_achievable_bandwidth = fabric.quantity<BytesPerSecond>("achievable_bandwidth_per_gpu");
  n.intra_latency = fabric.quantity<Seconds>("latency");
  fabric.positive("achievable_bandwidth_per_gpu", n.intra_achievable_bandwidth.value());
  fabric.finish();
  n.scaleout_nic = read_nic(r.child("scaleout_nic"));
  n.storage_nic = read_nic(r.child("storage_nic"));
  n.scaleup_domain_gpus =
      r.at_most("scaleup_domain_gpus",
                r.integer_or("scaleup_domain_gpus", n.gpus_per_node, "one NVLink domain per node (HGX, H12)"), 4096);
  if (n.scaleup_domain_gpus < n.gpus_per_node || n.scaleup_domain_gpus % n.gpus_per_node != 0) {
    r.fail("scaleup_domain_gpus",
           fmt::format("{} is not a whole number of {}-GPU nodes", n.scaleup_domain_gpus, n.gpus_per_node));
  }
  if (n.scaleup_domain_gpus > n.gpus_per_node && n.intra_fabric != IntraNodeFabric::nvswitch) {
    r.fail("scaleup_domain_gpus", "a domain beyond one node needs an NVSwitch fabric (intra_node.kind \"nvswitch\")");
  }
  r.finish();
  return n;
}

}  // namespace fathom::hw
