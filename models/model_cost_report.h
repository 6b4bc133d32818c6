#pragma once
// The Report of `fathom model` (sim/report.h; docs/model-cost.md lists the JSON keys): parameter counts,
// KV-cache and weight bytes and FLOPs per token (prefill at `seq_len`, decode at `context`, training) of a
// model, in total and per layer kind.

#include <cstdint>

#include "models/model_arch.h"
#include "models/ops.h"
#include "sim/report.h"

namespace fathom::models {

// Contract: seq_len and context >= 1 and within the model's context (the caller checks the flags).
Report model_cost_report(const ModelArch& arch, const CostOptions& options, int64_t seq_len, int64_t context);

}  // namespace fathom::models
