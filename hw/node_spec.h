#pragma once
// One server (scenarios/hw/nodes/*.json): its GPUs, the intra-node fabric (NVSwitch or PCIe), the
// scale-out NICs (one per GPU on DeepSeek's clusters) and the storage NIC.
//
// A node (a host or compute tray with its CPUs and NICs) and the scale-up (NVLink) domain it belongs to
// are separate things: an HGX board is 8 GPUs in one domain per node; a GB200/GB300 NVL72 rack is one
// 72-GPU domain over 18 trays of 4 (H15, H18). "scaleup_domain_gpus" (optional, default gpus_per_node)
// says how many GPUs share the node's NVLink fabric, a multiple of gpus_per_node; traffic between
// GPUs of one domain runs at intra_node's bandwidth and latency, traffic between domains on the
// scale-out NICs.

#include <string>

#include "hw/gpu_spec.h"

namespace fathom::hw {

enum class IntraNodeFabric { nvswitch, pcie };

struct NicSpec {
  int64_t count = 0;                    // per node
  BytesPerSecond bandwidth;             // line rate per NIC, per direction
  BytesPerSecond achievable_bandwidth;  // what an all-to-all reaches per NIC, per direction
  Seconds latency;                      // one message across the fabric behind this NIC
};

struct NodeSpec {
  std::string name;
  GpuSpec gpu;
  int64_t gpus_per_node = 0;
  IntraNodeFabric intra_fabric = IntraNodeFabric::nvswitch;
  BytesPerSecond intra_achievable_bandwidth;  // per GPU, per direction, GPU to GPU inside the node
  Seconds intra_latency;
  NicSpec scaleout_nic;  // count 0 = a stand-alone machine
  NicSpec storage_nic;
  int64_t scaleup_domain_gpus = 0;  // GPUs of one NVLink domain (>= gpus_per_node, a multiple of it)
};

// The GPUs of one NVLink domain; 0 (a NodeSpec built in code without the field) reads as one domain per node.
inline int64_t scaleup_domain_gpus(const NodeSpec& node) {
  return node.scaleup_domain_gpus > 0 ? node.scaleup_domain_gpus : node.gpus_per_node;
}

// Reads a node object (with its nested "gpu"); `reader.finish()` is called.
NodeSpec read_node_spec(const SpecReader& reader);

}  // namespace fathom::hw
