// `fathom model <hf-config.json>`: parameter counts, KV-cache and weight bytes, and per-token
// FLOPs (prefill, decode, training) of a model, by layer kind, as a Report (models/model_cost_report.h) in any
// format. Keys are listed in docs/model-cost.md.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "models/hf_config.h"
#include "models/model_cost_report.h"
#include "reports/formats.h"
#include "reports/report_dir.h"
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
  std::string report_dir;    // --report: write the report's files here
};

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
  const Report report = models::model_cost_report(arch, options, o.seq_len, o.context);
  fmt::print("{}", reports::render(report, o.json ? "json" : "text"));
  if (!o.report_dir.empty()) reports::write_report_dir(report, o.report_dir);
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
  cmd->add_option("--report", opts->report_dir,
                  "Write report.json, a CSV per table, summary.md and a self-contained report.html into DIR");
  cmd->callback([opts] { run_model(*opts); });
}

}  // namespace fathom::tools
