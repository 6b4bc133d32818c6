#pragma once
// Steady-state capacity of one GPU of each unit kind — the fast path of the serving simulator.
//  - Decode: the largest batch per GPU whose step still gives every request the SLO speed
//    (tokens per step / step time >= target), whose KV cache fits in HBM and whose routed tokens per
//    local expert stay under the deployment's cap (decode.max_tokens_per_expert, S05) when it has one,
//    and that the engine's running-request cap allows (decode.max_running_requests / unit GPUs).
//    The batch is an output of the SLO unless the scenario fixes it (decode.batch_per_gpu): then the
//    SLO is a consequence, reported as met or not.
//  - Prefill: computed tokens per second of a GPU running full forwards; prefix-cache hits are read
//    from the storage cluster (and new KV written to it) over the node's storage NIC, overlapped with
//    the previous forward.

#include <cstdint>
#include <string>

#include "models/serving/iteration_cost.h"
#include "models/serving/request_mix.h"

namespace fathom::models::serving {

struct DecodeCapacity {
  int64_t batch_per_gpu = 0;            // requests per GPU at the SLO (or the fixed batch)
  int64_t memory_batch_limit = 0;       // requests per GPU whose KV fits at the mean context
  int64_t expert_cap_batch_limit = 0;   // requests per GPU under decode.max_tokens_per_expert (0 = no cap)
  int64_t running_cap_batch_limit = 0;  // requests per GPU under decode.max_running_requests (0 = no cap)
  int64_t batch_limit = 0;              // the most requests a GPU may hold: min(memory, cap), or the fixed batch
  bool limited_by_memory = false;       // the KV cache, not the speed SLO, sets the batch
  std::string batch_source;             // "slo", "memory", "expert_cap", "max_running_requests" or "fixed"
  bool slo_met = true;                  // the batch's step gives every request the SLO speed
  double tokens_per_local_expert = 0;   // routed tokens per local expert of the busiest GPU per step
  double context = 0;                   // mean KV length of a request in the batch (tokens)
  ForwardCost step;                     // the step at that batch
  double tokens_per_s_per_request = 0;
  double output_tokens_per_s_per_gpu = 0;
};

struct PrefillCapacity {
  int64_t tokens_per_gpu = 0;  // computed tokens per forward
  double seq_len = 0;          // effective new tokens per sequence (length spread folded in)
  double prefix_len = 0;       // effective cached tokens per sequence
  ForwardCost forward;
  Seconds storage;                           // KV reads of hits + writes of new KV for one forward, per GPU
  BytesPerSecond storage_bandwidth_per_gpu;  // KV-cache read/write rate available to one GPU
  Seconds period;                            // max(forward, storage): one forward every period
  double computed_tokens_per_s_per_gpu = 0;
  double hit_tokens_per_s_per_gpu = 0;
};

// Decode batch limit from memory: requests per GPU whose KV cache (at `context`) fits beside the
// weights, activations and `workspace`. Uses models/deployment/memory_footprint.
int64_t decode_memory_batch_limit(const ModelChoice& model, const hw::GpuSpec& gpu, const DecodeSpec& decode,
                                  const MtpSpec& mtp, double context, Bytes workspace);

// Throws InputError naming slo.tokens_per_s_per_request when even one request per GPU is too slow.
DecodeCapacity decode_capacity(const IterationCostModel& cost, const DecodeSpec& decode, const MtpSpec& mtp,
                               const SloSpec& slo, double context, int64_t memory_batch_limit,
                               const std::string& scenario_label);

// Effective prefill shape of the mix: per computed token, the mean number of keys attended is
// (1 + h)/2 · E[I] · e^{σ_in²} for log-normal inputs with cache-hit share h; the sequence length and
// prefix are E[I]·e^{σ_in²} split by h, so a fixed-shape forward attends to exactly that many keys.
PrefillCapacity prefill_capacity(const IterationCostModel& cost, const PrefillSpec& prefill, const RequestMix& mix,
                                 Bytes kv_bytes_per_token, BytesPerSecond storage_bandwidth_per_gpu);

}  // namespace fathom::models::serving
