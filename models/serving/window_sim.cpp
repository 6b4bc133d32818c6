#include "models/serving/window_sim.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <random>

namespace fathom::models::serving {
namespace {

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const size_t j = std::min(i + 1, sorted.size() - 1);
  return sorted[i] + (sorted[j] - sorted[i]) * (pos - static_cast<double>(i));
}

// Poisson arrivals with request lengths from the mix.
class ArrivalStream {
 public:
  ArrivalStream(const RequestMix& mix, double rate, uint64_t seed)
      : sampler_(mix, seed), rng_(seed ^ 0x9E3779B97F4A7C15ULL), gap_(rate) {
    advance();
  }
  double next_time() const { return next_; }
  RequestLengths take() {
    const RequestLengths r = sampler_.next();
    advance();
    return r;
  }
  RequestLengths in_flight() { return sampler_.next_in_flight(); }
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

 private:
  void advance() { next_ += gap_(rng_); }
  RequestSampler sampler_;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_;
  double next_ = 0;
};

struct PrefillRequest {
  double arrival = 0;
  double remaining = 0;  // computed tokens still to prefill
  int64_t input_tokens = 0;
};

}  // namespace

Seconds KvTransfer::of(double input_tokens) const {
  // Per token at the request's length, times its tokens: kv.of(input_tokens) / link.
  return Seconds((kv.per_token_at(input_tokens) / link).value() * input_tokens);
}

PrefillSimResult simulate_prefill_unit(const PrefillPeriodTable& periods, const PrefillSpec& prefill,
                                       const RequestMix& mix, const KvTransfer& kv_transfer, const SimWindow& w) {
  PrefillSimResult out;
  if (w.arrival_rate_per_s <= 0) return out;
  ArrivalStream arrivals(mix, w.arrival_rate_per_s, w.seed);
  const double capacity = static_cast<double>(prefill.unit.gpus * prefill.tokens_per_gpu);
  const double measure_from = w.warmup.value();
  const double measure_to = measure_from + w.horizon.value();
  const double give_up = measure_to + w.horizon.value();
  std::deque<PrefillRequest> queue;
  double backlog_at_end = -1;  // computed tokens queued when the measured span ends
  std::vector<double> ttft;
  double t = 0, busy = 0, computed = 0;
  int64_t measured_pending = 0;
  auto admit_until = [&](double until) {
    while (arrivals.next_time() <= until) {
      const double at = arrivals.next_time();
      const RequestLengths r = arrivals.take();
      const double c = std::max(1.0, std::round(static_cast<double>(r.input_tokens) * (1.0 - mix.cache_hit_fraction)));
      queue.push_back({at, c, r.input_tokens});
      if (at >= measure_from && at < measure_to) ++measured_pending;
    }
  };
  while (t < give_up && (t < measure_to || measured_pending > 0)) {
    admit_until(t);
    if (t >= measure_to && backlog_at_end < 0) {
      backlog_at_end = 0;
      for (const PrefillRequest& r : queue) backlog_at_end += r.remaining;
    }
    if (queue.empty()) {
      t = arrivals.next_time();
      continue;
    }
    // One forward: take computed tokens FIFO up to the unit's capacity (chunking the last request).
    double taken = 0;
    std::vector<PrefillRequest> finished;
    while (!queue.empty() && taken < capacity) {
      PrefillRequest& r = queue.front();
      const double chunk = std::min(r.remaining, capacity - taken);
      taken += chunk;
      r.remaining -= chunk;
      if (r.remaining > 0) break;
      finished.push_back(r);
      queue.pop_front();
    }
    const double period = periods.period(taken / static_cast<double>(prefill.unit.gpus)).value();
    const double end = t + period;
    if (end > measure_from && t < measure_to) {
      busy += std::min(end, measure_to) - std::max(t, measure_from);
      computed += taken * (std::min(end, measure_to) - std::max(t, measure_from)) / period;
    }
    for (const PrefillRequest& r : finished) {
      if (r.arrival >= measure_from && r.arrival < measure_to) {
        ttft.push_back(end - r.arrival + kv_transfer.of(static_cast<double>(r.input_tokens)).value());
        --measured_pending;
      }
    }
    t = end;
  }
  // Stable: every measured request got its first token and the queue left at the end of the span is
  // a few forwards' worth, not a backlog that grows with the window.
  out.stable = measured_pending == 0 && backlog_at_end <= 4.0 * capacity;
  std::sort(ttft.begin(), ttft.end());
  out.measured_requests = static_cast<double>(ttft.size());
  out.ttft_p50_s = quantile(ttft, 0.50);
  out.ttft_p99_s = out.stable ? quantile(ttft, 0.99) : INFINITY;
  double sum = 0;
  for (const double x : ttft) sum += x;
  out.ttft_mean_s = ttft.empty() ? 0 : sum / static_cast<double>(ttft.size());
  for (int i = 0; i < 100; ++i) out.ttft_quantiles_s.push_back(quantile(ttft, (i + 0.5) / 100.0));
  out.busy_fraction = busy / w.horizon.value();
  out.computed_tokens_per_s = computed / w.horizon.value();
  return out;
}

DecodeSimResult simulate_decode_unit(const DecodeStepTable& steps, const DecodeSpec& decode, const MtpSpec& mtp,
                                     const RequestMix& mix, int64_t memory_batch_limit, const SimWindow& w) {
  DecodeSimResult out;
  if (w.arrival_rate_per_s <= 0) return out;
  struct Active {
    int64_t finish_step;
    double join, context_at_finish;
    int64_t steps;  // decode steps the request takes in the pool
    bool measured;  // arrived during the simulation (not part of the steady-state start)
    bool operator>(const Active& o) const { return finish_step > o.finish_step; }
  };
  ArrivalStream arrivals(mix, w.arrival_rate_per_s, w.seed + 7);
  const double gpus = static_cast<double>(decode.unit.gpus);
  const size_t pool_limit = static_cast<size_t>(memory_batch_limit * decode.unit.gpus);
  const double per_step = mtp.tokens_per_step();
  const double measure_from = w.warmup.value();
  const double measure_to = measure_from + w.horizon.value();
  std::priority_queue<Active, std::vector<Active>, std::greater<>> pool;
  std::deque<std::pair<double, RequestLengths>> waiting;
  double t = 0, context_sum = 0, batch_time = 0, tokens_done = 0;
  int64_t step = 0;
  std::vector<double> speeds;
  double weighted_speed = 0, weight = 0;
  // Start in steady state instead of empty: Little's law gives the pool size at the speed the pool
  // itself sets (a short fixed-point iteration); members are caught in flight, with length-biased
  // outputs and a uniform share of their steps still to run.
  double in_flight = 0;
  for (int i = 0; i < 20; ++i) {
    const double b = std::max(1.0, in_flight / gpus);
    const double speed = per_step / steps.step(b, mix.mean_kv_length_per_output_token()).value();
    in_flight = std::min(static_cast<double>(pool_limit), w.arrival_rate_per_s * mix.mean_output_tokens / speed);
  }
  for (int64_t i = 0; i < static_cast<int64_t>(std::llround(in_flight)); ++i) {
    const RequestLengths r = arrivals.in_flight();
    const int64_t n_steps = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(r.output_tokens / per_step)));
    const int64_t left = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(arrivals.uniform() * n_steps)));
    const double done_tokens = static_cast<double>(n_steps - left) * per_step;
    const double context = static_cast<double>(r.input_tokens) + done_tokens;
    pool.push({left, t, context + static_cast<double>(left) * per_step, left, false});
    context_sum += context;
  }
  // Output lengths have a long tail, so waiting for every measured arrival to finish would run far
  // past the window: the measured requests are those that finish inside the measured span.
  while (t < measure_to) {
    while (arrivals.next_time() <= t) {
      const double at = arrivals.next_time();
      waiting.emplace_back(at, arrivals.take());
    }
    while (!waiting.empty() && pool.size() < pool_limit) {
      const RequestLengths r = waiting.front().second;
      waiting.pop_front();
      const int64_t n_steps = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(r.output_tokens / per_step)));
      const double input = static_cast<double>(r.input_tokens);
      pool.push({step + n_steps, t, input + static_cast<double>(n_steps) * per_step, n_steps, true});
      context_sum += input;
    }
    if (pool.empty()) {
      t = std::max(t, arrivals.next_time());
      continue;
    }
    const double b = static_cast<double>(pool.size());
    const double dt = steps.step(b / gpus, context_sum / b).value();
    if (t + dt > measure_from && t < measure_to) {
      const double overlap = std::min(t + dt, measure_to) - std::max(t, measure_from);
      batch_time += b * overlap;
      tokens_done += b * per_step * overlap / dt;
    }
    t += dt;
    ++step;
    context_sum += b * per_step;
    while (!pool.empty() && pool.top().finish_step <= step) {
      const Active a = pool.top();
      pool.pop();
      context_sum -= a.context_at_finish;
      // Speed: tokens generated per second of the steps the request took part in.
      const double tokens = static_cast<double>(a.steps) * per_step;
      const double speed = tokens / (t - a.join);
      if (a.measured && t >= measure_from) {
        speeds.push_back(speed);
        weighted_speed += speed * tokens;
        weight += tokens;
      }
    }
  }
  // Stable: no backlog of requests waiting for KV-cache room at the end of the window.
  out.stable = waiting.size() <= static_cast<size_t>(std::ceil(0.01 * static_cast<double>(pool_limit)));
  std::sort(speeds.begin(), speeds.end());
  out.measured_requests = static_cast<double>(speeds.size());
  out.mean_batch_per_gpu = batch_time / w.horizon.value() / gpus;
  out.output_tokens_per_s = tokens_done / w.horizon.value();
  out.speed_mean = weight > 0 ? weighted_speed / weight : 0;
  out.speed_p1 = out.stable ? quantile(speeds, 0.01) : 0;
  return out;
}

}  // namespace fathom::models::serving
