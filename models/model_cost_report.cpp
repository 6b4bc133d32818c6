#include "models/model_cost_report.h"

#include <fmt/format.h>

#include <string>

#include "models/cost_summary.h"
#include "models/param_counts.h"

namespace fathom::models {
namespace {

nlohmann::json layer_json(const LayerKindCost& c) {
  return {{"kind", std::string(to_string(c.kind))},
          {"count", c.count},
          {"params", c.params},
          {"params_activated_per_token", c.params_activated},
          {"flops_per_token_prefill", c.prefill_flops_per_token.value()},
          {"flops_per_token_decode", c.decode_flops_per_token.value()},
          {"flops_per_token_training", c.training_flops_per_token.value()},
          {"kv_cache_bytes_per_token", c.kv_cache_bytes_per_token.value()}};
}

std::string billions(double n) { return fmt::format("{:.3f}B", n / 1e9); }
std::string gflops(Flops f) { return fmt::format("{:.3f} GFLOP", f.value() / 1e9); }

// The summary table's rows: what the number is, where it is in the data, and how it reads.
nlohmann::json summary_row(const std::string& quantity, const std::string& key, const std::string& text) {
  return {{"quantity", quantity}, {"key", key}, {"value", text}};
}

}  // namespace

Report model_cost_report(const ModelArch& arch, const CostOptions& options, int64_t seq_len, int64_t context) {
  const ParamCounts p = count_params(arch);
  const CostSummary s = summarize_costs(arch, seq_len, context, options);
  const WeightBytes w_fp8 = weight_bytes(arch, hw::DType::fp8);
  const WeightBytes w_bf16 = weight_bytes(arch, hw::DType::bf16);
  const Bytes kv = kv_cache_bytes_per_token(arch, hw::DType::bf16);

  nlohmann::json j;
  j["kind"] = "model";
  j["model"] = arch.name;
  j["model_type"] = arch.model_type;
  j["attention"] = std::string(to_string(arch.attention));
  j["gemm_dtype"] = std::string(hw::to_string(options.weight_dtype));
  j["seq_len"] = seq_len;
  j["context"] = context;
  j["params_total"] = p.total;
  j["params_activated_per_token"] = p.activated_per_token;
  j["params_mtp"] = p.mtp;
  j["params_mtp_activated_per_token"] = p.mtp_activated_per_token;
  j["params_embedding"] = p.embedding;
  j["params_head"] = p.head;
  j["params_per_expert"] = p.per_expert;
  j["kv_cache_bytes_per_token"] = kv.value();
  j["kv_cache_bytes_per_token_fp8"] = kv_cache_bytes_per_token(arch, hw::DType::fp8).value();
  j["weight_bytes"] = {{"fp8", w_fp8.total_main().value()}, {"bf16", w_bf16.total_main().value()}};
  j["weight_bytes_with_mtp"] = {{"fp8", w_fp8.total_with_mtp().value()}, {"bf16", w_bf16.total_with_mtp().value()}};
  j["flops_per_token_prefill"] = s.prefill_flops_per_token.value();
  j["flops_per_token_decode"] = s.decode_flops_per_token.value();
  j["flops_per_token_training"] = s.training_flops_per_token.value();
  j["flops_per_token_training_with_mtp"] = s.training_flops_per_token_with_mtp.value();
  j["embedding_and_head"] = {{"params", p.embedding + p.head},
                             {"flops_per_token_prefill", s.embedding_head_prefill_flops_per_token.value()},
                             {"flops_per_token_decode", s.embedding_head_decode_flops_per_token.value()},
                             {"flops_per_token_training", s.embedding_head_training_flops_per_token.value()}};
  j["layers"] = nlohmann::json::array();
  for (const auto& c : s.layers) j["layers"].push_back(layer_json(c));
  j["summary"] = {
      summary_row("params total (main model)", "/params_total", billions(double(p.total))),
      summary_row("params activated per token", "/params_activated_per_token", billions(double(p.activated_per_token))),
      summary_row("params embedding / head", "/params_embedding, /params_head",
                  billions(double(p.embedding)) + " / " + billions(double(p.head))),
      summary_row("params per routed expert", "/params_per_expert", billions(double(p.per_expert))),
      summary_row("params MTP (unique)", "/params_mtp", billions(double(p.mtp))),
      summary_row("KV cache per token (BF16)", "/kv_cache_bytes_per_token", fmt::format("{:.0f} B", kv.value())),
      summary_row("weights FP8 / BF16", "/weight_bytes/fp8, /weight_bytes/bf16",
                  format_bytes(w_fp8.total_main()) + " / " + format_bytes(w_bf16.total_main())),
      summary_row(fmt::format("FLOPs/token prefill (L={})", seq_len), "/flops_per_token_prefill",
                  gflops(s.prefill_flops_per_token)),
      summary_row(fmt::format("FLOPs/token decode (C={})", context), "/flops_per_token_decode",
                  gflops(s.decode_flops_per_token)),
      summary_row(fmt::format("FLOPs/token training (L={})", seq_len), "/flops_per_token_training",
                  gflops(s.training_flops_per_token)),
      summary_row("embedding + head FLOPs/token prefill / decode / training", "/embedding_and_head",
                  gflops(s.embedding_head_prefill_flops_per_token) + " / " +
                      gflops(s.embedding_head_decode_flops_per_token) + " / " +
                      gflops(s.embedding_head_training_flops_per_token)),
  };

  Report rep;
  rep.kind = "model";
  rep.title = arch.name;
  rep.lines = {fmt::format("{} ({}, {} attention, GEMMs in {})", arch.name, arch.model_type, to_string(arch.attention),
                           hw::to_string(options.weight_dtype))};
  rep.data = std::move(j);
  // Not headline: the summary table shows them in text; Markdown lists them with their keys.
  rep.metrics = {
      {"/params_total", "params", "parameters of the main model", false},
      {"/params_activated_per_token", "params", "parameters activated per token", false},
      {"/params_mtp", "params", "MTP parameters (unique)", false},
      {"/params_per_expert", "params", "parameters per routed expert", false},
      {"/kv_cache_bytes_per_token", "B", "KV cache per token (BF16)", false},
      {"/weight_bytes/fp8", "B", "weights in FP8 (main model)", false},
      {"/weight_bytes/bf16", "B", "weights in BF16 (main model)", false},
      {"/flops_per_token_prefill", "FLOP", "FLOPs per token, prefill", false},
      {"/flops_per_token_decode", "FLOP", "FLOPs per token, decode", false},
      {"/flops_per_token_training", "FLOP", "FLOPs per token, training", false},
  };
  rep.tables = {
      {"summary", "Totals", "/summary", {{"quantity", "quantity", ""}, {"value", "value", ""}, {"key", "key", ""}}},
      {"layers",
       "Per layer kind (one layer; FLOPs per token)",
       "/layers",
       {{"kind", "layer kind", ""},
        {"count", "count", ""},
        {"params", "params", "(billions)", 1e-9, 3},
        {"params_activated_per_token", "activated", "(billions)", 1e-9, 3},
        {"flops_per_token_prefill", "prefill/token", "GFLOP", 1e-9, 3},
        {"flops_per_token_decode", "decode/token", "GFLOP", 1e-9, 3},
        {"flops_per_token_training", "training/token", "GFLOP", 1e-9, 3},
        {"kv_cache_bytes_per_token", "KV/token", "B", 1, 0}},
       {{"bar", "kind", "flops_per_token_prefill", "", "", "", "prefill FLOPs per token of one layer"}}}};
  return rep;
}

}  // namespace fathom::models
