// `fathom eplb`: balance experts over GPUs with EPLB and report the per-GPU load before and after.
// Output keys are documented in docs/eplb.md.

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "models/eplb/expert_load.h"
#include "models/eplb/gpu_load.h"
#include "models/eplb/policy_registry.h"
#include "reports/text_table.h"
#include "sim/error.h"
#include "tools/commands.h"

namespace fathom::tools {
namespace {

namespace eplb = fathom::models::eplb;

// The flags of `fathom eplb`, as parsed.
struct EplbOptions {
  std::string weights;
  std::optional<double> zipf;
  int layers = 58;
  int experts = 256;
  uint64_t seed = 0;
  double tokens = 65536.0 * 8;
  std::optional<int> replicas;
  int groups = 1;
  int nodes = 1;
  std::optional<int> gpus;
  std::string policy = "auto";
  bool json = false;
};

eplb::LoadMatrix load_weights(const EplbOptions& o) {
  if (!o.weights.empty() && o.zipf) throw InputError("--weights and --zipf: give one source of loads, not both");
  if (!o.weights.empty()) return eplb::read_loads_file(o.weights);
  if (!o.zipf) throw InputError("--weights FILE or --zipf S: a source of expert loads is required");
  if (o.layers <= 0) throw InputError(fmt::format("--layers {}: must be positive", o.layers));
  if (o.experts <= 0) throw InputError(fmt::format("--experts {}: must be positive", o.experts));
  if (*o.zipf < 0) throw InputError(fmt::format("--zipf {}: must be >= 0", *o.zipf));
  if (!(o.tokens >= 0)) throw InputError(fmt::format("--tokens {}: must be >= 0", o.tokens));
  return eplb::zipf_loads({o.layers, o.experts, *o.zipf, o.tokens, o.seed});
}

nlohmann::ordered_json layer_array(const std::vector<eplb::LayerGpuLoad>& layers, bool tokens) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& l : layers) {
    if (tokens) {
      out.push_back(l.tokens_per_gpu);
    } else {
      out.push_back(l.imbalance);
    }
  }
  return out;
}

nlohmann::ordered_json to_json(const eplb::EplbOutcome& r, const eplb::EplbConfig& c, size_t experts) {
  nlohmann::ordered_json j;
  j["policy"] = r.policy;
  j["num_layers"] = r.placement.phy2log.size();
  j["num_logical_experts"] = experts;
  j["num_replicas"] = c.num_replicas;
  j["num_groups"] = c.num_groups;
  j["num_nodes"] = c.num_nodes;
  j["num_gpus"] = c.num_gpus;
  j["phy2log"] = r.placement.phy2log;
  j["log2phy"] = r.placement.log2phy;
  j["logcnt"] = r.placement.logcnt;
  j["imbalance_before"] = layer_array(r.before, false);
  j["imbalance_after"] = layer_array(r.after, false);
  j["gpu_tokens_before"] = layer_array(r.before, true);
  j["gpu_tokens_after"] = layer_array(r.after, true);
  j["summary"] = {{"imbalance_before_max", r.before_summary.max},
                  {"imbalance_before_mean", r.before_summary.mean},
                  {"imbalance_after_max", r.after_summary.max},
                  {"imbalance_after_mean", r.after_summary.mean}};
  return j;
}

std::string to_text(const eplb::EplbOutcome& r, const eplb::EplbConfig& c, size_t experts) {
  std::string out =
      fmt::format("EPLB {}: {} layers x {} logical experts -> {} replicas on {} GPUs ({} nodes, {} groups)\n", r.policy,
                  r.placement.phy2log.size(), experts, c.num_replicas, c.num_gpus, c.num_nodes, c.num_groups);
  out += fmt::format(
      "imbalance (max/mean tokens per GPU): before max {:.3f} mean {:.3f}; after max {:.3f} mean {:.3f}\n\n",
      r.before_summary.max, r.before_summary.mean, r.after_summary.max, r.after_summary.mean);
  reports::TextTable table({"layer", "tokens", "max GPU before", "imbalance before", "max GPU after", "imbalance after",
                            "replicated experts"});
  for (size_t l = 0; l < r.before.size(); ++l) {
    int replicated = 0;
    for (int n : r.placement.logcnt[l]) replicated += n > 1 ? 1 : 0;
    table.add_row({std::to_string(l), fmt::format("{:.0f}", r.before[l].mean_tokens * c.num_gpus),
                   fmt::format("{:.1f}", r.before[l].max_tokens), fmt::format("{:.3f}", r.before[l].imbalance),
                   fmt::format("{:.1f}", r.after[l].max_tokens), fmt::format("{:.3f}", r.after[l].imbalance),
                   std::to_string(replicated)});
  }
  return out + table.render();
}

void run_eplb(const EplbOptions& o) {
  if (!o.replicas) throw InputError("--replicas: required (physical expert slots per layer)");
  if (!o.gpus) throw InputError("--gpus: required (GPUs of the EP group)");
  if (o.policy != "auto") eplb::policy_registry().get(o.policy, "--policy");
  const eplb::LoadMatrix loads = load_weights(o);
  const std::string label = o.weights.empty() ? "--zipf" : o.weights;
  eplb::check_loads(loads, label);
  const eplb::EplbConfig config{*o.replicas, o.groups, o.nodes, *o.gpus};
  const size_t experts = loads.front().size();
  eplb::check_config(static_cast<int>(experts), config,
                     {"--replicas", "--groups", "--nodes", "--gpus", fmt::format("experts of {}", label)});
  if (o.policy == "hierarchical" && o.groups % o.nodes != 0) {
    throw InputError(
        fmt::format("--policy hierarchical: --groups {} must be a multiple of --nodes {}", o.groups, o.nodes));
  }
  const eplb::EplbOutcome result = eplb::evaluate_eplb(loads, config, o.policy);
  if (o.json) {
    fmt::print("{}\n", to_json(result, config, experts).dump());
  } else {
    fmt::print("{}", to_text(result, config, experts));
  }
}

}  // namespace

void add_eplb_command(CLI::App& app) {
  auto o = std::make_shared<EplbOptions>();
  CLI::App* cmd = app.add_subcommand("eplb", "Balance MoE experts over GPUs with EPLB; per-GPU load before/after");
  cmd->add_option("--weights", o->weights, "Per-layer expert loads: CSV (rows = layers) or JSON array of arrays");
  cmd->add_option("--zipf", o->zipf, "Generate Zipf loads with this exponent instead of reading a file");
  cmd->add_option("--layers", o->layers, "Layers to generate with --zipf")->capture_default_str();
  cmd->add_option("--experts", o->experts, "Logical experts per layer with --zipf")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the --zipf shuffle (std::mt19937_64)")->capture_default_str();
  cmd->add_option("--tokens", o->tokens, "Routed token slots per layer with --zipf")->capture_default_str();
  cmd->add_option("--replicas", o->replicas, "Physical expert slots per layer (logical + redundant)");
  cmd->add_option("--groups", o->groups, "Expert groups")->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Nodes of the EP group")->capture_default_str();
  cmd->add_option("--gpus", o->gpus, "GPUs of the EP group");
  cmd->add_option("--policy", o->policy, "auto (eplb.py's rule), hierarchical or global")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->callback([o] { run_eplb(*o); });
}

}  // namespace fathom::tools
