#include "models/deployment/parallelism.h"

#include <fmt/format.h>

namespace fathom::models {

ParallelismSpec read_parallelism(const SpecReader& r) {
  ParallelismSpec p;
  p.tp = r.at_least("tp", r.integer_or("tp", 1, "no tensor parallelism"), 1);
  p.pp = r.at_least("pp", r.integer_or("pp", 1, "no pipeline parallelism"), 1);
  p.ep = r.at_least("ep", r.integer_or("ep", 1, "no expert parallelism"), 1);
  p.dp = r.at_least("dp", r.integer_or("dp", 1, "no data parallelism"), 1);
  p.redundant_experts =
      r.at_least("redundant_experts", r.integer_or("redundant_experts", 0, "no redundant experts"), 0);
  r.finish();
  return p;
}

void validate_parallelism(const SpecReader& r, const ParallelismSpec& p, int64_t routed_experts,
                          int64_t attention_heads, int64_t layers, int64_t total_gpus) {
  if (routed_experts == 0) {
    if (p.ep != 1) r.fail("ep", fmt::format("the model has no routed experts; ep must be 1, got {}", p.ep));
    if (p.redundant_experts != 0) r.fail("redundant_experts", "the model has no routed experts");
  } else if ((routed_experts + p.redundant_experts) % p.ep != 0) {
    r.fail("ep", fmt::format("{} does not divide the {} routed + {} redundant experts", p.ep, routed_experts,
                             p.redundant_experts));
  }
  if (attention_heads % p.tp != 0) {
    r.fail("tp", fmt::format("{} does not divide the {} attention heads", p.tp, attention_heads));
  }
  if (p.pp > layers) r.fail("pp", fmt::format("{} stages for {} layers", p.pp, layers));
  if (total_gpus % (p.tp * p.pp) != 0) {
    r.fail("tp", fmt::format("tp {} x pp {} does not divide the cluster's {} GPUs", p.tp, p.pp, total_gpus));
  }
  if (p.ep > total_gpus / p.pp) {
    r.fail("ep", fmt::format("{} exceeds the {} GPUs of one pipeline stage", p.ep, total_gpus / p.pp));
  }
}

}  // namespace fathom::models
