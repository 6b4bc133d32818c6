// `fathom memory <scenario>`: per-GPU memory of a deployment against HBM (docs/memory.md).

#include <fmt/format.h>

#include <optional>

#include "hw/cluster_spec.h"
#include "models/deployment/memory_footprint.h"
#include "models/deployment/model_memory_facts.h"
#include "models/unit/unit_run.h"
#include "reports/provenance_report.h"
#include "reports/text_table.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/scenario_options.h"

namespace fathom::tools {
namespace {

models::MemoryRequest read_memory_request(const SpecReader& r, bool include_mtp) {
  models::MemoryRequest q;
  q.requests_per_gpu = r.at_least("requests_per_gpu", r.integer_or("requests_per_gpu", 1, "one request"), 0);
  q.context_tokens = r.at_least("context_tokens", r.integer("context_tokens"), 0);
  q.tokens_per_forward = r.at_least("tokens_per_forward",
                                    r.integer_or("tokens_per_forward", std::max<int64_t>(1, q.requests_per_gpu),
                                                 "one decode step: one token per request"),
                                    1);
  q.workspace = r.quantity_or<Bytes>("workspace", "2GiB",
                                     "CUDA context, cuBLAS/NCCL workspaces and communication buffers, not measured");
  q.include_mtp = include_mtp;
  r.finish();
  return q;
}

double gib(Bytes b) { return b.value() / (1024.0 * 1024.0 * 1024.0); }

nlohmann::json to_json(const models::MemoryFootprint& f) {
  return {
      {"weights_bytes", f.weights.value()},
      {"weights_breakdown_bytes",
       {{"attention", f.attention.value()},
        {"dense_ffn", f.dense_ffn.value()},
        {"routed_experts", f.routed_experts.value()},
        {"shared_experts", f.shared_experts.value()},
        {"router", f.router.value()},
        {"embedding_and_head", f.embedding_and_head.value()},
        {"mtp", f.mtp.value()}}},
      {"kv_cache_bytes", f.kv_cache.value()},
      {"activations_bytes", f.activations.value()},
      {"workspace_bytes", f.workspace.value()},
      {"total_bytes", f.total.value()},
      {"hbm_capacity_bytes", f.hbm_capacity.value()},
  };
}

std::string render_text(const std::string& name, const hw::ClusterSpec& cluster, const models::MemoryFootprint& f,
                        const ProvenanceLog& log) {
  reports::TextTable t({"per GPU", "GiB", "share of HBM"});
  auto row = [&](const std::string& label, Bytes b) {
    t.add_row({label, fmt::format("{:.2f}", gib(b)), fmt::format("{:.1f}%", 100.0 * (b / f.hbm_capacity))});
  };
  row("weights", f.weights);
  row("  attention", f.attention);
  row("  dense FFN", f.dense_ffn);
  row("  routed experts", f.routed_experts);
  row("  shared experts", f.shared_experts);
  row("  router", f.router);
  row("  embedding + head", f.embedding_and_head);
  row("  MTP", f.mtp);
  row("KV cache", f.kv_cache);
  row("activations", f.activations);
  row("workspace", f.workspace);
  row("total", f.total);
  row("HBM", f.hbm_capacity);
  std::string out =
      fmt::format("{}\n{} x {} ({} GPUs)\n\n", name, cluster.nodes, cluster.node.name, cluster.total_gpus());
  out += t.render();
  out += fmt::format("\n{}: headroom {:.2f} GiB. Layers on a GPU: {}; routed experts per MoE layer on a GPU: {}.\n",
                     f.fits ? "FITS" : "DOES NOT FIT", gib(f.headroom), f.layers_on_gpu, f.routed_experts_on_gpu);
  out += fmt::format(
      "Most context that fits per request at this request count: {} tokens; requests that fit at this "
      "context: {}.\n",
      f.max_context_tokens_per_request, f.max_requests_at_context);
  const std::string assumed = reports::assumptions_text(log);
  if (!assumed.empty()) out += "\nAssumed and default values:\n" + assumed;
  return out;
}

// What `fathom memory` reads from a scenario: a memory scenario, or a unit scenario's engine.
struct MemoryScenario {
  std::string name;
  hw::ClusterSpec cluster;
  std::optional<models::ModelChoice> model;
  models::ParallelismSpec parallelism;
  models::MemoryRequest request;
};

MemoryScenario read_memory_scenario(const ScenarioDocument& doc, ProvenanceLog& log) {
  MemoryScenario m;
  if (doc.root.is_object() && doc.root.value("kind", "") == "unit") {
    // A unit scenario: the memory its engine holds at its batch (models/unit/unit_run.h).
    const models::unit::UnitScenario u = models::unit::read_unit_scenario(doc, log);
    if (u.phase == models::unit::UnitPhase::training) {
      throw InputError(doc.label +
                       ": unit.phase: fathom memory sizes prefill and decode units; a training "
                       "chunk's memory is in fathom run of a training scenario");
    }
    m.name = u.name;
    m.cluster = u.cluster;
    m.model = u.model;
    m.parallelism = u.parallelism;
    m.parallelism.dp = m.parallelism.ep;
    m.request = models::unit::unit_memory_request(u);
    return m;
  }
  const SpecReader top(doc.root, doc.label, "", &log);
  m.name = top.has("name") ? top.text("name") : doc.label;
  if (top.has("description")) top.text("description");
  m.cluster = hw::read_cluster_spec(top.child("cluster"));
  m.model = models::read_model_choice(top.child("model"), doc);
  const SpecReader par = top.child("parallelism");
  m.parallelism = models::read_parallelism(par);
  const models::ParallelismSpec& p = m.parallelism;
  models::validate_parallelism(par, p, m.model->arch.routed_experts, m.model->arch.heads, m.model->arch.layers,
                               m.cluster.total_gpus());
  // Every GPU holds one shard: tp x pp x dp replicas of it fill the cluster exactly. (tp and pp are
  // bounded by the heads and layers; dp is compared first so the product cannot overflow.)
  const int64_t gpus = m.cluster.total_gpus();
  if (p.dp > gpus || p.tp * p.pp * p.dp != gpus) {
    par.fail("dp", fmt::format("tp {} x pp {} x dp {} = {:.0f} GPUs, but the cluster has {}{}", p.tp, p.pp, p.dp,
                               static_cast<double>(p.tp) * static_cast<double>(p.pp) * static_cast<double>(p.dp), gpus,
                               par.has("dp") ? "" : " (dp defaults to 1)"));
  }
  const SpecReader mem = top.child("memory");
  m.request = read_memory_request(mem, m.model->mtp);
  models::within_context(mem, "context_tokens", m.request.context_tokens, m.model->arch);
  top.finish();
  return m;
}

}  // namespace

void check_memory_scenario(const ScenarioDocument& doc) {
  ProvenanceLog log;
  (void)read_memory_scenario(doc, log);
}

void add_memory_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  CLI::App* cmd = app.add_subcommand("memory",
                                     "Per-GPU memory of a deployment (weights, KV cache, activations, "
                                     "workspace) against HBM: does it fit, and with what headroom");
  opts->add_to(*cmd);
  cmd->callback([opts] {
    const ScenarioDocument doc = opts->load();
    ProvenanceLog log;
    const MemoryScenario m = read_memory_scenario(doc, log);
    const std::string& name = m.name;
    const hw::ClusterSpec& cluster = m.cluster;
    const std::optional<models::ModelChoice>& model = m.model;
    const models::ParallelismSpec& p = m.parallelism;
    const models::MemoryRequest& req = m.request;

    const models::MemoryFootprint f =
        models::memory_footprint(models::memory_facts(*model), p, req, cluster.node.gpu.hbm_capacity);
    if (!opts->json) {
      fmt::print("{}", render_text(name, cluster, f, log));
      return;
    }
    nlohmann::json out = {
        {"name", name},
        {"gpu", cluster.node.gpu.name},
        {"gpus", cluster.total_gpus()},
        {"fits", f.fits},
        {"headroom_bytes", f.headroom.value()},
        {"headroom_fraction", f.headroom / f.hbm_capacity},
        {"per_gpu", to_json(f)},
        {"layers_on_gpu", f.layers_on_gpu},
        {"routed_experts_on_gpu", f.routed_experts_on_gpu},
        {"max_context_tokens_per_request", f.max_context_tokens_per_request},
        {"max_requests_at_context", f.max_requests_at_context},
        {"assumptions", reports::assumptions_json(log)},
        {"scenario", doc.root},
    };
    fmt::print("{}\n", out.dump(2));
  });
}

}  // namespace fathom::tools
