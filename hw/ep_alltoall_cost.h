#pragma once
// Time of one expert-parallel all-to-all (DeepEP dispatch or combine) on one GPU, from the node's
// achievable link bandwidths (N02) and latencies (N06). Two kernel styles, as DeepEP has them
// (published-figures.md §3c):
//  - normal (training, prefill; K20-K22): a token goes once over IB to each remote *node* its
//    experts live on (to the GPU of the same index there), then over NVLink to the expert GPUs;
//  - low_latency (decode; K23-K25): every (token, expert) pair is sent on its own; pairs for GPUs
//    of the own node go over NVLink when `nvlink_local` (the 2025-06 update, K25), else over IB.
// Routing is modelled as uniform over the experts of the min(M, nodes) nodes a token may use
// (node-limited routing, T05). Imbalance is the caller's factor on tokens_per_gpu.
//
// "Node" above means the scale-up domain (NodeSpec::scaleup_domain_gpus): what travels on NVLink is
// traffic inside the domain, what travels on the NICs ("IB") is traffic between domains. With the
// default domain (= the node's GPUs, HGX) the two are the same; on an NVL72 rack an EP group of up to
// 72 GPUs sends nothing over the NICs. The node-limited routing M then counts domains: it exists to
// bound scale-out traffic (T05). The NIC bandwidth per GPU stays the node's (its NICs / its GPUs).

#include <cstdint>

#include "hw/kernel_work.h"
#include "hw/node_spec.h"
#include "sim/units.h"

namespace fathom::hw {

enum class AllToAllStyle { normal, low_latency };

struct AllToAllShape {
  double tokens_per_gpu = 0;        // tokens this GPU sends (dispatch) or receives back (combine)
  int64_t top_k = 8;                // routed experts per token
  int64_t ep_gpus = 1;              // GPUs in the expert-parallel group
  int64_t max_nodes_per_token = 0;  // node-limited routing M (0 = no limit)
  Bytes bytes_per_token;            // one token's payload (see payload_bytes_per_token)
  AllToAllStyle style = AllToAllStyle::normal;
  bool nvlink_local = true;  // low_latency only: own-node pairs over NVLink (K25) or IB (K24)
};

// Expected bytes one GPU sends over each link class.
struct AllToAllTraffic {
  Bytes over_ib;
  Bytes over_nvlink;
  double remote_nodes_per_token = 0;  // expected distinct remote nodes a token visits (normal style)
};

// FP8 dispatch: one byte per element plus one FP32 scale per 128 elements (T26); BF16 combine: two.
Bytes payload_bytes_per_token(int64_t hidden, DType dtype);

// One GPU's scale-out bandwidth per direction: the node's achievable NIC bandwidth, shared when the node
// has fewer NICs than GPUs (one NIC per GPU on DeepSeek's nodes, N04). 0 without a NIC.
BytesPerSecond scaleout_bandwidth_per_gpu(const NodeSpec& node);

AllToAllTraffic ep_alltoall_traffic(const AllToAllShape& shape, const NodeSpec& node);

// The fixed part of one all-to-all: the NVLink latency, plus the IB latency when any byte leaves the node.
Seconds ep_alltoall_latency(const AllToAllTraffic& traffic, const NodeSpec& node);

// latency (NVLink, plus IB when any byte leaves the node) + max(IB bytes / IB bandwidth,
// NVLink bytes / NVLink bandwidth), bandwidths per GPU per direction.
Seconds ep_alltoall_time(const AllToAllShape& shape, const NodeSpec& node);

}  // namespace fathom::hw
