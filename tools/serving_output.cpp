#include "tools/serving_output.h"

#include <fmt/format.h>

#include "reports/text_table.h"

namespace fathom::tools {
namespace {

using models::serving::ServingResult;
using models::serving::WindowResult;

const std::vector<std::string> kFolds = {
    "one prefill unit and one decode unit simulated per window, each with its share of the arrivals",
    "all GPUs of a unit step together with requests balanced over them (one pool per unit)",
    "all dense layers priced once, all MoE layers priced once (identical layers)",
};

nlohmann::json window_json(const WindowResult& w) {
  return {{"start_h", w.start_h},
          {"end_h", w.end_h},
          {"load", w.load},
          {"requests_per_s", w.requests_per_s},
          {"prefill_units", w.prefill_units},
          {"decode_units", w.decode_units},
          {"nodes", w.nodes},
          {"cost_usd", w.cost.value()},
          {"revenue_usd", w.revenue.value()},
          {"decode_batch_per_gpu", w.decode_batch_per_gpu},
          {"tokens_per_s_per_request", w.tokens_per_s_per_request},
          {"tokens_per_s_per_request_p1", w.speed_p1},
          {"ttft_p50_s", w.ttft_p50_s},
          {"ttft_p99_s", w.ttft_p99_s},
          {"prefill_busy_fraction", w.prefill_busy_fraction},
          {"slo_met", w.slo_met}};
}

}  // namespace

nlohmann::json serving_json(const models::serving::ServingInputs& in, const ServingResult& r) {
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
        {"exposed_communication_s", r.prefill.forward.exposed_communication.value()},
        {"communication_sms", in.spec.prefill.unit.communication_sms},
        {"tokens_per_gpu", r.prefill.tokens_per_gpu},
        {"expert_imbalance_before_eplb", r.imbalance.prefill_before},
        {"expert_imbalance", r.imbalance.prefill_after}}},
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
        {"limited_by_memory", r.decode.limited_by_memory},
        {"step_s", r.decode.step.total.value()},
        {"step_exposed_communication_s", r.decode.step.exposed_communication.value()},
        {"context_tokens", r.decode.context},
        {"expert_imbalance_before_eplb", r.imbalance.decode_before},
        {"expert_imbalance", r.imbalance.decode_after}}},
      {"nodes",
       {{"peak", r.nodes_peak},
        {"average", r.nodes_average},
        {"prefill_average", r.nodes_prefill_average},
        {"decode_average", r.nodes_decode_average}}},
      {"gpu_hours", r.gpu_hours},
      {"cost_usd", r.cost.value()},
      {"revenue_usd", r.revenue.value()},
      {"cost_profit_margin", r.cost_profit_margin},
      {"ttft_s", {{"p50", r.ttft_p50_s}, {"p99", r.ttft_p99_s}}},
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
  };
}

std::string serving_text(const std::string& name, const ServingResult& r) {
  std::string out = fmt::format("{}\n\n", name);
  if (r.calibration_mismatch) out += "WARNING: " + hw::calibration_mismatch_text(r.calibration_mismatch) + "\n\n";
  out += fmt::format("Requests {:.3g}/day: mean input {:.0f} tokens ({:.1f}% cache hits), mean output {:.0f} tokens\n",
                     r.mix.requests_per_day, r.mix.mean_input_tokens, 100 * r.mix.cache_hit_fraction,
                     r.mix.mean_output_tokens);
  out += fmt::format(
      "Prefill GPU: {} computed tokens per forward in {:.3f} s (storage {:.3f} s): {:.0f} tokens/s; "
      "expert imbalance {:.2f} (before EPLB {:.2f})\n",
      r.prefill.tokens_per_gpu, r.prefill.forward.total.value(), r.prefill.storage.value(),
      r.prefill.computed_tokens_per_s_per_gpu, r.imbalance.prefill_after, r.imbalance.prefill_before);
  out += fmt::format(
      "Decode GPU: {} requests ({}), step {:.1f} ms at context {:.0f}: {:.1f} tokens/s per "
      "request{}, {:.0f} tokens/s; expert imbalance {:.2f} (before EPLB {:.2f}); attention imbalance {:.3f}\n\n",
      r.decode.batch_per_gpu,
      r.decode.batch_source == "fixed"        ? "fixed batch"
      : r.decode.batch_source == "memory"     ? "HBM-limited"
      : r.decode.batch_source == "expert_cap" ? "capped per expert"
                                              : "speed-limited at the SLO",
      r.decode.step.total.value() * 1e3, r.decode.context, r.decode.tokens_per_s_per_request,
      r.decode.slo_met ? "" : " (BELOW the SLO)", r.decode.output_tokens_per_s_per_gpu, r.imbalance.decode_after,
      r.imbalance.decode_before, r.decode.step.attention_imbalance);
  out += fmt::format("Prefill: {:.0f} input tokens/s per node ({:.0f} computed)\n",
                     r.prefill_input_tokens_per_s_per_node, r.prefill_computed_tokens_per_s_per_node);
  out += fmt::format("Decode:  {:.0f} output tokens/s per node, {:.1f} tokens/s per request, batch {:.1f} per GPU\n",
                     r.decode_output_tokens_per_s_per_node, r.decode_tokens_per_s_per_request, r.decode_batch_per_gpu);
  out += fmt::format("Nodes:   peak {:.0f}, average {:.1f} (prefill {:.1f}, decode {:.1f})\n", r.nodes_peak,
                     r.nodes_average, r.nodes_prefill_average, r.nodes_decode_average);
  out += fmt::format("TTFT:    p50 {:.2f} s, p99 {:.2f} s; SLO met in every window: {}\n", r.ttft_p50_s, r.ttft_p99_s,
                     r.slo_met_every_window ? "yes" : "NO");
  out += fmt::format(
      "Economics: {:.0f} GPU-hours, cost ${:.0f}, theoretical revenue ${:.0f}, cost-profit margin "
      "{:.0f}%\n\n",
      r.gpu_hours, r.cost.value(), r.revenue.value(), 100 * r.cost_profit_margin);
  reports::TextTable t({"window", "load", "prefill units", "decode units", "nodes", "batch/GPU", "tok/s/req",
                        "TTFT p99 s", "cost $", "revenue $"});
  for (const WindowResult& w : r.windows) {
    t.add_row({fmt::format("{:05.2f}-{:05.2f}", w.start_h, w.end_h), fmt::format("{:.3f}", w.load),
               std::to_string(w.prefill_units), std::to_string(w.decode_units), std::to_string(w.nodes),
               fmt::format("{:.1f}", w.decode_batch_per_gpu), fmt::format("{:.1f}", w.tokens_per_s_per_request),
               fmt::format("{:.2f}", w.ttft_p99_s), fmt::format("{:.0f}", w.cost.value()),
               fmt::format("{:.0f}", w.revenue.value())});
  }
  out += t.render();
  return out;
}

}  // namespace fathom::tools
