#pragma once
// The steady state a serving day starts from (docs/serving.md): the request mix, the expert imbalance after
// EPLB, the iteration cost model priced with them, and the decode and prefill capacities at the mean
// context. simulate_serving_day sizes its windows from it; serving_memory_units prices memory at it, so the
// two cannot drift apart.

#include "models/param_counts.h"
#include "models/serving/capacity.h"
#include "models/serving/expert_imbalance.h"
#include "models/serving/iteration_cost.h"
#include "models/serving/request_mix.h"
#include "models/serving/serving_day.h"

namespace fathom::models::serving {

struct ServingSteadyState {
  // `storage_bw`: the KV-cache read rate one prefill GPU gets (storage_bandwidth_per_gpu); it sets the
  // prefill period only, not the forward's shape. Throws InputError when a unit's GPUs do not divide its
  // experts, not one decode request fits in HBM, or the SLO cannot be met at one request.
  ServingSteadyState(const ServingInputs& in, BytesPerSecond storage_bw);

  RequestMix mix;
  ExpertImbalance imbalance;
  IterationCostModel cost;  // refers to `in`, which must outlive this
  DecodeSpec decode_spec;   // the scenario's, with the context spread of the mix (attention imbalance)
  // A decoding request's mean context over its decode equals the mean KV length per output token
  // (requests weigh in proportion to their output length in both): docs/serving.md.
  double context = 0;
  int64_t memory_batch_limit = 0;  // decode requests per GPU that fit in HBM at `context`
  DecodeCapacity decode;
  KvCacheSize kv;  // a request's KV cache (param_counts.h): what it moves to decode and reads back
  // KV bytes per input token at the mean request (kv.per_token_at(mean input)): the prefill's storage
  // traffic per token (capacity.h); kv_cache_bytes_per_token for models without sliding windows.
  Bytes kv_token;
  BytesPerSecond storage_bw;
  PrefillCapacity prefill;
};

}  // namespace fathom::models::serving
