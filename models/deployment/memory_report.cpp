#include "models/deployment/memory_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace fathom::models {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// The keys `fathom memory --json` has printed since issue #3 (docs/memory.md), for one unit.
nlohmann::json unit_json(const MemoryUnit& u, const std::string& gpu) {
  const MemoryFootprint& f = u.footprint;
  return {
      {"gpu", gpu},
      {"gpus", u.gpus},
      {"fits", f.fits},
      {"headroom_bytes", f.headroom.value()},
      {"headroom_fraction", f.headroom / f.hbm_capacity},
      {"per_gpu",
       {{"weights_bytes", f.weights.value()},
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
        {"hbm_capacity_bytes", f.hbm_capacity.value()}}},
      {"layers_on_gpu", f.layers_on_gpu},
      {"routed_experts_on_gpu", f.routed_experts_on_gpu},
      {"max_context_tokens_per_request", f.max_context_tokens_per_request},
      {"max_requests_at_context", f.max_requests_at_context},
      {"request",
       {{"requests_per_gpu", u.request.requests_per_gpu},
        {"context_tokens", u.request.context_tokens},
        {"tokens_per_forward", u.request.tokens_per_forward},
        {"mtp", u.request.include_mtp}}},
  };
}

// The leaf parts of a footprint (their sum is the total), for the parts table.
std::vector<std::pair<std::string, double>> parts_of(const MemoryFootprint& f) {
  return {{"attention weights", f.attention.value()},
          {"dense FFN weights", f.dense_ffn.value()},
          {"routed expert weights", f.routed_experts.value()},
          {"shared expert weights", f.shared_experts.value()},
          {"router weights", f.router.value()},
          {"embedding + head weights", f.embedding_and_head.value()},
          {"MTP weights", f.mtp.value()},
          {"KV cache", f.kv_cache.value()},
          {"activations", f.activations.value()},
          {"workspace", f.workspace.value()}};
}

std::vector<MetricSpec> unit_metrics(const std::string& prefix, const std::string& label) {
  const std::string d = label.empty() ? "" : label + ": ";
  return {
      {prefix + "/per_gpu/total_bytes", "B", d + "memory per GPU"},
      {prefix + "/per_gpu/hbm_capacity_bytes", "B", d + "HBM per GPU"},
      {prefix + "/headroom_bytes", "B", d + "headroom (negative: does not fit)"},
      {prefix + "/per_gpu/weights_bytes", "B", d + "weights per GPU"},
      {prefix + "/per_gpu/kv_cache_bytes", "B", d + "KV cache per GPU"},
      {prefix + "/per_gpu/activations_bytes", "B", d + "activations per GPU (estimate)", false},
      {prefix + "/headroom_fraction", "", d + "headroom as a share of HBM", false},
      {prefix + "/max_context_tokens_per_request", "tokens", d + "most context per request that fits", false},
      {prefix + "/max_requests_at_context", "requests", d + "most requests per GPU that fit at this context", false},
  };
}

std::string unit_line(const MemoryUnit& u, const std::string& label) {
  const MemoryFootprint& f = u.footprint;
  return fmt::format(
      "{}{}: headroom {:.2f} GiB. Layers on a GPU: {}; routed experts per MoE layer on a GPU: {}. Most context per "
      "request at {} requests: {} tokens; requests that fit at {} tokens: {}.",
      label.empty() ? "" : label + ": ", f.fits ? "FITS" : "DOES NOT FIT", f.headroom.value() / kGiB, f.layers_on_gpu,
      f.routed_experts_on_gpu, u.request.requests_per_gpu, f.max_context_tokens_per_request, u.request.context_tokens,
      f.max_requests_at_context);
}

}  // namespace

nlohmann::json memory_part_rows(const std::string& unit, const std::vector<std::pair<std::string, double>>& parts,
                                double hbm_bytes) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [part, bytes] : parts) {
    rows.push_back({{"unit", unit},
                    {"part", part},
                    {"item", unit + ": " + part},
                    {"bytes", bytes},
                    {"share_of_hbm", hbm_bytes > 0 ? bytes / hbm_bytes : 0.0}});
  }
  return rows;
}

TableSpec memory_parts_table() {
  return {"parts",
          "Memory per GPU by part (the parts of a unit add up to its total)",
          "/parts",
          {{"unit", "unit", ""},
           {"part", "part", ""},
           {"bytes", "GiB", "", 1.0 / kGiB, 2},
           {"share_of_hbm", "share of HBM", "%", 100, 1}},
          {{"bar", "item", "bytes", "unit", "", "", "bytes per GPU"}}};
}

Report memory_report(const std::string& title, const std::string& source_kind, const hw::ClusterSpec& cluster,
                     const std::vector<MemoryUnit>& units, const ProvenanceLog& log, const nlohmann::json& scenario) {
  Report rep;
  rep.kind = "memory";
  rep.title = title;
  rep.lines.push_back(fmt::format("{} x {} ({} GPUs of {})", cluster.nodes, cluster.node.name, cluster.total_gpus(),
                                  cluster.node.gpu.name));
  const std::string& gpu = cluster.node.gpu.name;
  nlohmann::json parts = nlohmann::json::array();
  if (units.size() == 1) {
    rep.data = unit_json(units[0], gpu);
    rep.metrics = unit_metrics("", "");
    rep.lines.push_back(unit_line(units[0], ""));
  } else {
    rep.data = {{"gpu", gpu}, {"gpus", cluster.total_gpus()}, {"units", nlohmann::json::array()}};
    bool fits = true;
    double headroom = 0;
    for (size_t i = 0; i < units.size(); ++i) {
      const MemoryUnit& u = units[i];
      rep.data[u.name] = unit_json(u, gpu);
      rep.data["units"].push_back(u.name);
      fits = fits && u.footprint.fits;
      headroom = i == 0 ? u.footprint.headroom.value() : std::min(headroom, u.footprint.headroom.value());
      for (MetricSpec& m : unit_metrics("/" + u.name, u.name)) rep.metrics.push_back(std::move(m));
      rep.lines.push_back(unit_line(u, u.name));
    }
    rep.data["fits"] = fits;
    rep.data["headroom_bytes"] = headroom;  // the tightest unit's
  }
  for (const MemoryUnit& u : units) {
    for (auto& row : memory_part_rows(u.name, parts_of(u.footprint), u.footprint.hbm_capacity.value()))
      parts.push_back(std::move(row));
  }
  rep.data["kind"] = "memory";
  rep.data["source_kind"] = source_kind;
  rep.data["name"] = title;
  rep.data["parts"] = parts;
  rep.data["assumptions"] = assumptions_json(log);
  rep.data["scenario"] = scenario;
  rep.tables = {memory_parts_table()};
  return rep;
}

}  // namespace fathom::models
