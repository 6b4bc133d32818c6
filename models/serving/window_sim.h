#pragma once
// Event-level simulation of one serving window, iteration by iteration (continuous batching).
// Symmetry fold: all units of a kind are alike and share the window's arrivals evenly, so one
// prefill unit and one decode unit are simulated, each with its share of a Poisson arrival stream.
// Within a unit, attention is data-parallel with the scheduler balancing requests over the GPUs,
// and all GPUs step together (the EP all-to-all synchronises them), so the unit is simulated as one
// pool of requests whose per-GPU batch is the pool size / GPUs.
//  - Prefill: FIFO with chunking; a forward takes up to GPUs x tokens_per_gpu computed tokens and
//    lasts the table's period for the tokens it took; a request's first token is out when its last
//    chunk's forward ends, plus the KV transfer to decode.
//  - Decode: the pool starts in steady state; every request in it gains tokens_per_step tokens per
//    step; the step time is the table's at the pool's batch per GPU and mean context; arrivals join
//    at the next step while the KV cache has room. A request's speed is the tokens it generated per
//    second of the steps it took part in; the measured requests are those finishing in the measured
//    span (output lengths have a long tail), and the unit is stable when no backlog of requests
//    waits for KV-cache room at the end.

#include <cstdint>
#include <vector>

#include "models/param_counts.h"
#include "models/serving/request_mix.h"
#include "models/serving/step_tables.h"

namespace fathom::models::serving {

// The prefilled KV cache's move to a decode GPU: a request's whole cache (KvCacheSize::of its input tokens:
// sliding-window layers only their window) over `link`. The default moves nothing.
struct KvTransfer {
  KvCacheSize kv{};
  BytesPerSecond link{1.0};
  Seconds of(double input_tokens) const;
};

struct SimWindow {
  double arrival_rate_per_s = 0;  // requests per second into the simulated unit
  Seconds warmup;                 // simulated before measuring (from an empty unit)
  Seconds horizon;                // measured span; arrivals in it are the measured requests
  uint64_t seed = 1;
};

struct PrefillSimResult {
  double measured_requests = 0;
  double ttft_p50_s = 0, ttft_p99_s = 0, ttft_mean_s = 0;
  std::vector<double> ttft_quantiles_s;  // 100 evenly spaced quantiles (0.5%, 1.5%, ... 99.5%)
  double busy_fraction = 0;              // share of the measured span spent in forwards
  double computed_tokens_per_s = 0;      // per unit, measured
  bool stable = true;                    // false when the backlog grew without bound
};

struct DecodeSimResult {
  double measured_requests = 0;
  double mean_batch_per_gpu = 0;   // time-weighted
  double output_tokens_per_s = 0;  // per unit, tokens of requests finished in the measured span
  double speed_mean = 0;           // tokens/s per request, weighted by tokens
  double speed_p1 = 0;             // 1st percentile over requests
  bool stable = true;
};

PrefillSimResult simulate_prefill_unit(const PrefillPeriodTable& periods, const PrefillSpec& prefill,
                                       const RequestMix& mix, const KvTransfer& kv_transfer, const SimWindow& window);

DecodeSimResult simulate_decode_unit(const DecodeStepTable& steps, const DecodeSpec& decode, const MtpSpec& mtp,
                                     const RequestMix& mix, int64_t memory_batch_limit, const SimWindow& window);

}  // namespace fathom::models::serving
