// `fathom memory <scenario> [--json] [--report DIR]`: per-GPU memory of a deployment against HBM, as a Report
// (models/deployment/memory_report.h; docs/memory.md): a memory or unit scenario's GPU, a serving scenario's
// prefill and decode units, a training scenario's worst pipeline rank.

#include <fmt/format.h>

#include <optional>

#include "hw/cluster_spec.h"
#include "models/deployment/memory_footprint.h"
#include "models/deployment/memory_report.h"
#include "models/deployment/model_memory_facts.h"
#include "models/serving/serving_inputs.h"
#include "models/serving/serving_memory.h"
#include "models/training/training_memory_report.h"
#include "models/unit/unit_run.h"
#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/strict_json.h"
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
  if (doc.kind() == "unit") {
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

Report memory_report_of(const ScenarioDocument& doc, const RunOptions& options) {
  ProvenanceLog log;
  const std::string kind = doc.kind().value_or("");
  if (kind == "serving") {
    const models::serving::ServingInputs in = models::serving::read_serving_inputs(doc, &log);
    if (options.validate_only) return {};
    return models::memory_report(doc.name(), kind, in.cluster, models::serving::serving_memory_units(in), log,
                                 doc.root);
  }
  if (kind == "training") {
    namespace tr = models::training;
    const tr::TrainingScenario s = tr::read_training_scenario(doc, log);
    if (options.validate_only) return {};
    const tr::TrainingMemory memory = tr::training_memory(s, tr::predict_training(s));
    for (const auto& a : memory.assumptions) log.record(a);
    return tr::training_memory_report(s, memory, log, doc.root);
  }
  if (!kind.empty() && kind != "unit") {
    throw InputError(
        fmt::format("{}: kind: fathom memory sizes serving, training and unit scenarios and scenarios "
                    "without a kind, not a {} scenario",
                    doc.label, printable(kind, 40)));
  }
  const MemoryScenario m = read_memory_scenario(doc, log);
  if (options.validate_only) return {};
  models::MemoryUnit unit;
  unit.name = "gpu";
  unit.gpus = m.cluster.total_gpus();
  unit.request = m.request;
  unit.footprint = models::memory_footprint(models::memory_facts(*m.model), m.parallelism, m.request,
                                            m.cluster.node.gpu.hbm_capacity);
  return models::memory_report(m.name, kind.empty() ? "memory" : kind, m.cluster, {unit}, log, doc.root);
}

void add_memory_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  auto report_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("memory",
                                     "Per-GPU memory of a deployment (weights, KV cache, activations, "
                                     "workspace) against HBM: does it fit, and with what headroom; a serving "
                                     "scenario's prefill and decode units, a training scenario's worst rank");
  opts->add_to(*cmd);
  cmd->add_option("--report", *report_dir,
                  "Write report.json, a CSV per table, summary.md and a self-contained report.html into DIR");
  cmd->callback([opts, report_dir] {
    const Report report = memory_report_of(opts->load(), RunOptions{});
    fmt::print("{}", reports::render(report, opts->json ? "json" : "text"));
    if (!report_dir->empty()) reports::write_report_dir(report, *report_dir);
  });
}

}  // namespace fathom::tools
