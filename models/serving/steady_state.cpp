#include "models/serving/steady_state.h"

#include <fmt/format.h>

#include "models/param_counts.h"
#include "models/serving/attention_imbalance.h"
#include "sim/error.h"

namespace fathom::models::serving {
namespace {

// Checked before anything is priced: each GPU holds the same number of experts (S10, S11).
const ServingInputs& with_dividing_units(const ServingInputs& in) {
  const ServingSpec& s = in.spec;
  for (const auto& [section, unit] : {std::pair{"prefill", s.prefill.unit}, std::pair{"decode", s.decode.unit}}) {
    if (!experts_divide(in.model.arch, unit)) {
      throw InputError(fmt::format("{}: {}.ep: {} GPUs do not divide the {} routed + {} redundant experts", in.label,
                                   section, unit.gpus, in.model.arch.routed_experts, unit.redundant_experts));
    }
  }
  return in;
}

DecodeSpec with_context_spread(const DecodeSpec& decode, const RequestMix& mix) {
  DecodeSpec d = decode;
  d.context_cv = decode_context_cv(mix);  // the contexts of a batch spread as the mix says
  return d;
}

}  // namespace

ServingSteadyState::ServingSteadyState(const ServingInputs& in, BytesPerSecond storage_bandwidth)
    : mix(derive_request_mix(with_dividing_units(in).traffic, in.spec.lengths)),
      imbalance(expert_imbalance(in.model.arch, in.spec, in.cluster.node)),
      cost(in.model, in.cluster.node, in.kernels,
           {imbalance.prefill_after, in.spec.prefill.unit.communication_sms, imbalance.prefill_noise},
           {imbalance.decode_after, in.spec.decode.unit.communication_sms, imbalance.decode_noise}),
      decode_spec(with_context_spread(in.spec.decode, mix)),
      context(in.traffic.mean_kv_length_per_output_token),
      memory_batch_limit(decode_memory_batch_limit(in.model, in.cluster.node.gpu, decode_spec, in.spec.mtp, context,
                                                   decode_spec.workspace)),
      decode(decode_capacity(cost, decode_spec, in.spec.mtp, in.spec.slo, context, memory_batch_limit, in.label)),
      kv(kv_cache_size(in.model.arch, in.model.kv_cache_dtype)),
      kv_token(kv.per_token_at(mix.mean_input_tokens)),
      storage_bw(storage_bandwidth),
      prefill(prefill_capacity(cost, in.spec.prefill, mix, kv_token, storage_bw)) {}

}  // namespace fathom::models::serving
