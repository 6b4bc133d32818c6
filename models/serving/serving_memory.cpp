#include "models/serving/serving_memory.h"

#include <cmath>

#include "models/deployment/model_memory_facts.h"
#include "models/serving/steady_state.h"

namespace fathom::models::serving {
namespace {

ParallelismSpec unit_layout(const UnitSpec& u) {
  return {.tp = 1, .pp = 1, .ep = u.gpus, .dp = u.gpus, .redundant_experts = u.redundant_experts};
}

}  // namespace

std::vector<MemoryUnit> serving_memory_units(const ServingInputs& in) {
  const ServingSpec& s = in.spec;
  // The steady state simulate_serving_day starts from (steady_state.h). Storage bandwidth only sets the
  // prefill period, not the forward's shape: unbounded here.
  const ServingSteadyState st(in, BytesPerSecond(INFINITY));
  const DecodeCapacity& dc = st.decode;
  const PrefillCapacity& pc = st.prefill;
  const double context = st.context;

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
