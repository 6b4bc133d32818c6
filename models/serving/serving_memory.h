#pragma once
// `fathom memory` of a serving scenario: the per-GPU memory of its prefill unit and its decode unit at the
// steady state the serving day starts from (models/serving/serving_day.cpp, simulate_serving_day):
//  - prefill: one forward of prefill.tokens_per_gpu computed tokens, the sequences it spans each holding
//    their KV cache (effective new + cached prefix tokens of the request mix), no MTP module;
//  - decode: the decode batch per GPU the SLO (or decode.batch_per_gpu) gives, each request at the mean KV
//    length per output token, MTP module resident when the model has one, decode.workspace.

#include <vector>

#include "models/deployment/memory_report.h"
#include "models/serving/serving_day.h"

namespace fathom::models::serving {

// The units "prefill" and "decode", in that order. Throws InputError where the serving day would (an EP size
// not dividing the experts, not one decode request fitting in HBM, the SLO unreachable at one request).
std::vector<MemoryUnit> serving_memory_units(const ServingInputs& in);

}  // namespace fathom::models::serving
