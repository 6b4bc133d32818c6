#include "models/serving/serving_day.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "models/param_counts.h"
#include "models/serving/attention_imbalance.h"
#include "models/serving/fleet_sizing.h"
#include "models/serving/serving_budget.h"
#include "models/serving/steady_state.h"
#include "models/serving/window_sim.h"
#include "sim/error.h"

namespace fathom::models::serving {
namespace {

constexpr int kMaxSloIterations = 12;  // unit additions tried per window before reporting a miss

// Steady-state reuse: a unit simulated at a per-unit arrival rate within 0.5% of one already
// simulated gets that result (every window of a day sees one of few per-unit loads).
struct SimCache {
  template <class Result, class Run>
  static Result get(std::map<int64_t, Result>& cache, double rate, Run run) {
    const int64_t key = std::llround(std::log(std::max(rate, 1e-9)) / std::log(1.005));
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
    return cache.emplace(key, run()).first->second;
  }
  std::map<int64_t, PrefillSimResult> prefill;
  std::map<int64_t, DecodeSimResult> decode;
};

struct DayContext {
  const ServingInputs& in;
  const ServingResult& capacity;
  const DecodeStepTable& steps;
  const PrefillPeriodTable& periods;
  KvTransfer kv_transfer;  // prefill to decode, per request
  KvCacheSize kv;          // a request's KV cache (param_counts.h)
  SimCache& cache;
};

constexpr double kWarmupS = 30.0;  // decode starts in steady state and prefill fills within a few forwards

// A window's load and the unit counts its first simulation tries (steady-state capacity x headroom).
struct WindowStart {
  double load = 0, requests_per_s = 0;
  int64_t prefill_units = 1, decode_units = 1;
};

WindowStart window_start(const DayContext& d, double start_h, double end_h) {
  const ServingSpec& s = d.in.spec;
  const WindowDemand demand = window_demand(d.in.traffic, d.capacity.mix, start_h, end_h);
  WindowStart w;
  w.load = demand.load;
  w.requests_per_s = demand.requests_per_s;
  const double prefill_unit_capacity =
      static_cast<double>(s.prefill.unit.gpus) * d.capacity.prefill.computed_tokens_per_s_per_gpu;
  const double decode_unit_capacity =
      static_cast<double>(s.decode.unit.gpus) * d.capacity.decode.output_tokens_per_s_per_gpu;
  w.prefill_units = units_for(demand.computed_tokens_per_s, prefill_unit_capacity, s.autoscaling.headroom);
  w.decode_units = units_for(demand.output_tokens_per_s, decode_unit_capacity, s.autoscaling.headroom);
  return w;
}

// The requests and decode steps of every distinct window simulation's first attempt (serving_budget.h).
ServingWork simulation_work(const DayContext& d, size_t windows, double window_h, ServingWork work) {
  const ServingSpec& s = d.in.spec;
  const RequestMix& mix = d.capacity.mix;
  const double horizon = s.simulated_seconds_per_window.value();
  const double context = d.in.traffic.mean_kv_length_per_output_token;
  const double per_step = s.mtp.tokens_per_step();
  const double pool_limit =
      static_cast<double>(d.capacity.decode.batch_limit) * static_cast<double>(s.decode.unit.gpus);
  // The slowest decode speed gives the largest steady-state pool; the fastest step the most steps.
  const double slowest_step_s = d.steps.step(static_cast<double>(d.steps.max_batch()), 4 * context).value();
  const double fastest_step_s = d.steps.step(1.0, 0.0).value();
  std::set<int64_t> seen_prefill, seen_decode;
  const auto key = [](double rate) { return std::llround(std::log(std::max(rate, 1e-9)) / std::log(1.005)); };
  for (size_t i = 0; i < windows; ++i) {
    const WindowStart w = window_start(d, static_cast<double>(i) * window_h, static_cast<double>(i + 1) * window_h);
    const double prefill_rate = w.requests_per_s / static_cast<double>(w.prefill_units);
    const double decode_rate = w.requests_per_s / static_cast<double>(w.decode_units);
    double requests = 0;
    if (prefill_rate > 0 && seen_prefill.insert(key(prefill_rate)).second) {
      requests += prefill_rate * (kWarmupS + 2 * horizon);
    }
    if (decode_rate > 0 && seen_decode.insert(key(decode_rate)).second) {
      const double pool = std::min(pool_limit, decode_rate * mix.mean_output_tokens * slowest_step_s / per_step);
      requests += decode_rate * (kWarmupS + horizon) + pool;
      work.decode_steps += (kWarmupS + horizon) / fastest_step_s;
    }
    work.requests += requests;
    work.peak_window_requests = std::max(work.peak_window_requests, requests);
  }
  return work;
}

// Plans and simulates one window: start from the steady-state unit counts, add units until the
// simulated window meets the SLO (or kMaxSloIterations runs out).
WindowResult plan_window(const DayContext& d, double start_h, double end_h) {
  const ServingInputs& in = d.in;
  const ServingSpec& s = in.spec;
  const RequestMix& mix = d.capacity.mix;
  WindowResult w;
  w.start_h = start_h;
  w.end_h = end_h;
  const WindowStart first = window_start(d, start_h, end_h);
  w.load = first.load;
  w.requests_per_s = first.requests_per_s;
  w.prefill_units = first.prefill_units;
  w.decode_units = first.decode_units;

  SimWindow sim{.warmup = Seconds(kWarmupS), .horizon = s.simulated_seconds_per_window, .seed = 1000};
  PrefillSimResult prefill;
  DecodeSimResult decode;
  storage::KvRequestReadTime kv_read;
  const bool fixed_batch = s.decode.batch_per_gpu.has_value();
  bool prefill_ok = false, decode_ok = false;
  for (int attempt = 0; attempt < kMaxSloIterations && !(prefill_ok && decode_ok); ++attempt) {
    if (!prefill_ok) {
      sim.arrival_rate_per_s = w.requests_per_s / static_cast<double>(w.prefill_units);
      prefill = SimCache::get(d.cache.prefill, sim.arrival_rate_per_s,
                              [&] { return simulate_prefill_unit(d.periods, s.prefill, mix, d.kv_transfer, sim); });
      kv_read = window_kv_read(in, mix, d.kv, w.requests_per_s, w.prefill_units * s.prefill.unit.nodes);
      prefill_ok = prefill.stable && prefill.ttft_p99_s + kv_read.total.value() <= s.slo.ttft_p99.value();
      if (!prefill_ok) ++w.prefill_units;
    }
    if (!decode_ok) {
      sim.arrival_rate_per_s = w.requests_per_s / static_cast<double>(w.decode_units);
      decode = SimCache::get(d.cache.decode, sim.arrival_rate_per_s, [&] {
        return simulate_decode_unit(d.steps, s.decode, s.mtp, mix, d.capacity.decode.batch_limit, sim);
      });
      // A fixed batch is the user's choice: units are added for stability only, the speed is reported.
      decode_ok = decode.stable && (fixed_batch || decode.speed_p1 >= s.slo.tokens_per_s_per_request);
      if (!decode_ok) ++w.decode_units;
    }
  }
  w.slo_met = prefill_ok && decode_ok && decode.speed_p1 >= s.slo.tokens_per_s_per_request;
  w.prefill_nodes = w.prefill_units * s.prefill.unit.nodes;
  w.decode_nodes = w.decode_units * s.decode.unit.nodes;
  w.nodes = w.prefill_nodes + w.decode_nodes;
  const double seconds = (end_h - start_h) * 3600.0;
  w.input_tokens = w.requests_per_s * seconds * mix.mean_input_tokens;
  w.cache_hit_tokens = w.input_tokens * mix.cache_hit_fraction;
  w.output_tokens = w.requests_per_s * seconds * mix.mean_output_tokens;
  const double gpus = static_cast<double>(w.nodes * in.cluster.node.gpus_per_node);
  w.cost = gpu_cost(in.economics, gpus, Seconds(seconds));
  w.revenue = revenue(in.economics.prices,
                      TokenVolume{.input_cache_hit = w.cache_hit_tokens,
                                  .input_cache_miss = w.input_tokens - w.cache_hit_tokens,
                                  .output = w.output_tokens},
                      start_h, end_h);
  w.decode_batch_per_gpu = decode.mean_batch_per_gpu;
  w.tokens_per_s_per_request = decode.speed_mean;
  w.speed_p1 = decode.speed_p1;
  // The cached prefix is read before the uncached suffix's prefill and not overlapped with it (the
  // suffix's attention needs the prefix's KV): it adds to every TTFT of the window.
  w.ttft_kv_read_s = kv_read.total.value();
  w.kv_read_queueing_s = kv_read.queueing.value();
  w.kv_read_ios = kv_read.ios;
  w.ttft_p50_without_kv_read_s = prefill.ttft_p50_s;
  w.ttft_p99_without_kv_read_s = prefill.ttft_p99_s;
  w.ttft_p50_s = prefill.ttft_p50_s + w.ttft_kv_read_s;
  w.ttft_p99_s = prefill.ttft_p99_s + w.ttft_kv_read_s;
  w.ttft_quantiles_s = prefill.ttft_quantiles_s;
  w.prefill_busy_fraction = prefill.busy_fraction;
  return w;
}

// Quantile q of the union of windows' TTFT quantile points, each window weighted by its requests; with
// each window's KV-cache read added when `with_kv_read`.
double pooled_quantile(const std::vector<WindowResult>& windows, double q, bool with_kv_read) {
  std::vector<std::pair<double, double>> points;  // (ttft, weight)
  double total = 0;
  for (const WindowResult& w : windows) {
    const double weight = w.requests_per_s * (w.end_h - w.start_h) / static_cast<double>(w.ttft_quantiles_s.size());
    const double read = with_kv_read ? w.ttft_kv_read_s : 0.0;
    for (const double t : w.ttft_quantiles_s) points.emplace_back(t + read, weight);
    total += weight * static_cast<double>(w.ttft_quantiles_s.size());
  }
  if (points.empty()) return 0;
  std::sort(points.begin(), points.end());
  double seen = 0;
  for (const auto& [t, weight] : points) {
    seen += weight;
    if (seen >= q * total) return t;
  }
  return points.back().first;
}

void aggregate(const ServingInputs& in, ServingResult& r) {
  const double gpus_per_node = static_cast<double>(in.cluster.node.gpus_per_node);
  double prefill_node_s = 0, decode_node_s = 0, node_s = 0, speed_tokens = 0, batch_gpu_s = 0, decode_gpu_s = 0;
  double kv_read_request_s = 0;
  r.slo_met_every_window = true;
  for (const WindowResult& w : r.windows) {
    const double seconds = (w.end_h - w.start_h) * 3600.0;
    r.requests += w.requests_per_s * seconds;
    kv_read_request_s += w.ttft_kv_read_s * w.requests_per_s * seconds;
    r.input_tokens += w.input_tokens;
    r.cache_hit_tokens += w.cache_hit_tokens;
    r.output_tokens += w.output_tokens;
    prefill_node_s += static_cast<double>(w.prefill_nodes) * seconds;
    decode_node_s += static_cast<double>(w.decode_nodes) * seconds;
    node_s += static_cast<double>(w.nodes) * seconds;
    speed_tokens += w.tokens_per_s_per_request * w.output_tokens;
    const double decode_gpus = static_cast<double>(w.decode_nodes) * gpus_per_node;
    batch_gpu_s += w.decode_batch_per_gpu * decode_gpus * seconds;
    decode_gpu_s += decode_gpus * seconds;
    r.nodes_peak = std::max(r.nodes_peak, static_cast<double>(w.nodes));
    r.cost += w.cost;
    r.revenue += w.revenue;
    r.slo_met_every_window = r.slo_met_every_window && w.slo_met;
  }
  constexpr double kDay = 86400.0;
  r.prefill_input_tokens_per_s_per_node = r.input_tokens / prefill_node_s;
  r.prefill_computed_tokens_per_s_per_node = (r.input_tokens - r.cache_hit_tokens) / prefill_node_s;
  r.decode_output_tokens_per_s_per_node = r.output_tokens / decode_node_s;
  r.decode_tokens_per_s_per_request = speed_tokens / r.output_tokens;
  r.decode_batch_per_gpu = batch_gpu_s / decode_gpu_s;
  r.nodes_average = node_s / kDay;
  r.nodes_prefill_average = prefill_node_s / kDay;
  r.nodes_decode_average = decode_node_s / kDay;
  r.gpu_hours = node_s * gpus_per_node / 3600.0;
  r.cost_profit_margin = cost_profit_margin(r.revenue, r.cost);
  r.ttft_p50_s = pooled_quantile(r.windows, 0.50, true);
  r.ttft_p99_s = pooled_quantile(r.windows, 0.99, true);
  r.ttft_p50_without_kv_read_s = pooled_quantile(r.windows, 0.50, false);
  r.ttft_p99_without_kv_read_s = pooled_quantile(r.windows, 0.99, false);
  r.ttft_kv_read_s = r.requests > 0 ? kv_read_request_s / r.requests : 0.0;
}

}  // namespace

BytesPerSecond storage_bandwidth_per_gpu(const ServingInputs& in) {
  const hw::NodeSpec& n = in.cluster.node;
  if (n.storage_nic.count == 0) {
    if (in.traffic.cache_hit_fraction > 0) {
      throw InputError(
          fmt::format("{}: cluster.node.storage_nic.count: prefix-cache hits are read from the storage "
                      "cluster, so prefill nodes need a storage NIC",
                      in.label));
    }
    return BytesPerSecond(INFINITY);
  }
  const BytesPerSecond node_nic = n.storage_nic.achievable_bandwidth * static_cast<double>(n.storage_nic.count);
  const BytesPerSecond per_node = in.kv_read_per_node ? std::min(node_nic, *in.kv_read_per_node) : node_nic;
  return per_node / static_cast<double>(n.gpus_per_node);
}

std::string kv_read_client_path(const ServingInputs& in) {
  return in.kv_read_client ? in.kv_read_client->path : "none";
}

storage::KvRequestReadTime window_kv_read(const ServingInputs& in, const RequestMix& mix, const KvCacheSize& kv,
                                          double requests_per_s, int64_t prefill_nodes) {
  const Bytes bytes = kv.of(mix.mean_input_tokens * mix.cache_hit_fraction);
  if (!(bytes.value() > 0) || prefill_nodes < 1) return {};
  const BytesPerSecond node_rate = storage_bandwidth_per_gpu(in) * static_cast<double>(in.cluster.node.gpus_per_node);
  // Reads of hits and writes of the newly computed KV share the node's storage link (capacity.h).
  const BytesPerSecond traffic = kv.per_token_at(mix.mean_input_tokens) *
                                 (requests_per_s * mix.mean_input_tokens / static_cast<double>(prefill_nodes)) /
                                 Seconds(1);
  const double utilisation = std::min(1.0, traffic / node_rate);
  // Without a kv_cache_storage section there is no client model: no per-operation cost or latency.
  const storage::KvReadClient client = in.kv_read_client.value_or(storage::KvReadClient{
      .path = "none", .io_size = bytes, .per_io_cost = Seconds(0), .first_byte_latency = Seconds(0)});
  return storage::kv_request_read_time(client, {.bytes = bytes, .node_rate = node_rate, .utilisation = utilisation});
}

bool experts_divide(const ModelArch& arch, const UnitSpec& unit) {
  return unit.gpus > 0 && (arch.routed_experts + unit.redundant_experts) % unit.gpus == 0;
}

ServingResult simulate_serving_day(const ServingInputs& in, const Progress& progress) {
  const ServingSpec& s = in.spec;
  ServingResult r;
  // The request mix, expert imbalance, cost model and capacities at the mean context (steady_state.h).
  const ServingSteadyState st(in, storage_bandwidth_per_gpu(in));
  r.mix = st.mix;
  r.imbalance = st.imbalance;
  r.decode = st.decode;
  r.prefill = st.prefill;
  r.calibration_mismatch = hw::calibration_mismatch(in.kernels.gpu(), in.kernels.calibration());
  const IterationCostModel& cost = st.cost;
  const DecodeSpec& decode = st.decode_spec;
  const double context = st.context;
  const Bytes kv_token = st.kv_token;
  const BytesPerSecond storage_bw = st.storage_bw;

  // Resource guard (serving_budget.h), first the windows and the step table's rows, then the simulations.
  const double window_h = s.autoscaling.window.value() / 3600.0;
  ServingWork work{.windows = 24.0 / window_h,
                   .decode_table_rows = static_cast<double>(std::max<int64_t>(2, r.decode.batch_limit))};
  if (const auto why = serving_over_budget(work)) throw InputError(fmt::format("{}: {}", in.label, *why));
  const size_t n = static_cast<size_t>(std::llround(24.0 / window_h));

  const DecodeStepTable steps(cost, decode, s.mtp, r.decode.batch_limit, context);
  const PrefillPeriodTable periods(cost, s.prefill, r.prefill, kv_token, r.mix.cache_hit_fraction, storage_bw);
  // The prefilled KV cache moves to a decode GPU over one IB NIC.
  SimCache cache;
  const DayContext day{
      in, r, steps, periods, {.kv = st.kv, .link = in.cluster.node.scaleout_nic.achievable_bandwidth}, st.kv, cache};
  work = simulation_work(day, n, window_h, work);
  if (const auto why = serving_over_budget(work)) throw InputError(fmt::format("{}: {}", in.label, *why));
  for (size_t i = 0; i < n; ++i) {
    r.windows.push_back(plan_window(day, static_cast<double>(i) * window_h, static_cast<double>(i + 1) * window_h));
    if (progress) progress(i + 1, n);
  }
  aggregate(in, r);
  r.kv_read_bytes_per_request = st.kv.of(r.mix.mean_input_tokens * r.mix.cache_hit_fraction).value();
  return r;
}

}  // namespace fathom::models::serving
