#include "models/serving/serving_memory.h"

#include <fmt/format.h>

#include <cmath>

#include "models/deployment/model_memory_facts.h"
#include "models/param_counts.h"
#include "models/serving/attention_imbalance.h"
#include "sim/error.h"

namespace fathom::models::serving {
namespace {

ParallelismSpec unit_layout(const UnitSpec& u) {
  return {.tp = 1, .pp = 1, .ep = u.gpus, .dp = u.gpus, .redundant_experts = u.redundant_experts};
}

}  // namespace

std::vector<MemoryUnit> serving_memory_units(const ServingInputs& in) {
  const ServingSpec& s = in.spec;
  const ModelArch& a = in.model.arch;
  for (const auto& [section, unit] : {std::pair{"prefill", s.prefill.unit}, std::pair{"decode", s.decode.unit}}) {
    if ((a.routed_experts + unit.redundant_experts) % unit.gpus != 0) {
      throw InputError(fmt::format("{}: {}.ep: {} GPUs do not divide the {} routed + {} redundant experts", in.label,
                                   section, unit.gpus, a.routed_experts, unit.redundant_experts));
    }
  }
  // The steady state simulate_serving_day starts from: the request mix, the expert imbalance, the decode
  // batch at the mean context and the prefill forward's effective shape.
  const RequestMix mix = derive_request_mix(in.traffic, s.lengths);
  const ExpertImbalance imbalance = expert_imbalance(a, s);
  const IterationCostModel cost(in.model, in.cluster.node, in.kernels,
                                {imbalance.prefill_after, s.prefill.unit.communication_sms},
                                {imbalance.decode_after, s.decode.unit.communication_sms});
  DecodeSpec decode = s.decode;
  decode.context_cv = decode_context_cv(mix);
  const double context = in.traffic.mean_kv_length_per_output_token;
  const int64_t memory_limit =
      decode_memory_batch_limit(in.model, in.cluster.node.gpu, decode, s.mtp, context, decode.workspace);
  const DecodeCapacity dc = decode_capacity(cost, decode, s.mtp, s.slo, context, memory_limit, in.label);
  const Bytes kv_token = kv_cache_bytes_per_token(a, in.model.kv_cache_dtype);
  // Storage bandwidth only sets the prefill period, not the forward's shape: unbounded here.
  const PrefillCapacity pc = prefill_capacity(cost, s.prefill, mix, kv_token, BytesPerSecond(INFINITY));

  const ModelMemoryFacts facts = memory_facts(in.model);
  const Bytes hbm = in.cluster.node.gpu.hbm_capacity;
  MemoryUnit prefill;
  prefill.name = "prefill";
  prefill.gpus = s.prefill.unit.gpus;
  prefill.request.tokens_per_forward = s.prefill.tokens_per_gpu;
  const double computed_per_sequence = std::max(1.0, pc.seq_len);
  prefill.request.requests_per_gpu =
      static_cast<int64_t>(std::ceil(static_cast<double>(s.prefill.tokens_per_gpu) / computed_per_sequence));
  prefill.request.context_tokens = std::llround(pc.seq_len + pc.prefix_len);
  prefill.request.include_mtp = false;
  prefill.request.workspace = s.decode.workspace;
  prefill.footprint = memory_footprint(facts, unit_layout(s.prefill.unit), prefill.request, hbm);

  MemoryUnit dec;
  dec.name = "decode";
  dec.gpus = s.decode.unit.gpus;
  dec.request.requests_per_gpu = dc.batch_per_gpu;
  dec.request.context_tokens = std::max<int64_t>(1, std::llround(context));
  dec.request.tokens_per_forward = dc.batch_per_gpu * (1 + s.mtp.draft_tokens);
  dec.request.include_mtp = in.model.mtp;
  dec.request.workspace = s.decode.workspace;
  dec.footprint = memory_footprint(facts, unit_layout(s.decode.unit), dec.request, hbm);
  return {prefill, dec};
}

}  // namespace fathom::models::serving
