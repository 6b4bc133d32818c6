#include "models/serving/capacity.h"

#include <fmt/format.h>

#include <cmath>

#include "models/deployment/memory_footprint.h"
#include "models/deployment/model_memory_facts.h"
#include "sim/error.h"

namespace fathom::models::serving {

int64_t decode_memory_batch_limit(const ModelChoice& model, const hw::GpuSpec& gpu, const DecodeSpec& decode,
                                  const MtpSpec& mtp, double context, Bytes workspace) {
  const int64_t tp = std::max<int64_t>(1, decode.unit.tp);
  const ParallelismSpec p{.tp = tp,
                          .pp = 1,
                          .ep = decode.unit.gpus,
                          .dp = decode.unit.gpus / tp,
                          .redundant_experts = decode.unit.redundant_experts};
  MemoryRequest req;
  req.requests_per_gpu = 1;
  req.shared_experts_sharded_by_tp = false;  // iteration_cost.h: the MoE block runs on each GPU's own tokens
  req.context_tokens = std::max<int64_t>(1, std::llround(context));
  req.include_mtp = model.mtp;
  req.workspace = workspace;
  // Activations grow with the batch: size them at the batch that fits without them, then solve again.
  const ModelMemoryFacts facts = memory_facts(model);
  req.tokens_per_forward = 1 + mtp.draft_tokens;
  const int64_t first = memory_footprint(facts, p, req, gpu.hbm_capacity).max_requests_at_context;
  req.tokens_per_forward = std::max<int64_t>(1, first) * (1 + mtp.draft_tokens);
  const MemoryFootprint f = memory_footprint(facts, p, req, gpu.hbm_capacity);
  // Under TP a GPU keeps the KV of its group's requests (tensor_parallel.h): per GPU, 1/tp of them.
  return f.max_requests_at_context / tp;
}

DecodeCapacity decode_capacity(const IterationCostModel& cost, const DecodeSpec& decode, const MtpSpec& mtp,
                               const SloSpec& slo, double context, int64_t memory_batch_limit,
                               const std::string& label) {
  auto speed = [&](int64_t b) {
    return mtp.tokens_per_step() / cost.decode_step(b, context, decode, mtp).total.value();
  };
  if (memory_batch_limit < 1) {
    throw InputError(fmt::format("{}: decode: not even one request at the mean context of {:.0f} tokens fits in HBM",
                                 label, context));
  }
  DecodeCapacity c;
  c.memory_batch_limit = memory_batch_limit;
  int64_t limit = memory_batch_limit;
  if (decode.max_tokens_per_expert) {
    // Routed tokens per local expert grow linearly with the batch.
    const double per_request = cost.decode_tokens_per_local_expert(1, decode, mtp);
    c.expert_cap_batch_limit = static_cast<int64_t>(std::floor(double(*decode.max_tokens_per_expert) / per_request));
    if (c.expert_cap_batch_limit < 1) {
      throw InputError(
          fmt::format("{}: decode.max_tokens_per_expert: {} is below one request's {:.1f} routed tokens "
                      "per local expert",
                      label, *decode.max_tokens_per_expert, per_request));
    }
    limit = std::min(limit, c.expert_cap_batch_limit);
  }
  if (decode.max_running_requests) {
    c.running_cap_batch_limit = decode.running_requests_batch_limit();
    limit = std::min(limit, c.running_cap_batch_limit);
  }
  int64_t lo = 1;
  if (decode.batch_per_gpu) {
    lo = *decode.batch_per_gpu;
    if (lo > memory_batch_limit) {
      throw InputError(
          fmt::format("{}: decode.batch_per_gpu: {} requests per GPU, but only {} fit in HBM at the mean "
                      "context of {:.0f} tokens",
                      label, lo, memory_batch_limit, context));
    }
    if (c.expert_cap_batch_limit > 0 && lo > c.expert_cap_batch_limit) {
      throw InputError(
          fmt::format("{}: decode.batch_per_gpu: {} requests per GPU exceed the {} that "
                      "decode.max_tokens_per_expert allows",
                      label, lo, c.expert_cap_batch_limit));
    }
    if (c.running_cap_batch_limit > 0 && lo > c.running_cap_batch_limit) {
      throw InputError(
          fmt::format("{}: decode.batch_per_gpu: {} requests per GPU exceed the {} that "
                      "decode.max_running_requests ({} over {} GPUs) allows",
                      label, lo, c.running_cap_batch_limit, *decode.max_running_requests, decode.unit.gpus));
    }
    c.batch_source = "fixed";
    c.batch_limit = lo;
  } else {
    if (speed(1) < slo.tokens_per_s_per_request) {
      throw InputError(
          fmt::format("{}: slo.tokens_per_s_per_request: {} is unreachable: one request per GPU decodes at "
                      "{:.1f} tokens/s",
                      label, slo.tokens_per_s_per_request, speed(1)));
    }
    // The step time grows with the batch, so the speed falls: binary search the largest batch at the SLO.
    int64_t hi = limit;
    if (speed(hi) >= slo.tokens_per_s_per_request) {
      lo = hi;
    } else {
      while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (speed(mid) >= slo.tokens_per_s_per_request ? lo : hi) = mid;
      }
    }
    c.batch_limit = limit;
    c.batch_source = lo < limit                           ? "slo"
                     : limit == memory_batch_limit        ? "memory"
                     : limit == c.running_cap_batch_limit ? "max_running_requests"
                                                          : "expert_cap";
  }
  c.batch_per_gpu = lo;
  c.limited_by_memory = lo == memory_batch_limit && c.batch_source != "fixed";
  c.context = context;
  c.step = cost.decode_step(lo, context, decode, mtp);
  c.tokens_per_s_per_request = mtp.tokens_per_step() / c.step.total.value();
  c.slo_met = c.tokens_per_s_per_request >= slo.tokens_per_s_per_request;
  c.output_tokens_per_s_per_gpu = c.tokens_per_s_per_request * static_cast<double>(lo);
  c.tokens_per_local_expert = cost.decode_tokens_per_local_expert(lo, decode, mtp);
  return c;
}

PrefillCapacity prefill_capacity(const IterationCostModel& cost, const PrefillSpec& prefill, const RequestMix& mix,
                                 Bytes kv_bytes_per_token, BytesPerSecond storage_bandwidth_per_gpu) {
  PrefillCapacity c;
  const double spread = std::exp(mix.input_sigma * mix.input_sigma);
  const double h = mix.cache_hit_fraction;
  c.tokens_per_gpu = prefill.tokens_per_gpu;
  c.seq_len = std::max(1.0, (1.0 - h) * mix.mean_input_tokens * spread);
  c.prefix_len = h * mix.mean_input_tokens * spread;
  c.forward = cost.prefill_forward(c.tokens_per_gpu, c.seq_len, c.prefix_len, prefill);
  // Per computed token, h / (1 - h) hit tokens are read back and one token's KV is written.
  const double tokens = static_cast<double>(c.tokens_per_gpu);
  const double hit_tokens = h < 1.0 ? tokens * h / (1.0 - h) : 0.0;
  c.storage = (kv_bytes_per_token * (hit_tokens + tokens)) / storage_bandwidth_per_gpu;
  c.storage_bandwidth_per_gpu = storage_bandwidth_per_gpu;
  c.period = std::max(c.forward.total, c.storage);
  c.computed_tokens_per_s_per_gpu = tokens / c.period.value();
  c.hit_tokens_per_s_per_gpu = hit_tokens / c.period.value();
  return c;
}

}  // namespace fathom::models::serving
