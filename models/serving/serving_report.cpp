#include "models/serving/serving_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hw/node_spec.h"

namespace fathom::models::serving {
namespace {

const std::vector<std::string> kFolds = {
    "one prefill unit and one decode unit simulated per window, each with its share of the arrivals",
    "all GPUs of a unit step together with requests balanced over them (one pool per unit)",
    "all dense layers priced once, all MoE layers priced once (identical layers)",
};

// "09:30-10:00" from hours of the day.
std::string clock(double h) {
  const int minutes = static_cast<int>(std::lround(h * 60));
  return fmt::format("{:02d}:{:02d}", minutes / 60, minutes % 60);
}

nlohmann::json window_json(const WindowResult& w) {
  const double hours = w.end_h - w.start_h;
  return {{"window", clock(w.start_h) + "-" + clock(w.end_h)},
          {"start_h", w.start_h},
          {"end_h", w.end_h},
          {"load", w.load},
          {"requests_per_s", w.requests_per_s},
          {"prefill_units", w.prefill_units},
          {"decode_units", w.decode_units},
          {"prefill_nodes", w.prefill_nodes},
          {"decode_nodes", w.decode_nodes},
          {"nodes", w.nodes},
          {"cost_usd", w.cost.value()},
          {"revenue_usd", w.revenue.value()},
          {"cost_usd_per_h", hours > 0 ? w.cost.value() / hours : 0.0},
          {"revenue_usd_per_h", hours > 0 ? w.revenue.value() / hours : 0.0},
          {"input_tokens_per_s", hours > 0 ? w.input_tokens / (3600 * hours) : 0.0},
          {"output_tokens_per_s", hours > 0 ? w.output_tokens / (3600 * hours) : 0.0},
          {"decode_batch_per_gpu", w.decode_batch_per_gpu},
          {"tokens_per_s_per_request", w.tokens_per_s_per_request},
          {"tokens_per_s_per_request_p1", w.speed_p1},
          {"ttft_p50_s", w.ttft_p50_s},
          {"ttft_p99_s", w.ttft_p99_s},
          {"ttft_kv_read_s", w.ttft_kv_read_s},
          {"ttft_p50_without_kv_read_s", w.ttft_p50_without_kv_read_s},
          {"ttft_p99_without_kv_read_s", w.ttft_p99_without_kv_read_s},
          {"kv_read_queueing_s", w.kv_read_queueing_s},
          {"kv_read_ios", w.kv_read_ios},
          {"prefill_busy_fraction", w.prefill_busy_fraction},
          {"slo_met", w.slo_met}};
}

// The windows as the table people read: consecutive windows whose figures are all equal (e.g. the two
// halves of an hour of an hourly load profile with 30-minute windows) shown once, spanning both, with their
// cost and revenue summed.
nlohmann::json window_rows(const nlohmann::json& windows) {
  static const std::vector<std::string> kSummed = {"cost_usd", "revenue_usd"};
  static const std::vector<std::string> kSpan = {"window", "start_h", "end_h", "windows"};
  const auto same = [](const nlohmann::json& a, const nlohmann::json& b) {
    for (const auto& [key, value] : a.items()) {
      const bool skip = std::find(kSpan.begin(), kSpan.end(), key) != kSpan.end() ||
                        std::find(kSummed.begin(), kSummed.end(), key) != kSummed.end();
      if (!skip && b.at(key) != value) return false;
    }
    return true;
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const nlohmann::json& w : windows) {
    if (!rows.empty() && same(rows.back(), w) && rows.back()["end_h"] == w["start_h"]) {
      nlohmann::json& last = rows.back();
      last["end_h"] = w["end_h"];
      last["window"] = last["window"].get<std::string>().substr(0, 6) + w["window"].get<std::string>().substr(6);
      for (const std::string& key : kSummed) last[key] = last[key].get<double>() + w[key].get<double>();
      last["windows"] = last["windows"].get<int>() + 1;
    } else {
      rows.push_back(w);
      rows.back()["windows"] = 1;
    }
  }
  return rows;
}

nlohmann::json serving_json(const ServingInputs& in, const ServingResult& r) {
  nlohmann::json windows = nlohmann::json::array();
  for (const WindowResult& w : r.windows) windows.push_back(window_json(w));
  return {
      {"kind", "serving"},
      {"prefill",
       {{"input_tokens_per_s_per_node", r.prefill_input_tokens_per_s_per_node},
        {"computed_tokens_per_s_per_node", r.prefill_computed_tokens_per_s_per_node},
        {"capacity_computed_tokens_per_s_per_gpu", r.prefill.computed_tokens_per_s_per_gpu},
        {"forward_s", r.prefill.forward.total.value()},
        {"storage_s", r.prefill.storage.value()},
        {"kv_read_bytes_per_s_per_gpu", r.prefill.storage_bandwidth_per_gpu.value()},
        {"kv_read_bottleneck", in.kv_read_bottleneck},
        {"kv_read_client", kv_read_client_path(in)},
        {"kv_read_bytes_per_request", r.kv_read_bytes_per_request},
        {"exposed_communication_s", r.prefill.forward.exposed_communication.value()},
        {"communication_sms", in.spec.prefill.unit.communication_sms},
        {"tokens_per_gpu", r.prefill.tokens_per_gpu},
        {"expert_imbalance_before_eplb", r.imbalance.prefill_before},
        {"expert_imbalance_expected_loads", r.imbalance.prefill_after},
        {"expert_imbalance", r.prefill.forward.expert_imbalance}}},
      {"decode",
       {{"output_tokens_per_s_per_node", r.decode_output_tokens_per_s_per_node},
        {"tokens_per_s_per_request", r.decode_tokens_per_s_per_request},
        {"batch_per_gpu", r.decode_batch_per_gpu},
        {"batch_per_gpu_at_slo", r.decode.batch_per_gpu},
        {"batch_source", r.decode.batch_source},
        {"tokens_per_s_per_request_at_batch", r.decode.tokens_per_s_per_request},
        {"slo_met_at_batch", r.decode.slo_met},
        {"attention_imbalance", r.decode.step.attention_imbalance},
        {"tokens_per_local_expert", r.decode.tokens_per_local_expert},
        {"memory_batch_limit", r.decode.memory_batch_limit},
        {"expert_cap_batch_limit", r.decode.expert_cap_batch_limit},
        {"running_cap_batch_limit", r.decode.running_cap_batch_limit},
        {"limited_by_memory", r.decode.limited_by_memory},
        {"step_s", r.decode.step.total.value()},
        {"step_exposed_communication_s", r.decode.step.exposed_communication.value()},
        {"context_tokens", r.decode.context},
        {"expert_imbalance_before_eplb", r.imbalance.decode_before},
        {"expert_imbalance_expected_loads", r.imbalance.decode_after},
        {"expert_imbalance", r.decode.step.expert_imbalance}}},
      {"nodes",
       {{"peak", r.nodes_peak},
        {"average", r.nodes_average},
        {"prefill_average", r.nodes_prefill_average},
        {"decode_average", r.nodes_decode_average},
        // A node is cluster.node: an 8-GPU HGX host, or one 4-GPU tray of an NVL72 rack (18 trays per domain).
        {"gpus_per_node", in.cluster.node.gpus_per_node},
        {"gpus_peak", r.nodes_peak * static_cast<double>(in.cluster.node.gpus_per_node)},
        {"gpus_average", r.nodes_average * static_cast<double>(in.cluster.node.gpus_per_node)},
        {"scaleup_domain_gpus", hw::scaleup_domain_gpus(in.cluster.node)},
        {"scaleup_domains_peak", r.nodes_peak * static_cast<double>(in.cluster.node.gpus_per_node) /
                                     static_cast<double>(hw::scaleup_domain_gpus(in.cluster.node))}}},
      {"gpu_hours", r.gpu_hours},
      {"cost_usd", r.cost.value()},
      {"revenue_usd", r.revenue.value()},
      {"cost_profit_margin", r.cost_profit_margin},
      {"ttft_s",
       {{"p50", r.ttft_p50_s},
        {"p99", r.ttft_p99_s},
        {"kv_read_mean", r.ttft_kv_read_s},
        {"p50_without_kv_read", r.ttft_p50_without_kv_read_s},
        {"p99_without_kv_read", r.ttft_p99_without_kv_read_s}}},
      {"slo",
       {{"tokens_per_s_per_request", in.spec.slo.tokens_per_s_per_request},
        {"ttft_p99_s", in.spec.slo.ttft_p99.value()},
        {"met_every_window", r.slo_met_every_window}}},
      {"requests", r.requests},
      {"tokens", {{"input", r.input_tokens}, {"cache_hit", r.cache_hit_tokens}, {"output", r.output_tokens}}},
      {"request_mix",
       {{"mean_input_tokens", r.mix.mean_input_tokens},
        {"mean_output_tokens", r.mix.mean_output_tokens},
        {"requests_per_day", r.mix.requests_per_day}}},
      {"calibration", in.kernels.calibration().device},
      {"calibration_mismatch", hw::calibration_mismatch_json(r.calibration_mismatch)},
      {"folds", kFolds},
      {"windows", windows},
      {"window_rows", window_rows(windows)},
  };
}

// What a node of the result is: a host that is its own NVLink domain, or a tray of a larger domain (NVL72:
// 18 trays of 4 GPUs), with the peak in whole-domain equivalents (units are not packed into racks).
std::string nodes_line(const ServingInputs& in, const ServingResult& r) {
  const hw::NodeSpec& n = in.cluster.node;
  const double per_node = static_cast<double>(n.gpus_per_node);
  const int64_t domain = hw::scaleup_domain_gpus(n);
  if (domain <= n.gpus_per_node) {
    return fmt::format(
        "Nodes are {}-GPU hosts, each its own NVLink domain: peak {:.0f} nodes = {:.0f} GPUs, average "
        "{:.1f} nodes = {:.0f} GPUs",
        n.gpus_per_node, r.nodes_peak, r.nodes_peak * per_node, r.nodes_average, r.nodes_average * per_node);
  }
  const double trays_per_domain = static_cast<double>(domain) / per_node;
  return fmt::format(
      "Nodes are {}-GPU trays of {}-GPU NVLink domains ({:.0f} trays each): peak {:.0f} trays = {:.0f} "
      "GPUs = {:.2f} domains' worth, average {:.1f} trays = {:.0f} GPUs (units are not packed into "
      "whole domains)",
      n.gpus_per_node, domain, trays_per_domain, r.nodes_peak, r.nodes_peak * per_node, r.nodes_peak / trays_per_domain,
      r.nodes_average, r.nodes_average * per_node);
}

std::vector<std::string> lines(const ServingInputs& in, const ServingResult& r) {
  const char* batch_limit = r.decode.batch_source == "fixed"        ? "fixed by the scenario"
                            : r.decode.batch_source == "memory"     ? "the memory limit"
                            : r.decode.batch_source == "expert_cap" ? "the expert cap"
                            : r.decode.batch_source == "max_running_requests"
                                ? "decode.max_running_requests / unit GPUs"
                                : "the SLO limit: the largest meeting the speed SLO";
  return {
      fmt::format("Requests {:.3g}/day: mean input {:.0f} tokens ({:.1f}% cache hits), mean output {:.0f} tokens",
                  r.mix.requests_per_day, r.mix.mean_input_tokens, 100 * r.mix.cache_hit_fraction,
                  r.mix.mean_output_tokens),
      fmt::format("Prefill GPU: {} computed tokens per forward in {:.3f} s (storage {:.3f} s): {:.0f} tokens/s; expert "
                  "imbalance {:.2f} (before EPLB {:.2f})",
                  r.prefill.tokens_per_gpu, r.prefill.forward.total.value(), r.prefill.storage.value(),
                  r.prefill.computed_tokens_per_s_per_gpu, r.prefill.forward.expert_imbalance,
                  r.imbalance.prefill_before),
      fmt::format("Decode GPU at {} requests: step {:.1f} ms at context {:.0f}: {:.1f} tokens/s per request{}, "
                  "{:.0f} tokens/s; expert imbalance {:.2f} (before EPLB {:.2f}); attention imbalance {:.3f}",
                  r.decode.batch_per_gpu, r.decode.step.total.value() * 1e3, r.decode.context,
                  r.decode.tokens_per_s_per_request, r.decode.slo_met ? "" : " (BELOW the SLO)",
                  r.decode.output_tokens_per_s_per_gpu, r.decode.step.expert_imbalance, r.imbalance.decode_before,
                  r.decode.step.attention_imbalance),
      fmt::format("Decode batch per GPU: sized at {} requests ({}); memory limit {} (KV at the mean context); "
                  "expert cap {}; running-request cap {}; mean in flight over the day {:.1f}",
                  r.decode.batch_per_gpu, batch_limit, r.decode.memory_batch_limit,
                  r.decode.expert_cap_batch_limit > 0 ? std::to_string(r.decode.expert_cap_batch_limit) : "none",
                  r.decode.running_cap_batch_limit > 0 ? std::to_string(r.decode.running_cap_batch_limit) : "none",
                  r.decode_batch_per_gpu),
      fmt::format("TTFT p50 {:.3f} s, p99 {:.3f} s, including a KV-cache read of {:.1f} ms per request on average "
                  "({:.3g} MB of cached prefix, client {}; without it p50 {:.3f} s, p99 {:.3f} s)",
                  r.ttft_p50_s, r.ttft_p99_s, r.ttft_kv_read_s * 1e3, r.kv_read_bytes_per_request / 1e6,
                  kv_read_client_path(in), r.ttft_p50_without_kv_read_s, r.ttft_p99_without_kv_read_s),
      fmt::format("Kernel calibration: {} ({}){}", in.kernels.calibration().device, in.kernels.calibration().method,
                  r.calibration_mismatch ? ", another GPU's (see the warning)" : ""),
      fmt::format("SLO met in every window: {}", r.slo_met_every_window ? "yes" : "NO"),
      nodes_line(in, r),
  };
}

std::vector<MetricSpec> metrics() {
  return {
      {"/prefill/input_tokens_per_s_per_node", "tokens/s", "prefill input tokens per second per node"},
      {"/prefill/computed_tokens_per_s_per_node", "tokens/s",
       "prefill computed (cache-miss) tokens per second per node"},
      {"/decode/output_tokens_per_s_per_node", "tokens/s", "decode output tokens per second per node"},
      {"/decode/tokens_per_s_per_request", "tokens/s", "decode tokens per second per request"},
      {"/decode/batch_per_gpu", "requests", "decode requests in flight per GPU (mean over the day)"},
      {"/decode/batch_per_gpu_at_slo", "requests", "decode batch per GPU at the SLO limit"},
      {"/nodes/peak", "nodes", "nodes at the peak window"},
      {"/nodes/average", "nodes", "nodes on average over the day"},
      {"/nodes/gpus_peak", "GPUs", "GPUs at the peak window"},
      {"/nodes/gpus_average", "GPUs", "GPUs on average over the day"},
      {"/gpu_hours", "GPU-h", "GPU-hours over the day"},
      {"/cost_usd", "USD", "cost of the day"},
      {"/revenue_usd", "USD", "theoretical revenue of the day"},
      {"/cost_profit_margin", "", "cost-profit margin (revenue / cost - 1)"},
      {"/ttft_s/p50", "s", "time to first token, median"},
      {"/ttft_s/p99", "s", "time to first token, 99th percentile"},
      {"/ttft_s/kv_read_mean", "s", "KV-cache read of a request's cached prefix, mean (in the TTFT)"},
      {"/prefill/forward_s", "s", "prefill forward on one GPU", false},
      {"/decode/step_s", "s", "decode step on one GPU at the SLO batch", false},
  };
}

// Every window (for the charts and windows.csv; too many rows to read) and the windows as people read them.
std::vector<TableSpec> windows_tables() {
  TableSpec each{"windows",
                 "Planning windows over the day (each window; windows.csv has every figure)",
                 "/windows",
                 {{"window", "window", ""},
                  {"start_h", "start", "h"},
                  {"end_h", "end", "h"},
                  {"load", "load", ""},
                  {"requests_per_s", "requests", "/s"},
                  {"prefill_units", "prefill units", ""},
                  {"decode_units", "decode units", ""},
                  {"prefill_nodes", "prefill nodes", ""},
                  {"decode_nodes", "decode nodes", ""},
                  {"nodes", "nodes", ""},
                  {"decode_batch_per_gpu", "decode requests in flight per GPU, mean", ""},
                  {"tokens_per_s_per_request", "tokens/s per request", ""},
                  {"input_tokens_per_s", "input tokens/s", ""},
                  {"output_tokens_per_s", "output tokens/s", ""},
                  {"ttft_p50_s", "TTFT p50", "s"},
                  {"ttft_p99_s", "TTFT p99", "s"},
                  {"ttft_kv_read_s", "TTFT KV-cache read", "s"},
                  {"cost_usd", "cost", "USD"},
                  {"revenue_usd", "revenue", "USD"},
                  {"cost_usd_per_h", "cost per hour", "USD/h"},
                  {"revenue_usd_per_h", "revenue per hour", "USD/h"}}};
  each.listed = false;
  const std::string hour = "hour of the day";
  each.charts = {
      line_chart("Nodes per window", "start_h", "end_h", hour, {"prefill_nodes", "decode_nodes", "nodes"}, "nodes"),
      line_chart("Load per window (day mean = 1)", "start_h", "end_h", hour, {"load"}, "relative request rate"),
      line_chart("Cost and revenue per hour", "start_h", "end_h", hour, {"cost_usd_per_h", "revenue_usd_per_h"},
                 "USD per hour"),
      line_chart("Throughput per window", "start_h", "end_h", hour, {"input_tokens_per_s", "output_tokens_per_s"},
                 "tokens/s"),
      line_chart("Decode speed per request per window", "start_h", "end_h", hour, {"tokens_per_s_per_request"},
                 "tokens/s per request"),
      line_chart("Time to first token per window", "start_h", "end_h", hour, {"ttft_p50_s", "ttft_p99_s"}, "s"),
  };
  TableSpec read{"window_rows",
                 "Planning windows: units and nodes sized for each window's load (consecutive windows with the same "
                 "figures shown once, cost and revenue summed)",
                 "/window_rows",
                 {{"window", "window", ""},
                  {"load", "load", "", 1, 3},
                  {"prefill_units", "prefill units", ""},
                  {"decode_units", "decode units", ""},
                  {"nodes", "nodes", ""},
                  {"decode_batch_per_gpu", "in flight/GPU (mean)", "", 1, 1},
                  {"tokens_per_s_per_request", "tok/s/req", "", 1, 1},
                  {"ttft_p99_s", "TTFT p99", "s", 1, 2},
                  {"cost_usd", "cost", "$", 1, 0},
                  {"revenue_usd", "revenue", "$", 1, 0}}};
  return {each, read};
}

}  // namespace

Report serving_report(const ServingInputs& in, const ServingResult& r, const ProvenanceLog& log,
                      const nlohmann::json& scenario, const std::string& name) {
  Report rep;
  rep.kind = "serving";
  rep.title = name;
  rep.data = serving_json(in, r);
  rep.data["assumptions"] = assumptions_json(log);
  rep.data["scenario"] = scenario;
  if (r.calibration_mismatch) rep.warnings.push_back(hw::calibration_mismatch_text(r.calibration_mismatch));
  rep.lines = lines(in, r);
  rep.metrics = metrics();
  rep.tables = windows_tables();
  return rep;
}

}  // namespace fathom::models::serving
