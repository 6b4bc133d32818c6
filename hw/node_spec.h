#pragma once
// One server (scenarios/hw/nodes/*.json): its GPUs, the intra-node fabric (NVSwitch or PCIe), the
// scale-out NICs (one per GPU on DeepSeek's clusters) and the storage NIC.

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
};

// Reads a node object (with its nested "gpu"); `reader.finish()` is called.
NodeSpec read_node_spec(const SpecReader& reader);

}  // namespace fathom::hw
