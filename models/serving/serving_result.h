#pragma once
// What a simulated serving day produces (docs/serving.md explains every field;
// models/serving/serving_report.cpp turns it into the Report every format renders).

#include <cstdint>
#include <optional>
#include <vector>

#include "hw/calibration_match.h"
#include "models/serving/capacity.h"
#include "models/serving/expert_imbalance.h"
#include "models/serving/request_mix.h"
#include "sim/units.h"

namespace fathom::models::serving {

struct WindowResult {
  double start_h = 0, end_h = 0;
  double load = 0;  // mean relative request rate of the window (day mean = 1)
  double requests_per_s = 0;
  int64_t prefill_units = 0, decode_units = 0;
  int64_t prefill_nodes = 0, decode_nodes = 0, nodes = 0;
  double input_tokens = 0, cache_hit_tokens = 0, output_tokens = 0;  // served in the window
  Usd cost, revenue;
  double decode_batch_per_gpu = 0;      // simulated, time-weighted
  double tokens_per_s_per_request = 0;  // simulated, token-weighted mean
  double speed_p1 = 0;                  // simulated 1st-percentile request speed
  // TTFT includes the KV-cache read of the request's cached prefix, in series before its prefill
  // (ttft_kv_read_s, the window's mean request); the *_without_kv_read figures and the quantiles are the
  // prefill simulation's alone.
  double ttft_p50_s = 0, ttft_p99_s = 0;
  double ttft_kv_read_s = 0;
  double ttft_p50_without_kv_read_s = 0, ttft_p99_without_kv_read_s = 0;
  double kv_read_queueing_s = 0;  // the queueing part of ttft_kv_read_s
  int64_t kv_read_ios = 0;        // read operations per request
  std::vector<double> ttft_quantiles_s;
  double prefill_busy_fraction = 0;
  bool slo_met = false;
};

struct ServingResult {
  RequestMix mix;
  ExpertImbalance imbalance;
  DecodeCapacity decode;
  PrefillCapacity prefill;
  std::vector<WindowResult> windows;

  double requests = 0, input_tokens = 0, cache_hit_tokens = 0, output_tokens = 0;
  double prefill_input_tokens_per_s_per_node = 0;     // input tokens (hits included) / prefill node-seconds
  double prefill_computed_tokens_per_s_per_node = 0;  // cache-miss tokens / prefill node-seconds
  double decode_output_tokens_per_s_per_node = 0;     // output tokens / decode node-seconds
  double decode_tokens_per_s_per_request = 0;         // output-token weighted over the day
  double decode_batch_per_gpu = 0;                    // decode GPU-time weighted over the day
  double nodes_peak = 0, nodes_average = 0, nodes_prefill_average = 0, nodes_decode_average = 0;
  double gpu_hours = 0;
  Usd cost, revenue;
  double cost_profit_margin = 0;
  double ttft_p50_s = 0, ttft_p99_s = 0;  // over all requests of the day, KV-cache reads included
  double ttft_kv_read_s = 0;              // request-weighted mean over the day
  double ttft_p50_without_kv_read_s = 0, ttft_p99_without_kv_read_s = 0;
  double kv_read_bytes_per_request = 0;  // the mean request's cached prefix
  bool slo_met_every_window = false;
  std::optional<hw::CalibrationMismatch> calibration_mismatch;  // another GPU's kernel calibration in use
};

}  // namespace fathom::models::serving
