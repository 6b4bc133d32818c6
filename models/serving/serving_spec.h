#pragma once
// The serving-specific sections of a "serving" scenario (docs/serving.md): the prefill and decode
// deployment units, MTP, the SLO, autoscaling, request-length shapes and expert-load skew.

#include <algorithm>
#include <cstdint>
#include <optional>

#include "hw/ep_alltoall_cost.h"
#include "models/serving/request_mix.h"
#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::models::serving {

// One deployment unit: the nodes the scheduler adds or removes together. Attention is data-parallel
// and the routed experts expert-parallel over the same GPUs (S10, S11).
struct UnitSpec {
  int64_t nodes = 1;  // nodes per unit
  int64_t gpus = 8;   // = nodes x GPUs per node = the EP size
  // Tensor parallelism of attention and dense FFNs inside the unit (tensor_parallel.h): groups of tp GPUs of
  // one node; attention is data-parallel over the gpus / tp groups. 1 = pure DP attention (S10, S11).
  int64_t tp = 1;
  int64_t redundant_experts = 0;  // extra routed-expert replicas (EPLB)
  int64_t micro_batches = 2;      // micro-batches overlapped so all-to-all hides behind compute (S12)
  hw::AllToAllStyle comm_style = hw::AllToAllStyle::normal;
  bool nvlink_local = false;  // low-latency dispatch sends own-node pairs over NVLink (K25) or IB (K24)
  Seconds overhead;           // per forward: scheduling, sampling, launch gaps
  // SMs the all-to-all kernels hold while they overlap compute (T08: DeepEP normal kernels, 20 of 132;
  // S41: the low-latency kernels use RDMA and hold none). 0 <= sms < the GPU's SM count.
  int64_t communication_sms = 0;
};

struct PrefillSpec {
  UnitSpec unit;
  int64_t tokens_per_gpu = 0;  // computed tokens per GPU in one forward (S40: 16K)
};

struct DecodeSpec {
  UnitSpec unit;
  Bytes workspace;  // per GPU beside weights, KV cache and activations (buffers, CUDA context)
  // Coefficient of variation of one decoding request's context (derived from the request mix, or
  // the unit's context_sigma): sets the attention imbalance between DP ranks (attention_imbalance.h).
  double context_cv = 0;
  // How requests are placed on the DP attention ranks: at random (the attention imbalance above), or by a
  // scheduler that equalises the ranks' context sums (no attention imbalance).
  bool balanced_placement = false;
  std::optional<int64_t> batch_per_gpu;  // a fixed decode batch replacing the SLO-derived one
  // A cap on the routed tokens each local expert of the busiest GPU receives per step (S05: "usually
  // <= 256" in the report's EP320 deployment); caps the decode batch.
  std::optional<int64_t> max_tokens_per_expert;
  // The serving engine's cap on its running decode requests (SGLang's --max-running-requests, for the whole
  // unit): the decode batch per GPU cannot exceed max_running_requests / gpus (rounded down), whatever the
  // SLO or memory would allow. running_requests_batch_limit() is that per-GPU cap (0 = none).
  std::optional<int64_t> max_running_requests;
  int64_t running_requests_batch_limit() const {
    return max_running_requests ? *max_running_requests / std::max<int64_t>(1, unit.gpus) : 0;
  }
};

struct MtpSpec {
  int64_t draft_tokens = 0;  // speculative tokens per step (S45: depth 1); 0 = no MTP
  double acceptance = 0;     // probability a draft token is accepted (S44)
  double tokens_per_step() const { return 1.0 + static_cast<double>(draft_tokens) * acceptance; }
};

struct SloSpec {
  double tokens_per_s_per_request = 20;  // every request's decode speed at least this (S20)
  Seconds ttft_p99;                      // 99th percentile time to first token at most this
};

struct AutoscaleSpec {
  Seconds window;       // planning window (default 30 min)
  double headroom = 1;  // capacity kept above the window's mean load (>= 1)
};

struct ExpertLoadSpec {
  double zipf_exponent = 0;  // skew of per-expert token counts before EPLB (0 = uniform)
  uint64_t seed = 1;
};

// Reads the optional "communication_sms" of a unit section; the default follows the kernel style (T08
// for normal, S41 for low-latency). The caller checks it against the GPU's SM count.
int64_t read_communication_sms(const SpecReader& reader, hw::AllToAllStyle style);

// Reads an "expert_load" object {zipf_exponent (a value that may carry a range), seed}; finishes it.
ExpertLoadSpec read_expert_load(const SpecReader& reader);

struct ServingSpec {
  PrefillSpec prefill;
  DecodeSpec decode;
  MtpSpec mtp;
  SloSpec slo;
  AutoscaleSpec autoscaling;
  LengthShape lengths;
  ExpertLoadSpec expert_load;
  Seconds simulated_seconds_per_window;  // event-level horizon per window (after warm-up)
};

// decode.max_running_requests: an integer >= the unit's GPUs (at least one request per GPU).
int64_t read_max_running_requests(const SpecReader& decode, int64_t unit_gpus);

// decode.request_placement: "random" (default) or "balanced" (DecodeSpec::balanced_placement).
bool read_request_placement(const SpecReader& decode);

// Reads the sections prefill, decode, mtp, slo, autoscaling, lengths, expert_load and simulation of
// the top-level reader `top` (which the caller finishes). `node` sizes the units (gpus_per_node) and bounds their
// TP groups (its NVLink domain, tensor_parallel.h's tp_group_misfit).
ServingSpec read_serving_spec(const SpecReader& top, const hw::NodeSpec& node);

}  // namespace fathom::models::serving
