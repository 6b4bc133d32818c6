#pragma once
// How a model is laid out over GPUs (the scenario's "parallelism" section): tensor parallelism of
// attention (tp), pipeline stages (pp), expert parallelism of the routed experts (ep) with optional
// redundant expert replicas (EPLB, S02/S10/S11), and attention data parallelism (dp).

#include <cstdint>

#include "sim/spec_reader.h"

namespace fathom::models {

struct ParallelismSpec {
  int64_t tp = 1;                 // attention / dense tensor parallelism
  int64_t pp = 1;                 // pipeline stages
  int64_t ep = 1;                 // GPUs the routed experts of one layer are spread over
  int64_t dp = 1;                 // attention data-parallel replicas (informational for memory)
  int64_t redundant_experts = 0;  // extra routed-expert replicas per layer (EPLB)
  bool tp_comm_overlap = false;   // training only: TP collectives overlapped with the TP blocks' GEMMs
};

// Reads the "parallelism" object; all keys optional with default 1 (0 for redundant_experts).
ParallelismSpec read_parallelism(const SpecReader& reader);

// Checks the layout against the model and the GPU count; throws InputError naming the JSON path
// (under `reader`) of the offending key, e.g. "s.json: parallelism.ep: 7 does not divide 256 + 0".
void validate_parallelism(const SpecReader& reader, const ParallelismSpec& p, int64_t routed_experts,
                          int64_t attention_heads, int64_t layers, int64_t total_gpus);

}  // namespace fathom::models
