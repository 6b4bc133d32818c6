#pragma once
// Request lengths consistent with a day's totals. Input and output lengths are independent
// log-normals with given shapes (sigma of the underlying normal); their means are *derived* so
// that (a) input/output tokens per request match the daily totals and (b) the mean context seen by
// an output token matches the published average KV length.
//
// Derivation: a request with input I and output O generates O tokens at contexts I, I+1, ...,
// I+O-1, so the mean context over all output tokens is
//   K = E[O·I + O(O-1)/2] / E[O] = E[I] + (E[O²] - E[O]) / (2 E[O])      (I, O independent)
// With E[I] = R·E[O] (R = input/output tokens per day) and E[O²] = E[O]² e^{σ_O²} (log-normal):
//   K = R·μ + (μ e^{σ_O²} - 1)/2   =>   μ = E[O] = (K + 1/2) / (R + e^{σ_O²}/2).

#include <cstdint>
#include <random>

#include "models/serving/traffic.h"

namespace fathom::models::serving {

struct LengthShape {
  double input_sigma = 0;   // log-normal shape of input lengths (0 = every request the same)
  double output_sigma = 0;  // log-normal shape of output lengths
};

struct RequestMix {
  double mean_input_tokens = 0;
  double mean_output_tokens = 0;
  double input_sigma = 0;
  double output_sigma = 0;
  double cache_hit_fraction = 0;
  double requests_per_day = 0;

  double mean_computed_input_tokens() const { return mean_input_tokens * (1.0 - cache_hit_fraction); }
  // Mean context over output tokens (equals the traffic's mean_kv_length_per_output_token by construction).
  double mean_kv_length_per_output_token() const;
};

RequestMix derive_request_mix(const DailyTraffic& traffic, const LengthShape& shape);

// One sampled request (token counts rounded to at least 1).
struct RequestLengths {
  int64_t input_tokens = 1;
  int64_t output_tokens = 1;
};

// Deterministic sampler of request lengths from the mix (log-normal with the derived means).
class RequestSampler {
 public:
  RequestSampler(const RequestMix& mix, uint64_t seed);
  RequestLengths next();
  // A request caught in flight at a random instant: its output length is length-biased (long
  // requests are in flight longer). For a log-normal that is the same shape with the mean times
  // e^{σ²}.
  RequestLengths next_in_flight();

 private:
  // One log-normal length draw; sigma 0 gives the mean exactly (std::lognormal needs sigma > 0).
  int64_t draw(double mean, double sigma);

  RequestMix mix_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> unit_normal_{0.0, 1.0};
};

}  // namespace fathom::models::serving
