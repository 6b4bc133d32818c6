#include "models/serving/request_mix.h"

#include <algorithm>
#include <cmath>

namespace fathom::models::serving {
double RequestMix::mean_kv_length_per_output_token() const {
  const double second_moment = mean_output_tokens * mean_output_tokens * std::exp(output_sigma * output_sigma);
  return mean_input_tokens + (second_moment - mean_output_tokens) / (2.0 * mean_output_tokens);
}

RequestMix derive_request_mix(const DailyTraffic& t, const LengthShape& shape) {
  RequestMix m;
  const double ratio = t.input_tokens_per_day / t.output_tokens_per_day;
  m.output_sigma = shape.output_sigma;
  m.input_sigma = shape.input_sigma;
  m.mean_output_tokens =
      (t.mean_kv_length_per_output_token + 0.5) / (ratio + std::exp(shape.output_sigma * shape.output_sigma) / 2.0);
  m.mean_input_tokens = ratio * m.mean_output_tokens;
  m.cache_hit_fraction = t.cache_hit_fraction;
  m.requests_per_day = t.output_tokens_per_day / m.mean_output_tokens;
  return m;
}

RequestSampler::RequestSampler(const RequestMix& mix, uint64_t seed) : mix_(mix), rng_(seed) {}

int64_t RequestSampler::draw(double mean, double sigma) {
  // Log-normal with mean `mean`: the underlying normal has mu = ln(mean) - sigma²/2.
  const double x = sigma == 0.0 ? mean : std::exp(std::log(mean) - sigma * sigma / 2.0 + sigma * unit_normal_(rng_));
  return std::max<int64_t>(1, std::llround(x));
}

RequestLengths RequestSampler::next_in_flight() {
  RequestLengths r;
  r.input_tokens = draw(mix_.mean_input_tokens, mix_.input_sigma);
  r.output_tokens = draw(mix_.mean_output_tokens * std::exp(mix_.output_sigma * mix_.output_sigma), mix_.output_sigma);
  return r;
}

RequestLengths RequestSampler::next() {
  RequestLengths r;
  r.input_tokens = draw(mix_.mean_input_tokens, mix_.input_sigma);
  r.output_tokens = draw(mix_.mean_output_tokens, mix_.output_sigma);
  return r;
}

}  // namespace fathom::models::serving
