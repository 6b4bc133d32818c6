// `fathom model <hf-config.json>`: parameter counts, KV-cache and weight bytes, and per-token
// FLOPs (prefill, decode, training) of a model, by layer kind. Keys are listed in docs/model-cost.md.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "models/cost_summary.h"
#include "models/hf_config.h"
#include "models/param_counts.h"
#include "reports/text_table.h"
#include "sim/error.h"
#include "tools/commands.h"

namespace fathom::tools {
namespace {

// The flags of `fathom model`.
struct ModelCommandOptions {
  std::string file;
  bool json = false;
  int64_t seq_len = 4096;
  int64_t context = 4096;
  std::string weight_dtype;  // empty = the checkpoint's own
};

nlohmann::json layer_json(const models::LayerKindCost& c) {
  return {{"kind", std::string(models::to_string(c.kind))},
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

void run_model(const ModelCommandOptions& o) {
  if (o.seq_len < 1) throw InputError(fmt::format("--seq-len: must be a positive integer, got {}", o.seq_len));
  if (o.context < 1) throw InputError(fmt::format("--context: must be a positive integer, got {}", o.context));
  const models::ModelArch arch = models::load_hf_config(o.file);
  if (arch.max_context > 0 && o.seq_len > arch.max_context) {
    throw InputError(fmt::format("--seq-len {}: beyond the model's context of {} tokens (max_position_embeddings)",
                                 o.seq_len, arch.max_context));
  }
  if (arch.max_context > 0 && o.context > arch.max_context) {
    throw InputError(fmt::format("--context {}: beyond the model's context of {} tokens (max_position_embeddings)",
                                 o.context, arch.max_context));
  }
  models::CostOptions options = models::default_cost_options(arch);
  if (!o.weight_dtype.empty()) options.weight_dtype = hw::parse_dtype(o.weight_dtype);
  const models::ParamCounts p = models::count_params(arch);
  const models::CostSummary s = models::summarize_costs(arch, o.seq_len, o.context, options);
  const models::WeightBytes w_fp8 = models::weight_bytes(arch, hw::DType::fp8);
  const models::WeightBytes w_bf16 = models::weight_bytes(arch, hw::DType::bf16);
  const Bytes kv = models::kv_cache_bytes_per_token(arch, hw::DType::bf16);

  if (o.json) {
    nlohmann::json j;
    j["model"] = arch.name;
    j["model_type"] = arch.model_type;
    j["attention"] = std::string(models::to_string(arch.attention));
    j["gemm_dtype"] = std::string(hw::to_string(options.weight_dtype));
    j["seq_len"] = o.seq_len;
    j["context"] = o.context;
    j["params_total"] = p.total;
    j["params_activated_per_token"] = p.activated_per_token;
    j["params_mtp"] = p.mtp;
    j["params_mtp_activated_per_token"] = p.mtp_activated_per_token;
    j["params_embedding"] = p.embedding;
    j["params_head"] = p.head;
    j["params_per_expert"] = p.per_expert;
    j["kv_cache_bytes_per_token"] = kv.value();
    j["kv_cache_bytes_per_token_fp8"] = models::kv_cache_bytes_per_token(arch, hw::DType::fp8).value();
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
    fmt::print("{}\n", j.dump(2));
    return;
  }

  fmt::print("{} ({}, {} attention, GEMMs in {})\n", arch.name, arch.model_type, models::to_string(arch.attention),
             hw::to_string(options.weight_dtype));
  reports::TextTable facts({"quantity", "value"});
  facts.add_row({"params total (main model)", billions(double(p.total))});
  facts.add_row({"params activated per token", billions(double(p.activated_per_token))});
  facts.add_row({"params embedding / head", billions(double(p.embedding)) + " / " + billions(double(p.head))});
  facts.add_row({"params per routed expert", billions(double(p.per_expert))});
  facts.add_row({"params MTP (unique)", billions(double(p.mtp))});
  facts.add_row({"KV cache per token (BF16)", fmt::format("{:.0f} B", kv.value())});
  facts.add_row({"weights FP8 / BF16", format_bytes(w_fp8.total_main()) + " / " + format_bytes(w_bf16.total_main())});
  facts.add_row({fmt::format("FLOPs/token prefill (L={})", o.seq_len), gflops(s.prefill_flops_per_token)});
  facts.add_row({fmt::format("FLOPs/token decode (C={})", o.context), gflops(s.decode_flops_per_token)});
  facts.add_row({fmt::format("FLOPs/token training (L={})", o.seq_len), gflops(s.training_flops_per_token)});
  fmt::print("{}\n", facts.render());

  reports::TextTable layers(
      {"layer kind", "count", "params", "activated", "prefill/token", "decode/token", "training/token", "KV B/token"});
  for (const auto& c : s.layers) {
    layers.add_row({std::string(models::to_string(c.kind)), std::to_string(c.count), billions(double(c.params)),
                    billions(double(c.params_activated)), gflops(c.prefill_flops_per_token),
                    gflops(c.decode_flops_per_token), gflops(c.training_flops_per_token),
                    fmt::format("{:.0f}", c.kv_cache_bytes_per_token.value())});
  }
  layers.add_row({"embedding+head", "1", billions(double(p.embedding + p.head)), billions(double(p.embedding + p.head)),
                  gflops(s.embedding_head_prefill_flops_per_token), gflops(s.embedding_head_decode_flops_per_token),
                  gflops(s.embedding_head_training_flops_per_token), "0"});
  fmt::print("{}", layers.render());
}

}  // namespace

void add_model_command(CLI::App& app) {
  auto opts = std::make_shared<ModelCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("model", "Parameter counts, KV-cache and weight bytes, FLOPs per token of a model");
  cmd->add_option("hf_config", opts->file, "Hugging Face config.json of the model")->required();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of tables");
  cmd->add_option("--seq-len", opts->seq_len, "Prefill / training sequence length L in tokens (default 4096)");
  cmd->add_option("--context", opts->context, "Decode context C in tokens (default 4096)");
  cmd->add_option("--weight-dtype", opts->weight_dtype, "GEMM dtype: fp8, bf16, fp16, fp32 (default: the checkpoint's)")
      ->check(CLI::IsMember({"fp8", "bf16", "fp16", "fp32"}));
  cmd->callback([opts] { run_model(*opts); });
}

}  // namespace fathom::tools
